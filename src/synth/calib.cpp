#include "synth/calib.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include "model/errors.hpp"
#include "synth/catalogue.hpp"
#include "synth/embedded.hpp"

namespace mhbench::synth {

namespace {

constexpr std::string_view kCatKeys[kCats] = {"depression", "gad", "agoraphobia", "social", "specific", "panic",
                                              "mixed", "ocd", "ptsd", "health", "other_anxiety", "bdd", "mus",
                                              "other_mh", "other_recorded", "not_stated"};
constexpr std::string_view kCatLabels[kCats] = {
    "Depression", "Generalised anxiety", "Agoraphobia", "Social phobias", "Specific phobias", "Panic disorder",
    "Mixed anxiety and depression", "Obsessive compulsive", "Post-traumatic stress", "Health anxiety",
    "Other anxiety", "Body dysmorphic disorder", "Medically unexplained symptoms", "Other mental health problems",
    "Other recorded problems", "Not stated / invalid"};

// Cut-offs and reliable change: SPEC section 3 (PHQ-9 and GAD-7 confirmed; the others as
// commonly cited). OCI is taken as the OCI-R (0-72, caseness 17, reliable change 13, Veale 2016);
// BIQ has no published values: caseness 20 and reliable change 8 on a 0-40 range are the
// generator's own choice. `median` is where the generator plants a point mass so the national
// median of first scores is that value at any realistic sample size (docs/synthetic-data.md).
constexpr MeasureSpec kMeasureSpecs[kMeasures] = {
    {"PHQ-9", "720433000", 0, 27, 10, 6, 0, 100, true},
    {"GAD-7", "445455005", 0, 21, 8, 4, 13, 100, true},
    {"SPIN", "1035281000000104", 0, 68, 19, 10, 42, 100, false},
    {"PCL-5", "1035291000000102", 0, 80, 32, 10, 48, 100, false},
    {"OCI-R", "1035301000000101", 0, 72, 17, 13, 30, 100, false},
    {"PDSS", "1035311000000104", 0, 28, 8, 5, 15, 100, false},
    {"MI", "1035321000000105", 100, 500, 230, 73, 300, 1, false},
    {"HAI", "1035331000000107", 0, 54, 18, 4, 30, 100, false},
    {"BIQ", "1035341000000103", 0, 40, 20, 8, 28, 100, false},
};

constexpr Descriptor kDescriptors[kCats] = {
    {"Depression", kPhq9, kGad7, kThreeBands},
    {"Generalised Anxiety", kGad7, kGad7, kThreeBands},
    {"Agoraphobia", kMi, kMi, kMedianSplit},
    {"Social Phobias", kSpin, kSpin, kMedianSplit},
    {"Specific Phobias", kGad7, kGad7, kMedianSplit},
    {"Panic Disorder", kPdss, kPdss, kMedianSplit},
    {"Mixed Anxiety", kGad7, kGad7, kMedianSplit},
    {"Obsessive Compulsive", kOci, kOci, kMedianSplit},
    {"Post-traumatic Stress", kPcl5, kPcl5, kMedianSplit},
    {"Hypochondrial disorder", kHai, kHai, kMedianSplit},
    {"Other Anxiety", kGad7, kGad7, kMedianSplit},
    {"Body Dysmorphic Disorder", kBiq, kBiq, kMedianSplit},
    {"Medically Unexplained Symptoms", kNoMeasure, kGad7, kExcluded},
    {"Other Mental Health Problems", kNoMeasure, kGad7, kOneBand},
    {"Other/Unknown/Invalid", kNoMeasure, kGad7, kOneBand},
    {"Other/Unknown/Invalid", kNoMeasure, kGad7, kOneBand},
};

std::vector<std::vector<std::string>> csv_rows(std::string_view text, std::vector<std::string>& header) {
    std::istringstream in{std::string(text)};
    std::string line;
    std::vector<std::vector<std::string>> rows;
    header.clear();
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split_csv_line(line);
        if (header.empty()) header = std::move(f);
        else rows.push_back(std::move(f));
    }
    return rows;
}

double num(const std::string& s) { return s.empty() ? 0 : std::stod(s); }

struct Data {
    std::vector<YearCalib> years;
    std::map<std::string, std::array<ProvYear, 2>> providers;
    std::array<std::array<TrueMeans, 3>, kCats> truth{};
};

int cat_of_key(const std::string& k) {
    for (int c = 0; c < kCats; ++c)
        if (kCatKeys[c] == k) return c;
    return -1;
}

Data load() {
    Data d;
    for (int y : {2022, 2023}) {
        YearCalib yc;
        yc.start_year = y;
        d.years.push_back(yc);
    }
    auto year_index = [](const std::string& label) {
        const int y = std::stoi(label.substr(0, 4));
        return y == 2022 ? 0 : y == 2023 ? 1 : -1;
    };
    std::vector<std::string> h;
    for (const auto& r : csv_rows(embedded::iapt_calibration_csv(), h)) {
        if (r.size() != 10) throw ConfigError("synth: malformed embedded calibration row");
        const int yi = year_index(r[0]);
        if (yi < 0) continue;
        Rates x{num(r[3]), num(r[4]), num(r[5]), num(r[6]), num(r[7]), num(r[8]), num(r[9])};
        const int c = cat_of_key(r[2]);
        if (r[1] == "ENG") {
            if (r[2] == "total") d.years[yi].total = x;
            else if (c >= 0) d.years[yi].cat[c] = x;
        } else {
            ProvYear& p = d.providers[r[1]][yi];
            if (r[2] == "total") {
                p.published = x.referrals > 0 || x.finished > 0;
                p.referrals = x.referrals;
                p.finished = x.finished;
            } else if (c >= 0) {
                p.mix[c] = r[4].empty() ? -1 : x.finished;  // -1: suppressed (a small count)
            }
        }
    }
    // Provider mixes: published finished counts by complaint; a suppressed cell counts as a
    // small share (at most 2.5 courses); a provider without breakdown takes the national mix.
    for (auto& [code, py] : d.providers)
        for (int yi = 0; yi < 2; ++yi) {
            ProvYear& p = py[yi];
            const YearCalib& eng = d.years[yi];
            double sum = 0;
            for (int c = 0; c < kCats; ++c) {
                double& v = p.mix[c];
                if (v < 0) v = std::min(2.5, eng.cat[c].finished / eng.total.finished * std::max(p.finished, 1.0));
                sum += v;
            }
            for (int c = 0; c < kCats; ++c) p.mix[c] = sum > 0 ? p.mix[c] / sum : eng.cat[c].finished / eng.total.finished;
        }
    for (const auto& r : csv_rows(embedded::iapt_activity_csv(), h)) {
        std::map<std::string, double> v;
        for (std::size_t i = 0; i < h.size() && i < r.size(); ++i)
            if (i >= 3) v[h[i]] = r[i].empty() ? 0 : std::stod(r[i]);
        const int yi = year_index(r[0]);
        if (yi < 0) continue;
        Activity& a = d.years[yi].act;
        a.appointments = v["appointments"];
        a.attended = v["appts_attended"];
        a.late_seen = v["appts_attended_late"];
        a.dna = v["appts_dna"];
        a.cancelled_patient = v["appts_cancelled_patient"];
        a.cancelled_provider = v["appts_cancelled_provider"];
        a.late_not_seen = v["appts_late_not_seen"];
        a.appts_finished = v["appts_finished_course_treatment"];
        a.finished = v["finished_course_treatment"];
        for (const char* k : {"cbt_appts", "counsel_dep_appts", "ipt_appts", "couple_therapy_dep_appts", "collab_care_appts",
                              "eye_move_desen_repro_appts", "mindful_appts", "app_relax_appts", "bpd_appts", "other_hi_appts"})
            a.high += v[k];
        for (const char* k : {"guide_self_help_book_appts", "guide_self_help_comp_appts", "non_guide_self_help_book_appts",
                              "non_guide_self_help_comp_appts", "struct_phys_act_appts", "psycho_educ_peer_supp_appts",
                              "community_signposting_appts", "other_li_appts"})
            a.low += v[k];
        a.employment = v["employ_supp_appts"];
        a.media = {v["faceto_face_appts"], v["telephone_appts"], v["cons_medium_video_consult_appts"],
                   v["email_appts"],       v["sms_appts"],       v["instant_messaging_appts"]};
    }
    for (const auto& y : d.years)
        if (y.total.finished <= 0 || y.act.attended <= 0) throw ConfigError("synth: embedded calibration incomplete");

    // Fig. 3: total is published as a whole number and low + high need not add up to it. The
    // generator plants mean unclassified = max(0, total - low - high), so the true mean total is
    // max(total, low + high), which rounds to the published total in every row.
    for (const auto& r : csv_rows(embedded::fig3_csv(), h)) {
        if (r.size() < 5) throw ConfigError("synth: malformed embedded Fig. 3 row");
        for (int c = 0; c < kCats; ++c) {
            if (kDescriptors[c].label != r[0]) continue;
            for (int b = 0; b < band_count(c); ++b) {
                if (band_label(c, b) != r[1]) continue;
                TrueMeans& t = d.truth[c][b];
                t.low = num(r[3]);
                t.high = num(r[4]);
                t.unclassified = std::max(0.0, num(r[2]) - t.low - t.high);
                t.total = t.low + t.high + t.unclassified;
                t.published = true;
            }
        }
    }
    // Descriptors without a Fig. 3 row: the generator's own plausible values (between the
    // published depression / anxiety rows), total = low + high + unclassified.
    struct Own {
        int cat, band;
        double low, high, unclassified;
    };
    static constexpr Own kOwn[] = {{kOtherAnxiety, 0, 2.5, 5.0, 0.5}, {kOtherAnxiety, 1, 2.3, 6.2, 0.5},
                                   {kOtherMh, 0, 2.0, 6.5, 0.5},      {kOtherRecorded, 0, 2.6, 4.8, 0.6},
                                   {kNotStated, 0, 2.6, 4.8, 0.6},    {kMus, 0, 2.4, 5.0, 0.6}};
    for (const Own& o : kOwn) d.truth[o.cat][o.band] = {o.low + o.high + o.unclassified, o.low, o.high, o.unclassified, false};
    for (int c = 0; c < kCats; ++c)
        for (int b = 0; b < band_count(c); ++b)
            if (d.truth[c][b].total <= 0)
                throw ConfigError("synth: Fig. 3 reference has no row for " + std::string(kDescriptors[c].label) + " " +
                                  std::string(band_label(c, b)));
    return d;
}

const Data& data() {
    static const Data d = load();
    return d;
}

}  // namespace

