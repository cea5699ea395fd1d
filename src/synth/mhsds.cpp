// Mental Health Services Data Set (MHSDS v6) records of one unit. Service lines (team types)
// carry the codes that go together: reason for referral, diagnoses, contact pattern, crisis
// priority, inpatient and cluster likelihood. Volumes are calibrated to the published national
// figures (docs/synthetic-data.md "MHSDS calibration"); the realism report checks them.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "synth/gen.hpp"
#include "synth/mhsds_codes.hpp"

namespace mhbench::synth {

namespace {

using namespace mhsds_codes;

struct Person {
    std::uint64_t prefix, seq;  // id: 'Q', the prefix of the unit that introduced the person, seq
    Day birth;
    bool is_new;  // introduced by this referral: its person rows are written with it
};

std::string_view icd(Rng& r, std::string_view code, std::string& buf) {
    if (code.size() > 3 && code[3] == '.' && r.chance(0.7)) {  // MHSDS mostly sends ICD-10 without the dot
        buf.assign(code.substr(0, 3));
        buf.append(code.substr(4));
        return buf;
    }
    return code;
}

int age_in_band(Rng& r, int band);

/// Person seq of unit v: a pure function of its labels, so another unit can refer to someone
/// introduced earlier (people coming back) without generating that unit. Age at the unit's
/// first day; the first persons(v) referrals of a unit each introduce one person.
Person person_of_unit(const Ctx& ctx, const Unit& v, std::uint64_t seq) {
    Rng r(mix({ctx.opt.seed, 0x4D5045ull, static_cast<std::uint64_t>(v.prov), static_cast<std::uint64_t>(v.year),
               static_cast<std::uint64_t>(v.part), seq}));
    const FinancialYear fy = ctx.years[static_cast<std::size_t>(v.year)];
    const Day base = v.part == 0 ? fy.first_day() - 365 : month_first_day(fy.start_year * 12 + 3 + v.part - 1);
    const int band = static_cast<int>(r.pick(std::span<const double>(kBandShare)));
    const int age = age_in_band(r, band);
    return {Ctx::id_prefix(v), seq, base + 15 - age * 365 - age / 4 - r.range(0, 364), true};
}
/// Whether referral seq of unit v is someone coming back (then it introduces nobody).
bool comes_back(const Ctx& ctx, const Unit& v, std::uint64_t seq) {
    return v.part > 0 && unit_double(mix({ctx.opt.seed, 0x4D4342ull, static_cast<std::uint64_t>(v.prov),
                                          static_cast<std::uint64_t>(v.year), static_cast<std::uint64_t>(v.part), seq})) <
                             kComingBack;
}
std::int64_t persons_of_unit(const Ctx& ctx, const Unit& v) {
    const std::int64_t n = ctx.unit_count(v);
    return n > 0 ? std::max<std::int64_t>(1, std::llround(static_cast<double>(n) * (1 - kReReferral))) : 0;
}

int age_in_band(Rng& r, int band) {
    switch (band) {
        case kCyp: return 4 + static_cast<int>(14 * std::sqrt(r.u()));         // mostly teenagers
        case kAdult: return 18 + static_cast<int>(47 * std::pow(r.u(), 1.15));  // 18-64, younger heavier
        default: return 65 + static_cast<int>(31 * std::pow(r.u(), 1.6));      // 65-95
    }
}

}  // namespace

void generate_mhsds_unit(const Ctx& ctx, const Unit& u, UnitOut& out) {
    const Provider& prov = ctx.cat->mhsds[static_cast<std::size_t>(u.prov)];
    const Icb& icb = ctx.cat->icbs[static_cast<std::size_t>(prov.icb)];
    Rng rng = ctx.stream(u, 0), rs = ctx.stream(u, 1), rf = ctx.stream(u, 2), rq = ctx.stream(u, 3);
    Emitter em(out, ctx.opt.fault_rate, rf, Ctx::fault_prefix(u));
    Copies copies(ctx, u.ds, u.prov, rs);
    const std::uint64_t pre = Ctx::id_prefix(u);
    const FinancialYear fy = ctx.years[static_cast<std::size_t>(u.year)];
    const bool clusters = fy.start_year <= kLastClusterYear;
    // A provider that stops submitting leaves what is still open open.
    const Day stop = ctx.mhsds_stop(u.prov);
    const double dq_rate = ctx.data_fault_rate();
    // Data-level faults (a separate stream, so clean values do not depend on the rate).
    auto dq = [&](Tab t, DataFault f, std::string_view column) {
        if (dq_rate <= 0 || !(rq.u() < dq_rate)) return false;
        count_data_fault(out, t, f, column);
        return true;
    };
    // A code field of a kept row: missing, invalid or not-known by fault, else the clean value
    // (counted when it is itself of a class the faults inject, so truth.json has every one).
    auto coded_field = [&](Tab t, std::string_view column, std::string_view clean, std::string_view invalid,
                           std::string_view default_code) -> std::string_view {
        if (dq(t, kMissingCode, column)) return {};
        if (dq(t, kInvalidCode, column)) return invalid;
        if (!default_code.empty() && clean != default_code && dq(t, kDefaultCode, column)) return default_code;
        if (clean.empty()) count_natural(out, t, kMissingCode, column);
        else if (default_or_other(column, clean)) count_natural(out, t, kDefaultCode, column);
        return clean;
    };

    Day lo, hi;
    if (u.part == 0) {  // referrals received in the years before the period; those still open at its start are kept
        lo = fy.first_day() - kCarryDaysMhsds;
        hi = fy.first_day() - 1;
    } else {
        const int ms = fy.start_year * 12 + 3 + u.part - 1;
        lo = month_first_day(ms);
        hi = month_first_day(ms + 1) - 1;
    }
    const std::int64_t n = ctx.unit_count(u), n_persons = persons_of_unit(ctx, u);

    std::vector<Person> persons;
    std::vector<Day> persons_received;  // when each person of the unit was first referred
    std::vector<Day> days, attended_days;
    std::vector<std::uint64_t> subs;
    std::unordered_set<std::uint64_t> person_dates;  // (person, date) of MHS003 / MHS004 rows: keys stay unique
    Rec rec;
    std::string buf, team;
    std::uint64_t next_contact = 0, next_spell = 0, next_extra = static_cast<std::uint64_t>(n);
    // Service mix of referrals.
    double wb[kBands][kLineN];
    for (std::size_t k = 0; k < kLineN; ++k)
        for (int b = 0; b < kBands; ++b) wb[b][k] = kLines[k].w[b];
    // Part 0: people written so far (a person's first referral may have closed before the period).
    std::unordered_set<std::uint64_t> carried_persons;

    auto team_id = [&](std::string_view team_type, int k) {
        team = "T";
        append_uint(team, 10000 + static_cast<std::uint64_t>(u.prov));
        team.append(team_type);
        append_uint(team, static_cast<std::uint64_t>(k));
    };
    auto person_row_once = [&](int tag, const Person& p, Day d) {
        return person_dates
            .insert((p.seq << 24) ^ (p.prefix * 0x9E3779B97F4A7C15ull) ^ (static_cast<std::uint64_t>(tag) << 22) ^
                    static_cast<std::uint64_t>(d + 200000))
            .second;
    };
    auto employment_row = [&](const Person& p, Day d, std::string_view status) {
        if (!person_row_once(1, p, d)) return;
        rec.clear();
        rec.id('Q', p.prefix, p.seq).str(coded_field(MHS004, "EmployStatus", status, kInvalidEmploy, kDefaultEmploy)).date(d);
        copies.one(subs, d);
        em.emit(MHS004, rec, subs);
    };

    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t ref = static_cast<std::uint64_t>(i);
        Day received = lo + rng.range(0, hi - lo);

        // --- person: a third are children. The first referrals of the unit introduce its people
        // (some of them people coming back from a month 2-24 months earlier); the others are
        // the same people referred again (another team, the same month).
        Person person;
        if (static_cast<std::int64_t>(i) < n_persons) {
            person = person_of_unit(ctx, u, ref);
            if (comes_back(ctx, u, ref)) {
                const int m = u.year * 12 + u.part - 1 - (2 + std::min(22, rng.geometric(6)));
                const Unit v{u.ds, u.prov, m / 12, m % 12 + 1, 0};
                const std::int64_t pv = m >= 0 ? persons_of_unit(ctx, v) : 0;
                // Someone introduced there (a few tries; else a new person after all).
                for (int k = 0; k < 4 && pv > 0; ++k) {
                    const std::uint64_t j = rng.next() % static_cast<std::uint64_t>(pv);
                    if (comes_back(ctx, v, j)) continue;
                    person = person_of_unit(ctx, v, j);
                    person.is_new = false;
                    break;
                }
            }
            persons.push_back(person);
            persons_received.push_back(received);
        } else {
            const std::size_t k = rng.next() % persons.size();
            person = persons[k];
            person.is_new = false;
            // Carry-in: referred again around the same time, as in a month of the period (so
            // both referrals tend to be open at the start together).
            if (u.part == 0) received = std::clamp(persons_received[k] + rng.range(-15, 15), lo, hi);
        }
        bool new_person = person.is_new;
        const int age = age_at(person.birth, received);
        const int band = age < 18 ? kCyp : age < 65 ? kAdult : kOlder;
        const Line& line = kLines[rng.pick(std::span<const double>(wb[band], kLineN))];
        const Day first_event = std::max(received, ctx.start);  // for records of carried-in referrals
        const bool ips_team = line.team == "D05";
        const bool embedded_ips = !ips_team && line.embedded_ips && rng.chance(kEmbeddedIps);

        // --- activity: contacts at the line's rhythm; carried-in referrals only show the
        // contacts of the period (earlier months were earlier extracts)
        days.clear();
        // Long-running care (caseloads of months to years) at a slower rhythm.
        const bool long_running = rng.chance(long_share(line.team));
        const bool seen = rng.chance(line.seen);
        const int gap = long_running ? std::max(7, 2 * line.gap) : line.gap;
        Day day = received + rng.geometric(line.gap * 1.5);
        int n_contacts = 0;
        if (seen && long_running) {
            const Day until = received + static_cast<int>(kLongMinDays) + rng.geometric(kLongDays);
            n_contacts = std::max(1, static_cast<int>(kContactScale * (until - day) / gap));
        } else if (seen) {
            n_contacts = 1 + rng.geometric(std::max(0.0, kContactScale * line.contacts - 1));
        }
        for (int k = 0; k < n_contacts; ++k) {
            days.push_back(day);
            day += 1 + rng.geometric(gap - 1);
        }
        Day disch = days.empty() ? received + 7 + rng.range(0, 60) : days.back() + 1 + rng.geometric(20);

        // --- inpatient spell inside the referral (its discharge waits for the spell's end)
        Day spell_start = kMissing, spell_end = kMissing;
        if (rng.chance(line.inpatient * kInpatientScale)) {
            spell_start = received + rng.geometric(days.empty() ? 3 : 10);
            spell_end = spell_start + 1 + rng.geometric(kLengthOfStay);
            disch = std::max(disch, spell_end + rng.range(0, 30));
        }
        if (u.part == 0) {
            // Carry-in: only referrals still open at the start, with what happens from then on
            // (earlier contacts and spells were in earlier extracts; a spell across the start stays).
            if (disch < ctx.start) continue;
            days.erase(days.begin(), std::lower_bound(days.begin(), days.end(), ctx.start));
            if (spell_end != kMissing && spell_end < ctx.start) spell_start = spell_end = kMissing;
            new_person = carried_persons.insert(person.seq).second;
        }
        if (disch > ctx.end || disch > stop) {
            disch = kMissing;
            while (!days.empty() && (days.back() > ctx.end || days.back() > stop)) days.pop_back();
        }
        if (spell_end != kMissing && (spell_end > ctx.end || spell_end > stop)) spell_end = kMissing;
        if (spell_start != kMissing && spell_start > std::min(ctx.end, stop)) spell_start = kMissing;
        const Day last = disch != kMissing ? disch : std::min(ctx.end, stop);

        // --- person rows: demographics and the needs and complexity fields
        if (new_person) {
            rec.clear();
            rec.id('Q', person.prefix, person.seq).str(prov.code).date(person.birth);
            rec.str(coded_field(MHS001, "EthnicCategory", draw(rng, kEthnic), kInvalidEthnic, kDefaultEthnic));
            rec.str(draw(rng, kGender));
            const bool lsoa_recorded = rng.chance(kLsoaRecorded);
            if (!lsoa_recorded) count_natural(out, MHS001, kMissingCode, "LSOA2011");
            if (lsoa_recorded && !dq(MHS001, kMissingCode, "LSOA2011")) {
                buf = "E01";
                const int lsoa = rng.range(1, 35672);
                for (int div = 100000; div; div /= 10) buf += static_cast<char>('0' + lsoa / div % 10);
                rec.str(buf);
            } else {
                rec.empty();
            }
            rec.str(rng.chance(0.97) ? icb.sub_icbs[rng.next() % icb.sub_icbs.size()] : std::string_view("Q99"));
            copies.one(subs, received);
            em.emit(MHS001, rec, subs);
            if (band != kCyp && rng.chance(kAccommRecorded) && person_row_once(0, person, first_event)) {
                rec.clear();
                rec.id('Q', person.prefix, person.seq)
                    .str(coded_field(MHS003, "AccommodationType", draw(rng, kAccomm), kInvalidAccomm, kDefaultAccomm))
                    .date(first_event);
                copies.one(subs, first_event);
                em.emit(MHS003, rec, subs);
            }
            if (age >= 16 && age < 70 && !ips_team && !embedded_ips && rng.chance(kEmployRecorded)) {
                employment_row(person, first_event, draw(rng, kEmploy));
                if (last > first_event + 30 && rng.chance(0.15))
                    employment_row(person, first_event + 30 + rng.range(0, last - first_event - 30), draw(rng, kEmploy));
            }
            if (rng.chance(kPatIndRecorded)) {
                rec.clear();
                rec.id('Q', person.prefix, person.seq)
                    .str(coded_field(MHS005, "LDStatus", draw(rng, line.team.front() == 'E' ? kLdTeamLd : kLd), kInvalidStatus,
                                     kDefaultStatus))
                    .str(coded_field(MHS005, "AutismStatus", draw(rng, line.team == "C01" ? kAutismTeamAutism : kAutism),
                                     kInvalidStatus, kDefaultStatus));
                copies.one(subs, received);
                em.emit(MHS005, rec, subs);
            }
        }
        // IPS: employment status at referral and, when discharged, at discharge (also for people
        // introduced by an earlier unit: rows dated in this unit's month keep their keys unique).
        if (ips_team || embedded_ips) {
            employment_row(person, first_event, draw(rng, kEmployIpsReferral));
            if (disch != kMissing && disch > first_event) employment_row(person, disch, draw(rng, kEmployIpsDischarge));
        }

        // --- transition: some young adults had a CYP referral before their 18th birthday,
        // still open in the period and closed around the adult referral
        if (u.part > 0 && new_person && age >= 18 && age <= 25 && rng.chance(kTransition)) {
            const Day turned18 = person.birth + 18 * 365 + 4;
            const Day cyp_received = std::min(turned18, received) - 30 - rng.range(0, 3 * 365);
            Day cyp_disch = received - rng.range(0, 60);
            if (cyp_disch < ctx.start) cyp_disch = ctx.start + rng.range(0, 60);
            cyp_disch = std::max(cyp_disch, cyp_received + 1);
            if (cyp_disch > ctx.end || cyp_disch > stop) cyp_disch = kMissing;
            const std::uint64_t cyp_ref = next_extra++;
            rec.clear();
            rec.id('S', pre, cyp_ref).id('Q', person.prefix, person.seq).str(prov.code).date(cyp_received).date(cyp_disch);
            rec.str(draw(rng, kCypReasons)).empty().str(draw(rng, kSource)).num(age_at(person.birth, cyp_received));
            copies.one(subs, cyp_disch != kMissing ? cyp_disch : ctx.start);
            em.emit(MHS101, rec, subs);
            team_id("A06", 1);
            rec.clear();
            rec.id('S', pre, cyp_ref).str("A06").str(team).date(cyp_disch);
            em.emit(MHS102, rec, subs);
        }

        // --- referral and team, sent when received and again when discharged in a later month
        const std::string_view reason =
            coded_field(MHS101, "PrimReasonReferralMH", pick_code(rng, line.reasons), kInvalidReason, {});
        const std::string_view priority = line.crisis ? draw(rng, line.team == "A18" ? kPrioritySpa : kPriorityCrisis)
                                          : rng.chance(0.05) ? "3" : "";
        const std::string_view source = draw(rng, kSource);
        const bool resend = copies.later_month(received, disch);
        auto referral = [&](bool closed) {
            rec.clear();
            rec.id('S', pre, ref).id('Q', person.prefix, person.seq).str(prov.code).date(received);
            if (closed) rec.date(disch);
            else rec.empty();
            rec.str(reason).str(priority).str(source).num(age);
        };
        team_id(line.team, 1 + static_cast<int>(rng.next() % (prov.big ? 3 : 1)));
        const std::string_view team_type = coded_field(MHS102, "ServTeamTypeRefToMH", line.team, kInvalidTeam, {});
        auto service = [&](bool closed) {
            rec.clear();
            rec.id('S', pre, ref).str(team_type).str(team);
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

        // --- contacts and procedures; IPS workers embedded in other teams code their contacts
        attended_days.clear();
        for (Day d : days) {
            const std::uint64_t cid = next_contact++;
            const std::string_view attend_clean = draw(rng, kAttend);
            const std::string_view mech_clean = line.crisis ? draw(rng, kMechCrisis) : draw(rng, kMech);
            const std::string_view attend = coded_field(MHS201, "AttendOrDNACode", attend_clean, kInvalidAttend, {});
            const std::string_view mech = coded_field(MHS201, "ConsMechanismMH", mech_clean, kInvalidMech, kDefaultMech);
            rec.clear();
            rec.id('C', pre, cid).id('S', pre, ref).date(d).str(attend).str(mech).str(team);
            copies.one(subs, d);
            em.emit(MHS201, rec, subs);
            if (attend != "5" && attend != "6") continue;
            attended_days.push_back(d);
            if (!rng.chance(kSnomedRecorded)) {
                count_natural(out, MHS201, kNoActivity, "AttendOrDNACode");
                continue;
            }
            std::string_view proc = draw(rng, kProcedures);
            if ((ips_team && rng.chance(0.7)) || (embedded_ips && rng.chance(0.5))) {
                proc = draw(rng, kIps);
                if (rng.chance(kIpsRefused)) {
                    buf.assign(proc);
                    buf.append(kRefused);
                    proc = buf;
                }
            }
            // The fault drops every activity of the contact (counted on the contact's AttendOrDNACode).
            if (dq(MHS201, kNoActivity, "AttendOrDNACode")) continue;
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

        // --- outcome measure: scored at the first attended contact, sometimes again at the last.
        // Counted (truth.json) as data quality sees it: per referral discharged with 2+ attended contacts.
        if (attended_days.size() >= 2) {
            const bool judged = disch != kMissing;
            const std::string_view tool = band == kCyp ? kToolCyp : line.team == "C10" ? kToolEating : kToolAdult;
            auto score = [&](Day d, int value) {
                rec.clear();
                rec.id('S', pre, ref).str(tool).num(value).date(d);
                copies.one(subs, d);
                em.emit(MHS606, rec, subs);
            };
            if (rng.chance(kOutcomeRecorded)) {
                const int first = 1 + static_cast<int>(rng.next() % 4);
                score(attended_days.front(), first);
                if (!rng.chance(kOutcomeRepeated)) {
                    if (judged) count_natural(out, MHS606, kUnpairedScore, "PersScore");
                } else if (!(judged && dq(MHS606, kUnpairedScore, "PersScore"))) {
                    score(attended_days.back(), std::max(0, first - static_cast<int>(rng.next() % 3)));
                }
            } else if (judged) {
                count_natural(out, MHS606, kMissingCode, "PersScore");
            }
        }

        // --- the spell, sent at admission and again at discharge
        if (spell_start != kMissing) {
            const std::uint64_t sid = next_spell++;
            auto spell = [&](bool closed) {
                rec.clear();
                rec.id('H', pre, sid).id('S', pre, ref).date(spell_start);
                if (closed) rec.date(spell_end);
                else rec.empty();
            };
            if (copies.later_month(spell_start, spell_end)) {
                spell(false);
                copies.one(subs, spell_start);
                em.emit_superseded(MHS501, rec, subs);
            }
            spell(true);
            copies.one(subs, spell_end != kMissing ? spell_end : spell_start);
            em.emit(MHS501, rec, subs);
        }

        // --- diagnoses and presenting complaint, dated inside the referral
        auto coded = [&](Tab t, std::string_view column, double p) {
            if (!rng.chance(p)) return;
            const Day d = first_event + rng.range(0, std::max(0, std::min(45, last - first_event)));
            std::string_view code = icd(rng, pick_code(rng, line.diagnoses), buf);
            // The code is part of the record key: a missing one would be a quarantined row, so
            // diagnoses only get invalid codes.
            if (dq(t, kInvalidCode, column)) code = kInvalidIcd;
            rec.clear();
            rec.id('S', pre, ref).str(code).date(d);
            copies.one(subs, d);
            em.emit(t, rec, subs);
        };
        coded(MHS604, "PrimDiag", line.diagnosed);
        coded(MHS603, "ProvDiag", line.diagnosed * 0.3);
        coded(MHS609, "PresComp", kPresCompRecorded);

        // --- legacy care clusters (adults, up to 2022-23): assessed with the cluster tool,
        // reviewed at about the cluster's maximum review period (some late), sometimes re-clustered
        if (clusters && band != kCyp && line.cluster != kNoCluster && !days.empty() && rng.chance(kClustered)) {
            const Day cluster_stop = std::min(ctx.end, FinancialYear{kLastClusterYear}.last_day());
            Day tool = days.front();
            int code = static_cast<int>(draw_cluster(rng, line.cluster));
            while (tool <= last && tool <= cluster_stop) {
                rec.clear();
                rec.id('S', pre, ref).date(tool);
                copies.one(subs, tool);
                em.emit(MHS801, rec, subs);
                const int review = cluster_review_days(code);
                // Reviews fall due at the period; about a quarter are late (past the maximum).
                const Day next = tool + static_cast<int>(review * (rng.chance(kLateReview) ? 1.1 + 0.6 * rng.u() : 0.6 + 0.38 * rng.u()));
                const bool reclustered = rng.chance(0.15);
                const Day end = next <= last && next <= cluster_stop && reclustered ? next
                                : disch != kMissing && disch <= cluster_stop ? disch
                                                                             : kMissing;
                rec.clear();
                rec.id('S', pre, ref).num(code).date(tool).date(end);
                em.emit(MHS803, rec, subs);
                if (end == kMissing || end != next) {
                    // Same cluster confirmed at later reviews: only the assessments are new rows.
                    for (Day r = next; r <= last && r <= cluster_stop;
                         r += static_cast<int>(review * (rng.chance(kLateReview) ? 1.1 + 0.6 * rng.u() : 0.6 + 0.38 * rng.u()))) {
                        rec.clear();
                        rec.id('S', pre, ref).date(r);
                        copies.one(subs, r);
                        em.emit(MHS801, rec, subs);
                    }
                    break;
                }
                tool = next;
                code = static_cast<int>(draw_cluster(rng, line.cluster));
            }
        }
    }
}

}  // namespace mhbench::synth
