// Hand-worked cases for every rule of the Talking Therapies currency model (SPEC section 3),
// against the built-in 2025-26 reference data. Scores are in hundredths (PHQ-9 10 -> 1000).
#include <gtest/gtest.h>

#include <cmath>

#include "model/errors.hpp"

#include "reference/reference.hpp"
#include "tt/rules.hpp"

using namespace mhbench;
using reference::AppClass;
using reference::Reference;

namespace {

const Reference& ref() { return Reference::built_in(); }
int D(const char* label) {
    const int d = ref().descriptor_by_label(label);
    EXPECT_GE(d, 0) << label;
    return d;
}
int M(const char* name) { return ref().measure_by_name(name); }
std::string desc_of(const char* code) { return ref().descriptors[static_cast<std::size_t>(tt::classify_complaint(ref(), code).descriptor)].label; }

// Per-measure first/last scores from (measure, first, last) in points; count 2 = paired.
std::vector<tt::FirstLast> scores(std::initializer_list<std::tuple<const char*, double, double, int>> v) {
    std::vector<tt::FirstLast> out(ref().measures.size());
    for (auto [m, f, l, n] : v) {
        auto& x = out[static_cast<std::size_t>(M(m))];
        x.count = n;
        x.first = static_cast<reference::Hundredths>(std::lround(f * 100));
        x.last = static_cast<reference::Hundredths>(std::lround(l * 100));
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------- reference data

TEST(TtReference, built_in_set_loads_with_its_version_and_the_generator_codes) {
    EXPECT_EQ(ref().version, "2025-26");
    EXPECT_EQ(ref().measures.size(), 9u);
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(ref().measure_by_snomed("720433000"))].name, "PHQ-9");
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(ref().measure_by_snomed("445455005"))].name, "GAD-7");
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(ref().measure_by_snomed("1035321000000105"))].name, "MI");
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(M("MI"))].caseness, 230);
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(M("MI"))].reliable_change, 73);
    EXPECT_EQ(ref().measures[static_cast<std::size_t>(M("BIQ"))].snomed_status, "unconfirmed");
    EXPECT_EQ(ref().fig3.size(), 24u);
    EXPECT_EQ(ref().descriptors.size(), 15u);
    EXPECT_FALSE(ref().descriptors[static_cast<std::size_t>(D("Medically Unexplained Symptoms"))].in_model);
    EXPECT_EQ(reference::parse_hundredths("2.3"), 230);
    EXPECT_EQ(reference::parse_hundredths("0.73"), 73);
    EXPECT_EQ(reference::parse_hundredths("27"), 2700);
    EXPECT_THROW(reference::parse_hundredths("2.345"), ConfigError);
    EXPECT_THROW(reference::parse_hundredths("x"), ConfigError);
}

TEST(TtReference, a_broken_file_is_a_clear_error) {
    auto files = ref().files;
    files["measures.csv"] += "XYZ,1,0,10,20,1,confirmed,confirmed,bad\n";  // caseness above max
    EXPECT_THROW(Reference::parse(files, "test"), ConfigError);
    files = ref().files;
    files.erase("complaints.csv");
    EXPECT_THROW(Reference::parse(files, "test"), ConfigError);
}

// ---------------------------------------------------------------- Step 1: complaint mapping

