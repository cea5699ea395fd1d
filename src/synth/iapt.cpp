// NHS Talking Therapies (IAPT v2.1) records of one unit, calibrated to the published figures of
// the nearest published year (calib.hpp) with the known truth of seed 000 Fig. 3 planted.
//
// Each referral gets a plan when received: whether it will finish a course (the provider's
// published finished / referrals), its presenting complaint (the provider's published mix of
// finished courses, or the national mix of the others), and for a finished course an outcome
// class drawn with the published rates of its complaint. First and last scores are then built to
// land exactly in that class under the SPEC section 3 rules, and a reliably recovered course
// draws its low, high and unclassified treatment contacts with exactly the Fig. 3 means of its
// descriptor and severity band. docs/synthetic-data.md explains the choices.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "synth/calib.hpp"
#include "synth/gen.hpp"

namespace mhbench::synth {

namespace {

using W = WeightedCode;

constexpr W kSource[] = {{"B1", 58}, {"A1", 27}, {"A2", 2}, {"A3", 2}, {"C1", 2}, {"D1", 1},
                         {"E1", 1},  {"F1", 1},  {"G1", 2}, {"H1", 1}, {"M1", 1}, {"Q1", 2}};
// Therapy types within each intensity, England 2023-24 appointments (SNOMED CT; SPEC section 3).
constexpr W kLow[] = {{"748051000000105", 1027}, {"748041000000107", 88}, {"748101000000105", 70},
                      {"748091000000102", 4},    {"748061000000108", 1},  {"702545008", 258},
                      {"975131000000104", 23},   {"1026111000000108", 782}};
constexpr W kHigh[] = {{"304891004", 2122},        {"286711000000107", 606}, {"443730003", 67},
                       {"1129471000000105", 28},   {"842901000000108", 33},  {"449030000", 91},
                       {"933221000000107", 9},     {"1127281000000100", 2},  {"314034001", 12},
                       {"1026131000000100", 767}};
// Procedures of neither intensity, recorded on some unclassified treatment contacts.
constexpr W kNeither[] = {{"185389009", 1}, {"410606002", 1}};
constexpr std::string_view kEmploymentSupport = "1098051000000103";
constexpr W kEmploy[] = {{"01", 50}, {"02", 10}, {"03", 6}, {"04", 10}, {"05", 5},
                         {"06", 6},  {"07", 1},  {"08", 8}, {"ZZ", 4}};
constexpr W kGender[] = {{"2", 65}, {"1", 32}, {"9", 2}, {"X", 1}};
constexpr W kEthnic[] = {{"A", 72}, {"B", 2}, {"C", 4}, {"D", 1}, {"E", 1}, {"F", 1}, {"G", 1}, {"H", 3},
                         {"J", 3},  {"K", 1}, {"L", 1}, {"M", 1}, {"N", 2}, {"P", 1}, {"R", 1}, {"S", 2},
                         {"Z", 2},  {"99", 1}};

// Codes of each category (ICD-10 with the dot, or SNOMED CT for BDD); the first few carry
// most of the weight. Not stated: a code that is not in any code list.
constexpr std::array<std::string_view, 6> kCodes[kCats] = {
    {"F32.1", "F33.1", "F32.0", "F32.2", "F32.9", "F33.0"},
    {"F41.1"},
    {"F40.0"},
    {"F40.1"},
    {"F40.2"},
    {"F41.0"},
    {"F41.2"},
    {"F42.2", "F42.0", "F42.1", "F42.9"},
    {"F43.1"},
    {"F45.2"},
    {"F41.9", "F43.2", "F41.8", "F43.0", "F40.8", "F41.3"},
    {"83482000"},
    {"G93.3", "K58.9", "F45.9"},
    {"F50.0", "F60.3", "F31.9", "F51.0", "F90.0", "F10.2"},  // F45 / F48.0 are MUS in the job
    {"Z63.0", "Z56.0", "Z73.3", "R45.8"},
    {"F4X.1", "XX999", "0", "ZZZ"},
};

// Provider effects on reliable recovery (calib.hpp kProviderRrSd): the same stream for a provider
// in every unit, so its effect lasts across months and years.
constexpr std::uint64_t kProviderEffectStream = 0x50524546ull;

std::string_view complaint_code(Rng& r, int cat, std::string& buf) {
    const auto& codes = kCodes[cat];
    std::size_t n = 0;
    while (n < codes.size() && !codes[n].empty()) ++n;
    std::string_view c = codes[r.next() % n];
    // About a fifth of codes arrive without the dot (F411).
    if (c.size() > 3 && c[3] == '.' && r.chance(0.2)) {
        buf.assign(c.substr(0, 3));
        buf.append(c.substr(4));
        return buf;
    }
    return c;
}

// ---- tuning of what the published figures do not fix (docs/synthetic-data.md)
// Contacts of other finished courses vs the recovered ones: fewer, and more often low intensity only.
constexpr double kNonRecoveredLow = 0.8, kNonRecoveredHigh = 0.66;
constexpr double kNotFinishedAccess = 0.49;  // share of non-finishing referrals seen at least once
constexpr double kNotFinishedLow = 0.75;     // their single treatment contact is low intensity
constexpr double kEmploymentShare = 0.08;    // finished courses with employment support
constexpr double kEmploymentMean = 2.5;      // employment support contacts of such a course
constexpr double kAssessmentFirst = 0.85;    // courses that start with an assessment (AppType 01)
constexpr double kMediumRecorded = 0.9;      // attended / DNA contacts with a consultation medium

// Outcome classes of a finished course (SPEC section 3 rules).
enum Cls : int { kNotCase, kRelRecovered, kRecoveredOnly, kImprovedOnly, kDeteriorated, kNoChange, kClasses };

struct CatPlan {
    std::array<double, kClasses> cls{};  // probabilities of a finished course
    double pi_lo = 0, pi_mid = 0;        // median split: below / at the planted median (non-NC, non-recovered-only)
};

struct YearPlan {
    std::array<CatPlan, kCats> cat;
    std::array<double, kCats> other_mix{};  // complaints of non-finishing referrals
    std::array<double, 4> attend{};           // DNA, cancelled by patient, by provider, late not seen
    double non_attended_per_attended = 0, late_share = 0;
    std::array<double, 6> media{};
};

YearPlan make_plan(const YearCalib& yc) {
    YearPlan p;
    for (int c = 0; c < kCats; ++c) {
        const Rates& r = yc.cat[c];
        CatPlan& cp = p.cat[c];
        const double fin = std::max(r.finished, 1.0), nc = r.not_caseness / fin;
        const double atc = std::max(r.finished - r.not_caseness, 1.0);
        const double rr = r.reliable_recovery / atc, reco = std::max(0.0, r.recovery - r.reliable_recovery) / atc;
        double rio = std::max(0.0, r.improvement - r.reliable_recovery) / atc, rd = r.deterioration / atc;
        double rest = 1 - rr - reco - rio - rd;
        if (rest < 0) {  // never with the published figures; keep the class shares valid anyway
            rio = std::max(0.0, rio + rest);
            rest = 0;
        }
        cp.cls = {nc, (1 - nc) * rr, (1 - nc) * reco, (1 - nc) * rio, (1 - nc) * rd, (1 - nc) * rest};
        // Plant the median: overall P(first < median) = 0.36 and P(first == median) = 0.22
        // (not-at-caseness and recovered-only courses all fall below it).
        const double others = (1 - nc) * (1 - reco);
        cp.pi_lo = std::clamp((0.36 - nc - (1 - nc) * reco) / others, 0.0, 1.0);
        cp.pi_mid = std::min(0.22 / others, 1 - cp.pi_lo);
        p.other_mix[c] = std::max(0.0, r.referrals - r.finished);
    }
    const Activity& a = yc.act;
    const double non = a.dna + a.cancelled_patient + a.cancelled_provider + a.late_not_seen;
    p.attend = {a.dna / non, a.cancelled_patient / non, a.cancelled_provider / non, a.late_not_seen / non};
    p.non_attended_per_attended = non / (a.attended + a.late_seen);
    p.late_share = a.late_seen / (a.attended + a.late_seen);
    p.media = a.media;
    return p;
}

/// Outcome class probabilities of a provider with effect b on the arcsine-square-root scale:
/// among courses at caseness the reliably recovered share is sin²(asin √p + b), the difference
/// taken from or given to the improved-only and no-change classes (so deterioration,
/// not-at-caseness and recovered-only courses, and with them the planted median, stay as they are).
std::array<double, kClasses> provider_classes(const CatPlan& cp, double b) {
    std::array<double, kClasses> c = cp.cls;
    const double atc = 1 - c[kNotCase];
    if (atc <= 0) return c;
    const double rest = c[kImprovedOnly] + c[kNoChange];
    const double angle = std::clamp(std::asin(std::sqrt(c[kRelRecovered] / atc)) + b, 0.0, std::acos(0.0));
    const double moved = std::clamp(std::pow(std::sin(angle), 2) * atc - c[kRelRecovered], -c[kRelRecovered], rest);
    c[kRelRecovered] += moved;
    if (rest > 0)
        for (int k : {kImprovedOnly, kNoChange}) c[k] *= (rest - moved) / rest;
    return c;
}

const YearPlan& plan_for(int start_year) {
    static const std::vector<YearPlan> plans = [] {
        std::vector<YearPlan> v;
        for (const auto& y : calib_years()) v.push_back(make_plan(y));
        return v;
    }();
    return start_year <= calib_years().front().start_year ? plans.front() : plans.back();
}

int uni(Rng& r, int lo, int hi) { return hi <= lo ? lo : r.range(lo, hi); }
double r_noise(Rng& r, const MeasureSpec& m) { return r.normal(0, 0.04 * (m.hi - m.lo)); }

struct Scores {
    int x1 = 0, x2 = 0, y1 = 0, y2 = 0;  // severity measure X and the other measure Y of the pair
};

/// First score of X for a course at caseness (not the recovered-only class).
int draw_x_case(Rng& r, int cat, const CatPlan& cp, int xm) {
    const MeasureSpec& m = measure(xm);
    const Descriptor& d = descriptor(cat);
    if (d.bands == kMedianSplit) {
        const double u = r.u();
        const int w = std::max(1, (m.median - m.cut) / 3);
        if (u < cp.pi_lo) return uni(r, m.cut - w, m.median - 1);
        if (u < cp.pi_lo + cp.pi_mid) return m.median;
        return uni(r, m.median + 1, m.lo + (m.hi - m.lo) * 85 / 100);
    }
    // PHQ-9 / GAD-7 bands among courses at caseness (Mild needs caseness on the other measure).
    static constexpr double kDep[] = {0.13, 0.33}, kAnx[] = {0.13, 0.40};
    const double* b = cat == kGad ? kAnx : kDep;
    const double u = r.u();
    if (u < b[0]) return uni(r, 5, 9);
    if (u < b[0] + b[1]) return uni(r, 10, 14);
    return uni(r, 15, m.hi);
}

/// Y's first score given X's (caseness through Y when X is below its cut-off).
int draw_y_first(Rng& r, int xm, int ym, int x1, bool not_case) {
    const MeasureSpec &mx = measure(xm), &my = measure(ym);
    if (not_case) return uni(r, my.lo + (my.cut - my.lo) * 3 / 10, my.cut - 1);
    if (x1 < mx.cut) return uni(r, my.cut, std::min(my.hi, my.cut + 2 * my.rc));
    const double slope = 0.7 * double(my.hi - my.lo) / double(mx.hi - mx.lo);
    const double v = my.cut + (x1 - mx.cut) * slope + r.normal(0, 0.15 * (my.hi - my.lo));
    return std::clamp(static_cast<int>(std::lround(v)), my.lo, my.hi);
}

/// A last score with no reliable change from v1 (kept within [lo, hi] of the caller).
int steady(Rng& r, const MeasureSpec& m, int v1, int lo, int hi) {
    return uni(r, std::max({m.lo, lo, v1 - m.rc + 1}), std::min({m.hi, hi, v1 + m.rc - 1}));
}

/// Scores of a finished course of class `cls`; false when the drawn first scores cannot
/// realise the class (the caller draws again).
bool build_scores(Rng& r, int cat, const CatPlan& cp, int cls, int xm, int ym, Scores& s) {
    const MeasureSpec &mx = measure(xm), &my = measure(ym);
    if (cls == kNotCase) {
        s.x1 = uni(r, mx.lo + (mx.cut - mx.lo) * 3 / 10, mx.cut - 1);
        s.y1 = draw_y_first(r, xm, ym, s.x1, true);
        s.x2 = steady(r, mx, s.x1, mx.lo, mx.hi);
        s.y2 = steady(r, my, s.y1, my.lo, my.hi);
        return true;
    }
    if (cls == kRecoveredOnly) {  // just above a cut-off, ends just below both: no reliable change
        s.x1 = uni(r, mx.cut, mx.cut + mx.rc - 2);
        s.y1 = uni(r, std::max(my.lo, my.cut - my.rc), my.cut + my.rc - 2);
        s.x2 = steady(r, mx, s.x1, mx.lo, mx.cut - 1);
        s.y2 = steady(r, my, s.y1, my.lo, my.cut - 1);
        return true;
    }
    s.x1 = draw_x_case(r, cat, cp, xm);
    s.y1 = draw_y_first(r, xm, ym, s.x1, false);
    // Views of the pair as (first, last, spec) so the rules below read symmetrically.
    struct V {
        int &v1, &v2;
        const MeasureSpec& m;
    };
    V x{s.x1, s.x2, mx}, y{s.y1, s.y2, my};
    const bool x_case = s.x1 >= mx.cut;
    switch (cls) {
        case kRelRecovered: {  // the measure at caseness falls reliably below its cut-off
            V& f = x_case ? x : y;
            V& g = x_case ? y : x;
            f.v2 = uni(r, f.m.lo, std::min(f.m.cut - 1, f.v1 - f.m.rc));
            g.v2 = uni(r, std::max(g.m.lo, std::min(g.v1, g.m.cut - 1) - 2 * g.m.rc), std::min(g.m.cut - 1, g.v1 + g.m.rc - 1));
            return true;
        }
        case kImprovedOnly: {  // one falls reliably, none rises, one still at caseness at the end
            const bool xa = s.x1 >= mx.cut + mx.rc, ya = s.y1 >= my.cut + my.rc;
            if (xa || ya) {
                V& f = xa && (!ya || r.chance(0.5)) ? x : y;
                V& g = &f.v1 == &s.x1 ? y : x;
                f.v2 = uni(r, f.m.cut, f.v1 - f.m.rc);
                g.v2 = steady(r, g.m, g.v1, g.m.lo, g.m.hi);
                return true;
            }
            for (int k = 0; k < 2; ++k) {
                V& f = k == 0 ? x : y;
                V& g = k == 0 ? y : x;
                if (f.v1 - f.m.rc >= f.m.lo && g.v1 >= g.m.cut - g.m.rc + 1) {
                    f.v2 = uni(r, f.m.lo, f.v1 - f.m.rc);
                    g.v2 = uni(r, g.m.cut, std::min(g.m.hi, g.v1 + g.m.rc - 1));
                    return true;
                }
            }
            return false;
        }
        case kDeteriorated: {  // one rises reliably to at least its cut-off, the other holds
            for (int k = 0; k < 2; ++k) {
                V& f = k == 0 ? x : y;
                V& g = k == 0 ? y : x;
                const int from = std::max(f.v1 + f.m.rc, f.m.cut);
                if (from > f.m.hi) continue;
                f.v2 = uni(r, from, std::min(f.m.hi, from + f.m.rc));
                g.v2 = steady(r, g.m, g.v1, g.m.lo, g.m.hi);
                return true;
            }
            return false;
        }
        default: {  // no reliable change and still at caseness at the end
            V& f = x_case ? x : y;
            V& g = x_case ? y : x;
            f.v2 = steady(r, f.m, f.v1, f.m.cut, f.m.hi);
            g.v2 = steady(r, g.m, g.v1, g.m.lo, g.m.hi);
            return true;
        }
    }
}

/// A count >= 0 with the given mean and a lighter tail than a geometric (negative binomial,
/// shape 3), so courses rarely run past a year.
int count3(Rng& r, double mean) { return r.geometric(mean / 3) + r.geometric(mean / 3) + r.geometric(mean / 3); }

/// Draws (low, high) treatment contact counts with exactly the given means: a stepped-care
/// share (2+ low then 2+ high), low-only courses (mean 6) and high-only courses.
void draw_contacts(Rng& r, double mean_low, double mean_high, int& low, int& high) {
    const double s = std::min(0.15, mean_low / 6), q_lo = std::max(0.0, (mean_low - 3 * s) / 6);
    const double q_hi = std::max(0.0, 1 - s - q_lo);
    const double len_hi = std::max(2.0, mean_high / std::max(1e-9, q_hi + s));
    const double u = r.u();
    low = high = 0;
    if (u < s) {
        low = 2 + r.geometric(1.0);
        high = 2 + count3(r, len_hi - 2);
    } else if (u < s + q_lo) {
        low = 2 + count3(r, 4.0);
    } else {
        high = 2 + count3(r, len_hi - 2);
    }
}

struct Contact {
    Day day;
    std::string_view app, attend, mech;
    int intensity;  // 0 none, 1 low, 2 high, 3 employment support, 4 unclassified treatment
};

}  // namespace

void generate_iapt_unit(const Ctx& ctx, const Unit& u, UnitOut& out) {
    const Provider& prov = ctx.cat->iapt[static_cast<std::size_t>(u.prov)];
    const Icb& icb = ctx.cat->icbs[static_cast<std::size_t>(prov.icb)];
    Rng rng = ctx.stream(u, 0), rs = ctx.stream(u, 1), rf = ctx.stream(u, 2), rq = ctx.stream(u, 3);
    Emitter em(out, ctx.opt.fault_rate, rf, Ctx::fault_prefix(u));
    Copies copies(ctx, u.ds, u.prov, rs);
    const std::uint64_t pre = Ctx::id_prefix(u);
    const double dq_rate = ctx.data_fault_rate();
    auto dq = [&](Tab t, DataFault f, std::string_view column) {
        if (dq_rate <= 0 || !(rq.u() < dq_rate)) return false;
        count_data_fault(out, t, f, column);
        return true;
    };

    const FinancialYear fy = ctx.years[static_cast<std::size_t>(u.year)];
    const TtYear ty = ctx.tt_year(u.prov, u.year);
    const YearPlan& plan = plan_for(fy.start_year);
    const Day stop = ctx.tt_stop(u.prov, u.year);  // provider's last submitted day
    Day lo, hi;
    if (u.part == 0) {  // received in the 400 days before the period; only those still open are kept
        lo = fy.first_day() - kCarryDaysIapt;
        hi = fy.first_day() - 1;
    } else {
        const int ms = fy.start_year * 12 + 3 + u.part - 1;
        lo = month_first_day(ms);
        hi = month_first_day(ms + 1) - 1;
    }
    const std::int64_t n = ctx.unit_count(u);
    const double non_per_att = 0.9 * plan.non_attended_per_attended;  // the rest: referrals never seen
    const double provider_effect =
        Rng(mix({ctx.opt.seed, kProviderEffectStream, static_cast<std::uint64_t>(u.prov)})).normal(0, kProviderRrSd);
    std::array<std::array<double, kClasses>, kCats> classes;  // this provider's outcome classes by complaint
    for (int c = 0; c < kCats; ++c) classes[c] = provider_classes(plan.cat[c], provider_effect);

    std::vector<Contact> contacts;
    std::vector<std::uint64_t> subs;
    std::vector<int> slots;  // planned attended contacts: intensity codes as in Contact
    Rec rec;
    std::string codebuf;
    std::uint64_t next_contact = 0;

    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t pathway = static_cast<std::uint64_t>(i);
        const Day received = lo + rng.range(0, hi - lo);
        const bool finish = rng.chance(ty.finished_share);
        int cat;
        if (finish) cat = static_cast<int>(rng.pick(std::span<const double>(ty.mix->data(), kCats)));
        else cat = static_cast<int>(rng.pick(std::span<const double>(plan.other_mix.data(), kCats)));
        const Descriptor& desc = descriptor(cat);
        const CatPlan& cp = plan.cat[cat];
        // X: the severity measure (PHQ-9 for one-band descriptors); Y: the other one of the pair.
        const int pair = desc.pair_measure;
        const int xm = desc.severity_measure == kNoMeasure || desc.severity_measure == kPhq9 ? kPhq9 : desc.severity_measure;
        const int ym = xm == kPhq9 ? pair : kPhq9;

        // --- outcome and contacts plan
        Scores sc;
        int cls = -1;
        slots.clear();
        if (finish) {
            cls = static_cast<int>(rng.pick(std::span<const double>(classes[cat].data(), kClasses)));
            bool ok = false;
            for (int t = 0; t < 20 && !ok; ++t) ok = build_scores(rng, cat, cp, cls, xm, ym, sc);
            if (!ok) {
                cls = kNoChange;
                build_scores(rng, cat, cp, cls, xm, ym, sc);
            }
            const int band = severity_band(cat, sc.x1);
            const TrueMeans& tm = true_means(cat, band);
            const bool rr = cls == kRelRecovered;
            int low = 0, high = 0;
            draw_contacts(rng, tm.low * (rr ? 1 : kNonRecoveredLow), tm.high * (rr ? 1 : kNonRecoveredHigh), low, high);
            const int uncl = rng.geometric(tm.unclassified * (rr ? 1 : kNonRecoveredHigh));
            // Low-intensity contacts come first (stepped care); unclassified ones anywhere.
            if (rng.chance(kAssessmentFirst)) slots.push_back(0);
            for (int c = 0; c < low; ++c) slots.push_back(1);
            for (int c = 0; c < high; ++c) slots.push_back(2);
            for (int c = 0; c < uncl; ++c) {
                const std::size_t first_treat = slots.empty() || slots[0] != 0 ? 0 : 1;
                const std::size_t at = first_treat + rng.next() % (slots.size() - first_treat + 1);
                slots.insert(slots.begin() + static_cast<std::ptrdiff_t>(at), 4);
            }
            if (rng.chance(kEmploymentShare)) {
                const int es = 1 + rng.geometric(kEmploymentMean - 1);
                for (int c = 0; c < es; ++c) {
                    const std::size_t at = 1 + rng.next() % slots.size();
                    slots.insert(slots.begin() + static_cast<std::ptrdiff_t>(at), 3);
                }
            }
        } else if (rng.chance(kNotFinishedAccess)) {
            const int treat = rng.chance(kNotFinishedLow) ? 1 : 2;
            const double x = rng.u();
            if (x < 0.25) slots = {0};              // assessed, not treated
            else if (x < 0.70) slots = {-treat};    // assessment and treatment (AppType 03)
            else slots = {0, treat};
        }

        // --- contacts: every planned attended contact is preceded by non-attended ones
        contacts.clear();
        Day day = received + 3 + rng.geometric(18);
        // Appointment outcomes and media follow the published shares of the year the contact
        // falls in (a course across a year boundary changes mix with the year), so each year of a
        // multi-year run matches its own published figures.
        auto contact_plan = [&]() -> const YearPlan& { return plan_for(FinancialYear::of(day).start_year); };
        auto medium = [&](bool recorded) {
            const auto& media = contact_plan().media;
            return recorded && rng.chance(kMediumRecorded) ? kMediaCodes[rng.pick(std::span<const double>(media.data(), media.size()))]
                                                           : std::string_view();
        };
        auto non_attended = [&](std::string_view app) {
            static constexpr std::string_view codes[] = {"3", "2", "4", "7"};
            const std::string_view a = codes[rng.pick(std::span<const double>(contact_plan().attend.data(), 4))];
            contacts.push_back({day, app, a, medium(a == "3" || a == "7"), 0});
            day += 2 + rng.geometric(4);
        };
        if (slots.empty() && rng.chance(0.25)) {  // booked but never seen
            const int k = 1 + rng.geometric(0.6);
            for (int c = 0; c < k; ++c) non_attended("01");
        }
        for (std::size_t k = 0; k < slots.size(); ++k) {
            int s = slots[k];
            std::string_view app = "02";
            if (s == 0) app = "01";
            else if (s < 0) app = "03", s = -s;
            else if (s == 3) app = "10";
            else if (k == 0) app = "03";
            else if (rng.chance(0.1)) app = "05";
            const int before = rng.geometric(non_per_att);
            for (int c = 0; c < before; ++c) non_attended(app);
            contacts.push_back({day, app, rng.chance(contact_plan().late_share) ? "6" : "5", medium(true), s});
            day += (s == 0 ? 7 + rng.geometric(14) : 4 + rng.geometric(6)) + 1;
            // Keep a course within about a year of referral, so the carry-in window sees it whole.
            if (day > received + 300) day = std::max(contacts.back().day + 1, received + 300 + static_cast<Day>(k) / 4);
        }
        Day disch = contacts.empty() ? received + 14 + rng.range(0, 90) : contacts.back().day + 1 + rng.range(0, 27);
        if (disch > stop) {  // still open when the provider's data end: later events not seen
            disch = kMissing;
            while (!contacts.empty() && contacts.back().day > stop) contacts.pop_back();
        }
        if (u.part == 0 && disch != kMissing && disch < ctx.start) continue;  // closed before the period
        int attended_treatment = 0;
        for (const Contact& c : contacts)
            if (c.intensity == 1 || c.intensity == 2 || c.intensity == 4) ++attended_treatment;
        const bool finished = disch != kMissing && attended_treatment >= 2;

        // --- person: mostly new; about 8% come back to the same provider (Ctx::person_of)
        const PersonRef person = ctx.person_of(u, static_cast<std::uint64_t>(i));
        if (person.is_new) {
            rec.clear();
            Day birth = person.birth;
            if (dq(IDS001, kOutOfRangeDate, "PersonBirthDate")) birth = received + 1 + rng.range(0, 365);  // born after referral
            rec.id('Q', person.prefix, person.seq).str(prov.code).date(birth).str(draw(rng, kGender));
            if (dq(IDS001, kMissingCode, "EthnicCategory")) rec.empty();
            else rec.str(draw(rng, kEthnic));
            codebuf = "E01";
            const int lsoa = rng.range(1, 35672);
            for (int div = 100000; div; div /= 10) codebuf += static_cast<char>('0' + lsoa / div % 10);
            rec.str(codebuf);
            copies.one(subs, received);
            em.emit(IDS001, rec, subs);
        }
        const int age = std::max(16, age_at(person.birth, received));

        // --- referral, sent when received and again (with its discharge) when it ends later
        std::string_view end_code;
        if (disch != kMissing) {
            static constexpr W kEndFinished[] = {{"46", 55}, {"49", 10}, {"47", 18}, {"48", 12}, {"12", 5}};
            static constexpr W kEndNoContact[] = {{"10", 20}, {"11", 5}, {"13", 15}, {"14", 25}, {"16", 10}, {"50", 25}};
            static constexpr W kEndOther[] = {{"12", 15}, {"13", 15}, {"14", 15}, {"16", 10}, {"17", 20},
                                              {"47", 15}, {"48", 10}};
            end_code = finished ? draw(rng, kEndFinished) : contacts.empty() ? draw(rng, kEndNoContact) : draw(rng, kEndOther);
        }
        const std::string_view source = dq(IDS101, kMissingCode, "SourceOfReferralIAPT") ? std::string_view() : draw(rng, kSource);
        auto referral = [&](bool closed) {
            rec.clear();
            rec.id('P', pre, pathway).id('Q', person.prefix, person.seq).str(prov.code).str(icb.code).date(received);
            if (closed) rec.date(disch).str(end_code);
            else rec.empty().empty();
            rec.str(source).num(age);
        };
        if (copies.later_month(received, disch)) {
            referral(false);
            copies.one(subs, received);
            em.emit_superseded(IDS101, rec, subs);
        }
        referral(true);
        copies.one(subs, disch != kMissing ? disch : received);
        em.emit(IDS101, rec, subs);

        // --- contacts and their activities
        for (const Contact& c : contacts) {
            const std::uint64_t cid = next_contact++;
            std::string_view mech = c.mech;
            if (mech.empty()) count_natural(out, IDS201, kMissingCode, "ConsMechanism");
            else if (dq(IDS201, kInvalidCode, "ConsMechanism")) mech = "77";
            else if (dq(IDS201, kMissingCode, "ConsMechanism")) mech = {};
            rec.clear();
            rec.id('P', pre, pathway).id('C', pre, cid).date(c.day).str(c.app).str(c.attend).str(mech);
            copies.one(subs, c.day);
            em.emit(IDS201, rec, subs);
            if (c.intensity <= 0 || (c.intensity == 4 && !rng.chance(0.3))) continue;
            std::string_view first = c.intensity == 3   ? kEmploymentSupport
                                     : c.intensity == 2 ? draw(rng, kHigh)
                                     : c.intensity == 1 ? draw(rng, kLow)
                                                        : draw(rng, kNeither);
            rec.clear();
            rec.id('P', pre, pathway).id('C', pre, cid).str(first);
            em.emit(IDS202, rec, subs);
            // A second activity: same intensity, or a low one on a high contact (counts as high).
            if ((c.intensity == 1 || c.intensity == 2) && rng.chance(0.1)) {
                std::string_view second = c.intensity == 2 && rng.chance(0.3) ? draw(rng, kLow)
                                          : c.intensity == 2                ? draw(rng, kHigh)
                                                                            : draw(rng, kLow);
                if (second != first) {
                    rec.clear();
                    rec.id('P', pre, pathway).id('C', pre, cid).str(second);
                    em.emit(IDS202, rec, subs);
                }
            }
        }

        // --- presenting complaint (CodSig 1), sometimes a secondary one (CodSig 2). Not stated:
        // no record, or a code in no code list.
        const Day first_day = contacts.empty() ? received : std::max(received, contacts.front().day);
        const Day pc_day = std::min(first_day, disch != kMissing ? disch : stop);
        if (cat != kNotStated || rng.chance(0.45)) {
            int code_cat = cat;
            if (cat == kNotStated) count_natural(out, IDS603, kInvalidCode, "PresComp");
            else if (!finished && dq(IDS603, kInvalidCode, "PresComp")) code_cat = kNotStated;
            rec.clear();
            rec.id('P', pre, pathway).str(complaint_code(rng, code_cat, codebuf)).str("1").date(pc_day);
            copies.one(subs, pc_day);
            em.emit(IDS603, rec, subs);
            if (code_cat != kNotStated && rng.chance(0.2)) {
                const int c2 = static_cast<int>(rng.pick(std::span<const double>(ty.mix->data(), kCats)));
                if (c2 != cat && c2 != kNotStated) {
                    rec.clear();
                    rec.id('P', pre, pathway).str(complaint_code(rng, c2, codebuf)).str("2").date(pc_day);
                    em.emit(IDS603, rec, subs);
                }
            }
        }

        // --- scores: first at the first attended contact (IDS606), later ones at attended
        // treatment contacts (IDS607); a finished course's last one at its last treatment contact.
        std::vector<Day> days;
        Day last_treat = kMissing;
        for (const Contact& c : contacts) {
            if (c.intensity == 3) continue;
            if (days.empty() || c.intensity != 0) days.push_back(c.day);
            if (c.intensity == 1 || c.intensity == 2 || c.intensity == 4) last_treat = c.day;
        }
        if (!days.empty()) {
            if (!finished) {  // first scores from the same marginal as finished courses
                const int pseudo = rng.chance(cp.cls[kNotCase]) ? kNotCase : kNoChange;
                build_scores(rng, cat, cp, pseudo, xm, ym, sc);
            }
            const bool unpaired = finished && dq(IDS607, kUnpairedScore, "PersScore");
            int measures[3] = {xm, ym, kNoMeasure};
            if (xm != kGad7 && ym != kGad7) measures[2] = kGad7;  // GAD-7 is recorded alongside an ADSM
            const int phq1 = xm == kPhq9 ? sc.x1 : sc.y1, phq2 = xm == kPhq9 ? sc.x2 : sc.y2;
            const int gad_first = draw_y_first(rng, kPhq9, kGad7, phq1, false);
            for (int m : measures) {
                if (m == kNoMeasure) continue;
                const MeasureSpec& ms = measure(m);
                int v1, v2;
                if (m == xm) v1 = sc.x1, v2 = sc.x2;
                else if (m == ym) v1 = sc.y1, v2 = sc.y2;
                else v1 = gad_first, v2 = std::clamp(gad_first + (phq2 - phq1) * 21 / 27, 0, 21);
                if (!finished) v2 = std::clamp(v1 + rng.range(-ms.rc, ms.rc / 2), ms.lo, ms.hi);
                for (std::size_t k = 0; k < days.size(); ++k) {
                    const bool last = finished ? days[k] == last_treat : k + 1 == days.size();
                    if (finished && days[k] > last_treat) break;
                    if (k > 0 && !last && rng.chance(m <= kGad7 ? 0.15 : 0.5)) continue;
                    if (k > 0 && unpaired && m == kPhq9) continue;  // only the first PHQ-9 survives
                    int v = v1;
                    if (last) v = v2;
                    else if (k > 0) {
                        const double t = double(k) / double(days.size());
                        v = std::clamp(static_cast<int>(std::lround(v1 + (v2 - v1) * t + r_noise(rng, ms))), ms.lo, ms.hi);
                    }
                    rec.clear();
                    rec.id('P', pre, pathway).str(ms.code).hundredths(v * ms.per_unit).date(days[k]);
                    copies.one(subs, days[k]);
                    em.emit(k == 0 ? IDS606 : IDS607, rec, subs);
                }
            }
        }

        // --- employment status at referral, and again at the end for some
        if (rng.chance(0.85)) {
            Day d = received;
            if (dq(IDS004, kOutOfRangeDate, "EmployStatusRecDate")) d = days_from_civil(1900, 1, 1);
            rec.clear();
            rec.id('P', pre, pathway).str(dq(IDS004, kInvalidCode, "EmployStatus") ? std::string_view("99") : draw(rng, kEmploy)).date(d);
            copies.one(subs, received);
            em.emit(IDS004, rec, subs);
            if (disch != kMissing && disch > received && rng.chance(0.4)) {
                rec.clear();
                rec.id('P', pre, pathway).str(draw(rng, kEmploy)).date(disch);
                copies.one(subs, disch);
                em.emit(IDS004, rec, subs);
            }
        }
    }
}

}  // namespace mhbench::synth