std::string_view cat_key(int c) { return kCatKeys[c]; }
std::string_view cat_label(int c) { return kCatLabels[c]; }
const MeasureSpec& measure(int m) { return kMeasureSpecs[m]; }
const Descriptor& descriptor(int cat) { return kDescriptors[cat]; }

int band_count(int cat) { return kDescriptors[cat].bands == kThreeBands ? 3 : kDescriptors[cat].bands == kMedianSplit ? 2 : 1; }

int severity_band(int cat, int first) {
    const Descriptor& d = kDescriptors[cat];
    if (d.bands == kThreeBands) return first <= 9 ? 0 : first <= 14 ? 1 : 2;  // PHQ-9 / GAD-7 bands
    if (d.bands == kMedianSplit) return first <= kMeasureSpecs[d.severity_measure].median ? 0 : 1;
    return 0;
}

std::string_view band_label(int cat, int band) {
    static constexpr std::string_view three[] = {"Mild", "Moderate", "Severe"}, two[] = {"Below Median", "Above Median"};
    switch (kDescriptors[cat].bands) {
        case kThreeBands: return three[band];
        case kMedianSplit: return two[band];
        default: return "All";
    }
}

const std::vector<YearCalib>& calib_years() { return data().years; }

const YearCalib& calib_nearest(int start_year) {
    const auto& y = data().years;
    return start_year <= y.front().start_year ? y.front() : y.back();
}

std::array<ProvYear, 2> provider_years(const std::string& code) {
    const auto& p = data().providers;
    auto it = p.find(code);
    return it == p.end() ? std::array<ProvYear, 2>{} : it->second;
}

const TrueMeans& true_means(int cat, int band) { return data().truth[cat][band]; }

}  // namespace mhbench::synth