TEST(TtComplaint, icd10_with_and_without_the_dot) {
    EXPECT_EQ(desc_of("F32.1"), "Depression");
    EXPECT_EQ(desc_of("F321"), "Depression");
    EXPECT_EQ(desc_of("F33"), "Depression");
    EXPECT_EQ(desc_of("F33.9"), "Depression");
    EXPECT_EQ(desc_of("F41.1"), "Generalised Anxiety");
    EXPECT_EQ(desc_of("F411"), "Generalised Anxiety");
    EXPECT_EQ(desc_of("f41.1"), "Generalised Anxiety");
    EXPECT_EQ(desc_of("F43.1"), "Post-traumatic Stress");
    EXPECT_EQ(desc_of("F42"), "Obsessive Compulsive");
    EXPECT_EQ(desc_of("F42.2"), "Obsessive Compulsive");
    EXPECT_EQ(desc_of("F401"), "Social Phobias");
    EXPECT_EQ(desc_of("F45.2"), "Hypochondrial disorder");
    EXPECT_EQ(desc_of("F40.2"), "Specific Phobias");
    EXPECT_EQ(desc_of("F41.2"), "Mixed Anxiety");
    EXPECT_EQ(desc_of("F40.0"), "Agoraphobia");
    EXPECT_EQ(desc_of("F410"), "Panic Disorder");
}

TEST(TtComplaint, other_anxiety_other_mental_health_bdd_mus_and_invalid) {
    for (const char* c : {"F40.8", "F41.9", "F41.3", "F43.0", "F43.2", "F40"}) EXPECT_EQ(desc_of(c), "Other Anxiety") << c;
    for (const char* c : {"F50.0", "F60.3", "F31.9", "F90.0", "F10.2", "F20"}) EXPECT_EQ(desc_of(c), "Other Mental Health Problems") << c;
    EXPECT_EQ(desc_of("83482000"), "Body Dysmorphic Disorder");
    for (const char* c : {"F45.0", "F451", "F45.3", "F45.9", "F48.0", "G93.3", "K58.9", "52702003", "10743008"})
        EXPECT_EQ(desc_of(c), "Medically Unexplained Symptoms") << c;
    for (const char* c : {"Z63.0", "R45.8", "F4X.1", "XX999", "0", "ZZZ", "", "834820001"})
        EXPECT_EQ(desc_of(c), "Other/Unknown/Invalid") << c;
    EXPECT_TRUE(tt::classify_complaint(ref(), "F45.0").valid);
    EXPECT_FALSE(tt::classify_complaint(ref(), "F4X.1").valid);
    EXPECT_FALSE(tt::classify_complaint(ref(), "Z63.0").valid);  // well formed, but in no rule
}

TEST(TtComplaint, primary_complaint_valid_first_then_lowest_significance_then_latest) {
    auto rec = [](const char* code, std::int32_t sig, std::int32_t date) {
        return tt::ComplaintRecord{tt::classify_complaint(ref(), code), sig, date, code};
    };
    // An invalid code with significance 1 loses to a valid one with significance 2.
    std::vector<tt::ComplaintRecord> a = {rec("XX999", 1, 100), rec("F41.1", 2, 90)};
    EXPECT_EQ(tt::select_primary(a), 1);
    EXPECT_EQ(tt::referral_descriptor(ref(), a), D("Generalised Anxiety"));
    // Both valid: the lowest significance wins whatever the dates.
    std::vector<tt::ComplaintRecord> b = {rec("F32.1", 2, 200), rec("F40.1", 1, 100)};
    EXPECT_EQ(tt::referral_descriptor(ref(), b), D("Social Phobias"));
    // Same significance: the latest date wins; a missing date loses.
    std::vector<tt::ComplaintRecord> c = {rec("F32.1", 1, 100), rec("F43.1", 1, 150), rec("F42", 1, tt::kNoDate)};
    EXPECT_EQ(tt::referral_descriptor(ref(), c), D("Post-traumatic Stress"));
    // Missing significance (INT32_MAX) loses to any number.
    std::vector<tt::ComplaintRecord> e = {rec("F32.1", INT32_MAX, 300), rec("F40.0", 3, 100)};
    EXPECT_EQ(tt::referral_descriptor(ref(), e), D("Agoraphobia"));
    // Only invalid, or none: Other/Unknown/Invalid.
    std::vector<tt::ComplaintRecord> f = {rec("ZZZ", 1, 100)};
    EXPECT_EQ(tt::referral_descriptor(ref(), f), D("Other/Unknown/Invalid"));
    EXPECT_EQ(tt::referral_descriptor(ref(), {}), D("Other/Unknown/Invalid"));
    EXPECT_EQ(tt::select_primary({}), -1);
}

