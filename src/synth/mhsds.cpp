// Mental Health Services Data Set (MHSDS v6) records of one unit. Service lines (team types)
// carry the codes that go together: reason for referral, diagnoses, contact pattern, crisis
// priority, inpatient and cluster likelihood. Shares are plausible, not yet calibrated.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "synth/gen.hpp"

namespace mhbench::synth {

namespace {

using W = WeightedCode;
template <std::size_t N>
std::string_view any(Rng& r, const std::array<std::string_view, N>& a) {
    std::size_t n = 0;
    while (n < N && !a[n].empty()) ++n;
    return a[r.next() % n];
}

enum Cluster { kNoCluster, kNonPsychotic, kPsychotic, kOrganic };

struct Line {
    std::string_view team;
    double w_cyp, w_adult, w_older;     // relative weights within each age band
    std::array<std::string_view, 4> reasons;
    std::array<std::string_view, 6> diagnoses;  // ICD-10, with the dot
    double contacts;                     // mean contacts of a seen referral
    int gap;                             // mean days between contacts
    bool crisis;                         // clinical response priority recorded
    double inpatient;                    // share of referrals with a hospital spell
    Cluster cluster;
};

constexpr Line kLines[] = {
    {"A06", 0, 18, 6, {"11", "12", "05", "09"}, {"F32.1", "F33.1", "F41.1", "F60.3", "F20.0", "F43.1"}, 9, 14, false, 0.03, kNonPsychotic},
    {"A05", 0, 10, 3, {"11", "12"}, {"F32.0", "F41.1", "F41.2", "F43.2"}, 3, 14, false, 0, kNonPsychotic},
    {"A17", 0, 0.5, 10, {"01"}, {"F00.1", "F01.9", "F03", "F06.7"}, 3, 30, false, 0.01, kOrganic},
    {"A14", 0.3, 2, 0, {"08"}, {"F20.0", "F23.9", "F29", "F31.2"}, 20, 7, false, 0.08, kPsychotic},
    {"A02", 0.5, 5, 1.5, {"17", "06", "09", "11"}, {"F20.0", "F32.2", "F60.3", "F31.1", "F43.0"}, 8, 1, true, 0.06, kPsychotic},
    {"A18", 2, 10, 2, {"17", "11", "12", "06"}, {"F32.9", "F41.9"}, 1.2, 3, true, 0, kNoCluster},
    {"A19", 0.5, 4, 0.5, {"17", "06"}, {"F32.9", "F43.0"}, 1.3, 1, true, 0, kNoCluster},
    {"A11", 0, 6, 2, {"06", "17", "01"}, {"F32.2", "F10.0", "F05.9", "F43.0"}, 1.5, 1, true, 0.02, kNoCluster},
    {"A20", 0, 0.2, 0.02, {"17"}, {"F43.0"}, 1.2, 1, true, 0, kNoCluster},
    {"A21", 0, 0.3, 0.03, {"17"}, {"F43.0", "F32.9"}, 1.5, 2, true, 0, kNoCluster},
    {"A22", 0, 0.2, 0.02, {"17"}, {"F43.0"}, 1.2, 1, true, 0, kNoCluster},
    {"A23", 0, 0.2, 0.02, {"17"}, {"F43.0"}, 1.3, 1, true, 0, kNoCluster},
    {"A24", 0, 0.2, 0.05, {"17", "11"}, {"F32.2"}, 5, 2, true, 0, kNoCluster},
    {"A25", 0, 0.2, 0.02, {"17"}, {"F32.2", "F60.3"}, 4, 1, true, 0, kNoCluster},
    {"A08", 0, 0.5, 0.1, {"09"}, {"F20.0", "F25.0"}, 30, 7, false, 0.1, kPsychotic},
    {"A09", 0, 0.5, 0.1, {"09"}, {"F20.0", "F20.5"}, 25, 7, false, 0.1, kPsychotic},
    {"A12", 0, 1.5, 0.1, {"05", "11"}, {"F60.3", "F33.1"}, 12, 7, false, 0, kNonPsychotic},
    {"A13", 0, 2, 0.3, {"11", "12"}, {"F32.1", "F41.1", "F42.0"}, 8, 7, false, 0, kNonPsychotic},
    {"A16", 0, 1, 0, {"05"}, {"F60.3", "F60.2"}, 15, 7, false, 0.02, kNonPsychotic},
    {"C02", 0, 1, 0, {"04"}, {"F53.0", "F32.1"}, 8, 10, false, 0.02, kNonPsychotic},
    {"D01", 0.1, 1.5, 0.1, {"02"}, {"F10.2", "F11.2", "F12.2", "F19.2"}, 6, 14, false, 0.01, kNonPsychotic},
    {"D05", 0, 1.2, 0, {"09", "11"}, {"F20.0", "F32.1", "F31.7"}, 10, 14, false, 0, kPsychotic},
    {"E01", 0.5, 1, 0.2, {"27", "25"}, {"F70", "F71", "F84.0"}, 6, 21, false, 0, kNoCluster},
    {"E04", 0.1, 0.2, 0, {"27"}, {"F71", "F84.0"}, 10, 7, false, 0.02, kNoCluster},
    {"C01", 1.5, 0.6, 0, {"24", "25"}, {"F84.0", "F84.5"}, 3, 30, false, 0, kNoCluster},
    {"C04", 4, 0.5, 0, {"23", "24"}, {"F90.0", "F84.0"}, 3, 30, false, 0, kNoCluster},
    {"C10", 1.5, 0.6, 0.02, {"16"}, {"F50.0", "F50.2", "F50.9"}, 14, 7, false, 0.03, kNonPsychotic},
    {"C05", 1, 0, 0, {"06", "17"}, {"F32.2", "F43.0"}, 1.5, 1, true, 0, kNoCluster},
    {"C06", 0.6, 0, 0, {"20", "07"}, {"F43.2", "F91.1"}, 6, 21, false, 0, kNoCluster},
    {"C07", 0.4, 0, 0, {"07"}, {"F91.1", "F12.1"}, 5, 21, false, 0, kNoCluster},
    {"C03", 6, 0.5, 0.1, {"11", "12", "06", "07"}, {"F32.1", "F41.1", "F93.0", "F91.3"}, 6, 14, false, 0.01, kNoCluster},
    {"C08", 0.3, 0.1, 0, {"22"}, {"F07.2"}, 5, 21, false, 0, kNoCluster},
    {"Z01", 0.5, 1, 0.3, {"11", "12"}, {"F32.9", "F41.9"}, 3, 14, false, 0, kNonPsychotic},
};
constexpr std::size_t kLineN = std::size(kLines);

constexpr W kSource[] = {{"A1", 30}, {"A2", 3}, {"A3", 3}, {"B1", 10}, {"B2", 3}, {"C1", 2}, {"D1", 3}, {"E1", 2},
                         {"F1", 2},  {"G1", 2}, {"H1", 8}, {"H2", 4}, {"I1", 4}, {"I2", 3}, {"M1", 3}, {"M3", 4},
                         {"M7", 2},  {"N3", 3}, {"P1", 4}, {"Q1", 3}};
constexpr W kPriority[] = {{"1", 15}, {"2", 35}, {"3", 35}, {"4", 15}};
constexpr W kAttend[] = {{"5", 72}, {"6", 2}, {"3", 9}, {"2", 8}, {"4", 7}, {"7", 1}, {"", 1}};
constexpr W kMech[] = {{"01", 45}, {"02", 20}, {"11", 5}, {"04", 0.5}, {"05", 2}, {"06", 2}, {"09", 3},
                       {"10", 2},  {"12", 1},  {"13", 1}, {"98", 18.5}};
// Procedures on attended contacts (SNOMED CT): assessment, review, therapy, risk assessment.
constexpr W kProcedures[] = {{"225337009", 10}, {"182836005", 15}, {"390906007", 20}, {"228557008", 10},
                             {"304891004", 8},  {"443730003", 2},  {"386053000", 15}, {"1323681000000103", 5},
                             {"401277000", 8},  {"713107002", 7}};
constexpr W kIps[] = {{"772822000", 60}, {"1082621000000104", 40}};
constexpr std::string_view kRefused = ":408729009=443390004";
constexpr W kGender[] = {{"1", 47}, {"2", 51}, {"9", 1}, {"X", 1}};
constexpr W kEthnic[] = {{"A", 68}, {"B", 2}, {"C", 4}, {"D", 1}, {"E", 1}, {"F", 1}, {"G", 1}, {"H", 3},
                         {"J", 3},  {"K", 1}, {"L", 1}, {"M", 1}, {"N", 2}, {"P", 1}, {"R", 1}, {"S", 2},
                         {"Z", 5},  {"99", 1}};
constexpr W kAccomm[] = {{"01", 35}, {"02", 20}, {"03", 10}, {"04", 6}, {"05", 4}, {"06", 3}, {"07", 3},
                         {"08", 2},  {"09", 3},  {"10", 4},  {"11", 2}, {"12", 3}, {"ZZ", 5}};
constexpr W kEmploy[] = {{"01", 30}, {"02", 12}, {"03", 8}, {"04", 18}, {"05", 5}, {"06", 8}, {"07", 1},
                         {"08", 12}, {"ZZ", 6}};
constexpr W kLd[] = {{"1", 2}, {"2", 1}, {"3", 1}, {"4", 1}, {"5", 60}, {"Z", 10}, {"", 25}};
constexpr W kAutism[] = {{"1", 3}, {"2", 2}, {"3", 1}, {"4", 1}, {"5", 55}, {"Z", 10}, {"", 28}};

std::string_view icd(Rng& r, std::string_view code, std::string& buf) {
    if (code.size() > 3 && code[3] == '.' && r.chance(0.7)) {  // MHSDS mostly sends ICD-10 without the dot
        buf.assign(code.substr(0, 3));
        buf.append(code.substr(4));
        return buf;
    }
    return code;
}

struct Person {
    std::uint64_t seq;
    Day birth;
};

}  // namespace

void generate_mhsds_unit(const Ctx& ctx, const Unit& u, UnitOut& out) {
    const Provider& prov = ctx.cat->mhsds[static_cast<std::size_t>(u.prov)];
    const Icb& icb = ctx.cat->icbs[static_cast<std::size_t>(prov.icb)];
    Rng rng = ctx.stream(u, 0), rs = ctx.stream(u, 1), rf = ctx.stream(u, 2);
    Emitter em(out, ctx.opt.fault_rate, rf, Ctx::fault_prefix(u));
    Copies copies(ctx, u.ds, u.prov, rs);
    const std::uint64_t pre = Ctx::id_prefix(u);
    const FinancialYear fy = ctx.years[static_cast<std::size_t>(u.year)];
    const bool clusters = fy.start_year <= 2022;  // PbR clusters were retired after 2022-23

    Day lo, hi;
    if (u.part == 0) {  // long-running referrals received in the two years before the period
        lo = fy.first_day() - 730;
        hi = fy.first_day() - 1;
    } else {
        const int ms = fy.start_year * 12 + 3 + u.part - 1;
        lo = month_first_day(ms);
        hi = month_first_day(ms + 1) - 1;
    }
    const std::int64_t n = ctx.unit_count(u);

    std::vector<Person> persons;
    std::vector<Day> days;
    std::vector<std::uint64_t> subs;
    Rec rec;
    std::string buf;
    std::uint64_t next_person = 0, next_contact = 0, next_spell = 0;
    double wb[3][kLineN];
    for (std::size_t k = 0; k < kLineN; ++k) {
        wb[0][k] = kLines[k].w_cyp;
        wb[1][k] = kLines[k].w_adult;
        wb[2][k] = kLines[k].w_older;
    }

    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t ref = static_cast<std::uint64_t>(i);
        const Day received = lo + rng.range(0, hi - lo);

        // --- person: about a third of people are children; some are re-referred
        Person person;
        bool new_person = persons.empty() || !rng.chance(0.3);
        if (!new_person) {
            person = persons[rng.next() % persons.size()];
        } else {
            const int band = rng.range(0, 99);
            const int age = band < 31 ? 4 + static_cast<int>(14 * std::sqrt(rng.u()))
                            : band < 82 ? rng.range(18, 64)
                                        : rng.range(65, 95);
            person = {next_person++, received - age * 365 - age / 4 - rng.range(0, 364)};
            persons.push_back(person);
        }
        const int age = age_at(person.birth, received);
        const int band = age < 18 ? 0 : age < 65 ? 1 : 2;
        const Line& line = kLines[rng.pick(std::span<const double>(wb[band], kLineN))];

        // --- activity: contacts at the line's rhythm; carried-in referrals only show the
        // contacts of the period (earlier months were earlier extracts)
        days.clear();
        const bool seen = rng.chance(0.75);
        Day day = (u.part == 0 ? ctx.start + rng.range(0, 60) : received + rng.geometric(line.gap * 2.0));
        const int n_contacts = seen ? 1 + rng.geometric(1.1 * line.contacts - 1 + (u.part == 0 ? line.contacts : 0)) : 0;
        for (int k = 0; k < n_contacts; ++k) {
            days.push_back(day);
            day += 1 + rng.geometric(line.gap - 1);
        }
        Day disch = days.empty() ? (u.part == 0 ? ctx.start : received) + 7 + rng.range(0, 60) : days.back() + 1 + rng.geometric(20);
        if (disch > ctx.end) {
            disch = kMissing;
            while (!days.empty() && days.back() > ctx.end) days.pop_back();
        }
        const Day last = disch != kMissing ? disch : ctx.end;
        const Day first_event = std::max(received, ctx.start);  // for records of carried-in referrals

        if (new_person) {
            rec.clear();
            rec.id('Q', pre, person.seq).str(prov.code).date(person.birth).str(draw(rng, kEthnic)).str(draw(rng, kGender));
            buf = "E01";
            const int lsoa = rng.range(1, 35672);
            for (int div = 100000; div; div /= 10) buf += static_cast<char>('0' + lsoa / div % 10);
            rec.str(buf).str(rng.chance(0.9) ? icb.sub_icbs[rng.next() % icb.sub_icbs.size()] : std::string_view("Q99"));
            copies.one(subs, received);
            em.emit(MHS001, rec, subs);
            if (band > 0 && rng.chance(0.45)) {
                rec.clear();
                rec.id('Q', pre, person.seq).str(draw(rng, kAccomm)).date(first_event);
                copies.one(subs, first_event);
                em.emit(MHS003, rec, subs);
            }
            if (band > 0 && rng.chance(band == 1 ? 0.55 : 0.2)) {
                rec.clear();
                rec.id('Q', pre, person.seq).str(draw(rng, kEmploy)).date(first_event);
                copies.one(subs, first_event);
                em.emit(MHS004, rec, subs);
                if (last > first_event + 30 && rng.chance(0.15)) {
                    const Day later = first_event + 30 + rng.range(0, last - first_event - 30);
                    rec.clear();
                    rec.id('Q', pre, person.seq).str(draw(rng, kEmploy)).date(later);
                    copies.one(subs, later);
                    em.emit(MHS004, rec, subs);
                }
            }
            if (rng.chance(0.6)) {
                rec.clear();
                rec.id('Q', pre, person.seq).str(draw(rng, kLd)).str(draw(rng, kAutism));
                copies.one(subs, received);
                em.emit(MHS005, rec, subs);
            }
        }

        // --- referral and team, sent when received and again when discharged in a later month
        const std::string_view reason = any(rng, line.reasons);
        const std::string_view priority = line.crisis ? draw(rng, kPriority) : rng.chance(0.05) ? "3" : "";
        const std::string_view source = draw(rng, kSource);
        const bool resend = copies.later_month(received, disch);
        auto referral = [&](bool closed) {
            rec.clear();
            rec.id('S', pre, ref).id('Q', pre, person.seq).str(prov.code).date(received);
            if (closed) rec.date(disch);
            else rec.empty();
            rec.str(reason).str(priority).str(source).num(age);
        };
        const int team_no = 1 + static_cast<int>(rng.next() % (prov.big ? 3 : 1));
        buf = "T";
        append_uint(buf, 10000 + static_cast<std::uint64_t>(u.prov));
        buf.append(line.team);
        append_uint(buf, static_cast<std::uint64_t>(team_no));
        const std::string team = buf;
        auto service = [&](bool closed) {
            rec.clear();
            rec.id('S', pre, ref).str(line.team).str(team);
            if (closed) rec.date(disch);
            else rec.empty();
        };
        if (resend) {
            copies.one(subs, received);
            referral(false);
            em.emit_superseded(MHS101, rec, subs);
            service(false);
            em.emit_superseded(MHS102, rec, subs);
        }
        copies.one(subs, disch != kMissing ? disch : received);
        referral(true);
        em.emit(MHS101, rec, subs);
        service(true);
        em.emit(MHS102, rec, subs);

        // --- contacts and procedures; some non-IPS teams deliver IPS through embedded workers
        const bool ips_team = line.team == "D05";
        const bool embedded_ips = !ips_team && band == 1 && rng.chance(0.01);
        for (Day d : days) {
            const std::uint64_t cid = next_contact++;
            const std::string_view attend = draw(rng, kAttend);
            rec.clear();
            rec.id('C', pre, cid).id('S', pre, ref).date(d).str(attend).str(draw(rng, kMech)).str(team);
            copies.one(subs, d);
            em.emit(MHS201, rec, subs);
            if ((attend != "5" && attend != "6") || !rng.chance(0.75)) continue;
            std::string_view proc = draw(rng, kProcedures);
            if ((ips_team && rng.chance(0.7)) || (embedded_ips && rng.chance(0.5))) {
                proc = draw(rng, kIps);
                if (rng.chance(0.03)) {
                    buf.assign(proc);
                    buf.append(kRefused);
                    proc = buf;
                }
            }
            rec.clear();
            rec.id('C', pre, cid).str(proc);
            em.emit(MHS202, rec, subs);
            if (rng.chance(0.1)) {
                const std::string_view second = draw(rng, kProcedures);
                if (second != proc) {
                    rec.clear();
                    rec.id('C', pre, cid).str(second);
                    em.emit(MHS202, rec, subs);
                }
            }
        }

        // --- inpatient spell inside the referral, sent at admission and again at discharge
        if (band > 0 && rng.chance(line.inpatient)) {
            const Day start = first_event + rng.range(0, std::max(0, std::min(30, last - first_event)));
            Day end = start + 1 + rng.geometric(35);
            if (end > last) end = disch != kMissing ? disch : kMissing;
            if (end != kMissing && end > ctx.end) end = kMissing;
            const std::uint64_t sid = next_spell++;
            auto spell = [&](bool closed) {
                rec.clear();
                rec.id('H', pre, sid).id('S', pre, ref).date(start);
                if (closed) rec.date(end);
                else rec.empty();
            };
            if (copies.later_month(start, end)) {
                spell(false);
                copies.one(subs, start);
                em.emit_superseded(MHS501, rec, subs);
            }
            spell(true);
            copies.one(subs, end != kMissing ? end : start);
            em.emit(MHS501, rec, subs);
        }

        // --- diagnoses and presenting complaint, dated inside the referral
        auto coded = [&](Tab t, double p) {
            if (!rng.chance(p)) return;
            const Day d = first_event + rng.range(0, std::max(0, std::min(45, last - first_event)));
            rec.clear();
            rec.id('S', pre, ref).str(icd(rng, any(rng, line.diagnoses), buf)).date(d);
            copies.one(subs, d);
            em.emit(t, rec, subs);
        };
        const double diag = line.crisis ? 0.2 : 0.55;
        coded(MHS604, diag);
        coded(MHS603, diag * 0.3);
        coded(MHS609, 0.35);

        // --- legacy care clusters (adults, up to 2022-23)
        if (clusters && band > 0 && line.cluster != kNoCluster && !days.empty() && rng.chance(0.6)) {
            const Day tool = days.front();
            rec.clear();
            rec.id('S', pre, ref).date(tool);
            copies.one(subs, tool);
            em.emit(MHS801, rec, subs);
            int code;
            switch (line.cluster) {
                case kPsychotic: code = rng.range(10, 17); break;
                case kOrganic: code = rng.range(18, 21); break;
                default: code = rng.range(0, 8); break;
            }
            Day end = tool + 28 + rng.geometric(150);
            if (end > last) end = kMissing;
            rec.clear();
            rec.id('S', pre, ref).num(code).date(tool).date(end);
            em.emit(MHS803, rec, subs);
        }
    }
}

}  // namespace mhbench::synth
