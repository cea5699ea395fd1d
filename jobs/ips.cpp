#include "jobs/ips.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>

#include "ips/rules.hpp"
#include "jobs/pipeline.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "reference/reference.hpp"
#include "report/progress.hpp"
#include "stats/suppression.hpp"
#include "store/inputs.hpp"

namespace mhbench::jobs {

namespace {

constexpr const char* kRef = "MHS101Referral";
constexpr const char* kTeam = "MHS102ServiceTypeReferredTo";
constexpr const char* kContact = "MHS201CareContact";
constexpr const char* kActivity = "MHS202CareActivity";
constexpr const char* kPerson = "MHS001MPI";
constexpr const char* kEmploy = "MHS004EmpStatus";

// What is counted, per financial year and provider; a and b qualify the measure.
enum Measure : std::uint8_t {
    Open,         // IPS referral open in the year; a = route (1 team only, 2 activity only, 3 both)
    Received,     // received in the year; a = employment at referral
    Discharged,   // discharged in the year; a = employment at discharge
    Accessed,     // first counted direct contact in the year; a = its month (0 = April); b = employment at referral
    Contacts,     // IPS contacts in the year; a = AttendOrDNACode, b = ConsMechanismMH (dictionary codes)
};

struct CountKey {
    std::uint8_t year, measure;
    std::int32_t provider;
    std::uint16_t a, b;
    auto operator<=>(const CountKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & measure & provider & a & b; }
};

using Counts = reduce::KeyedMap<CountKey, reduce::Count>;

struct Acc {
    Counts counts;
    void merge(const Acc& o) { counts.merge(o.counts); }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & counts; }
};

std::uint16_t emp_index(ips::Employment e) { return static_cast<std::uint16_t>(e); }

/// An organisation row of the outputs: its code and what it rolls up to.
struct Org {
    std::string icb, region;
};

/// Parses a whole number; nullopt when it is not one.
std::optional<std::int64_t> whole(const std::string& s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

struct Review {
    std::string org, team;
    Day date;
    int score;
};

/// ips_targets.csv: target per (ICB, financial year). Errors name file, line and field.
std::map<std::pair<std::string, int>, std::int64_t> read_targets(const store::InputTable& t,
                                                                 const std::set<std::string>& icbs) {
    std::map<std::pair<std::string, int>, std::int64_t> out;
    const auto ci = t.column("icb_code"), cy = t.column("financial_year"), ct = t.column("target");
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const auto line = store::InputTable::line_of(i);
        const auto& r = t.rows[i];
        if (!icbs.count(r[ci]))
            throw InputError(t.file, t.name, line, "icb_code", "ICB '" + r[ci] + "' is not in the organisation lookup");
        int year = 0;
        try {
            year = FinancialYear::parse(r[cy]).start_year;
        } catch (const std::exception&) {
            throw InputError(t.file, t.name, line, "financial_year", "'" + r[cy] + "' is not a financial year like 2023-24");
        }
        auto v = whole(r[ct]);
        if (!v || *v < 0) throw InputError(t.file, t.name, line, "target", "'" + r[ct] + "' is not a whole number >= 0");
        if (!out.emplace(std::make_pair(r[ci], year), *v).second)
            throw InputError(t.file, t.name, line, "icb_code", "a second target for " + r[ci] + " in " + r[cy]);
    }
    return out;
}

/// ips_fidelity.csv: reviews (org_code, review_date, score; team_id optional: without it each
/// organisation is one team).
std::vector<Review> read_reviews(const store::InputTable& t, const std::set<std::string>& orgs,
                                 const ips::IpsReference& ref) {
    std::vector<Review> out;
    const auto co = t.column("org_code"), cd = t.column("review_date"), cs = t.column("score");
    const auto& cols = t.columns;
    const bool has_team = std::find(cols.begin(), cols.end(), "team_id") != cols.end();
    const std::size_t ct = has_team ? t.column("team_id") : 0;
    const int lo = ref.bands.front().min, hi = ref.bands.back().max;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const auto line = store::InputTable::line_of(i);
        const auto& r = t.rows[i];
        if (!orgs.count(r[co]))
            throw InputError(t.file, t.name, line, "org_code", "organisation '" + r[co] + "' is not in the organisation lookup");
        auto d = parse_iso_date(r[cd]);
        if (!d) throw InputError(t.file, t.name, line, "review_date", "'" + r[cd] + "' is not a date (YYYY-MM-DD)");
        auto s = whole(r[cs]);
        if (!s || *s < lo || *s > hi)
            throw InputError(t.file, t.name, line, "score",
                             "'" + r[cs] + "' is not a fidelity score from " + std::to_string(lo) + " to " + std::to_string(hi));
        const std::string team = has_team ? r[ct] : r[co];
        if (team.empty()) throw InputError(t.file, t.name, line, "team_id", "empty team id");
        out.push_back({r[co], team, *d, static_cast<int>(*s)});
    }
    return out;
}