// ---------------------------------------------------------------- finished course and intensity

TEST(TtContacts, finished_needs_two_attended_treatment_appointments) {
    using C = tt::ContactRecord;
    const C treat5{true, AppClass::Treatment, false, true, false};
    const C dna{false, AppClass::Treatment, false, true, false};           // AttendOrDNACode 3
    const C assess{true, AppClass::Other, false, false, false};            // AppType 01
    const C employ{true, AppClass::Employment, false, false, true};        // AppType 10
    auto fin = [](std::vector<C> v, bool disch = true) { return tt::finished_course(ref(), disch, tt::count_contacts(v)); };
    EXPECT_TRUE(fin({treat5, treat5}));
    EXPECT_FALSE(fin({treat5}));
    EXPECT_FALSE(fin({treat5, dna, dna}));
    EXPECT_FALSE(fin({treat5, assess, employ}));
    EXPECT_FALSE(fin({treat5, treat5}, false));  // not discharged in the year
    // The reference's code lists decide attendance and appointment type.
    EXPECT_TRUE(ref().attended_codes.count("5") && ref().attended_codes.count("6"));
    EXPECT_FALSE(ref().attended_codes.count("7") || ref().attended_codes.count("3"));
    EXPECT_EQ(ref().app_types.at("02"), AppClass::Treatment);
    EXPECT_EQ(ref().app_types.at("03"), AppClass::Treatment);
    EXPECT_EQ(ref().app_types.at("05"), AppClass::Treatment);
    EXPECT_EQ(ref().app_types.at("10"), AppClass::Employment);
    EXPECT_FALSE(ref().app_types.count("01"));
    EXPECT_FALSE(ref().app_types.count("06"));
}

TEST(TtContacts, intensity_both_neither_and_employment_support) {
    using C = tt::ContactRecord;
    using K = tt::ContactKind;
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Treatment, true, true, false}), K::High);  // both -> high
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Treatment, true, false, false}), K::Low);
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Treatment, false, false, false}), K::Unclassified);
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Treatment, false, false, true}), K::EmploymentTreatment);
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Employment, false, false, false}), K::EmploymentAdvice);
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Other, false, false, true}), K::EmploymentAdvice);
    EXPECT_EQ(tt::classify_contact(C{true, AppClass::Other, true, true, false}), K::NotCounted);
    EXPECT_EQ(tt::classify_contact(C{false, AppClass::Treatment, false, true, false}), K::NotCounted);
    // A course: 2 low, 3 high (one with a low code too), 1 neither, 1 employment-only treatment,
    // 2 AppType 10, 1 DNA, 1 assessment.
    std::vector<C> v = {{true, AppClass::Treatment, true, false, false},  {true, AppClass::Treatment, true, false, false},
                        {true, AppClass::Treatment, false, true, false},  {true, AppClass::Treatment, true, true, false},
                        {true, AppClass::Treatment, false, true, false},  {true, AppClass::Treatment, false, false, false},
                        {true, AppClass::Treatment, false, false, true},  {true, AppClass::Employment, false, false, true},
                        {true, AppClass::Employment, false, false, false}, {false, AppClass::Treatment, false, true, false},
                        {true, AppClass::Other, false, false, false}};
    const auto n = tt::count_contacts(v);
    EXPECT_EQ(n.treatment, 7);
    EXPECT_EQ(n.low, 2);
    EXPECT_EQ(n.high, 3);
    EXPECT_EQ(n.unclassified, 1);
    EXPECT_EQ(n.employment_in_treatment, 1);
    EXPECT_EQ(n.employment, 3);
    EXPECT_EQ(ref().activities.at("1098051000000103"), reference::Intensity::Employment);
    EXPECT_EQ(ref().activities.at("304891004"), reference::Intensity::High);
    EXPECT_EQ(ref().activities.at("1026111000000108"), reference::Intensity::Low);
}

