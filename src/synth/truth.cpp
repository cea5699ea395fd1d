// truth.json's true_values: what a job run on the generated data must recover.
#include <map>
#include <set>

#include "synth/gen.hpp"

namespace mhbench::synth {

nlohmann::ordered_json true_values_json(const Ctx& ctx) {
    const YearCalib& yc = calib_nearest(ctx.years.back().start_year);
    nlohmann::ordered_json j;
    j["calibration_year"] = FinancialYear{yc.start_year}.label();
    j["definitions"] = {
        {"tt_contacts", "true mean attended treatment contacts (AttendOrDNACode 5/6, AppType 02/03/05) of finished, "
                        "reliably recovered referrals discharged in a year, per descriptor and severity band "
                        "(SPEC section 3 rules); mean_contacts = mean_low + mean_high + mean_unclassified"},
        {"mean_contacts", "Fig. 3 publishes a whole-number total: the generator plants unclassified contacts "
                          "(no low or high intensity activity) with mean max(0, total - low - high), so mean_contacts "
                          "rounds to the published total"},
        {"published", "false: no Fig. 3 row; values chosen by the generator"},
        {"severity", "PHQ-9 (Depression) or GAD-7 (Generalised Anxiety) first score: Mild 0-9, Moderate 10-14, "
                     "Severe 15+; median split on the first score of the descriptor's measure, the median being the "
                     "planted value in measures[].median (a score equal to it is Below)"},
        {"rates", "published England rates of the calibration year by complaint, realised in expectation: recovery "
                  "and reliable recovery over finished - not at caseness; improvement and deterioration over finished"},
        {"provider_rr_tau2", "planted between-provider variance of reliable recovery on the arcsine-square-root scale "
                             "(each provider's effect b ~ N(0, sqrt(tau2)): its share of reliably recovered courses "
                             "among those at caseness is sin^2(asin sqrt(p) + b))"}};
    auto& ms = j["measures"] = nlohmann::ordered_json::array();
    for (int m = 0; m < kMeasures; ++m) {
        const MeasureSpec& s = measure(m);
        const double d = 100.0 / s.per_unit;
        ms.push_back({{"measure", s.name}, {"code", s.code}, {"min", s.lo / d}, {"max", s.hi / d},
                      {"caseness", s.cut / d}, {"reliable_change", s.rc / d},
                      {"median", m == kPhq9 ? nlohmann::ordered_json() : nlohmann::ordered_json(s.median / d)},
                      {"confirmed", s.confirmed}});
    }
    auto& tc = j["tt_contacts"] = nlohmann::ordered_json::array();
    std::set<std::string> seen;
    for (int c = 0; c < kCats; ++c) {
        const Descriptor& d = descriptor(c);
        if (d.bands == kExcluded) continue;
        for (int b = 0; b < band_count(c); ++b) {
            const std::string key = std::string(d.label) + '|' + std::string(band_label(c, b));
            if (!seen.insert(key).second) continue;
            const TrueMeans& t = true_means(c, b);
            tc.push_back({{"descriptor", d.label}, {"severity", band_label(c, b)}, {"mean_contacts", t.total},
                          {"mean_low", t.low}, {"mean_high", t.high}, {"mean_unclassified", t.unclassified},
                          {"published", t.published},
                          {"severity_measure", d.severity_measure == kNoMeasure ? "" : measure(d.severity_measure).name}});
        }
    }
    const Rates& t = yc.total;
    j["reliable_recovery_rate"] = t.reliable_recovery / (t.finished - t.not_caseness);
    j["recovery_rate"] = t.recovery / (t.finished - t.not_caseness);
    j["provider_rr_tau2"] = kProviderRrSd * kProviderRrSd;
    // Per descriptor (the job's view; Other/Unknown = other recorded problems + not stated).
    std::map<std::string, Rates> by;
    std::vector<std::string> order;
    for (int c = 0; c < kCats; ++c) {
        const std::string l(descriptor(c).label);
        if (!by.count(l)) order.push_back(l);
        Rates& r = by[l];
        const Rates& x = yc.cat[c];
        r.referrals += x.referrals, r.finished += x.finished, r.not_caseness += x.not_caseness;
        r.recovery += x.recovery, r.reliable_recovery += x.reliable_recovery;
        r.improvement += x.improvement, r.deterioration += x.deterioration;
    }
    auto& bd = j["by_descriptor"] = nlohmann::ordered_json::array();
    for (const auto& l : order) {
        const Rates& r = by[l];
        const double atc = r.finished - r.not_caseness;
        bd.push_back({{"descriptor", l}, {"finished_share", r.finished / t.finished},
                      {"not_at_caseness_share", r.not_caseness / r.finished}, {"recovery_rate", r.recovery / atc},
                      {"reliable_recovery_rate", r.reliable_recovery / atc},
                      {"reliable_improvement_rate", r.improvement / r.finished},
                      {"reliable_deterioration_rate", r.deterioration / r.finished}});
    }
    return j;
}

}  // namespace mhbench::synth