std::string month_label(int start_year, int month_index) {
    const int m = (month_index + 3) % 12 + 1, y = start_year + (month_index >= 9 ? 1 : 0);
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02d", y, m);
    return b;
}

std::optional<double> share(std::int64_t num, std::int64_t den, bool england) {
    if (den <= 0 || !stats::rate_disclosable(den, england)) return std::nullopt;
    return static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

void run_ips(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    const reference::Reference refset = reference_set(o);
    const ips::IpsReference ref = ips::IpsReference::parse(refset.files);
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const Dataset d = Dataset::Mhsds;
    if (!s.has(d)) throw ConfigError("ips: the store " + o.store.string() + " holds no MHSDS data");
    const int first_year = o.years.first.start_year, nyears = o.years.last.start_year - first_year + 1;

    // ---- side inputs, read and checked on every rank (small) so a bad one fails every rank alike.
    const auto organisations = s.organisations();
    std::map<std::string, Org> org_of;  // any organisation code → its ICB and region
    std::map<std::string, std::string> region_of_icb;
    std::set<std::string> icb_codes, org_codes;
    for (const auto& org : organisations) {
        org_of[org.org_code] = {org.icb_code, org.region_code};
        region_of_icb[org.icb_code] = org.region_code;
        icb_codes.insert(org.icb_code);
        org_codes.insert(org.org_code);
    }
    const bool have_targets = store::has_input_table(s, "ips_targets");
    std::map<std::pair<std::string, int>, std::int64_t> targets;
    if (have_targets) targets = read_targets(store::read_input_table(s, "ips_targets"), icb_codes);
    const bool have_fidelity = store::has_input_table(s, "ips_fidelity");
    std::vector<Review> reviews;
    if (have_fidelity) reviews = read_reviews(store::read_input_table(s, "ips_fidelity"), org_codes, ref);

    // ---- read this rank's providers: referrals, their teams, contacts and activities; people
    // and their employment records.
    Plan plan = Plan::make(s, d, {kRef, kContact}, size, rank);
    auto rr = plan.ranges(s, d, kRef);
    auto received = s.read<std::int32_t>(d, kRef, "ReferralRequestReceivedDate", rr);
    auto discharged = s.read<std::int32_t>(d, kRef, "ServDischDate", rr);
    auto person = s.read<std::uint64_t>(d, kRef, "Person_ID", rr);
    auto prov = plan.provider_of_rows(s, d, kRef);
    auto tch = s.children(d, kRef, kTeam, rr);
    auto team_type = s.read<std::uint16_t>(d, kTeam, "ServTeamTypeRefToMH", tch.ranges);
    auto team_id = s.read<std::uint64_t>(d, kTeam, "UniqCareProfTeamID", tch.ranges);
    auto cch = s.children(d, kRef, kContact, rr);
    auto cdate = s.read<std::int32_t>(d, kContact, "CareContDate", cch.ranges);
    auto attend = s.read<std::uint16_t>(d, kContact, "AttendOrDNACode", cch.ranges);
    auto mech = s.read<std::uint16_t>(d, kContact, "ConsMechanismMH", cch.ranges);
    auto cteam = s.read<std::uint64_t>(d, kContact, "UniqCareProfTeamID", cch.ranges);
    auto ach = s.children(d, kContact, kActivity, cch.ranges);
    auto proc = s.read<std::uint16_t>(d, kActivity, "Procedure", ach.ranges);
    auto pr = plan.ranges(s, d, kPerson);
    auto pid = s.read<std::uint64_t>(d, kPerson, "Person_ID", pr);
    auto pprov = plan.provider_of_rows(s, d, kPerson);
    auto ech = s.children(d, kPerson, kEmploy, pr);
    auto estatus = s.read<std::uint16_t>(d, kEmploy, "EmployStatus", ech.ranges);
    auto edate = s.read<std::int32_t>(d, kEmploy, "EmployStatusRecDate", ech.ranges);

    // Dictionary codes classified once (dictionaries are the same on every rank).
    std::vector<bool> ips_team_type, attended, direct_mech;
    for (const auto& c : s.dictionary(d, kTeam, "ServTeamTypeRefToMH")) ips_team_type.push_back(ref.team_types.count(c) > 0);
    for (const auto& c : s.dictionary(d, kContact, "AttendOrDNACode")) attended.push_back(ref.attended.count(c) > 0);
    for (const auto& c : s.dictionary(d, kContact, "ConsMechanismMH")) direct_mech.push_back(ref.direct_mechanisms.count(c) > 0);
    std::vector<ips::ActivityKind> activity_kind;
    for (const auto& c : s.dictionary(d, kActivity, "Procedure")) activity_kind.push_back(ips::classify_activity(c, ref));
    std::vector<ips::Employment> employment;
    for (const auto& c : s.dictionary(d, kEmploy, "EmployStatus")) employment.push_back(ips::classify_employment(c, ref));
    const auto attend_dict = s.dictionary(d, kContact, "AttendOrDNACode");
    const auto mech_dict = s.dictionary(d, kContact, "ConsMechanismMH");

    // A person's row by (provider, Person_ID): person keys are unique within a provider.
    std::vector<std::pair<std::pair<std::int32_t, std::uint64_t>, std::size_t>> people(pid.size());
    for (std::size_t i = 0; i < pid.size(); ++i) people[i] = {{pprov[i], pid[i]}, i};
    std::sort(people.begin(), people.end());
    manifest.add_stage("read", clock.lap());

    report::Progress progress("ips group", static_cast<std::int64_t>(received.size()), rank == 0);
    Acc local = reduce::parallel_fold<Acc>(
        received.size(),
        [&](Acc& a, std::size_t i) {
            if ((i & 4095) == 4095) progress.add(4096);
            // Team route: referred to an IPS team; its contacts are those of that team (or
            // without a team recorded).
            bool to_ips_team = false;
            std::array<std::uint64_t, 8> ips_teams{};
            std::size_t n_ips_teams = 0;
            bool too_many_teams = false;  // then every contact counts as the IPS team's
            for (auto j = tch.offsets[i]; j < tch.offsets[i + 1]; ++j) {
                const auto uj = static_cast<std::size_t>(j);
                if (!ips_team_type[team_type[uj]]) continue;
                to_ips_team = true;
                if (n_ips_teams < ips_teams.size()) ips_teams[n_ips_teams++] = team_id[uj];
                else too_many_teams = true;
            }
            // Most referrals are not IPS: find out before building anything.
            auto coded = [&](std::size_t uk) {
                for (auto x = ach.offsets[uk]; x < ach.offsets[uk + 1]; ++x)
                    if (activity_kind[proc[static_cast<std::size_t>(x)]] == ips::ActivityKind::Ips) return true;
                return false;
            };
            if (!to_ips_team) {
                bool any = false;
                for (auto k = cch.offsets[i]; k < cch.offsets[i + 1] && !any; ++k) any = coded(static_cast<std::size_t>(k));
                if (!any) return;
            }
            std::vector<ips::Contact> contacts;
            contacts.reserve(static_cast<std::size_t>(cch.offsets[i + 1] - cch.offsets[i]));
            for (auto k = cch.offsets[i]; k < cch.offsets[i + 1]; ++k) {
                const auto uk = static_cast<std::size_t>(k);
                ips::Contact c;
                c.date = cdate[uk];
                c.direct = attended[attend[uk]] && direct_mech[mech[uk]];
                c.ips_team = to_ips_team &&
                             (cteam[uk] == 0 || too_many_teams ||
                              std::find(ips_teams.begin(), ips_teams.begin() + static_cast<std::ptrdiff_t>(n_ips_teams),
                                        cteam[uk]) != ips_teams.begin() + static_cast<std::ptrdiff_t>(n_ips_teams));
                c.ips_coded = coded(uk);
                contacts.push_back(c);
            }
            const ips::Routes routes = ips::routes_of(to_ips_team, contacts);
            if (!routes.ips()) return;

            std::vector<ips::EmploymentRecord> records;
            auto it = std::lower_bound(people.begin(), people.end(), std::make_pair(std::make_pair(prov[i], person[i]), std::size_t(0)));
            if (it != people.end() && it->first == std::make_pair(prov[i], person[i]) && person[i] != 0) {
                const std::size_t p = it->second;
                for (auto e = ech.offsets[p]; e < ech.offsets[p + 1]; ++e)
                    records.push_back({edate[static_cast<std::size_t>(e)], employment[estatus[static_cast<std::size_t>(e)]]});
            }
            const std::int32_t pv = prov[i];
            const std::uint16_t route = static_cast<std::uint16_t>((routes.team ? 1 : 0) + (routes.activity ? 2 : 0));
            for (int y = 0; y < nyears; ++y) {
                const FinancialYear fy{first_year + y};
                const auto yy = static_cast<std::uint8_t>(y);
                const Day rec = received[i], dis = discharged[i];
                const bool open = rec != kMissing && rec <= fy.last_day() && (dis == kMissing || dis >= fy.first_day());
                if (open) a.counts[{yy, Open, pv, route, 0}].add();
                const auto at_referral = ips::employment_at_referral(records, rec, dis, fy.last_day());
                if (fy.contains(rec)) a.counts[{yy, Received, pv, emp_index(at_referral), 0}].add();
                if (fy.contains(dis))
                    a.counts[{yy, Discharged, pv, emp_index(ips::employment_at_discharge(records, dis)), 0}].add();
                if (auto first = ips::access_in_year(contacts, fy)) {
                    const Civil c = civil_from_days(*first);
                    const auto month = static_cast<std::uint16_t>((c.month + 8) % 12);  // April = 0
                    a.counts[{yy, Accessed, pv, month, emp_index(at_referral)}].add();
                }
                for (std::size_t k = 0; k < contacts.size(); ++k) {
                    if (!fy.contains(contacts[k].date) || !ips::is_ips_activity(contacts[k])) continue;
                    const auto uk = static_cast<std::size_t>(cch.offsets[i]) + k;
                    a.counts[{yy, Contacts, pv, attend[uk], mech[uk]}].add();
                }
            }
        },
        64);
    progress.add(static_cast<std::int64_t>(received.size() % 4096));
    progress.finish();
    manifest.add_stage("group", clock.lap());
    Acc total = reduce::reduce_to_root(local, comm);
    manifest.add_stage("reduce", clock.lap());
    if (rank != 0) return;

    // ---- finalize on rank 0: roll-up to ICB, region and England, disclosure control.
    Hierarchy h = Hierarchy::build(s, d);
    const auto P = h.provider_code.size();
    std::map<std::string, std::string> names = h.names;
    for (const auto& org : organisations) {
        names[org.org_code] = org.org_name;
        names[org.icb_code] = org.icb_name;
        names[org.region_code] = org.region_name;
    }


    auto code_at = [&](Level l, const std::string& org) -> std::string {
        switch (l) {
            case Level::Provider: return org;
            case Level::Icb: return org_of.count(org) ? org_of.at(org).icb : "UNKNOWN";
            case Level::Region: return org_of.count(org) ? org_of.at(org).region : "UNKNOWN";
            case Level::England: return "ENG";
        }
        return "ENG";
    };
    auto name_of = [&](const std::string& code) { return names.count(code) ? names.at(code) : std::string(); };

    std::vector<report::Table> tables;
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        const bool eng = level == Level::England;
        const std::string sdc = eng ? "" : " Counts 0-4 are suppressed (empty) and others rounded to the nearest 5; shares "
                                           "are shown only where the denominator is at least 5 (computed from exact counts).";
        report::Table t("ips_" + ln, "/ips/" + ln,
                        "Individual Placement and Support (IPS) referrals, access, employment and fidelity by financial "
                        "year and " + ln + " organisation (MHSDS; SPEC section 6)." + sdc);
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("org_code", "Organisation code (ODS); ENG for England, UNKNOWN for providers not in the lookup");
        t.add_text("org_name", "Organisation name");
        t.add_int("ips_referrals", "IPS referrals open at some time in the year (team type D05, or a direct contact coded "
                                   "IPS and not refused; counted once)", "referrals");
        t.add_int("via_team_only", "Of ips_referrals: by the IPS team route only", "referrals");
        t.add_int("via_activity_only", "Of ips_referrals: by the IPS activity code route only", "referrals");
        t.add_int("via_both", "Of ips_referrals: by both routes (counted once in ips_referrals)", "referrals");
        t.add_int("referrals_received", "IPS referrals received in the year", "referrals");
        t.add_int("referrals_discharged", "IPS referrals discharged in the year", "referrals");
        t.add_int("accessed", "IPS referrals with a first direct contact in the year (access; a referral open in several "
                              "years counts in each, a re-referral counts again)", "referrals");
        t.add_int("direct_contacts", "Direct IPS contacts in the year: attended, face to face, telephone, talk type or video",
                  "contacts");
        t.add_int("target", "IPS access target of the year from ips_targets.csv: the ICB's, summed over ICBs for regions "
                            "and England; empty for providers and where no target was given", "referrals");
        t.add_real("access_vs_target", "accessed / target; below England from the disclosed (rounded) accessed count, "
                                       "empty when that is suppressed or the target is 0", "ratio", 4);
        t.add_int("received_employed_at_referral", "Of referrals_received: employed (EmployStatus 01) at referral", "referrals");
        t.add_int("received_status_known", "Of referrals_received: employment status known (employed or not) at referral",
                  "referrals");
        t.add_real("employed_at_referral_share", "received_employed_at_referral / received_status_known", "share", 4);
        t.add_int("discharged_employed", "Of referrals_discharged: employed at discharge (last EmployStatus)", "referrals");
        t.add_int("discharged_status_known", "Of referrals_discharged: employment status known at discharge", "referrals");
        t.add_real("employed_at_discharge_share", "discharged_employed / discharged_status_known", "share", 4);
        t.add_int("caseload_job_retention", "Of accessed: employed at referral (job retention cases)", "referrals");
        t.add_int("caseload_status_known", "Of accessed: employment status known at referral", "referrals");
        t.add_real("job_retention_share", "caseload_job_retention / caseload_status_known", "share", 4);
        t.add_text("job_retention_within_guidance",
                   "yes when job_retention_share is at most the guidance maximum (ips_thresholds.csv: 15%, the upper end "
                   "of 10-15%), no otherwise, empty when the share is not shown");
        t.add_real("unemployed_share", "1 - job_retention_share: the focus on unemployed clients", "share", 4);
        t.add_text("unemployed_focus_for_good_fidelity",
                   "yes when unemployed_share is at least the good-fidelity minimum (ips_thresholds.csv: 85%), no "
                   "otherwise, empty when the share is not shown");
        tables.push_back(std::move(t));
    }
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        report::Table t("ips_monthly_" + ln, "/ips/monthly_" + ln,
                        "IPS access by month of the first direct contact in the financial year, and the running total "
                        "from April, by " + ln + " organisation." +
                            std::string(level == Level::England ? "" : " Both counts are disclosure-controlled separately "
                                                                       "(0-4 suppressed, others rounded to 5)."));
        t.add_text("financial_year", "Financial year");
        t.add_text("org_code", "Organisation code; ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("month", "Calendar month, YYYY-MM (April first)");
        t.add_int("accessed", "IPS referrals whose first direct contact of the year is in this month", "referrals");
        t.add_int("running_total", "IPS referrals accessed from April to the end of this month", "referrals");
        tables.push_back(std::move(t));
    }
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        report::Table t("ips_contacts_" + ln, "/ips/contacts_" + ln,
                        "Contacts of IPS referrals that are IPS activity (the IPS team's contacts; on the activity route "
                        "the IPS-coded ones) by attendance and consultation mechanism, by " + ln + " organisation." +
                            std::string(level == Level::England ? "" : " Counts 0-4 suppressed, others rounded to 5."));
        t.add_text("financial_year", "Financial year");
        t.add_text("org_code", "Organisation code; ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("attend_code", "AttendOrDNACode (Missing when not recorded)");
        t.add_text("consultation_mechanism", "ConsMechanismMH (Missing when not recorded)");
        t.add_text("direct", "yes when such a contact counts as direct (attended, face to face, telephone, talk type or "
                             "video); email, SMS and other mechanisms do not");
        t.add_int("contacts", "Contacts", "contacts");
        tables.push_back(std::move(t));
    }
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        report::Table t("ips_fidelity_" + ln, "/ips/fidelity_" + ln,
                        "IPS teams by the fidelity band of their latest review up to the end of the financial year "
                        "(ips_fidelity.csv), and teams whose review is overdue, by " + ln +
                            " organisation. Team counts are not disclosure-controlled (they are not counts of people).");
        t.add_text("financial_year", "Financial year");
        t.add_text("org_code", "Organisation code; ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("band", "Fidelity band of the latest review (ips_fidelity_bands.csv), or All");
        t.add_int("teams", "Teams whose latest review is in the band", "teams");
        t.add_int("reviews_overdue", "Of those teams: latest review more than 2 years before the end of the year", "teams");
        tables.push_back(std::move(t));
    }
    report::Table team_table("ips_fidelity_teams", "/ips/fidelity_teams",
                             "Each IPS team's latest fidelity review up to the end of the financial year.");
    team_table.add_text("financial_year", "Financial year");
    team_table.add_text("org_code", "Provider code (ODS)");
    team_table.add_text("team_id", "Team identifier as given in ips_fidelity.csv (the org code when none)");
    team_table.add_text("latest_review", "Date of the latest review, YYYY-MM-DD");
    team_table.add_int("score", "Fidelity score of the latest review (25-125)", "points");
    team_table.add_text("band", "Fidelity band of the score");
    team_table.add_text("review_overdue", "yes when the latest review is more than 2 years old at the end of the year");

    const std::size_t nl = std::size(kLevels);
    for (int y = 0; y < nyears; ++y) {
        const FinancialYear fy{first_year + y};
        const std::string fyl = fy.label();
        const auto yy = static_cast<std::uint8_t>(y);
        for (std::size_t li = 0; li < nl; ++li) {
            const Level level = kLevels[li];
            const bool eng = level == Level::England;
            auto disclose = [&](std::int64_t n) { return stats::disclose_count(n, eng); };

            // ---- headline
            struct Row {
                std::int64_t open = 0, route[4] = {0, 0, 0, 0}, received = 0, discharged = 0, accessed = 0, contacts = 0;
                std::int64_t rec_emp = 0, rec_known = 0, dis_emp = 0, dis_known = 0, case_emp = 0, case_known = 0;
                std::array<std::int64_t, 12> monthly{};
                std::map<std::pair<std::uint16_t, std::uint16_t>, std::int64_t> by_mech;
            };
            // Targets at this level: the ICB's own, or the sum over the ICBs of a region / England.
            std::map<std::string, std::int64_t> target_of;
            if (level != Level::Provider)
                for (const auto& [key, v] : targets) {
                    if (key.second != fy.start_year) continue;
                    const std::string code = level == Level::Icb      ? key.first
                                             : level == Level::Region ? region_of_icb.at(key.first)
                                                                      : std::string("ENG");
                    target_of[code] += v;
                }
            // Every organisation with MHSDS providers, and every one with a target.
            std::map<std::string, Row> rows;
            for (std::size_t p = 0; p < P; ++p) rows[h.code(level, p)];
            for (const auto& [code, v] : target_of) rows[code];
            for (const auto& [k, v] : total.counts.items) {
                if (k.year != yy) continue;
                Row& r = rows[h.code(level, static_cast<std::size_t>(k.provider))];
                const auto emp = static_cast<ips::Employment>(k.a);
                switch (k.measure) {
                    case Open:
                        r.open += v.n;
                        r.route[k.a] += v.n;
                        break;
                    case Received:
                        r.received += v.n;
                        if (emp == ips::Employment::Employed) r.rec_emp += v.n;
                        if (emp != ips::Employment::Unknown) r.rec_known += v.n;
                        break;
                    case Discharged:
                        r.discharged += v.n;
                        if (emp == ips::Employment::Employed) r.dis_emp += v.n;
                        if (emp != ips::Employment::Unknown) r.dis_known += v.n;
                        break;
                    case Accessed: {
                        r.accessed += v.n;
                        r.monthly[k.a] += v.n;
                        const auto at_ref = static_cast<ips::Employment>(k.b);
                        if (at_ref == ips::Employment::Employed) r.case_emp += v.n;
                        if (at_ref != ips::Employment::Unknown) r.case_known += v.n;
                        break;
                    }
                    case Contacts:
                        r.by_mech[{k.a, k.b}] += v.n;
                        if (attended[k.a] && direct_mech[k.b]) r.contacts += v.n;
                        break;
                }
            }
            auto& t = tables[li];
            for (const auto& [org, r] : rows) {
                t.push("financial_year", fyl);
                t.push("org_code", org);
                t.push("org_name", name_of(org));
                t.push("ips_referrals", disclose(r.open));
                t.push("via_team_only", disclose(r.route[1]));
                t.push("via_activity_only", disclose(r.route[2]));
                t.push("via_both", disclose(r.route[3]));
                t.push("referrals_received", disclose(r.received));
                t.push("referrals_discharged", disclose(r.discharged));
                t.push("accessed", disclose(r.accessed));
                t.push("direct_contacts", disclose(r.contacts));
                const auto tg = target_of.find(org);
                if (tg == target_of.end()) {
                    t.push("target", std::nullopt);
                    t.push("access_vs_target", std::nullopt);
                } else {
                    t.push("target", std::optional<std::int64_t>(tg->second));
                    // The target is not a count of people, so its size protects nothing: below
                    // England the ratio uses the disclosed (rounded) count, and none when suppressed.
                    const auto shown = disclose(r.accessed);
                    t.push("access_vs_target", shown && tg->second > 0 ? std::optional<double>(static_cast<double>(*shown) /
                                                                                               static_cast<double>(tg->second))
                                                                       : std::nullopt);
                }
                t.push("received_employed_at_referral", disclose(r.rec_emp));
                t.push("received_status_known", disclose(r.rec_known));
                t.push("employed_at_referral_share", share(r.rec_emp, r.rec_known, eng));
                t.push("discharged_employed", disclose(r.dis_emp));
                t.push("discharged_status_known", disclose(r.dis_known));
                t.push("employed_at_discharge_share", share(r.dis_emp, r.dis_known, eng));
                t.push("caseload_job_retention", disclose(r.case_emp));
                t.push("caseload_status_known", disclose(r.case_known));
                const auto jr = share(r.case_emp, r.case_known, eng);
                t.push("job_retention_share", jr);
                t.push("job_retention_within_guidance", jr ? (*jr <= ref.job_retention_max_share ? "yes" : "no") : "");
                const std::optional<double> unemployed =
                    jr ? std::optional<double>(static_cast<double>(r.case_known - r.case_emp) / static_cast<double>(r.case_known))
                       : std::nullopt;
                t.push("unemployed_share", unemployed);
                t.push("unemployed_focus_for_good_fidelity",
                       unemployed ? (*unemployed >= ref.unemployed_min_share ? "yes" : "no") : "");

                // ---- monthly and running total
                auto& m = tables[nl + li];
                std::int64_t running = 0;
                for (int k = 0; k < 12; ++k) {
                    running += r.monthly[static_cast<std::size_t>(k)];
                    m.push("financial_year", fyl);
                    m.push("org_code", org);
                    m.push("org_name", name_of(org));
                    m.push("month", month_label(fy.start_year, k));
                    m.push("accessed", disclose(r.monthly[static_cast<std::size_t>(k)]));
                    m.push("running_total", disclose(running));
                }

                // ---- contacts by attendance and mechanism
                auto& c = tables[2 * nl + li];
                std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, bool>> labelled;
                for (const auto& [am, n] : r.by_mech) {
                    const std::string al = attend_dict.at(am.first).empty() ? "Missing" : attend_dict.at(am.first);
                    const std::string ml = mech_dict.at(am.second).empty() ? "Missing" : mech_dict.at(am.second);
                    auto& e = labelled[{al, ml}];
                    e.first += n;
                    e.second = attended[am.first] && direct_mech[am.second];
                }
                for (const auto& [am, e] : labelled) {
                    c.push("financial_year", fyl);
                    c.push("org_code", org);
                    c.push("org_name", name_of(org));
                    c.push("attend_code", am.first);
                    c.push("consultation_mechanism", am.second);
                    c.push("direct", e.second ? "yes" : "no");
                    c.push("contacts", disclose(e.first));
                }
            }

            // ---- fidelity: each team's latest review up to the end of the year
            std::map<std::pair<std::string, std::string>, const Review*> latest;  // (org, team)
            for (const auto& rv : reviews) {
                if (rv.date > fy.last_day()) continue;
                auto& l = latest[{rv.org, rv.team}];
                // The latest date wins; on the same date, the later line of the file.
                if (!l || rv.date >= l->date) l = &rv;
            }
            std::map<std::string, std::map<std::string, std::pair<std::int64_t, std::int64_t>>> bands;  // org → band → (teams, overdue)
            for (const auto& [key, rv] : latest) {
                const std::string band = ips::fidelity_band(rv->score, ref);
                const bool overdue = ips::review_overdue(rv->date, fy.last_day(), ref);
                const std::string org = code_at(level, key.first);
                for (const std::string& b : {band, std::string("All")}) {
                    auto& e = bands[org][b];
                    e.first += 1;
                    e.second += overdue ? 1 : 0;
                }
                if (level == Level::Provider) {
                    team_table.push("financial_year", fyl);
                    team_table.push("org_code", key.first);
                    team_table.push("team_id", key.second);
                    team_table.push("latest_review", format_iso_date(rv->date));
                    team_table.push("score", std::optional<std::int64_t>(rv->score));
                    team_table.push("band", band);
                    team_table.push("review_overdue", overdue ? "yes" : "no");
                }
            }
            auto& f = tables[3 * nl + li];
            for (const auto& [org, by_band] : bands) {
                std::vector<std::string> order;
                for (const auto& b : ref.bands) order.push_back(b.label);
                order.push_back("All");
                for (const auto& b : order) {
                    auto it = by_band.find(b);
                    f.push("financial_year", fyl);
                    f.push("org_code", org);
                    f.push("org_name", name_of(org));
                    f.push("band", b);
                    f.push("teams", std::optional<std::int64_t>(it == by_band.end() ? 0 : it->second.first));
                    f.push("reviews_overdue", std::optional<std::int64_t>(it == by_band.end() ? 0 : it->second.second));
                }
            }
        }
    }
    tables.push_back(std::move(team_table));
    manifest.set("ips_targets", have_targets ? "ips_targets.csv from the store" : "absent: no targets reported");
    manifest.set("ips_fidelity", have_fidelity ? "ips_fidelity.csv from the store" : "absent: no fidelity reported");
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "ips", s, tables, manifest, size, threads, refset.version);
}

}  // namespace mhbench::jobs