// ---------------------------------------------------------------- first and last scores

TEST(TtScores, first_and_last_by_date_across_both_tables) {
    const int phq = M("PHQ-9"), gad = M("GAD-7");
    std::vector<tt::ScoreRecord> s = {
        {phq, 20, 1200, true},   // IDS607, day 20
        {phq, 10, 1500, false},  // IDS606, day 10: first
        {phq, 30, 800, true},    // last
        {phq, 40, std::nullopt, true},  // no value: not used
        {phq, tt::kNoDate, 100, true},  // no date: not used
        {phq, 35, 2800, true},          // out of range (28 > 27): not used
        {gad, 5, 900, false},
        {-1, 50, 100, true},  // not a measure of the model
    };
    const auto fl = tt::first_last(ref(), s);
    EXPECT_EQ(fl[static_cast<std::size_t>(phq)].count, 3);
    EXPECT_EQ(fl[static_cast<std::size_t>(phq)].first, 1500);
    EXPECT_EQ(fl[static_cast<std::size_t>(phq)].last, 800);
    EXPECT_TRUE(fl[static_cast<std::size_t>(phq)].paired());
    EXPECT_EQ(fl[static_cast<std::size_t>(gad)].count, 1);
    EXPECT_FALSE(fl[static_cast<std::size_t>(gad)].paired());
    // Same day in both tables: IDS606 is first, IDS607 last.
    std::vector<tt::ScoreRecord> t = {{phq, 10, 1400, true}, {phq, 10, 1600, false}};
    const auto g = tt::first_last(ref(), t);
    EXPECT_EQ(g[static_cast<std::size_t>(phq)].first, 1600);
    EXPECT_EQ(g[static_cast<std::size_t>(phq)].last, 1400);
}

// ---------------------------------------------------------------- caseness, recovery, reliable change

TEST(TtOutcome, phq9_caseness_and_recovery_at_and_either_side_of_10) {
    const int dep = D("Depression");
    // GAD-7 held low and steady (below its cut-off 8) so PHQ-9 decides.
    auto o = [&](double f, double l) { return tt::outcome(ref(), dep, scores({{"PHQ-9", f, l, 2}, {"GAD-7", 5, 5, 2}})); };
    EXPECT_FALSE(o(9, 9).at_caseness);
    EXPECT_TRUE(o(9, 9).not_at_caseness);
    EXPECT_TRUE(o(10, 9).at_caseness);
    EXPECT_TRUE(o(11, 9).at_caseness);
    EXPECT_TRUE(o(10, 9).recovered);   // ends at 9 < 10
    EXPECT_FALSE(o(12, 10).recovered);  // ends at the cut-off: still a case
    EXPECT_TRUE(o(12, 10).at_caseness);
    EXPECT_FALSE(o(9, 3).recovered);   // never at caseness
}

TEST(TtOutcome, phq9_reliable_change_at_and_either_side_of_6) {
    const int dep = D("Depression");
    auto o = [&](double f, double l) { return tt::outcome(ref(), dep, scores({{"PHQ-9", f, l, 2}, {"GAD-7", 5, 5, 2}})); };
    EXPECT_FALSE(o(15, 10).improved);  // fall 5
    EXPECT_TRUE(o(15, 9).improved);    // fall 6
    EXPECT_TRUE(o(15, 8).improved);    // fall 7
    EXPECT_TRUE(o(15, 9).reliably_recovered);
    EXPECT_FALSE(o(15, 10).reliably_recovered);
    EXPECT_FALSE(o(10, 15).deteriorated);  // rise 5
    EXPECT_TRUE(o(10, 16).deteriorated);   // rise 6
    EXPECT_TRUE(o(10, 17).deteriorated);
    // Recovered without reliable improvement: not reliably recovered.
    EXPECT_TRUE(o(11, 9).recovered);
    EXPECT_FALSE(o(11, 9).reliably_recovered);
}

