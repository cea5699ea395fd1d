// Realism report, MHSDS half: re-derives the national MHSDS figures from the generated CSVs
// (latest submission of every record, as ingest keeps them) and compares them with the
// published figures the generator is calibrated to (docs/synthetic-data.md, "MHSDS calibration").
// Figures with no published value (team-type mix, completeness) are checked against the
// generator's own targets, so a change that breaks them shows.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "synth/catalogue.hpp"
#include "synth/mhsds_codes.hpp"
#include "synth/realism_detail.hpp"

namespace mhbench::synth::realism_detail {

namespace {

using namespace mhsds_codes;

// Published national figures (notes: published-figures.md section 4, mhsds-definitions.md section 5).
constexpr double kPeopleInContact = 3'790'826;   // Mental Health Bulletin 2023-24
constexpr double kUnder18Share = 1'139'355.0 / 3'790'826;
constexpr double kReferralsPerMonth = 440'000;   // 417k (Jun 2024) to 486k (Oct 2024)
constexpr double kAttendedPerMonth = 2'000'000;  // "more than 2 million" (Jun 2024)
constexpr double kProviders = 300;               // "more than 300 organisations a month"
constexpr double kIpsAccess = 55'000;            // national IPS ambition for 2023-24
// Inpatient volumes: not in the notes; generator's estimates (docs): ~105k admissions and ~6.0M
// occupied bed days a year (about 16-17k occupied mental health and LD beds).
constexpr double kAdmissions = 105'000, kBedDays = 6'000'000;

struct Referral {
    std::uint64_t sub = 0;
    std::string person, prov, team, diag;
    Day received = kMissing, disch = kMissing;
    int age = -1;
    bool ips = false, direct_in_year = false;
};

std::string norm_icd(std::string c) {
    c.erase(std::remove(c.begin(), c.end(), '.'), c.end());
    return c;
}
bool icd_in(const std::string& c, char letter, int lo, int hi) {
    if (c.size() < 3 || c[0] != letter || !std::isdigit(static_cast<unsigned char>(c[1])) ||
        !std::isdigit(static_cast<unsigned char>(c[2])))
        return false;
    const int v = (c[1] - '0') * 10 + (c[2] - '0');
    return v >= lo && v <= hi;
}
bool is_crisis_team(const std::string& t) {
    return t == "A02" || t == "A11" || t == "C05" || (t.size() == 3 && t[0] == 'A' && t >= "A19" && t <= "A25");
}

enum Group { kEating, kNeurodev, kCypGroup, kPsychosis, kNeurocog, kPersonality, kAddiction, kMood, kCrisis, kUngrouped, kGroups };
constexpr const char* kGroupName[kGroups] = {"Eating and feeding", "Neurodevelopmental", "CYP", "Psychosis and bipolar",
                                             "Neurocognitive", "Personality", "Addiction", "Mood and anxiety", "Crisis",
                                             "Ungrouped"};

Group group_of(const Referral& r, bool cyp) {
    const std::string d = norm_icd(r.diag);
    const std::string& t = r.team;
    if (icd_in(d, 'F', 50, 50) || t == "C10") return kEating;
    if (icd_in(d, 'F', 70, 98) || t == "E01" || t == "E02" || t == "E03" || t == "E04" || t == "C01" || t == "C04")
        return kNeurodev;
    if (cyp) return kCypGroup;
    if (icd_in(d, 'F', 20, 31) || t == "A14") return kPsychosis;
    if (icd_in(d, 'F', 0, 9) || t == "A17") return kNeurocog;
    if (icd_in(d, 'F', 60, 69)) return kPersonality;
    if (icd_in(d, 'F', 10, 19)) return kAddiction;
    if (icd_in(d, 'F', 32, 48)) return kMood;
    if (icd_in(d, 'X', 60, 84) || is_crisis_team(t)) return kCrisis;
    return kUngrouped;
}

std::string pct_text(double num, double den) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(1);
    s << (den > 0 ? 100 * num / den : 0) << "% (" << static_cast<long long>(num) << " of " << static_cast<long long>(den) << ")";
    return s.str();
}

}  // namespace

