// Realism report: recomputes the calibrated figures from the generated CSVs with the SPEC
// section 3 rules (its own small implementation, independent of the generator's plan) and
// compares them with the published figures embedded in the library.
#include "synth/realism.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/dates.hpp"
#include "model/errors.hpp"
#include "stats/funnel.hpp"
#include "synth/calib.hpp"
#include "synth/catalogue.hpp"
#include "synth/realism_detail.hpp"

namespace mhbench::synth {

namespace {

/// Spread of the published provider reliable recovery rates (provider Total rows of the annual
/// key measures), as the packs compute it (docs/packs.md, `mhbench run packs --published`):
/// Winsorised φ on the arcsine-square-root scale.
struct ProviderSpread {
    int providers;
    double phi;
};
const ProviderSpread& provider_rr_spread(int start_year) {
    static constexpr ProviderSpread k2022{158, 12.12}, k2023{152, 13.82};
    return start_year <= 2022 ? k2022 : k2023;
}
// The generator's planted between-provider variance (calib.hpp): the untrimmed DerSimonian-Laird
// τ² of the 2023-24 provider rows (0.00161; 0.00210 in 2022-23, more outliers).
constexpr double kPlantedTau2 = kProviderRrSd * kProviderRrSd;
// Tolerances. τ²: ±25% or 3 sampling SEs, whichever is wider (simulated with the published
// provider sizes: SD 12% at scale 1, 17% at 0.2, 31% at 0.03; with no planted spread τ² comes out
// near 0.0002 at scale 0.03, outside). φ at scale 1: ±30% (simulated 15.2 ± 1.3 for 13.8).
constexpr double kTau2Tolerance = 0.25, kPhiTolerance = 0.3;

std::string fixed(double v, int precision) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(precision);
    s << v;
    return s.str();
}

namespace fs = std::filesystem;
using namespace realism_detail;


/// Category of a presenting complaint code, as the job maps it (SPEC section 3); -1 = invalid.
int complaint_cat(std::string c) {
    c.erase(std::remove(c.begin(), c.end(), '.'), c.end());
    if (c.empty()) return -1;
    if (std::all_of(c.begin(), c.end(), ::isdigit)) return c == "83482000" ? kBdd : c.size() >= 6 ? kOtherRecorded : -1;
    if (c.size() < 3 || !std::isupper(static_cast<unsigned char>(c[0])) || !std::isdigit(static_cast<unsigned char>(c[1])) ||
        !std::isdigit(static_cast<unsigned char>(c[2])) || !std::all_of(c.begin() + 3, c.end(), ::isdigit))
        return -1;
    const std::string s3 = c.substr(0, 3), s4 = c.substr(0, std::min<std::size_t>(4, c.size()));
    if (s3 == "F32" || s3 == "F33") return kDepression;
    if (s4 == "F411") return kGad;
    if (s4 == "F400") return kAgoraphobia;
    if (s4 == "F401") return kSocial;
    if (s4 == "F402") return kSpecific;
    if (s4 == "F410") return kPanic;
    if (s4 == "F412") return kMixed;
    if (s3 == "F42") return kOcd;
    if (s4 == "F431") return kPtsd;
    if (s4 == "F452") return kHealth;
    if (s3 == "F40" || s3 == "F41" || s3 == "F43") return kOtherAnxiety;
    if (s3 == "G93" || s3 == "K58" || s3 == "F45" || s4 == "F480") return kMus;  // as the job's complaints.csv
    if (c[0] == 'F') return kOtherMh;
    return kOtherRecorded;
}

struct Score {
    Day day;
    int v;  // hundredths
};
struct Ref {
    std::uint64_t sub = 0;
    std::string prov;
    Day received = kMissing, disch = kMissing;
    int treat = 0, attended = 0, low = 0, high = 0;
    int pc_cat = -2, pc_sig = 1 << 30;  // -2 none seen
    bool pc_valid = false;
    Day pc_day = kMissing;
    std::array<Score, kMeasures> first{}, last{};
    std::array<bool, kMeasures> has{};
};

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
    auto ranks = [](const std::vector<double>& x) {
        std::vector<std::size_t> idx(x.size());
        std::iota(idx.begin(), idx.end(), 0);
        std::sort(idx.begin(), idx.end(), [&](auto i, auto j) { return x[i] < x[j]; });
        std::vector<double> r(x.size());
        for (std::size_t i = 0; i < idx.size();) {
            std::size_t j = i;
            while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]]) ++j;
            for (std::size_t k = i; k <= j; ++k) r[idx[k]] = (double(i) + double(j)) / 2;
            i = j + 1;
        }
        return r;
    };
    const auto ra = ranks(a), rb = ranks(b);
    const double n = double(a.size()), ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n,
                 mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}


}  // namespace