TEST(TtOutcome, gad7_caseness_8_and_reliable_change_4) {
    const int gad = D("Generalised Anxiety");
    auto o = [&](double f, double l) { return tt::outcome(ref(), gad, scores({{"PHQ-9", 5, 5, 2}, {"GAD-7", f, l, 2}})); };
    EXPECT_FALSE(o(7, 7).at_caseness);
    EXPECT_TRUE(o(8, 7).at_caseness);
    EXPECT_TRUE(o(9, 7).at_caseness);
    EXPECT_FALSE(o(12, 9).improved);  // fall 3
    EXPECT_TRUE(o(12, 8).improved);   // fall 4
    EXPECT_TRUE(o(12, 7).improved);   // fall 5
    EXPECT_FALSE(o(12, 8).recovered);  // ends at the cut-off 8
    EXPECT_TRUE(o(12, 7).reliably_recovered);
    EXPECT_FALSE(o(4, 7).deteriorated);  // rise 3
    EXPECT_TRUE(o(4, 8).deteriorated);   // rise 4
}

TEST(TtOutcome, mobility_inventory_decimals_caseness_2_3_and_change_0_73) {
    const int ag = D("Agoraphobia");
    auto o = [&](double f, double l) { return tt::outcome(ref(), ag, scores({{"PHQ-9", 5, 5, 2}, {"MI", f, l, 2}})); };
    EXPECT_FALSE(o(2.29, 2.29).at_caseness);
    EXPECT_TRUE(o(2.30, 2.29).at_caseness);
    EXPECT_TRUE(o(2.31, 2.29).at_caseness);
    EXPECT_TRUE(o(2.30, 2.29).recovered);
    EXPECT_FALSE(o(3.00, 2.30).recovered);
    EXPECT_FALSE(o(3.00, 2.28).improved);  // fall 0.72
    EXPECT_TRUE(o(3.00, 2.27).improved);   // fall 0.73
    EXPECT_TRUE(o(3.00, 2.26).improved);   // fall 0.74
    EXPECT_TRUE(o(3.00, 2.27).reliably_recovered);
    EXPECT_FALSE(o(2.00, 2.72).deteriorated);  // rise 0.72
    EXPECT_TRUE(o(2.00, 2.73).deteriorated);   // rise 0.73
    EXPECT_EQ(o(3.00, 2.27).anxiety_measure, M("MI"));
}

TEST(TtOutcome, anxiety_measures_at_their_thresholds) {
    struct Case { const char* desc; const char* m; double cut, rc; };
    for (const Case& c : {Case{"Social Phobias", "SPIN", 19, 10}, Case{"Post-traumatic Stress", "PCL-5", 32, 10},
                          Case{"Panic Disorder", "PDSS", 8, 5}, Case{"Hypochondrial disorder", "HAI", 18, 4},
                          Case{"Obsessive Compulsive", "OCI", 17, 13}, Case{"Body Dysmorphic Disorder", "BIQ", 20, 8}}) {
        const int d = D(c.desc);
        auto o = [&](double f, double l) { return tt::outcome(ref(), d, scores({{"PHQ-9", 5, 5, 2}, {c.m, f, l, 2}})); };
        EXPECT_FALSE(o(c.cut - 1, c.cut - 1).at_caseness) << c.m;
        EXPECT_TRUE(o(c.cut, c.cut - 1).at_caseness) << c.m;
        EXPECT_FALSE(o(c.cut + c.rc, c.cut + 1).improved) << c.m;  // fall rc - 1
        EXPECT_TRUE(o(c.cut + c.rc, c.cut).improved) << c.m;       // fall exactly rc
        EXPECT_FALSE(o(c.cut + c.rc, c.cut).recovered) << c.m;     // ends at the cut-off
        EXPECT_TRUE(o(c.cut + c.rc, c.cut - 1).improved) << c.m;   // fall rc + 1
        EXPECT_TRUE(o(c.cut + c.rc, c.cut - 1).reliably_recovered) << c.m;
        EXPECT_FALSE(o(c.cut, c.cut + c.rc - 1).deteriorated) << c.m;  // rise rc - 1
        EXPECT_TRUE(o(c.cut, c.cut + c.rc).deteriorated) << c.m;       // rise rc
        EXPECT_EQ(o(c.cut, c.cut).anxiety_measure, M(c.m)) << c.m;
    }
}

