#include "jobs/tt_averages.hpp"

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>

#include "jobs/pipeline.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "report/org_rows.hpp"
#include "report/progress.hpp"
#include "stats/inference.hpp"
#include "stats/intervals.hpp"
#include "stats/suppression.hpp"
#include "tt/rules.hpp"

namespace mhbench::jobs {

namespace {

using reference::Reference;

// Referrals per read batch, at most: with their contacts, activities, complaints and scores about
// 20 MB of columns (~170 bytes per referral), which the next batch reuses. Of batches of 60,000 to
// 3 million referrals this was among the fastest at 1 and 2 ranks (docs/performance.md).
constexpr std::int64_t kBatchReferrals = 125'000;

const std::string kRef = "IDS101Referral", kContact = "IDS201CareContact", kActivity = "IDS202CareActivity",
                  kComplaint = "IDS603PresentingComplaints", kScore606 = "IDS606CodedScoreAssessmentRefer",
                  kScore607 = "IDS607CodedScoreAssessmentAct";

// What the group stage keeps of a referral between its two passes, one per referral this rank
// reads: packed into 28 bytes (the flags in one byte), as it is the largest array after the
// columns themselves. The provider is the row's, from the plan.
struct Fact {
    enum Flag : std::uint8_t {
        kFinished = 1, kAtCaseness = 2, kNotAtCaseness = 4, kRecovered = 8, kImproved = 16, kDeteriorated = 32,
        kReliablyRecovered = 64, kHasSeverity = 128
    };
    std::int16_t year = -1;  // index from the first reporting year; -1: not discharged in a reporting year
    std::uint8_t descriptor = 0;
    std::uint8_t flags = 0;
    reference::Hundredths severity = 0;  // when kHasSeverity
    std::int32_t treatment = 0, low = 0, high = 0, unclassified = 0, employment = 0;
    bool has(Flag f) const { return (flags & f) != 0; }
    std::optional<reference::Hundredths> severity_score() const {
        return has(kHasSeverity) ? std::optional<reference::Hundredths>(severity) : std::nullopt;
    }
};
static_assert(sizeof(Fact) == 28);

struct MedianKey {
    std::int16_t year;
    std::uint8_t descriptor;
    auto operator<=>(const MedianKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & descriptor; }
};
using Medians = reduce::KeyedMap<MedianKey, reduce::Histogram>;

struct CellKey {
    std::int16_t year;
    std::int32_t provider;
    std::uint8_t descriptor;
    std::int8_t band;  // tt::kUnknownBand for Unknown
    auto operator<=>(const CellKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & provider & descriptor & band; }
};

// Exact accumulators of one (year, provider, descriptor, band): counts of discharged and
// finished referrals and their outcomes; contacts of the finished, reliably recovered ones.
struct Cell {
    std::int64_t discharged = 0, finished = 0, at_caseness = 0, not_at_caseness = 0, recovered = 0, improved = 0,
                 deteriorated = 0, reliably_recovered = 0;
    reduce::Moments total, low, high, unclassified, employment;
    reduce::Histogram total_hist;
    void merge(const Cell& o) {
        discharged += o.discharged, finished += o.finished, at_caseness += o.at_caseness;
        not_at_caseness += o.not_at_caseness, recovered += o.recovered, improved += o.improved;
        deteriorated += o.deteriorated, reliably_recovered += o.reliably_recovered;
        total.merge(o.total), low.merge(o.low), high.merge(o.high), unclassified.merge(o.unclassified);
        employment.merge(o.employment), total_hist.merge(o.total_hist);
    }
    template <class Ar> void serialize(Ar& ar, unsigned) {
        ar & discharged & finished & at_caseness & not_at_caseness & recovered & improved & deteriorated &
            reliably_recovered & total & low & high & unclassified & employment & total_hist;
    }
};
using Cells = reduce::KeyedMap<CellKey, Cell>;

// Cells rolled up from providers to an ICB, a region or England.
struct RollKey {
    std::uint8_t level;  // a Level
    std::string org;
    std::int16_t year;
    std::uint8_t descriptor;
    std::int8_t band;
    auto operator<=>(const RollKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & level & org & year & descriptor & band; }
};
using RolledCells = reduce::KeyedMap<RollKey, Cell>;


std::int32_t parse_codsig(const std::string& s) {
    std::int32_t v = 0;
    if (s.empty() || s.size() > 6) return INT32_MAX;
    for (char c : s) {
        if (c < '0' || c > '9') return INT32_MAX;
        v = v * 10 + (c - '0');
    }
    return v;
}

// Mean and sample variance of the difference of two exact accumulators (England minus a part).
reduce::Moments minus(const reduce::Moments& a, const reduce::Moments& b) {
    reduce::Moments r;
    r.n = a.n - b.n, r.sum = a.sum - b.sum, r.sum_sq = a.sum_sq - b.sum_sq;
    return r;
}

std::optional<double> opt(double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); }

// ------------------------------------------------------------------ output rows

struct RowSpec {
    std::int16_t year;
    int descriptor;  // -1: All
    int band;        // tt::kUnknownBand, a band index, or kAllBand
    bool aggregate;  // an All row: not a currency unit (own BH family)
};
constexpr int kAllBand = 1000;

std::vector<RowSpec> row_specs(const Reference& ref, int nyears) {
    std::vector<RowSpec> rows;
    for (int y = 0; y < nyears; ++y) {
        const auto yy = static_cast<std::int16_t>(y);
        for (int d = 0; d < static_cast<int>(ref.descriptors.size()); ++d) {
            const int nb = static_cast<int>(ref.band_labels(d).size());
            for (int b = 0; b < nb; ++b) rows.push_back({yy, d, b, false});
            if (ref.descriptors[static_cast<std::size_t>(d)].scheme != reference::Scheme::OneBand) {
                rows.push_back({yy, d, tt::kUnknownBand, false});
                rows.push_back({yy, d, kAllBand, true});
            }
        }
        rows.push_back({yy, -1, kAllBand, true});
    }
    return rows;
}

std::string severity_label(const Reference& ref, const RowSpec& r) {
    if (r.band == kAllBand) return "All";
    if (r.band == tt::kUnknownBand) return "Unknown";
    return ref.band_labels(r.descriptor).at(static_cast<std::size_t>(r.band));
}

std::string descriptor_label(const Reference& ref, const RowSpec& r) {
    return r.descriptor < 0 ? "All" : ref.descriptors[static_cast<std::size_t>(r.descriptor)].label;
}

// The cell of a row: the band's cell, or the merge of a descriptor's (or every) cell.
using OrgCells = std::map<std::tuple<std::int16_t, std::uint8_t, std::int8_t>, Cell>;
Cell row_cell(const OrgCells& cells, const RowSpec& r) {
    // The map is ordered by (year, descriptor, band): walk only the keys the row can take.
    constexpr auto kFirstBand = std::numeric_limits<std::int8_t>::min();
    const auto first = r.descriptor < 0 ? std::make_tuple(r.year, std::uint8_t{0}, kFirstBand)
                                        : std::make_tuple(r.year, static_cast<std::uint8_t>(r.descriptor), kFirstBand);
    Cell c;
    for (auto it = cells.lower_bound(first); it != cells.end(); ++it) {
        const auto& [k, v] = *it;
        if (std::get<0>(k) != r.year || (r.descriptor >= 0 && std::get<1>(k) != r.descriptor)) break;
        if (r.band != kAllBand && std::get<2>(k) != r.band) continue;
        c.merge(v);
    }
    return c;
}

void add_columns(report::Table& t, bool local) {
    t.add_text("financial_year", "Financial year of discharge, 1 April to 31 March");
    if (local) {
        t.add_text("org_code", "Organisation code (ODS provider, ICB or region code)");
        t.add_text("org_name", "Organisation name");
    }
    t.add_text("descriptor", "Problem descriptor from the primary presenting complaint (seed 000 section 2.4 Step 1); All for every descriptor");
    t.add_text("severity", "Severity band from the first score of the descriptor's measure (Appendix 5): Mild / Moderate / "
                           "Severe, Below Median / Above Median (national median of this run; equal is Below), Unknown "
                           "when the measure was not recorded, All for the descriptor's total");
    t.add_int("in_model", "1 when the descriptor is a currency unit of the model; 0 when excluded (medically "
                          "unexplained symptoms: counted and reported, not modelled)");
    t.add_int("discharged", "Referrals discharged (ServDischDate) in the year", "referrals");
    t.add_int("finished", "Finished courses: discharged with at least 2 attended treatment appointments", "referrals");
    t.add_int("at_caseness", "Finished courses at caseness at the start (a first paired score at or above its cut-off)", "referrals");
    t.add_int("not_at_caseness", "Finished courses with paired scores, below every cut-off at the start", "referrals");
    t.add_int("recovered", "Finished courses at caseness that ended below every cut-off", "referrals");
    t.add_int("reliably_recovered", "Finished courses recovered and reliably improved", "referrals");
    t.add_real("rr_rate", "Reliable recovery rate: reliably_recovered / (finished - not_at_caseness)", "%", 3);
    t.add_real("rr_lo", "Lower limit of the 95% Wilson interval of rr_rate", "%", 3);
    t.add_real("rr_hi", "Upper limit of the 95% Wilson interval of rr_rate", "%", 3);
    t.add_real("recovery_rate", "Recovery rate: recovered / (finished - not_at_caseness)", "%", 3);
    t.add_int("improved", "Finished courses with reliable improvement", "referrals");
    t.add_real("improvement_rate", "Reliable improvement rate: improved / finished", "%", 3);
    t.add_int("deteriorated", "Finished courses with reliable deterioration", "referrals");
    t.add_real("deterioration_rate", "Reliable deterioration rate: deteriorated / finished", "%", 3);
    t.add_int("n", "Finished, reliably recovered courses: the cases the contact averages are taken over", "referrals");
    t.add_real("mean_contacts", "Mean attended treatment appointments (AttendOrDNACode 5/6, AppType 02/03/05) per "
                                "finished, reliably recovered course: a population average, never a cap on anyone's care", "contacts", 4);
    t.add_real("sd_contacts", "Sample standard deviation of the contacts (n - 1)", "contacts", 4);
    t.add_real("ci_lo", "Lower limit of the 95% Student-t interval of mean_contacts", "contacts", 4);
    t.add_real("ci_hi", "Upper limit of the 95% Student-t interval of mean_contacts", "contacts", 4);
    t.add_real("median_contacts", "Median contacts (mean of the two middle values when n is even)", "contacts", 1);
    t.add_real("mean_low", "Mean low intensity contacts per course (contacts with a low and no high intensity activity)", "contacts", 4);
    t.add_real("mean_high", "Mean high intensity contacts per course (contacts with a high intensity activity)", "contacts", 4);
    t.add_real("mean_unclassified", "Mean treatment contacts with neither a low nor a high intensity activity (data quality)", "contacts", 4);
    t.add_real("mean_employment", "Mean employment advice contacts per course (AppType 10 or employment support activity; "
                                  "not low or high intensity)", "contacts", 4);
    t.add_real("published_mean", "Published 2025/26 national average contacts (seed 000 Appendix 4 Fig. 3); empty when not published", "contacts");
    t.add_real("published_low", "Published average low intensity contacts (Fig. 3)", "contacts");
    t.add_real("published_high", "Published average high intensity contacts (Fig. 3)", "contacts");
    t.add_real("diff_published", "mean_contacts - published_mean", "contacts", 4);
    t.add_real("p_published", "Two-sided p-value of the one-sample t-test of mean_contacts against published_mean");
    if (local) {
        t.add_real("diff", "mean_contacts minus the England mean_contacts of the same row", "contacts", 4);
        t.add_real("p_value", "Two-sided p-value of Welch's t-test of this organisation's contacts against the rest of England's");
        t.add_real("p_adjusted", "p_value adjusted by Benjamini-Hochberg across the rows of this organisation and year "
                                 "(currency-unit rows and All rows as two separate families)");
        t.add_text("flag_95", "below / similar / above England at the 95% level (p_adjusted < 0.05); empty without a test");
        t.add_text("flag_998", "below / similar / above England at the 99.8% level (p_adjusted < 0.002); empty without a test");
    }
}

struct Finalized {
    std::optional<double> mean, p_value;
};

}  // namespace