bool report_realism(const fs::path& dir, std::ostream& os) {
    nlohmann::json truth;
    {
        std::ifstream in(dir / "truth.json");
        if (!in) throw IoError("cannot read " + (dir / "truth.json").string());
        truth = nlohmann::json::parse(in);
    }
    const auto fy_label = truth["options"]["last_year"].get<std::string>();
    const FinancialYear fy{std::stoi(fy_label.substr(0, 4))};
    const Day y0 = fy.first_day(), y1 = fy.last_day();
    const YearCalib& yc = calib_nearest(fy.start_year);
    auto in_year = [&](Day d) { return d != kMissing && d >= y0 && d <= y1; };

    // Referrals: the latest submission of each PathwayID.
    std::unordered_map<std::string, Ref> refs;
    std::set<std::string> comm_icbs;  // OrgIDComm of every referral row
    {
        Table t(dir / "IDS101Referral.csv");
        const int s = t.col("UniqueSubmissionID"), id = t.col("PathwayID"), pv = t.col("OrgID_Provider"),
                  rc = t.col("ReferralRequestReceivedDate"), dc = t.col("ServDischDate"), cm = t.col("OrgIDComm");
        while (t.next()) {
            comm_icbs.insert(t[cm]);
            const auto r = date(t[rc]);
            if (t[id].empty() || !r) continue;
            const auto d = date(t[dc]);
            if (!t[dc].empty() && !d) continue;
            const std::uint64_t sub = std::stoull(t[s]);
            Ref& x = refs[t[id]];
            if (sub < x.sub) continue;
            x.sub = sub;
            x.prov = t[pv];
            x.received = *r;
            x.disch = d ? *d : kMissing;
        }
    }
    // Contacts (deduplicated by key) and their activities.
    std::array<double, 6> attend{};  // 5, 6, 3, 2, 4, 7
    std::array<double, 6> media{};
    std::map<int, std::array<double, 6>> media_of_year;  // every year of the run, by start year
    double contacts_year = 0, employment = 0, low_year = 0, high_year = 0;
    struct C {
        Ref* ref;
        bool treat, attended, in_year;
        int cls = 0;  // bit 1 low, bit 2 high, bit 4 employment
    };
    std::unordered_map<std::string, C> contacts;
    {
        Table t(dir / "IDS201CareContact.csv");
        const int id = t.col("PathwayID"), cc = t.col("CareContactId"), dd = t.col("CareContDate"), ap = t.col("AppType"),
                  at = t.col("AttendOrDNACode"), me = t.col("ConsMechanism");
        static constexpr std::array<std::string_view, 6> kAtt = {"5", "6", "3", "2", "4", "7"};
        while (t.next()) {
            auto d = date(t[dd]);
            if (!d || t[id].empty() || t[cc].empty()) continue;
            auto r = refs.find(t[id]);
            if (r == refs.end()) continue;
            const std::string key = t[id] + '|' + t[cc];
            if (contacts.count(key)) continue;
            const bool att = t[at] == "5" || t[at] == "6";
            const bool treat = att && (t[ap] == "02" || t[ap] == "03" || t[ap] == "05");
            contacts[key] = {&r->second, treat, att, in_year(*d)};
            if (att) ++r->second.attended;
            if (treat) ++r->second.treat;
            for (std::size_t k = 0; k < 6; ++k)
                if (t[me] == kMediaCodes[k]) ++media_of_year[FinancialYear::of(*d).start_year][k];
            if (!in_year(*d)) continue;
            ++contacts_year;
            for (std::size_t k = 0; k < 6; ++k)
                if (t[at] == kAtt[k]) ++attend[k];
            for (std::size_t k = 0; k < 6; ++k)
                if (t[me] == kMediaCodes[k]) ++media[k];
            if (t[ap] == "10") ++employment;
        }
    }
    {
        static const std::vector<std::string> kLowCodes = {"748051000000105", "748101000000105", "748041000000107",
                                                           "748091000000102", "748061000000108", "702545008",
                                                           "975131000000104", "1026111000000108"};
        static const std::vector<std::string> kHighCodes = {"1127281000000100", "1129471000000105", "842901000000108",
                                                            "286711000000107",  "314034001",        "449030000",
                                                            "933221000000107",  "304891004",        "443730003",
                                                            "1026131000000100"};
        Table t(dir / "IDS202CareActivity.csv");
        const int id = t.col("PathwayID"), cc = t.col("CareContactId"), code = t.col("CodeProcAndProcStatus");
        while (t.next()) {
            auto c = contacts.find(t[id] + '|' + t[cc]);
            if (c == contacts.end()) continue;
            if (std::find(kLowCodes.begin(), kLowCodes.end(), t[code]) != kLowCodes.end()) c->second.cls |= 1;
            if (std::find(kHighCodes.begin(), kHighCodes.end(), t[code]) != kHighCodes.end()) c->second.cls |= 2;
            if (t[code] == "1098051000000103") c->second.cls |= 4;
        }
    }
    for (auto& [k, c] : contacts) {
        const bool high = c.cls & 2, low = !high && (c.cls & 1);
        if (c.in_year && c.attended) {
            low_year += low;
            high_year += high;
        }
        if (c.treat) {
            c.ref->low += low;
            c.ref->high += high;
        }
    }
    contacts.clear();
    {
        Table t(dir / "IDS603PresentingComplaints.csv");
        const int id = t.col("PathwayID"), pc = t.col("PresComp"), sig = t.col("PresCompCodSig"), dd = t.col("PresCompDate");
        while (t.next()) {
            auto r = refs.find(t[id]);
            const auto d = date(t[dd]);
            if (r == refs.end() || !d || t[sig].empty()) continue;
            Ref& x = r->second;
            const int cat = complaint_cat(t[pc]);
            const bool valid = cat >= 0;
            const int s = std::stoi(t[sig]);
            // Prefer a valid code, then the lowest PresCompCodSig, then the latest date.
            const bool better = x.pc_cat == -2 || (valid && !x.pc_valid) ||
                                (valid == x.pc_valid && (s < x.pc_sig || (s == x.pc_sig && *d > x.pc_day)));
            if (!better) continue;
            x.pc_cat = valid ? cat : kNotStated;
            x.pc_valid = valid;
            x.pc_sig = s;
            x.pc_day = *d;
        }
    }
    for (const char* file : {"IDS606CodedScoreAssessmentRefer.csv", "IDS607CodedScoreAssessmentAct.csv"}) {
        Table t(dir / file);
        const int id = t.col("PathwayID"), tool = t.col("CodedAssToolType"), sc = t.col("PersScore"), dd = t.col("AssToolCompDate");
        while (t.next()) {
            auto r = refs.find(t[id]);
            const auto d = date(t[dd]);
            if (r == refs.end() || !d || t[sc].empty()) continue;
            int m = 0;
            while (m < kMeasures && measure(m).code != t[tool]) ++m;
            if (m == kMeasures) continue;
            const int v = static_cast<int>(std::lround(std::stod(t[sc]) * 100));
            Ref& x = r->second;
            if (!x.has[m]) {
                x.has[m] = true;
                x.first[m] = x.last[m] = {*d, v};
            } else {
                if (*d < x.first[m].day) x.first[m] = {*d, v};
                if (*d > x.last[m].day) x.last[m] = {*d, v};
            }
        }
    }

    // --- national and provider sizes
    std::map<std::string, std::pair<double, double>> by_prov;  // referrals received, finished
    double received = 0, finished = 0, appts_finished = 0, appts_finished_sq = 0;
    std::array<double, kCats> fin_cat{};
    struct Out {
        double fin = 0, nc = 0, rec = 0, rr = 0, ri = 0, rd = 0;
    };
    std::array<Out, kCats> out{};
    std::map<std::string, std::pair<double, double>> prov_rr;  // provider: courses at caseness, reliably recovered
    // Severity: first scores of each descriptor's severity measure among finished courses.
    std::array<std::vector<int>, kCats> firsts;
    std::vector<const Ref*> fins;
    for (auto& [k, x] : refs) {
        if (in_year(x.received)) {
            ++received;
            by_prov[x.prov].first += 1;
        }
        if (!in_year(x.disch) || x.treat < 2) continue;
        ++finished;
        by_prov[x.prov].second += 1;
        appts_finished += x.attended;
        appts_finished_sq += double(x.attended) * x.attended;
        const int cat = x.pc_cat < 0 ? kNotStated : x.pc_cat;
        ++fin_cat[cat];
        fins.push_back(&x);
        const int sm = descriptor(cat).severity_measure;
        if (sm != kNoMeasure && x.has[sm]) firsts[cat].push_back(x.first[sm].v);
    }
    std::array<int, kCats> median{};
    for (int c = 0; c < kCats; ++c) {
        auto& v = firsts[c];
        if (v.empty()) continue;
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>((v.size() - 1) / 2), v.end());
        median[c] = v[(v.size() - 1) / 2];
    }
    // Outcomes and contacts of reliably recovered courses by descriptor and band.
    struct Acc {
        double n = 0, t = 0, t2 = 0, l = 0, l2 = 0, h = 0, h2 = 0;
    };
    std::map<std::pair<std::string, std::string>, Acc> rr_acc;
    std::array<std::array<double, 3>, kCats> band_n{};
    for (const Ref* x : fins) {
        const int cat = x->pc_cat < 0 ? kNotStated : x->pc_cat;
        const Descriptor& d = descriptor(cat);
        const int pm = x->has[d.pair_measure] ? d.pair_measure : kGad7;
        Out& o = out[cat];
        ++o.fin;
        if (!x->has[kPhq9] || !x->has[pm]) continue;  // no pair: counted as finished only
        auto unit = [](int m) { return measure(m).per_unit; };
        const int a1 = x->first[kPhq9].v, a2 = x->last[kPhq9].v, b1 = x->first[pm].v, b2 = x->last[pm].v;
        const int ca = measure(kPhq9).cut * unit(kPhq9), cb = measure(pm).cut * unit(pm);
        const int ra = measure(kPhq9).rc * unit(kPhq9), rb = measure(pm).rc * unit(pm);
        const bool caseness = a1 >= ca || b1 >= cb;
        const bool fall = a1 - a2 >= ra || b1 - b2 >= rb, rise = a2 - a1 >= ra || b2 - b1 >= rb;
        const bool ri = fall && !rise, rd = rise && !fall, rec = caseness && a2 < ca && b2 < cb;
        o.nc += !caseness;
        if (caseness) {
            auto& pr = prov_rr[x->prov];
            pr.first += 1;
            pr.second += rec && ri;
        }
        o.rec += rec;
        o.rr += rec && ri;
        o.ri += ri;
        o.rd += rd;
        int band = 0;
        const int sm = d.severity_measure;
        if (sm != kNoMeasure) {
            if (!x->has[sm]) continue;
            const int v = x->first[sm].v;
            band = d.bands == kThreeBands ? severity_band(cat, v / 100) : v <= median[cat] ? 0 : 1;
        }
        ++band_n[cat][band];
        if (!(rec && ri) || d.bands == kExcluded) continue;
        Acc& a = rr_acc[{std::string(d.label), std::string(band_label(cat, band))}];
        a.n += 1;
        a.t += x->treat, a.t2 += double(x->treat) * x->treat;
        a.l += x->low, a.l2 += double(x->low) * x->low;
        a.h += x->high, a.h2 += double(x->high) * x->high;
    }

    Printer p(os);
    os << "Realism report: generated " << fy_label << " against published " << FinancialYear{yc.start_year}.label()
       << " (NHS England, OGL v3.0); scale " << truth["options"]["scale"] << "\n";
    {
        std::vector<double> gr, pr, gf, pf;
        for (const Provider& pv : catalogue().iapt) {
            const ProvYear& py = pv.tt[yc.start_year <= calib_years().front().start_year ? 0 : 1];
            if (!py.published) continue;
            const auto it = by_prov.find(pv.code);
            const auto g = it == by_prov.end() ? std::pair{0.0, 0.0} : it->second;
            if (py.referrals > 0) gr.push_back(g.first), pr.push_back(py.referrals);
            if (py.finished > 0) gf.push_back(g.second), pf.push_back(py.finished);
        }
        p.at_least("provider referrals received, Spearman", 0.95, spearman(gr, pr));
        p.at_least("provider finished courses, Spearman", 0.95, spearman(gf, pf));
    }
    {
        // ICBs: every generated file names only the 42 ICBs of 2023-24 (the MHSDS half checks
        // that its providers cover all 42).
        std::set<std::string> of_2023, named, tt_icbs;
        for (const Icb& icb : catalogue().icbs) of_2023.insert(icb.code);
        const auto icb_of = organisation_icbs(dir);
        for (const auto& [org, icb] : icb_of) named.insert(icb);
        named.insert(comm_icbs.begin(), comm_icbs.end());
        for (const char* file : {"ips_targets.csv", "mhis_ledger.csv"}) {
            Table t(dir / file);
            const int c = t.col("icb_code");
            while (t.next()) named.insert(t[c]);
        }
        for (const auto& s : submitters_in_year(dir / "IDS000Header.csv", "OrgID_Provider", y0, y1))
            if (auto it = icb_of.find(s); it != icb_of.end()) tt_icbs.insert(it->second);
        const auto outside = [&](const std::set<std::string>& v) {
            return static_cast<double>(std::count_if(v.begin(), v.end(), [&](const auto& c) { return !of_2023.count(c); }));
        };
        p.exact("ICB codes named in the generated files", 42, static_cast<double>(named.size()));
        p.exact("  of which not an ICB of 2023-24", 0, outside(named));
        p.exact("Talking Therapies ICBs (OrgIDComm) not of 2023-24", 0, outside(comm_icbs));
        p.exact("Talking Therapies submitters' ICBs not of 2023-24", 0, outside(tt_icbs));
        p.info("Talking Therapies submitters' ICBs", std::to_string(tt_icbs.size()) + " of the 42 (the rest have no provider of their own)");
    }
    p.pct("finished courses per referral received", 100 * yc.total.finished / yc.total.referrals, finished, received, 1);
    const Activity& a = yc.act;
    const double appts = a.attended + a.late_seen + a.dna + a.cancelled_patient + a.cancelled_provider + a.late_not_seen;
    const double att_target[6] = {a.attended, a.late_seen, a.dna, a.cancelled_patient, a.cancelled_provider, a.late_not_seen};
    static constexpr const char* kAttName[6] = {"attended",  "arrived late, seen", "did not attend", "cancelled by patient",
                                                "cancelled by provider", "arrived late, not seen"};
    double att_total = 0;
    for (double v : attend) att_total += v;
    for (int k = 0; k < 6; ++k) p.pct(std::string("appointments: ") + kAttName[k], 100 * att_target[k] / appts, attend[k], att_total, 1);
    static constexpr const char* kMediaName[6] = {"face to face", "telephone", "video", "email", "SMS", "instant messaging"};
    double media_t = 0, media_g = 0;
    for (int k = 0; k < 6; ++k) media_t += a.media[k], media_g += media[k];
    for (int k = 0; k < 6; ++k) p.pct(std::string("consultation medium: ") + kMediaName[k], 100 * a.media[k] / media_t, media[k], media_g, 1);
    // Earlier years of a multi-year run: each year's media against its own published year
    // (contacts of courses across a year boundary take the mix of the year they fall in).
    for (const auto& label : truth["options"]["years"]) {
        const FinancialYear y{std::stoi(label.get<std::string>().substr(0, 4))};
        if (y.start_year == fy.start_year) continue;
        const Activity& ya = calib_nearest(y.start_year).act;
        const auto& g = media_of_year[y.start_year];
        double yt = 0, yg = 0;
        for (int k = 0; k < 6; ++k) yt += ya.media[k], yg += g[k];
        for (int k = 0; k < 6; ++k)
            p.pct("consultation medium " + y.label() + ": " + kMediaName[k], 100 * ya.media[k] / yt, g[k], yg, 1);
    }
    p.pct("low intensity share of low + high appointments", 100 * a.low / (a.low + a.high), low_year, low_year + high_year, 1);
    p.pct("employment support appointments", 100 * a.employment / appts, employment, att_total, 1);
    p.mean("mean attended appointments per finished course", a.appts_finished / a.finished, appts_finished,
           appts_finished_sq, finished, 0.2);
    for (int c = 0; c < kCats; ++c)
        p.pct("finished courses: " + std::string(cat_label(c)), 100 * yc.cat[c].finished / yc.total.finished, fin_cat[c], finished, 1);
    double all_atc = 0, all_rr = 0;
    for (int c = 0; c < kCats; ++c) {
        const Rates& r = yc.cat[c];
        const Out& o = out[c];
        const std::string l(cat_label(c));
        const double atc = o.fin - o.nc;
        all_atc += atc, all_rr += o.rr;
        p.pct(l + ": recovery", 100 * r.recovery / (r.finished - r.not_caseness), o.rec, atc, 1.5);
        p.pct(l + ": reliable recovery", 100 * r.reliable_recovery / (r.finished - r.not_caseness), o.rr, atc, 1.5);
        p.pct(l + ": reliable improvement", 100 * r.improvement / r.finished, o.ri, o.fin, 1.5);
        p.pct(l + ": reliable deterioration", 100 * r.deterioration / r.finished, o.rd, o.fin, 1.5);
    }
    p.pct("England: reliable recovery", 100 * yc.total.reliable_recovery / (yc.total.finished - yc.total.not_caseness), all_rr,
          all_atc, 1.5);
    {
        // Provider variation of reliable recovery over providers with at least 5 courses at
        // caseness, on the arcsine-square-root scale (stats/funnel.hpp, as the packs): the
        // between-provider variance τ² (DerSimonian-Laird, untrimmed: the planted spread, at any
        // scale) and the packs' Winsorised φ, which grows with provider size (φ − 1 ∝ n τ²) and
        // so is compared at scale 1 only.
        std::vector<stats::FunnelPoint> points;
        double sw = 0, sw2 = 0;
        for (const auto& [code, v] : prov_rr)
            if (v.first >= 5) {
                points.push_back({v.second / v.first, v.first});
                sw += 4 * v.first, sw2 += 16 * v.first * v.first;
            }
        const ProviderSpread& target = provider_rr_spread(yc.start_year);
        if (points.size() >= 20 && all_atc > 0) {
            const double national = all_rr / all_atc;
            const stats::Funnel untrimmed = stats::proportion_funnel(national, points, 0.0);
            const stats::Funnel packs = stats::proportion_funnel(national, points);
            // Sampling SE of the DL estimate at the target τ² (w = 4n): √(2 Σ (1 + w τ²)²) / (Σw − Σw²/Σw).
            double q = 0;
            for (const auto& pt : points) q += std::pow(1 + 4 * pt.size * kPlantedTau2, 2);
            const double se = std::sqrt(2 * q) / (sw - sw2 / sw);
            p.within("provider reliable recovery: between-provider tau2 x 10^4", 1e4 * kPlantedTau2, 1e4 * untrimmed.od.tau2,
                     1e4 * std::max(kTau2Tolerance * kPlantedTau2, 3 * se), "(3 SE)", kTau2Tolerance * kPlantedTau2 < 3 * se);
            const double scale = truth["options"]["scale"].get<double>();
            if (scale >= 0.5) {
                p.relative("provider reliable recovery: over-dispersion phi (packs)", target.phi, packs.od.phi, kPhiTolerance);
            } else {
                p.info("provider reliable recovery: over-dispersion phi (packs)",
                       "published " + fixed(target.phi, 2) + " (" + std::to_string(target.providers) + " providers, scale 1), generated " +
                           fixed(packs.od.phi, 2) + " (" + std::to_string(packs.od.units) + " providers, scale " + fixed(scale, 3) +
                           "); compared at scale 1 only");
            }
        } else {
            p.info("provider reliable recovery: spread", "fewer than 20 providers with 5+ courses at caseness (not tested)");
        }
    }
    for (int c : {kDepression, kGad}) {
        const double n = band_n[c][0] + band_n[c][1] + band_n[c][2];
        std::ostringstream s;
        s.precision(1);
        s.setf(std::ios::fixed);
        s << "Mild " << 100 * band_n[c][0] / std::max(n, 1.0) << "%, Moderate " << 100 * band_n[c][1] / std::max(n, 1.0)
          << "%, Severe " << 100 * band_n[c][2] / std::max(n, 1.0) << '%';
        p.info(std::string(cat_label(c)) + ": severity of finished courses", s.str());
    }
    // Known truth: Fig. 3 means among finished, reliably recovered courses.
    for (const auto& t : truth["true_values"]["tt_contacts"]) {
        const std::pair key{t["descriptor"].get<std::string>(), t["severity"].get<std::string>()};
        const auto it = rr_acc.find(key);
        const Acc acc = it == rr_acc.end() ? Acc{} : it->second;
        const std::string name = "truth " + key.first + " / " + key.second;
        p.mean(name + ": contacts", t["mean_contacts"].get<double>(), acc.t, acc.t2, acc.n, 0.05);
        p.mean(name + ": low", t["mean_low"].get<double>(), acc.l, acc.l2, acc.n, 0.05);
        p.mean(name + ": high", t["mean_high"].get<double>(), acc.h, acc.h2, acc.n, 0.05);
    }
    report_mhsds(dir, truth, p, os);
    os << (p.failed() ? "Realism: FAIL (a figure is out of tolerance)\n" : "Realism: OK\n");
    return !p.failed();
}

}  // namespace mhbench::synth