TEST(TtOutcome, improvement_on_one_with_reliable_deterioration_on_the_other_is_neither) {
    const int dep = D("Depression");
    // PHQ-9 falls 8 (reliable), GAD-7 rises 4 (reliable): neither improved nor deteriorated.
    const auto o = tt::outcome(ref(), dep, scores({{"PHQ-9", 16, 8, 2}, {"GAD-7", 4, 8, 2}}));
    EXPECT_FALSE(o.improved);
    EXPECT_FALSE(o.deteriorated);
    EXPECT_FALSE(o.reliably_recovered);
    // GAD-7 rises 3 only: improvement stands; ends at 7 < 8 and PHQ-9 at 8 < 10: reliably recovered.
    const auto p = tt::outcome(ref(), dep, scores({{"PHQ-9", 16, 8, 2}, {"GAD-7", 4, 7, 2}}));
    EXPECT_TRUE(p.improved);
    EXPECT_TRUE(p.reliably_recovered);
}

TEST(TtOutcome, missing_measures_backup_and_unpaired) {
    const int soc = D("Social Phobias");
    // SPIN not recorded: GAD-7 is the back-up anxiety measure.
    auto a = tt::outcome(ref(), soc, scores({{"PHQ-9", 12, 4, 2}, {"GAD-7", 10, 5, 2}}));
    EXPECT_EQ(a.anxiety_measure, M("GAD-7"));
    EXPECT_TRUE(a.reliably_recovered);
    // SPIN with one score only is not paired: back-up again.
    auto b = tt::outcome(ref(), soc, scores({{"PHQ-9", 12, 4, 2}, {"GAD-7", 10, 5, 2}, {"SPIN", 40, 40, 1}}));
    EXPECT_EQ(b.anxiety_measure, M("GAD-7"));
    // PHQ-9 unpaired: the anxiety measure alone decides.
    auto c = tt::outcome(ref(), soc, scores({{"PHQ-9", 12, 12, 1}, {"SPIN", 30, 15, 2}}));
    EXPECT_TRUE(c.paired);
    EXPECT_TRUE(c.at_caseness);
    EXPECT_TRUE(c.reliably_recovered);
    // Nothing paired: every flag false, neither at caseness nor not at caseness.
    auto d = tt::outcome(ref(), soc, scores({{"PHQ-9", 12, 12, 1}}));
    EXPECT_FALSE(d.paired);
    EXPECT_FALSE(d.at_caseness);
    EXPECT_FALSE(d.not_at_caseness);
    EXPECT_FALSE(d.reliably_recovered);
}

// ---------------------------------------------------------------- Step 2: severity