namespace {

void run_tt_averages_body(const RunOptions& o, const store::Store& s, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    const Reference ref = reference_set(o);
    const Dataset d = Dataset::Iapt;
    if (!s.has(d)) throw ConfigError("tt-averages: the store " + o.store.string() + " holds no Talking Therapies (IAPT) data");
    const int first_year = o.years.first.start_year, nyears = o.years.last.start_year - first_year + 1;

    // ---- this rank's providers, in batches of whole providers: each batch's referrals and their
    // contacts, activities, complaints and scores are read, reduced to one Fact per referral and
    // released before the next batch is read, so that memory holds the facts and one batch of
    // columns, not every column at once. The columns are opened on every rank together; each
    // rank then reads its own batches at its own pace, and the ranks agree on damage once, after
    // the last batch (a rank that finds damage stops there).
    // Providers weighed by the rows of every table read: weighing by referrals and contacts
    // alone left one rank a tenth longer at two ranks (providers differ in scores per referral).
    Plan plan = Plan::make(s, d, {kRef, kContact, kActivity, kComplaint, kScore606, kScore607}, size, rank);
    const auto& ref_offsets = s.provider_offsets(d, kRef);
    std::int64_t my_referrals = 0;
    for (int p : plan.providers) my_referrals += ref_offsets[static_cast<std::size_t>(p) + 1] - ref_offsets[static_cast<std::size_t>(p)];
    // At least four batches on a rank, so that small runs walk the same path as national ones.
    const std::int64_t batch_limit = std::max<std::int64_t>(1, std::min(kBatchReferrals, (my_referrals + 3) / 4));
    std::vector<std::vector<int>> batches;
    std::int64_t in_batch = 0;
    for (int p : plan.providers) {
        const std::int64_t rows = ref_offsets[static_cast<std::size_t>(p) + 1] - ref_offsets[static_cast<std::size_t>(p)];
        if (batches.empty() || (in_batch > 0 && in_batch + rows > batch_limit)) batches.emplace_back(), in_batch = 0;
        batches.back().push_back(p);
        in_batch += rows;
    }

    // Dictionary codes resolved once through the reference data (the same on every rank).
    const std::string score_tables[2] = {kScore606, kScore607};
    std::vector<int> measure_of[2];
    for (int k = 0; k < 2; ++k)
        for (const auto& code : s.dictionary(d, score_tables[k], "CodedAssToolType")) measure_of[k].push_back(ref.measure_by_snomed(code));
    std::vector<bool> attended;
    for (const auto& c : s.dictionary(d, kContact, "AttendOrDNACode")) attended.push_back(ref.attended_codes.count(c) > 0);
    std::vector<reference::AppClass> app_class;
    for (const auto& c : s.dictionary(d, kContact, "AppType")) {
        auto it = ref.app_types.find(c);
        app_class.push_back(it == ref.app_types.end() ? reference::AppClass::Other : it->second);
    }
    std::vector<reference::Intensity> intensity;
    for (const auto& c : s.dictionary(d, kActivity, "CodeProcAndProcStatus")) {
        auto it = ref.activities.find(c);
        intensity.push_back(it == ref.activities.end() ? reference::Intensity::None : it->second);
    }
    const auto pc_dict = s.dictionary(d, kComplaint, "PresComp");
    std::vector<tt::ComplaintClass> pc_class;
    for (const auto& c : pc_dict) pc_class.push_back(c.empty() ? tt::ComplaintClass{false, ref.fallback_descriptor} : tt::classify_complaint(ref, c));
    std::vector<std::int32_t> codsig;
    for (const auto& c : s.dictionary(d, kComplaint, "PresCompCodSig")) codsig.push_back(parse_codsig(c));

    const auto prov = plan.provider_of_rows(s, d, kRef);
    const std::size_t n = prov.size();
    std::vector<Fact> facts(n);
    const std::size_t nmeasures = ref.measures.size();
    Medians local_hist;
    std::size_t first_row = 0;  // of the batch, among this rank's referrals
    const auto open = [&](const std::string& table, const std::string& column) { return s.open_column(d, table, column); };
    const auto c_disch = open(kRef, "ServDischDate"), c_contacts = open(kRef, "children/" + kContact),
               c_app = open(kContact, "AppType"), c_att = open(kContact, "AttendOrDNACode"),
               c_activities = open(kContact, "children/" + kActivity), c_proc = open(kActivity, "CodeProcAndProcStatus"),
               c_complaints = open(kRef, "children/" + kComplaint), c_pc = open(kComplaint, "PresComp"),
               c_pcsig = open(kComplaint, "PresCompCodSig"), c_pcdate = open(kComplaint, "PresCompDate");
    struct ScoreColumns {
        store::Store::Column index, tool, score, date;
    };
    const ScoreColumns c_scores[2] = {
        {open(kRef, "children/" + kScore606), open(kScore606, "CodedAssToolType"), open(kScore606, "PersScore"),
         open(kScore606, "AssToolCompDate")},
        {open(kRef, "children/" + kScore607), open(kScore607, "CodedAssToolType"), open(kScore607, "PersScore"),
         open(kScore607, "AssToolCompDate")}};
    std::string damage;  // this rank's, until the ranks agree after the last batch
    manifest.add_stage("read", clock.lap());
    for (const auto& batch : batches) {
        const auto rr = partition::ranges_for(ref_offsets, batch);
        // A damaged children index gives damaged ranges: nothing is read through one.
        auto disch = s.read_own<std::int32_t>(c_disch, rr, damage);
        auto cch = s.children_own(c_contacts, rr, damage);
        auto pch = s.children_own(c_complaints, rr, damage);
        store::Store::Children sch[2] = {s.children_own(c_scores[0].index, rr, damage),
                                         s.children_own(c_scores[1].index, rr, damage)};
        if (!damage.empty()) break;
        auto app = s.read_own<std::uint16_t>(c_app, cch.ranges, damage);
        auto att = s.read_own<std::uint16_t>(c_att, cch.ranges, damage);
        auto ach = s.children_own(c_activities, cch.ranges, damage);
        if (!damage.empty()) break;
        auto proc = s.read_own<std::uint16_t>(c_proc, ach.ranges, damage);
        auto pc = s.read_own<std::uint16_t>(c_pc, pch.ranges, damage);
        auto pcsig = s.read_own<std::uint16_t>(c_pcsig, pch.ranges, damage);
        auto pcdate = s.read_own<std::int32_t>(c_pcdate, pch.ranges, damage);
        struct ScoreCols {
            store::Store::Children ch;
            std::vector<std::uint16_t> tool;
            std::vector<std::int32_t> score, date;
        };
        ScoreCols sc[2];
        for (int k = 0; k < 2; ++k) {
            sc[k].ch = std::move(sch[k]);
            sc[k].tool = s.read_own<std::uint16_t>(c_scores[k].tool, sc[k].ch.ranges, damage);
            sc[k].score = s.read_own<std::int32_t>(c_scores[k].score, sc[k].ch.ranges, damage);
            sc[k].date = s.read_own<std::int32_t>(c_scores[k].date, sc[k].ch.ranges, damage);
        }
        manifest.add_stage("read", clock.lap());

        // ---- group, pass 1: per-referral facts, and histograms of first scores for the medians
        const std::size_t nb = disch.size();
        // Code columns index their dictionaries; a code outside one, or a children index that does
        // not fit its rows, must fail here rather than read past a lookup table. The block digests
        // catch damage first; this guards against a store whose digests were rewritten with it.
        // Every rank learns of it together, after the last batch (a rank failing alone would leave
        // the others waiting in the next collective).
        auto check_codes = [&](const auto& codes, std::size_t dict_size, const std::string& table, const char* column) {
            for (auto c : codes)
                if (static_cast<std::size_t>(c) >= dict_size && damage.empty())
                    damage = o.store.string() + ": " + table + " " + column + " holds code " + std::to_string(c) +
                             " outside its dictionary of " + std::to_string(dict_size);
        };
        auto check_children = [&](const store::Store::Children& ch, std::size_t child_rows, const std::string& child) {
            bool ok = !ch.offsets.empty() && ch.offsets.front() == 0 && static_cast<std::size_t>(ch.offsets.back()) == child_rows;
            for (std::size_t k = 0; ok && k + 1 < ch.offsets.size(); ++k) ok = ch.offsets[k] <= ch.offsets[k + 1];
            if (!ok && damage.empty()) damage = o.store.string() + ": the children index of " + child + " does not fit its rows";
        };
        check_codes(att, attended.size(), kContact, "AttendOrDNACode");
        check_codes(app, app_class.size(), kContact, "AppType");
        check_codes(proc, intensity.size(), kActivity, "CodeProcAndProcStatus");
        check_codes(pc, pc_class.size(), kComplaint, "PresComp");
        check_codes(pcsig, codsig.size(), kComplaint, "PresCompCodSig");
        for (int k = 0; k < 2; ++k) check_codes(sc[k].tool, measure_of[k].size(), score_tables[k], "CodedAssToolType");
        check_children(cch, app.size(), kContact);
        check_children(ach, proc.size(), kActivity);
        check_children(pch, pc.size(), kComplaint);
        for (int k = 0; k < 2; ++k) check_children(sc[k].ch, sc[k].tool.size(), score_tables[k]);
        if (first_row + nb > n && damage.empty()) damage = o.store.string() + ": " + kRef + " rows do not match its provider index";
        if (!damage.empty()) break;

        Medians batch_hist = reduce::parallel_fold<Medians>(
            nb,
            [&](Medians& h, std::size_t i) {
                if (disch[i] == kMissing) return;
                const int y = FinancialYear::of(disch[i]).start_year - first_year;
                if (y < 0 || y >= nyears) return;
                // Per-thread scratch reused from referral to referral: no allocation in the loop.
                thread_local std::vector<tt::ComplaintRecord> complaints;
                thread_local std::vector<tt::ScoreRecord> scores;
                thread_local std::vector<tt::FirstLast> fl;
                tt::ContactCounts counts;
                for (auto j = cch.offsets[i]; j < cch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    tt::ContactRecord c{attended[att[uj]], app_class[app[uj]], false, false, false};
                    for (auto a = ach.offsets[uj]; a < ach.offsets[uj + 1]; ++a)
                        c.add_activity(intensity[proc[static_cast<std::size_t>(a)]]);
                    tt::add_contact(counts, c);
                }
                complaints.clear();
                for (auto j = pch.offsets[i]; j < pch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    complaints.push_back({pc_class[pc[uj]], codsig[pcsig[uj]], pcdate[uj], pc_dict[pc[uj]]});
                }
                scores.clear();
                for (int k = 0; k < 2; ++k)
                    for (auto j = sc[k].ch.offsets[i]; j < sc[k].ch.offsets[i + 1]; ++j) {
                        const auto uj = static_cast<std::size_t>(j);
                        const std::int32_t v = sc[k].score[uj];
                        scores.push_back({measure_of[k][sc[k].tool[uj]], sc[k].date[uj],
                                          v == kMissing ? std::nullopt : std::optional<reference::Hundredths>(v), k == 1});
                    }
                fl.resize(nmeasures);
                tt::first_last_into(ref, scores, fl);
                Fact& f = facts[first_row + i];
                f.year = static_cast<std::int16_t>(y);
                f.descriptor = static_cast<std::uint8_t>(tt::referral_descriptor(ref, complaints));
                const tt::Outcome out = tt::outcome(ref, f.descriptor, fl);
                const auto severity = tt::severity_score(ref, f.descriptor, fl);
                const bool finished = tt::finished_course(ref, true, counts);
                f.flags = static_cast<std::uint8_t>(
                    (finished ? Fact::kFinished : 0) | (out.at_caseness ? Fact::kAtCaseness : 0) |
                    (out.not_at_caseness ? Fact::kNotAtCaseness : 0) | (out.recovered ? Fact::kRecovered : 0) |
                    (out.improved ? Fact::kImproved : 0) | (out.deteriorated ? Fact::kDeteriorated : 0) |
                    (out.reliably_recovered ? Fact::kReliablyRecovered : 0) | (severity ? Fact::kHasSeverity : 0));
                f.severity = severity.value_or(0);
                f.treatment = static_cast<std::int32_t>(counts.treatment);
                f.low = static_cast<std::int32_t>(counts.low);
                f.high = static_cast<std::int32_t>(counts.high);
                f.unclassified = static_cast<std::int32_t>(counts.unclassified);
                f.employment = static_cast<std::int32_t>(counts.employment);
                // The median is of first scores of finished courses in the descriptor (the unit of analysis).
                if (finished && severity && ref.descriptors[f.descriptor].scheme == reference::Scheme::MedianSplit)
                    h[{f.year, f.descriptor}].add(*severity);
            },
            256);
        local_hist.merge(batch_hist);
        first_row += nb;
        manifest.add_stage("group", clock.lap());
    }
    if (first_row != n && damage.empty()) damage = o.store.string() + ": " + kRef + " rows do not match its provider index";
    // The lowest rank that found damage tells every rank what it found.
    store::agree_on_damage(comm, damage);
    // Bytes each exchange sends (all ranks together, in the manifest): they grow with cells and
    // rows of organisations (years x organisations x units), not with referrals.
    std::int64_t sent[3] = {0, 0, 0};  // median histograms, rolled-up cells, provider rows
    // Exact national medians before any band is assigned: every rank needs them.
    const Medians hist = reduce::allreduce(std::move(local_hist), comm, &sent[0]);
    std::map<std::pair<int, int>, double> median;
    for (const auto& [k, h] : hist.items)
        if (auto m = h.median()) median[{k.year, k.descriptor}] = *m;
    manifest.add_stage("medians", clock.lap());

    // ---- group, pass 2: bands, then exact accumulators per (year, provider, descriptor, band),
    // folded into a dense array over this rank's providers (few keys, one index per referral);
    // cells never touched are left out of the reduced map, as a sparse map would leave them.
    const std::size_t ndesc = ref.descriptors.size();
    std::size_t band_slots = 1;  // Unknown, then the bands
    for (std::size_t di = 0; di < ndesc; ++di) band_slots = std::max(band_slots, ref.band_labels(static_cast<int>(di)).size() + 1);
    std::vector<std::int32_t> local_provider(s.providers(d).size(), -1);
    for (std::size_t k = 0; k < plan.providers.size(); ++k) local_provider[static_cast<std::size_t>(plan.providers[k])] = static_cast<std::int32_t>(k);
    const std::size_t ncells = static_cast<std::size_t>(nyears) * plan.providers.size() * ndesc * band_slots;
    // Median and band per (year, descriptor) resolved once, not per referral.
    std::vector<std::optional<double>> median_of(static_cast<std::size_t>(nyears) * ndesc);
    for (const auto& [k, m] : median) median_of[static_cast<std::size_t>(k.first) * ndesc + static_cast<std::size_t>(k.second)] = m;
    struct DenseCells {
        std::vector<Cell> cells;
        void merge(const DenseCells& o) {
            if (o.cells.empty()) return;
            if (cells.empty()) {
                cells = o.cells;
                return;
            }
            for (std::size_t k = 0; k < cells.size(); ++k)
                if (o.cells[k].discharged) cells[k].merge(o.cells[k]);
        }
    };
    DenseCells dense = reduce::parallel_fold<DenseCells>(
        n,
        [&](DenseCells& acc, std::size_t i) {
            const Fact& f = facts[i];
            if (f.year < 0) return;
            if (acc.cells.empty()) acc.cells.resize(ncells);
            const std::size_t yd = static_cast<std::size_t>(f.year) * ndesc + f.descriptor;
            const int band = tt::severity_band(ref, f.descriptor, f.severity_score(), median_of[yd]);
            const auto lp = local_provider[static_cast<std::size_t>(prov[i])];
            const std::size_t at =
                ((static_cast<std::size_t>(f.year) * plan.providers.size() + static_cast<std::size_t>(lp)) * ndesc + f.descriptor) *
                    band_slots + static_cast<std::size_t>(band + 1);
            Cell& c = acc.cells[at];
            ++c.discharged;
            if (!f.has(Fact::kFinished)) return;
            ++c.finished;
            c.at_caseness += f.has(Fact::kAtCaseness);
            c.not_at_caseness += f.has(Fact::kNotAtCaseness);
            c.recovered += f.has(Fact::kRecovered);
            c.improved += f.has(Fact::kImproved);
            c.deteriorated += f.has(Fact::kDeteriorated);
            if (!f.has(Fact::kReliablyRecovered)) return;
            ++c.reliably_recovered;
            c.total.add(f.treatment), c.low.add(f.low), c.high.add(f.high);
            c.unclassified.add(f.unclassified), c.employment.add(f.employment);
            c.total_hist.add(f.treatment);
        },
        256);
    Cells local;
    for (std::size_t at = 0; at < dense.cells.size(); ++at) {
        if (dense.cells[at].discharged == 0) continue;
        std::size_t rest = at;
        const auto band = static_cast<std::int8_t>(static_cast<int>(rest % band_slots) - 1);
        rest /= band_slots;
        const auto desc = static_cast<std::uint8_t>(rest % ndesc);
        rest /= ndesc;
        const auto lp = rest % plan.providers.size();
        const auto year = static_cast<std::int16_t>(rest / plan.providers.size());
        local.items.emplace(CellKey{year, plan.providers[lp], desc, band}, std::move(dense.cells[at]));
    }
    dense = {};
    facts = {};
    manifest.add_stage("group", clock.lap());
    // ---- finalize, shared out. A provider's cells are all on the rank that read it, so each rank
    // makes its own providers' rows; the cells of ICBs, regions and England are rolled up on each
    // rank and summed on every rank (every provider row is compared with England's). Rank 0 then
    // makes the ICB, region and England rows and gathers the providers' rows, merged by code.
    const Hierarchy h = Hierarchy::build(s, d);
    const auto specs = row_specs(ref, nyears);
    RolledCells rolled;
    for (const auto& [k, v] : local.items)
        for (Level l : {Level::Icb, Level::Region, Level::England})
            rolled[{static_cast<std::uint8_t>(l), h.code(l, static_cast<std::size_t>(k.provider)), k.year, k.descriptor, k.band}].merge(v);
    const RolledCells upper = reduce::allreduce(std::move(rolled), comm, &sent[1]);
    manifest.add_stage("reduce", clock.lap());

    std::map<Level, std::map<std::string, OrgCells>> by_level;
    auto& own = by_level[Level::Provider];  // every provider of this rank, with referrals or not
    for (int p : plan.providers) own[h.code(Level::Provider, static_cast<std::size_t>(p))];
    for (const auto& [k, v] : local.items)
        own[h.code(Level::Provider, static_cast<std::size_t>(k.provider))][{k.year, k.descriptor, k.band}].merge(v);
    local = {};
    if (rank == 0)
        for (Level l : {Level::Icb, Level::Region})
            for (std::size_t p = 0; p < h.provider_code.size(); ++p) by_level[l][h.code(l, p)];
    for (const auto& [k, v] : upper.items) {
        const auto level = static_cast<Level>(k.level);
        if (level == Level::England || rank == 0) by_level[level][k.org][{k.year, k.descriptor, k.band}].merge(v);
    }
    // England cells of every row, for differences and the rest-of-England comparison.
    const OrgCells& eng_cells = by_level[Level::England]["ENG"];
    std::vector<Cell> england;
    for (const auto& r : specs) england.push_back(row_cell(eng_cells, r));

    // The text of each row's year, descriptor and severity, the same for every organisation.
    struct Labels {
        std::string year, descriptor, severity;
    };
    std::vector<Labels> labels;
    for (const auto& r : specs)
        labels.push_back({FinancialYear{first_year + r.year}.label(), descriptor_label(ref, r), severity_label(ref, r)});
    const std::string no_name;

    const std::string caveat =
        " Contact averages are population averages over finished, reliably recovered courses, never caps on "
        "individual care (seed 000 section 2.4). Reference data " + ref.version + ".";
    const auto new_table = [&](Level level) {
        const std::string ln(level_name(level));
        const bool eng = level == Level::England;
        report::Table t("tt_" + ln, "/tt/" + ln,
                        "NHS Talking Therapies currency model by financial year, problem descriptor and severity" +
                            std::string(eng ? " for England (exact)." :
                                              " for each " + ln + ". Counts 0-4 suppressed (empty), others rounded to the "
                                              "nearest 5; rates and means shown only where their denominator is at least 5.") +
                            caveat);
        add_columns(t, !eng);
        return t;
    };
    // The rows of every organisation of a level that this rank holds, in code order.
    const auto add_rows = [&](report::Table& t, Level level) {
        const bool eng = level == Level::England, sub_national = !eng;
        for (const auto& [org, cells] : by_level[level]) {
            const auto named = h.names.find(org);
            const std::string& org_name = named == h.names.end() ? no_name : named->second;
            // Rows of this organisation first, then the Benjamini-Hochberg families, then the table.
            struct Out {
                Cell c;
                std::optional<double> mean, diff, p;
            };
            std::vector<Out> outs;
            for (std::size_t ri = 0; ri < specs.size(); ++ri) {
                const RowSpec& r = specs[ri];
                Out x{row_cell(cells, r), {}, {}, {}};
                const bool show = stats::rate_disclosable(x.c.reliably_recovered, eng) && x.c.total.n > 0;
                if (show) x.mean = x.c.total.mean();
                if (sub_national && show) {
                    const Cell& e = england[ri];
                    const auto rest = minus(e.total, x.c.total);
                    x.diff = *x.mean - e.total.mean();
                    x.p = opt(stats::welch_t_test(x.c.total.n, x.c.total.mean(), x.c.total.variance(), rest.n,
                                                  rest.n > 0 ? rest.mean() : NAN, rest.n > 1 ? rest.variance() : NAN)
                                  .p);
                }
                outs.push_back(std::move(x));
            }
            std::vector<double> adjusted(outs.size(), NAN);
            for (bool agg : {false, true}) {
                std::vector<std::size_t> idx;
                std::vector<double> ps;
                for (std::size_t ri = 0; ri < specs.size(); ++ri)
                    if (specs[ri].aggregate == agg && outs[ri].p) idx.push_back(ri), ps.push_back(*outs[ri].p);
                // One family per organisation and year.
                for (int y = 0; y < nyears; ++y) {
                    std::vector<double> fam;
                    std::vector<std::size_t> at;
                    for (std::size_t k = 0; k < idx.size(); ++k)
                        if (specs[idx[k]].year == y) fam.push_back(ps[k]), at.push_back(idx[k]);
                    auto adj = stats::benjamini_hochberg(fam);
                    for (std::size_t k = 0; k < at.size(); ++k) adjusted[at[k]] = adj[k];
                }
            }
            for (std::size_t ri = 0; ri < specs.size(); ++ri) {
                const RowSpec& r = specs[ri];
                const Out& x = outs[ri];
                const Cell& c = x.c;
                const std::string &dl = labels[ri].descriptor, &sl = labels[ri].severity;
                t.push("financial_year", labels[ri].year);
                if (sub_national) {
                    t.push("org_code", org);
                    t.push("org_name", org_name);
                }
                t.push("descriptor", dl);
                t.push("severity", sl);
                t.push("in_model", r.descriptor < 0 ? 1 : ref.descriptors[static_cast<std::size_t>(r.descriptor)].in_model ? 1 : 0);
                auto count = [&](const char* col, std::int64_t v) { t.push(col, stats::disclose_count(v, eng)); };
                count("discharged", c.discharged);
                count("finished", c.finished);
                count("at_caseness", c.at_caseness);
                count("not_at_caseness", c.not_at_caseness);
                count("recovered", c.recovered);
                count("reliably_recovered", c.reliably_recovered);
                const std::int64_t denom = c.finished - c.not_at_caseness;
                auto rate = [&](const char* col, std::int64_t num, std::int64_t den) {
                    if (den > 0 && stats::rate_disclosable(den, eng)) t.push(col, 100.0 * static_cast<double>(num) / static_cast<double>(den));
                    else t.push(col, std::nullopt);
                };
                rate("rr_rate", c.reliably_recovered, denom);
                if (denom > 0 && stats::rate_disclosable(denom, eng)) {
                    const auto w = stats::wilson_interval(c.reliably_recovered, denom);
                    t.push("rr_lo", 100 * w.lo);
                    t.push("rr_hi", 100 * w.hi);
                } else {
                    t.push("rr_lo", std::nullopt);
                    t.push("rr_hi", std::nullopt);
                }
                rate("recovery_rate", c.recovered, denom);
                count("improved", c.improved);
                rate("improvement_rate", c.improved, c.finished);
                count("deteriorated", c.deteriorated);
                rate("deterioration_rate", c.deteriorated, c.finished);
                count("n", c.reliably_recovered);
                const bool show = x.mean.has_value();
                const double sd = show && c.total.n > 1 ? c.total.sd() : NAN;
                t.push("mean_contacts", x.mean);
                t.push("sd_contacts", show ? opt(sd) : std::nullopt);
                const auto ci = stats::t_interval(show ? *x.mean : NAN, sd, c.total.n);
                t.push("ci_lo", show ? opt(ci.lo) : std::nullopt);
                t.push("ci_hi", show ? opt(ci.hi) : std::nullopt);
                t.push("median_contacts", show ? c.total_hist.median() : std::nullopt);
                t.push("mean_low", show ? std::optional<double>(c.low.mean()) : std::nullopt);
                t.push("mean_high", show ? std::optional<double>(c.high.mean()) : std::nullopt);
                t.push("mean_unclassified", show ? std::optional<double>(c.unclassified.mean()) : std::nullopt);
                t.push("mean_employment", show ? std::optional<double>(c.employment.mean()) : std::nullopt);
                const reference::Published* pub = ref.published(dl, sl);
                t.push("published_mean", pub ? std::optional<double>(pub->mean_contacts) : std::nullopt);
                t.push("published_low", pub ? std::optional<double>(pub->mean_low) : std::nullopt);
                t.push("published_high", pub ? std::optional<double>(pub->mean_high) : std::nullopt);
                t.push("diff_published", pub && show ? std::optional<double>(*x.mean - pub->mean_contacts) : std::nullopt);
                t.push("p_published", pub && show ? opt(stats::one_sample_t_test(c.total.n, *x.mean, sd, pub->mean_contacts).p)
                                                  : std::nullopt);
                if (sub_national) {
                    t.push("diff", x.diff);
                    t.push("p_value", x.p);
                    const double pa = adjusted[ri];
                    t.push("p_adjusted", opt(pa));
                    auto flag = [&](double alpha) -> std::string {
                        if (std::isnan(pa)) return "";
                        if (pa >= alpha) return "similar";
                        return *x.diff < 0 ? "below" : "above";
                    };
                    t.push("flag_95", flag(0.05));
                    t.push("flag_998", flag(0.002));
                }
            }
        }
    };

    report::Table own_rows = new_table(Level::Provider);
    add_rows(own_rows, Level::Provider);
    std::vector<std::string> own_codes;
    for (const auto& [org, cells] : own) own_codes.push_back(org);
    // One rank holds every provider's rows already: nothing to gather.
    report::OrgRows rows = size == 1 ? report::OrgRows{} : report::OrgRows::take(own_rows, std::move(own_codes), specs.size());
    // Rank 0 makes the ICB, region and England rows while the other ranks finish theirs.
    std::vector<report::Table> tables;
    if (rank == 0)
        for (Level level : {Level::England, Level::Region, Level::Icb}) {
            tables.push_back(new_table(level));
            add_rows(tables.back(), level);
        }
    report::OrgRows all_rows = reduce::reduce_to_root(std::move(rows), comm, 0, &sent[2]);
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : sent, sent, 3, MPI_INT64_T, MPI_SUM, 0, comm);
    manifest.set("communication", {{"median_histograms_sent_bytes", sent[0]},
                                   {"cells_sent_bytes", sent[1]},
                                   {"provider_rows_sent_bytes", sent[2]},
                                   {"rolled_up_cells", static_cast<std::int64_t>(upper.size())}});
    if (rank != 0) return;
    if (size == 1) {
        tables.push_back(std::move(own_rows));
    } else {
        tables.push_back(new_table(Level::Provider));
        std::move(all_rows).append_to(tables.back());
    }

