// NHS Talking Therapies (IAPT v2.1) records of one unit. Shares come from the England 2023-24
// rows of the published figures in reference/ (rounded); full calibration is a later task.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "synth/gen.hpp"

namespace mhbench::synth {

namespace {

struct W {
    std::string_view code;
    double weight;
};
template <std::size_t N>
std::string_view draw(Rng& r, const W (&w)[N]) {
    return w[r.pick(std::span<const W>(w, N))].code;
}

constexpr W kSource[] = {{"B1", 58}, {"A1", 27}, {"A2", 2}, {"A3", 2}, {"C1", 2}, {"D1", 1},
                         {"E1", 1},  {"F1", 1},  {"G1", 2}, {"H1", 1}, {"M1", 1}, {"Q1", 2}};
// Appointments by attendance, England 2023-24: attended 5.92M, late seen 77k, DNA 772k,
// cancelled by patient 833k / provider 400k, late not seen 25k.
constexpr W kAttend[] = {{"5", 5916}, {"6", 77}, {"3", 772}, {"2", 833}, {"4", 400}, {"7", 25}};
// Consultation medium, England 2023-24 (email and SMS folded into 98 other).
constexpr W kMech[] = {{"01", 1079}, {"02", 2805}, {"11", 1441}, {"10", 70}, {"12", 15}, {"13", 15}, {"98", 105}};
// Therapy types of appointments, England 2023-24 (SNOMED CT; SPEC section 3 lists).
constexpr W kLow[] = {{"748051000000105", 1027}, {"748041000000107", 88}, {"748101000000105", 70},
                      {"748091000000102", 4},    {"748061000000108", 1},  {"702545008", 258},
                      {"975131000000104", 23},   {"1026111000000108", 782}};
constexpr W kHigh[] = {{"304891004", 2122},        {"286711000000107", 606}, {"443730003", 67},
                       {"1129471000000105", 28},   {"842901000000108", 33},  {"449030000", 91},
                       {"933221000000107", 9},     {"1127281000000100", 2},  {"314034001", 12},
                       {"1026131000000100", 767}};
constexpr std::string_view kEmploymentSupport = "1098051000000103";
constexpr W kEmploy[] = {{"01", 50}, {"02", 10}, {"03", 6}, {"04", 10}, {"05", 5},
                         {"06", 6},  {"07", 1},  {"08", 8}, {"ZZ", 4}};
constexpr W kGender[] = {{"2", 65}, {"1", 32}, {"9", 2}, {"X", 1}};
constexpr W kEthnic[] = {{"A", 72}, {"B", 2}, {"C", 4}, {"D", 1}, {"E", 1}, {"F", 1}, {"G", 1}, {"H", 3},
                         {"J", 3},  {"K", 1}, {"L", 1}, {"M", 1}, {"N", 2}, {"P", 1}, {"R", 1}, {"S", 2},
                         {"Z", 2},  {"99", 1}};

// Outcome measures. PHQ-9 and GAD-7 are confirmed SNOMED CT; the others are placeholders
// (unconfirmed identifiers) that the Talking Therapies reference data must match.
struct Measure {
    std::string_view code;
    int lo, hi;          // range in hundredths
    double mean, sd;     // first score, in hundredths
    bool decimal;        // scores kept to hundredths (MI); others are whole numbers
};
enum M { PHQ9, GAD7, SPIN, PCL5, OCI, PDSS, MI, HAI, BIQ, kNoMeasure };
constexpr Measure kMeasures[] = {
    {"720433000", 0, 2700, 1500, 550, false},       {"445455005", 0, 2100, 1300, 450, false},
    {"1035281000000104", 0, 6800, 4000, 1200, false}, {"1035291000000102", 0, 8000, 4800, 1400, false},
    {"1035301000000101", 0, 7200, 3000, 1200, false}, {"1035311000000104", 0, 2800, 1400, 500, false},
    {"1035321000000105", 100, 500, 320, 80, true},    {"1035331000000107", 0, 5400, 2800, 900, false},
    {"1035341000000103", 0, 4000, 2200, 800, false}};

// Problem descriptors with their ICD-10 / SNOMED CT codes, the share of referrals received
// (not finishing) and of finished courses (England 2023-24, thousands), and their measure.
struct Desc {
    std::array<std::string_view, 6> codes;
    double other, finished;
    int measure;
};
constexpr Desc kDesc[] = {
    {{"F32.0", "F32.1", "F32.2", "F32.9", "F33.1", "F33.9"}, 180, 285, kNoMeasure},  // depression
    {{"F41.1"}, 82, 176, kNoMeasure},                       // generalised anxiety
    {{"F40.0"}, 2.5, 4.7, MI},                              // agoraphobia
    {{"F40.1"}, 8.2, 18.1, SPIN},                           // social phobias
    {{"F40.2"}, 1.6, 6.3, kNoMeasure},                      // specific phobias
    {{"F41.0"}, 6.2, 15.7, PDSS},                           // panic disorder
    {{"F41.2"}, 13.1, 16.7, kNoMeasure},                    // mixed anxiety and depression
    {{"F42.0", "F42.1", "F42.2", "F42.9"}, 6.2, 17.5, OCI}, // obsessive compulsive
    {{"F43.1"}, 33.1, 41.5, PCL5},                          // post-traumatic stress
    {{"F45.2"}, 4.1, 10.6, HAI},                            // hypochondriacal
    {{"F41.8", "F41.9", "F43.0", "F43.2", "F40.8", "F41.3"}, 16.3, 25.3, kNoMeasure},  // other anxiety
    {{"83482000"}, 0.24, 0.54, BIQ},                        // body dysmorphic disorder
    {{"G93.3", "K58.9", "F45.1"}, 1.4, 0.2, kNoMeasure},    // medically unexplained symptoms
    {{"F50.0", "F60.3", "F31.9", "F20.9", "F90.0", "F10.2"}, 16.4, 4.5, kNoMeasure},  // other F codes
    {{"Z63.0", "Z56.0", "Z73.3", "R45.8"}, 9.1, 4.3, kNoMeasure},  // other recorded problems
};
constexpr std::size_t kDescN = std::size(kDesc);

std::string_view desc_code(Rng& r, const Desc& d, std::string& buf) {
    std::size_t n = 0;
    while (n < d.codes.size() && !d.codes[n].empty()) ++n;
    std::string_view c = d.codes[r.next() % n];
    // About a fifth of providers' codes arrive without the dot (F411).
    if (c.size() > 3 && c[3] == '.' && r.chance(0.2)) {
        buf.assign(c.substr(0, 3));
        buf.append(c.substr(4));
        return buf;
    }
    return c;
}

struct Contact {
    Day day;
    std::string_view app, attend, mech;
    int intensity;  // 0 none, 1 low, 2 high, 3 employment support
};

struct Person {
    std::uint64_t seq;
    Day birth;
};

}  // namespace

void generate_iapt_unit(const Ctx& ctx, const Unit& u, UnitOut& out) {
    const Provider& prov = ctx.cat->iapt[static_cast<std::size_t>(u.prov)];
    const Icb& icb = ctx.cat->icbs[static_cast<std::size_t>(prov.icb)];
    Rng rng = ctx.stream(u, 0), rs = ctx.stream(u, 1), rf = ctx.stream(u, 2);
    Emitter em(out, ctx.opt.fault_rate, rf, Ctx::fault_prefix(u));
    Copies copies(ctx, u.ds, u.prov, rs);
    const std::uint64_t pre = Ctx::id_prefix(u);

    const FinancialYear fy = ctx.years[static_cast<std::size_t>(u.year)];
    Day lo, hi;
    if (u.part == 0) {  // received in the four months before the period, some still open
        lo = fy.first_day() - 122;
        hi = fy.first_day() - 1;
    } else {
        const int ms = fy.start_year * 12 + 3 + u.part - 1;
        lo = month_first_day(ms);
        hi = month_first_day(ms + 1) - 1;
    }
    const std::int64_t n = ctx.unit_count(u);

    std::vector<Person> persons;
    std::vector<Contact> contacts;
    std::vector<std::uint64_t> subs;
    Rec rec;
    std::string codebuf;
    std::uint64_t next_person = 0, next_contact = 0;

    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t pathway = static_cast<std::uint64_t>(i);
        const Day received = lo + rng.range(0, hi - lo);
        const bool finished_plan = rng.chance(prov.finished_share);

        // --- contacts
        contacts.clear();
        Day day = received + 3 + rng.geometric(18);
        int n_contacts = 0;
        if (finished_plan) n_contacts = 3 + rng.geometric(5.2);
        else if (!rng.chance(0.4)) n_contacts = 1 + rng.geometric(2.0);
        int pathway_kind = rng.range(0, 99);  // <50 low only, <85 high only, else stepped up
        int attended_treatment = 0;
        for (int k = 0; k < n_contacts; ++k) {
            Contact c{day, k == 0 ? "01" : "02", draw(rng, kAttend), draw(rng, kMech), 0};
            if (k > 0) {
                const int a = rng.range(0, 99);
                c.app = a < 80 ? "02" : a < 90 ? "05" : a < 94 ? "03" : a < 98 ? "10" : "06";
            }
            if (k == 0 && rng.chance(0.85)) c.attend = "5";
            const bool treatment = c.app == "02" || c.app == "03" || c.app == "05";
            bool attended = c.attend == "5" || c.attend == "6";
            if (treatment) {
                // Not finishing means fewer than two attended treatment appointments.
                if (!finished_plan && attended && attended_treatment >= 1) c.attend = rng.chance(0.5) ? "3" : "2";
                // A finished course reaches two attended treatment appointments by its end.
                const int left = n_contacts - k;
                if (finished_plan && attended_treatment < 2 && left <= 2 - attended_treatment) c.attend = "5";
                attended = c.attend == "5" || c.attend == "6";
                if (attended) ++attended_treatment;
                const bool high = pathway_kind >= 50 && (pathway_kind < 85 || attended_treatment > 3);
                if (attended) c.intensity = high ? 2 : 1;
            } else if (c.app == "10" && attended) {
                c.intensity = 3;
            }
            contacts.push_back(c);
            day += (k == 0 ? 7 + rng.geometric(20) : 5 + rng.geometric(6)) + 1;
        }
        Day disch = contacts.empty() ? received + 14 + rng.range(0, 90) : contacts.back().day + 1 + rng.range(0, 27);
        if (disch > ctx.end) {  // still open at the end of the period: later events not yet happened
            disch = kMissing;
            while (!contacts.empty() && contacts.back().day > ctx.end) contacts.pop_back();
        }
        if (u.part == 0 && disch != kMissing && disch < ctx.start) continue;  // closed before the period
        const bool finished = disch != kMissing && attended_treatment >= 2 &&
                              std::count_if(contacts.begin(), contacts.end(), [](const Contact& c) {
                                  return c.intensity == 1 || c.intensity == 2;
                              }) >= 2;

        // --- person: mostly new, sometimes a re-referral of someone seen earlier in the unit
        Person person;
        if (!persons.empty() && rng.chance(0.08)) {
            person = persons[rng.next() % persons.size()];
        } else {
            const int age = 16 + static_cast<int>(74 * std::pow(rng.u(), 1.7));
            person = {next_person++, received - age * 365 - age / 4 - rng.range(0, 364)};
            persons.push_back(person);
            rec.clear();
            rec.id('Q', pre, person.seq).str(prov.code).date(person.birth).str(draw(rng, kGender)).str(draw(rng, kEthnic));
            codebuf = "E01";
            const int lsoa = rng.range(1, 35672);
            for (int div = 100000; div; div /= 10) codebuf += static_cast<char>('0' + lsoa / div % 10);
            rec.str(codebuf);
            copies.one(subs, received);
            em.emit(IDS001, rec, subs);
        }
        const int age = age_at(person.birth, received);

        // --- referral, sent when received and again (with its discharge) when it ends later
        std::string_view end_code;
        if (disch != kMissing) {
            static constexpr W kEndFinished[] = {{"46", 55}, {"49", 10}, {"47", 18}, {"48", 12}, {"12", 5}};
            static constexpr W kEndNoContact[] = {{"10", 20}, {"11", 5}, {"13", 15}, {"14", 25}, {"16", 10}, {"50", 25}};
            static constexpr W kEndOther[] = {{"12", 15}, {"13", 15}, {"14", 15}, {"16", 10}, {"17", 20},
                                              {"47", 15}, {"48", 10}};
            end_code = finished ? draw(rng, kEndFinished) : contacts.empty() ? draw(rng, kEndNoContact) : draw(rng, kEndOther);
        }
        const std::string_view source = draw(rng, kSource);
        auto referral = [&](bool closed) {
            rec.clear();
            rec.id('P', pre, pathway).id('Q', pre, person.seq).str(prov.code).str(icb.code).date(received);
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
            rec.clear();
            rec.id('P', pre, pathway).id('C', pre, cid).date(c.day).str(c.app).str(c.attend).str(c.mech);
            copies.one(subs, c.day);
            em.emit(IDS201, rec, subs);
            if (c.intensity == 0 || rng.chance(0.1)) continue;
            std::string_view first = c.intensity == 3 ? kEmploymentSupport : c.intensity == 2 ? draw(rng, kHigh) : draw(rng, kLow);
            rec.clear();
            rec.id('P', pre, pathway).id('C', pre, cid).str(first);
            em.emit(IDS202, rec, subs);
            if (c.intensity != 3 && rng.chance(0.08)) {
                std::string_view second = c.intensity == 2 ? draw(rng, kHigh) : draw(rng, kLow);
                if (second != first) {
                    rec.clear();
                    rec.id('P', pre, pathway).id('C', pre, cid).str(second);
                    em.emit(IDS202, rec, subs);
                }
            }
        }

        // --- presenting complaints: most finished courses have one, few other referrals do
        const Day last_day = disch != kMissing ? disch : std::min(ctx.end, contacts.empty() ? received : contacts.back().day);
        int desc = -1;
        if (rng.chance(finished ? 0.933 : 0.33)) {
            double w[kDescN];
            for (std::size_t k = 0; k < kDescN; ++k) w[k] = finished ? kDesc[k].finished : kDesc[k].other;
            desc = static_cast<int>(rng.pick(std::span<const double>(w, kDescN)));
            const Day pc_day = std::min(last_day, contacts.empty() ? received : contacts.front().day);
            rec.clear();
            rec.id('P', pre, pathway).str(desc_code(rng, kDesc[desc], codebuf)).str("1").date(pc_day);
            copies.one(subs, pc_day);
            em.emit(IDS603, rec, subs);
            if (rng.chance(0.2)) {
                const int d2 = static_cast<int>(rng.pick(std::span<const double>(w, kDescN)));
                if (d2 != desc) {
                    rec.clear();
                    rec.id('P', pre, pathway).str(desc_code(rng, kDesc[d2], codebuf)).str("2").date(pc_day);
                    em.emit(IDS603, rec, subs);
                }
            }
        }

        // --- scores: first at the first attended contact (IDS606), then at attended treatment
        // contacts (IDS607), drifting from the first towards an outcome drawn per referral.
        std::vector<Day> score_days;
        for (const Contact& c : contacts)
            if (c.attend == "5" || c.attend == "6")
                if (score_days.empty() || c.intensity == 1 || c.intensity == 2) score_days.push_back(c.day);
        if (!score_days.empty() && rng.chance(0.95)) {
            const int r = rng.range(0, 99);
            const double target = finished ? (r < 55 ? 0.15 + 0.35 * rng.u() : r < 85 ? 0.6 + 0.35 * rng.u() : 0.9 + 0.4 * rng.u())
                                           : 0.7 + 0.4 * rng.u();
            int measures[3] = {PHQ9, GAD7, desc >= 0 ? kDesc[desc].measure : kNoMeasure};
            for (int m : measures) {
                if (m == kNoMeasure) continue;
                const Measure& ms = kMeasures[m];
                const double first = std::clamp(rng.normal(ms.mean, ms.sd), double(ms.lo), double(ms.hi));
                for (std::size_t k = 0; k < score_days.size(); ++k) {
                    if (k > 0 && rng.chance(m <= GAD7 ? 0.1 : 0.4)) continue;
                    const double t = score_days.size() == 1 ? 0 : double(k) / double(score_days.size() - 1);
                    double v = first * (1 + (target - 1) * t) + (k ? rng.normal(0, ms.sd * 0.15) : 0);
                    v = std::clamp(v, double(ms.lo), double(ms.hi));
                    const int score = ms.decimal ? static_cast<int>(std::lround(v)) : static_cast<int>(std::lround(v / 100)) * 100;
                    rec.clear();
                    rec.id('P', pre, pathway).str(ms.code).hundredths(score).date(score_days[k]);
                    copies.one(subs, score_days[k]);
                    em.emit(k == 0 ? IDS606 : IDS607, rec, subs);
                }
            }
        }

        // --- employment status at referral, and again at the end for some
        if (rng.chance(0.85)) {
            rec.clear();
            rec.id('P', pre, pathway).str(draw(rng, kEmploy)).date(received);
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