void report_mhsds(const fs::path& dir, const nlohmann::json& truth, Printer& p, std::ostream& os) {
    const double scale = truth["options"]["scale"].get<double>();
    const auto fy_label = truth["options"]["last_year"].get<std::string>();
    const FinancialYear fy{std::stoi(fy_label.substr(0, 4))};
    const Day y0 = fy.first_day(), y1 = fy.last_day();
    auto in_year = [&](Day d) { return d != kMissing && d >= y0 && d <= y1; };
    os << "MHSDS " << fy_label << " (targets: Mental Health Bulletin 2023-24, MHSDS monthly statistics 2024, "
       << "generator's own where nothing is published; scale " << scale << ")\n";

    // --- organisations and submitters
    const auto icb_of = organisation_icbs(dir);
    const auto submitters = submitters_in_year(dir / "MHS000Header.csv", "OrgIDProvider", y0, y1);
    std::set<std::string> icbs;
    for (const auto& s : submitters)
        if (auto it = icb_of.find(s); it != icb_of.end()) icbs.insert(it->second);

    // --- referrals (latest submission) and their teams
    std::unordered_map<std::string, Referral> refs;
    {
        Table t(dir / "MHS101Referral.csv");
        const int s = t.col("UniqSubmissionID"), id = t.col("UniqServReqID"), pe = t.col("Person_ID"), pv = t.col("OrgIDProv"),
                  rc = t.col("ReferralRequestReceivedDate"), dc = t.col("ServDischDate"), ag = t.col("AgeServReferRecDate");
        while (t.next()) {
            const auto r = date(t[rc]);
            if (t[id].empty() || t[pe].empty() || !r) continue;
            const auto d = date(t[dc]);
            if (!t[dc].empty() && !d) continue;
            const std::uint64_t sub = std::stoull(t[s]);
            Referral& x = refs[t[id]];
            if (sub < x.sub) continue;
            x.sub = sub;
            x.person = t[pe];
            x.prov = t[pv];
            x.received = *r;
            x.disch = d ? *d : kMissing;
            x.age = t[ag].empty() ? -1 : std::stoi(t[ag]);
        }
    }
    {
        Table t(dir / "MHS102ServiceTypeReferredTo.csv");
        const int id = t.col("UniqServReqID"), tt = t.col("ServTeamTypeRefToMH");
        while (t.next())
            if (auto r = refs.find(t[id]); r != refs.end()) r->second.team = t[tt];
    }
    {
        Table t(dir / "MHS604PrimDiag.csv");
        const int id = t.col("UniqServReqID"), dg = t.col("PrimDiag");
        while (t.next())
            if (auto r = refs.find(t[id]); r != refs.end() && r->second.diag.empty()) r->second.diag = t[dg];
    }

    // --- contacts and activities
    struct Contact {
        Referral* ref;
        bool attended, direct, in_year, activity = false;
    };
    std::unordered_map<std::string, Contact> contacts;
    double attended_year = 0, crisis_attended_year = 0;
    {
        Table t(dir / "MHS201CareContact.csv");
        const int cc = t.col("UniqCareContID"), id = t.col("UniqServReqID"), dd = t.col("CareContDate"),
                  at = t.col("AttendOrDNACode"), me = t.col("ConsMechanismMH");
        while (t.next()) {
            const auto d = date(t[dd]);
            if (!d || t[cc].empty()) continue;
            auto r = refs.find(t[id]);
            if (r == refs.end() || contacts.count(t[cc])) continue;
            const bool att = t[at] == "5" || t[at] == "6";
            const bool direct = att && (t[me] == "01" || t[me] == "02" || t[me] == "04" || t[me] == "11");
            contacts.emplace(t[cc], Contact{&r->second, att, direct, in_year(*d)});
            if (att && in_year(*d)) {
                ++attended_year;
                if (is_crisis_team(r->second.team)) ++crisis_attended_year;
            }
            if (direct && in_year(*d) && r->second.team == "D05") r->second.direct_in_year = true;
        }
    }
    double ips_refused_rows = 0;
    {
        Table t(dir / "MHS202CareActivity.csv");
        const int cc = t.col("UniqCareContID"), pr = t.col("Procedure");
        while (t.next()) {
            auto c = contacts.find(t[cc]);
            if (c == contacts.end()) continue;
            c->second.activity = true;
            const std::string& code = t[pr];
            const std::string concept_id = code.substr(0, code.find(':'));
            if (concept_id != "772822000" && concept_id != "1082621000000104") continue;
            if (code.find("=443390004") != std::string::npos) {
                ++ips_refused_rows;
                continue;
            }
            if (!c->second.direct) continue;
            c->second.ref->ips = true;
            if (c->second.in_year) c->second.ref->direct_in_year = true;
        }
    }
    double attended_with_activity = 0, attended_all = 0;
    for (const auto& [k, c] : contacts)
        if (c.attended && c.in_year) {
            ++attended_all;
            attended_with_activity += c.activity;
        }
    contacts.clear();

    // --- inpatient spells
    double admissions = 0, bed_days = 0, open_at_start = 0;
    {
        struct Spell {
            std::uint64_t sub = 0;
            Day start = kMissing, end = kMissing;
        };
        std::unordered_map<std::string, Spell> spells;
        Table t(dir / "MHS501HospProvSpell.csv");
        const int s = t.col("UniqSubmissionID"), id = t.col("UniqHospProvSpellID"), sd = t.col("StartDateHospProvSpell"),
                  ed = t.col("DischDateHospProvSpell"), rf = t.col("UniqServReqID");
        while (t.next()) {
            const auto a = date(t[sd]);
            const auto b = date(t[ed]);
            if (!a || t[id].empty() || (!t[ed].empty() && !b) || !refs.count(t[rf])) continue;
            Spell& x = spells[t[id]];
            const std::uint64_t sub = std::stoull(t[s]);
            if (sub < x.sub) continue;
            x = {sub, *a, b ? *b : kMissing};
        }
        for (const auto& [k, x] : spells) {
            admissions += in_year(x.start);
            open_at_start += x.start < y0 && (x.end == kMissing || x.end >= y0);
            const Day a = std::max(x.start, y0), b = x.end == kMissing ? y1 + 1 : std::min(x.end, y1 + 1);
            if (b > a) bed_days += b - a;  // nights in the year: the discharge day is not a bed day
        }
    }

    // --- people: in contact = with a referral open at some time in the year
    std::unordered_map<std::string, int> person_age;  // age at their first referral open in the year
    std::unordered_map<std::string, Day> first_cyp_referral;  // earliest referral received before 18
    double received_year = 0, trust_received = 0;
    std::map<std::string, double> team_received;
    std::array<double, kGroups> groups{};
    double ips_access = 0, ips_embedded_only = 0, ips_with_employment = 0;
    std::unordered_set<std::string> ips_people;
    for (const auto& [k, r] : refs) {
        if (r.age >= 0 && r.age < 18) {
            auto [it, added] = first_cyp_referral.try_emplace(r.person, r.received);
            if (!added) it->second = std::min(it->second, r.received);
        }
    }
    double transition_people = 0;
    std::unordered_set<std::string> transition_seen;
    for (const auto& [k, r] : refs) {
        const bool open = r.received <= y1 && (r.disch == kMissing || r.disch >= y0);
        if (!open) continue;
        auto [it, added] = person_age.try_emplace(r.person, r.age);
        if (!added && r.received < y0) it->second = std::min(it->second, r.age);
        bool cyp = r.age >= 0 && r.age < 18;
        if (r.age >= 18 && r.age <= 25) {
            const auto c = first_cyp_referral.find(r.person);
            if (c != first_cyp_referral.end() && c->second < r.received) {
                cyp = true;
                if (transition_seen.insert(r.person).second) ++transition_people;
            }
        }
        ++groups[group_of(r, cyp)];
        if ((r.team == "D05" || r.ips) && r.direct_in_year) {
            ++ips_access;
            ips_embedded_only += r.team != "D05";
            ips_people.insert(r.person);
        }
        if (!in_year(r.received)) continue;
        ++received_year;
        if (!r.prov.empty() && r.prov[0] == 'R') ++trust_received;
        ++team_received[r.team];
    }
    double people = 0, under18 = 0;
    for (const auto& [k, a] : person_age) {
        ++people;
        under18 += a >= 0 && a < 18;
    }

    // --- needs and complexity fields of the people generated
    double persons = 0, ethnic_known = 0, lsoa = 0;
    std::unordered_set<std::string> accomm, employ, patind;
    {
        Table t(dir / "MHS001MPI.csv");
        const int pe = t.col("Person_ID"), et = t.col("EthnicCategory"), ls = t.col("LSOA2011");
        std::unordered_set<std::string> seen;
        while (t.next()) {
            if (t[pe].empty() || !seen.insert(t[pe]).second) continue;
            ++persons;
            ethnic_known += !t[et].empty() && t[et] != "Z" && t[et] != "99";
            lsoa += !t[ls].empty();
        }
    }
    for (auto [file, set] : {std::pair{"MHS003AccommStatus.csv", &accomm}, {"MHS004EmpStatus.csv", &employ}, {"MHS005PatInd.csv", &patind}}) {
        Table t(dir / file);
        const int pe = t.col("Person_ID");
        while (t.next())
            if (!t[pe].empty()) set->insert(t[pe]);
    }
    for (const auto& person : ips_people) ips_with_employment += employ.count(person);
    double clusters = 0;
    {
        Table t(dir / "MHS803CareCluster.csv");
        const int sd = t.col("StartDateCareClust");
        while (t.next()) clusters += in_year(date(t[sd]).value_or(kMissing));
    }

    // --- the report
    p.relative("MHSDS providers submitting in the year", kProviders, static_cast<double>(submitters.size()), 0.05);
    p.exact("MHSDS ICBs of the submitters (2023-24 ICBs)", 42, static_cast<double>(icbs.size()));
    p.pct("MHSDS share of referrals received by NHS trusts (R codes)", 92, trust_received, received_year, 3);
    p.count("MHSDS people in contact in the year", kPeopleInContact * scale, people, 0.05);
    p.pct("MHSDS people in contact: share under 18", 100 * kUnder18Share, under18, people, 1);
    p.count("MHSDS new referrals a month", kReferralsPerMonth * scale, received_year / 12, 0.07);
    p.count("MHSDS attended contacts a month", kAttendedPerMonth * scale, attended_year / 12, 0.07);
    // Team-type mix: the generator's expected share of referrals by team type.
    {
        double total_w[kBands]{};
        for (const Line& l : kLines)
            for (int b = 0; b < kBands; ++b) total_w[b] += l.w[static_cast<std::size_t>(b)];
        // Several service lines can share a team type (the all-age community team): one row each.
        std::vector<std::pair<std::string, double>> target;
        for (const Line& l : kLines) {
            double share = 0;
            for (int b = 0; b < kBands; ++b) share += kBandShare[b] * l.w[static_cast<std::size_t>(b)] / total_w[b];
            auto it = std::find_if(target.begin(), target.end(), [&](const auto& x) { return x.first == l.team; });
            if (it == target.end()) target.emplace_back(std::string(l.team), share);
            else it->second += share;
        }
        double crisis_target = 0, crisis_gen = 0;
        for (const auto& [team, share] : target) {
            const double gen = team_received.count(team) ? team_received[team] : 0;
            if (is_crisis_team(team)) {
                crisis_target += share;
                crisis_gen += gen;
            }
            p.pct("MHSDS referrals to team type " + team + " (generator's target)", 100 * share, gen, received_year, 1);
        }
        p.pct("MHSDS referrals to crisis team types (A02 A11 A19-A25 C05)", 100 * crisis_target, crisis_gen, received_year, 1);
        p.info("MHSDS attended contacts with crisis team types", pct_text(crisis_attended_year, attended_year));
    }
    p.count("MHSDS inpatient admissions in the year (estimate)", kAdmissions * scale, admissions, 0.12);
    p.count("MHSDS inpatient bed days in the year (estimate)", kBedDays * scale, bed_days, 0.12);
    p.at_least("MHSDS spells open at the start of the year", 1, open_at_start);
    p.count("MHSDS IPS referrals with a direct contact in the year", kIpsAccess * scale, ips_access, 0.15);
    p.at_least("MHSDS IPS referrals by the embedded-worker route only", 1, ips_embedded_only);
    p.at_least("MHSDS IPS activity rows with the refused qualifier", 1, ips_refused_rows);
    p.pct("MHSDS IPS people with an employment status", 100, ips_with_employment, static_cast<double>(ips_people.size()), 3);
    p.pct("MHSDS attended contacts with a SNOMED CT activity (generator's target)", 100 * kSnomedRecorded,
          attended_with_activity, attended_all, 1);
    {
        double all = 0, unknown = 0;
        for (const auto& w : kEthnic) {
            all += w.weight;
            if (w.code == "Z" || w.code == "99") unknown += w.weight;
        }
        p.pct("MHSDS people: ethnicity known (generator's target)", 100 * (1 - unknown / all), ethnic_known, persons, 1);
    }
    p.pct("MHSDS people: LSOA recorded (generator's target)", 100 * kLsoaRecorded, lsoa, persons, 1);
    p.pct("MHSDS people: LD / autism status recorded (generator's target)", 100 * kPatIndRecorded,
          static_cast<double>(patind.size()), persons, 1);
    p.info("MHSDS people with an accommodation status", pct_text(static_cast<double>(accomm.size()), persons));
    p.info("MHSDS people with an employment status", pct_text(static_cast<double>(employ.size()), persons));
    double open_refs = 0;
    for (double g : groups) open_refs += g;
    for (int g = 0; g < kGroups; ++g) {
        if (g == kUngrouped) p.info("MHSDS open referrals: Ungrouped", pct_text(groups[g], open_refs));
        else p.at_least(std::string("MHSDS open referrals in population group ") + kGroupName[g], 1, groups[g]);
    }
    p.at_least("MHSDS people 18-25 with a referral before 18 (transition)", 1, transition_people);
    if (fy.start_year <= kLastClusterYear) p.at_least("MHSDS care clusters started in the year (up to 2022-23)", 1, clusters);
    else p.exact("MHSDS care clusters started in the year (after 2022-23)", 0, clusters);
}

}  // namespace mhbench::synth::realism_detail