    // ---- per currency unit (England): low and high intensity contacts of reliably recovered courses
    {
        report::Table u("tt_units", "/tt/units",
                        "England, per currency unit (descriptor, severity, intensity): contacts of that intensity of "
                        "finished, reliably recovered courses." + caveat);
        u.add_text("financial_year", "Financial year of discharge");
        u.add_text("descriptor", "Problem descriptor");
        u.add_text("severity", "Severity band (Unknown: measure not recorded)");
        u.add_text("intensity", "low or high");
        u.add_int("in_model", "1 for a currency unit of the model, 0 for an excluded descriptor");
        u.add_int("n", "Finished, reliably recovered courses in the descriptor and band", "referrals");
        u.add_int("contacts", "Contacts of this intensity of those courses", "contacts");
        u.add_real("mean", "Mean contacts of this intensity per course (over all n courses)", "contacts", 4);
        u.add_real("sd", "Sample standard deviation (n - 1)", "contacts", 4);
        u.add_real("ci_lo", "Lower limit of the 95% Student-t interval of the mean", "contacts", 4);
        u.add_real("ci_hi", "Upper limit of the 95% Student-t interval of the mean", "contacts", 4);
        u.add_real("published", "Published average of this intensity (Fig. 3); empty when not published", "contacts");
        for (std::size_t ri = 0; ri < specs.size(); ++ri) {
            const RowSpec& r = specs[ri];
            if (r.aggregate) continue;
            const Cell& c = england[ri];
            const std::string dl = descriptor_label(ref, r), sl = severity_label(ref, r);
            const reference::Published* pub = ref.published(dl, sl);
            for (int hi = 0; hi < 2; ++hi) {
                const reduce::Moments& m = hi ? c.high : c.low;
                u.push("financial_year", FinancialYear{first_year + r.year}.label());
                u.push("descriptor", dl);
                u.push("severity", sl);
                u.push("intensity", hi ? "high" : "low");
                u.push("in_model", ref.descriptors[static_cast<std::size_t>(r.descriptor)].in_model ? 1 : 0);
                u.push("n", m.n);
                u.push("contacts", m.sum);
                const double mean = m.n > 0 ? m.mean() : NAN, sd = m.n > 1 ? m.sd() : NAN;
                const auto ci = stats::t_interval(mean, sd, m.n);
                u.push("mean", opt(mean));
                u.push("sd", opt(sd));
                u.push("ci_lo", opt(ci.lo));
                u.push("ci_hi", opt(ci.hi));
                u.push("published", pub ? std::optional<double>(hi ? pub->mean_high : pub->mean_low) : std::nullopt);
            }
        }
        tables.push_back(std::move(u));
    }
    // ---- the medians used for the median split, and the measures with their status
    {
        report::Table m("tt_medians", "/tt/medians",
                        "England: national median of the first score of each median-split descriptor's measure, over "
                        "finished courses discharged in the year (exact, from integer histograms); a first score equal "
                        "to it is Below Median.");
        m.add_text("financial_year", "Financial year of discharge");
        m.add_text("descriptor", "Problem descriptor");
        m.add_text("measure", "Severity measure");
        m.add_int("n", "Finished courses with a first score of the measure", "referrals");
        m.add_real("median", "Median first score (mean of the two middle scores when n is even)", "score points");
        for (int y = 0; y < nyears; ++y)
            for (int di = 0; di < static_cast<int>(ref.descriptors.size()); ++di) {
                const auto& desc = ref.descriptors[static_cast<std::size_t>(di)];
                if (desc.scheme != reference::Scheme::MedianSplit) continue;
                const auto* hh = hist.find({static_cast<std::int16_t>(y), static_cast<std::uint8_t>(di)});
                m.push("financial_year", FinancialYear{first_year + y}.label());
                m.push("descriptor", desc.label);
                m.push("measure", ref.measures[static_cast<std::size_t>(desc.severity_measure)].name);
                m.push("n", hh ? hh->total() : 0);
                auto it = median.find({y, di});
                m.push("median", it == median.end() ? std::nullopt : std::optional<double>(it->second / 100.0));
            }
        tables.push_back(std::move(m));

        report::Table r("tt_measures", "/tt/measures",
                        "Outcome measures of the reference data used by this run, with the status of every value: "
                        "results resting on a value that is not confirmed are provisional.");
        r.add_text("reference_version", "Reference-data version");
        r.add_text("measure", "Measure");
        r.add_text("snomed_ct", "SNOMED CT id of the measure's total score (CodedAssToolType)");
        r.add_text("snomed_status", "confirmed, or unconfirmed (placeholder id)");
        r.add_real("caseness", "Caseness cut-off: a score at or above it is at caseness", "score points");
        r.add_real("reliable_change", "Reliable change: a change at least this large is reliable", "score points");
        r.add_text("status", "Status of the cut-off and reliable change: confirmed, to_confirm or unconfirmed");
        r.add_text("source", "Source of the values");
        for (const auto& ms : ref.measures) {
            r.push("reference_version", ref.version);
            r.push("measure", ms.name);
            r.push("snomed_ct", ms.snomed_ct);
            r.push("snomed_status", ms.snomed_status);
            r.push("caseness", ms.caseness / 100.0);
            r.push("reliable_change", ms.reliable_change / 100.0);
            r.push("status", ms.status);
            r.push("source", ms.source);
        }
        tables.push_back(std::move(r));
    }
    manifest.set_reference_version(ref.version);
    manifest.set("reference_data", {{"version", ref.version}, {"origin", ref.origin}});
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "tt-averages", s, tables, manifest, size, threads, ref.version);
}

}  // namespace

void run_tt_averages(const RunOptions& o, MPI_Comm comm) {
    // The store is verified as it is read: each rank checks the blocks it reads against the
    // digests ingest recorded (store::Store::read), so no rank reads the rest of the store.
    const store::Store s(o.store, comm);
    std::exception_ptr failure;
    try {
        run_tt_averages_body(o, s, comm);
    } catch (...) {
        failure = std::current_exception();
    }
    // Closing the store is collective (MPI_File_close): the ranks meet here first, the others
    // asleep while rank 0 finalizes and writes (rather than polling a core in the close), and
    // learn whether any rank failed, so that all close it and fail together.
    if (all_ranks_ok(comm, !failure)) return;
    if (failure) std::rethrow_exception(failure);
    throw Error("tt-averages failed on another rank");
}

}  // namespace mhbench::jobs