TEST(TtSeverity, phq9_and_gad7_three_bands_at_every_boundary) {
    const int dep = D("Depression"), gad = D("Generalised Anxiety");
    auto band = [&](int d, int pts) { return tt::severity_band(ref(), d, pts * 100, std::nullopt); };
    EXPECT_EQ(band(dep, 0), 0);
    EXPECT_EQ(band(dep, 9), 0);
    EXPECT_EQ(band(dep, 10), 1);
    EXPECT_EQ(band(dep, 14), 1);
    EXPECT_EQ(band(dep, 15), 2);
    EXPECT_EQ(band(dep, 27), 2);
    EXPECT_EQ(band(gad, 9), 0);
    EXPECT_EQ(band(gad, 10), 1);
    EXPECT_EQ(band(gad, 15), 2);
    EXPECT_EQ(band(gad, 21), 2);
    EXPECT_EQ(ref().band_labels(dep), (std::vector<std::string>{"Mild", "Moderate", "Severe"}));
    EXPECT_EQ(tt::severity_band(ref(), dep, std::nullopt, std::nullopt), tt::kUnknownBand);
    // The score comes from the descriptor's severity measure (PHQ-9 for depression, GAD-7 for GAD).
    auto s = scores({{"PHQ-9", 16, 8, 2}, {"GAD-7", 7, 3, 2}});
    EXPECT_EQ(*tt::severity_score(ref(), dep, s), 1600);
    EXPECT_EQ(*tt::severity_score(ref(), gad, s), 700);
    EXPECT_FALSE(tt::severity_score(ref(), D("Social Phobias"), s).has_value());  // no SPIN: Unknown
}

TEST(TtSeverity, median_split_score_equal_to_the_median_is_below) {
    const int ptsd = D("Post-traumatic Stress"), ag = D("Agoraphobia");
    EXPECT_EQ(tt::severity_band(ref(), ptsd, 4700, 4800.0), 0);
    EXPECT_EQ(tt::severity_band(ref(), ptsd, 4800, 4800.0), 0);
    EXPECT_EQ(tt::severity_band(ref(), ptsd, 4900, 4800.0), 1);
    EXPECT_EQ(tt::severity_band(ref(), ptsd, 4800, 4750.0), 1);  // median between two scores
    EXPECT_EQ(tt::severity_band(ref(), ag, 299, 300.0), 0);       // MI 2.99 vs 3.00
    EXPECT_EQ(tt::severity_band(ref(), ag, 300, 300.0), 0);
    EXPECT_EQ(tt::severity_band(ref(), ag, 301, 300.0), 1);
    EXPECT_EQ(tt::severity_band(ref(), ptsd, std::nullopt, 4800.0), tt::kUnknownBand);
    EXPECT_EQ(ref().band_labels(ptsd), (std::vector<std::string>{"Below Median", "Above Median"}));
    // Specific phobias, mixed and other anxiety: median split by default (as Fig. 3).
    for (const char* d : {"Specific Phobias", "Mixed Anxiety", "Other Anxiety"})
        EXPECT_EQ(ref().descriptors[static_cast<std::size_t>(D(d))].scheme, reference::Scheme::MedianSplit) << d;
    // One band: always band 0 ("All"), with or without a score.
    EXPECT_EQ(tt::severity_band(ref(), D("Other Mental Health Problems"), std::nullopt, std::nullopt), 0);
    EXPECT_EQ(ref().band_labels(D("Other/Unknown/Invalid")), (std::vector<std::string>{"All"}));
}

TEST(TtSeverity, appendix5_three_bands_selectable_for_specific_phobias) {
    auto files = ref().files;
    auto& text = files["descriptors.csv"];
    const std::string from = "Specific Phobias,GAD-7,GAD-7,median_split", to = "Specific Phobias,GAD-7,GAD-7,three_bands";
    text.replace(text.find(from), from.size(), to);
    const Reference alt = Reference::parse(files, "test");
    const int sp = alt.descriptor_by_label("Specific Phobias");
    EXPECT_EQ(alt.band_labels(sp), (std::vector<std::string>{"Mild", "Moderate", "Severe"}));
    EXPECT_EQ(tt::severity_band(alt, sp, 900, 1300.0), 0);   // the median is ignored
    EXPECT_EQ(tt::severity_band(alt, sp, 1000, 1300.0), 1);
    EXPECT_EQ(tt::severity_band(alt, sp, 1500, 1300.0), 2);
}
