#include "jobs/mhnrg.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "jobs/pipeline.hpp"
#include "mhnrg/grouping.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "reference/reference.hpp"
#include "report/progress.hpp"
#include "stats/suppression.hpp"

namespace mhbench::jobs {

namespace {

using namespace mhnrg;

const std::string kRef = "MHS101Referral", kMpi = "MHS001MPI", kAccomm = "MHS003AccommStatus",
                  kEmploy = "MHS004EmpStatus", kPatInd = "MHS005PatInd", kTeam = "MHS102ServiceTypeReferredTo",
                  kContact = "MHS201CareContact", kSpell = "MHS501HospProvSpell", kPrimDiag = "MHS604PrimDiag",
                  kPresComp = "MHS609PresComp";

// Settings 0-2 are mhnrg::Setting; this one is every referral of the unit whatever its activity.
constexpr std::uint8_t kAllSettings = kSettingCount;

struct UnitKey {
    std::int16_t year = 0;
    std::int32_t provider = 0;
    std::uint8_t age = 0, group = 0, setting = 0;
    auto operator<=>(const UnitKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & provider & age & group & setting; }
};

struct UnitCounts {
    reduce::Count referrals, contacts, spells, bed_days;
    void merge(const UnitCounts& o) {
        referrals.merge(o.referrals);
        contacts.merge(o.contacts);
        spells.merge(o.spells);
        bed_days.merge(o.bed_days);
    }
    friend bool operator==(const UnitCounts&, const UnitCounts&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & referrals & contacts & spells & bed_days; }
};

struct YearProvider {
    std::int16_t year = 0;
    std::int32_t provider = 0;
    auto operator<=>(const YearProvider&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & provider; }
};

struct NeedsKey {
    std::int16_t year = 0;
    std::int32_t provider = 0;
    std::uint8_t factor = 0;
    std::string value;  // trimmed recorded value ("" = missing) or the derived label
    auto operator<=>(const NeedsKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & provider & factor & value; }
};

struct UnitsAcc {
    reduce::KeyedMap<UnitKey, UnitCounts> units;
    reduce::KeyedMap<UnitKey, reduce::DistinctSet> people;
    reduce::KeyedMap<YearProvider, reduce::DistinctSet> in_year;  // people counted at each provider
    void merge(const UnitsAcc& o) {
        units.merge(o.units);
        people.merge(o.people);
        in_year.merge(o.in_year);
    }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & units & people & in_year; }
};

struct NeedsAcc {
    reduce::KeyedMap<NeedsKey, reduce::Count> values;
    void merge(const NeedsAcc& o) { values.merge(o.values); }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & values; }
};

struct Result {
    UnitsAcc units;
    NeedsAcc needs;
    void merge(const Result& o) {
        units.merge(o.units);
        needs.merge(o.needs);
    }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & units & needs; }
};

/// The latest dated record at or before `last` among rows [b, e); undated rows only when no
/// dated one qualifies (the first of them). -1 when none.
std::int64_t latest_record(const std::vector<std::int32_t>& date, std::int64_t b, std::int64_t e, Day last) {
    std::int64_t best = -1, undated = -1;
    for (auto j = b; j < e; ++j) {
        const auto d = date[static_cast<std::size_t>(j)];
        if (d == kMissing) {
            if (undated < 0) undated = j;
        } else if (d <= last && (best < 0 || d >= date[static_cast<std::size_t>(best)])) {
            best = j;
        }
    }
    return best >= 0 ? best : undated;
}

}  // namespace

void run_mhnrg(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    const reference::Reference base = reference_set(o);
    const std::string ref_version = base.version;
    const MhnrgReference ref = MhnrgReference::parse(base.files);
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const Dataset d = Dataset::Mhsds;
    if (!s.has(d)) throw ConfigError("mhnrg: the store " + o.store.string() + " holds no MHSDS data");
    const int first_year = o.years.first.start_year, nyears = o.years.last.start_year - first_year + 1;

    // ---- read this rank's providers: people, referrals and their teams, codes, contacts, spells
    Plan plan = Plan::make(s, d, {kRef, kContact}, size, rank);
    auto rr = plan.ranges(s, d, kRef);
    auto ref_person = s.read<std::uint64_t>(d, kRef, "Person_ID", rr);
    auto received = s.read<std::int32_t>(d, kRef, "ReferralRequestReceivedDate", rr);
    auto discharged = s.read<std::int32_t>(d, kRef, "ServDischDate", rr);
    auto reason = s.read<std::uint16_t>(d, kRef, "PrimReasonReferralMH", rr);
    auto priority = s.read<std::uint16_t>(d, kRef, "ClinRespPriorityType", rr);
    auto age_field = s.read<std::int32_t>(d, kRef, "AgeServReferRecDate", rr);
    auto ref_prov = plan.provider_of_rows(s, d, kRef);

    auto mr = plan.ranges(s, d, kMpi);
    auto mpi_person = s.read<std::uint64_t>(d, kMpi, "Person_ID", mr);
    auto mpi_birth = s.read<std::int32_t>(d, kMpi, "PersonBirthDate", mr);
    auto mpi_ethnic = s.read<std::uint16_t>(d, kMpi, "EthnicCategory", mr);
    auto mpi_lsoa = s.read<std::uint16_t>(d, kMpi, "LSOA2011", mr);
    auto mpi_prov = plan.provider_of_rows(s, d, kMpi);
    auto ach = s.children(d, kMpi, kAccomm, mr);
    auto accomm = s.read<std::uint16_t>(d, kAccomm, "AccommodationType", ach.ranges);
    auto accomm_date = s.read<std::int32_t>(d, kAccomm, "AccommodationTypeDate", ach.ranges);
    auto ech = s.children(d, kMpi, kEmploy, mr);
    auto employ = s.read<std::uint16_t>(d, kEmploy, "EmployStatus", ech.ranges);
    auto employ_date = s.read<std::int32_t>(d, kEmploy, "EmployStatusRecDate", ech.ranges);
    auto ich = s.children(d, kMpi, kPatInd, mr);
    auto ld = s.read<std::uint16_t>(d, kPatInd, "LDStatus", ich.ranges);
    auto autism = s.read<std::uint16_t>(d, kPatInd, "AutismStatus", ich.ranges);

    auto tch = s.children(d, kRef, kTeam, rr);
    auto team_type = s.read<std::uint16_t>(d, kTeam, "ServTeamTypeRefToMH", tch.ranges);
    auto team_id = s.read<std::uint64_t>(d, kTeam, "UniqCareProfTeamID", tch.ranges);
    auto cch = s.children(d, kRef, kContact, rr);
    auto cdate = s.read<std::int32_t>(d, kContact, "CareContDate", cch.ranges);
    auto attend = s.read<std::uint16_t>(d, kContact, "AttendOrDNACode", cch.ranges);
    auto cteam = s.read<std::uint64_t>(d, kContact, "UniqCareProfTeamID", cch.ranges);
    auto sch = s.children(d, kRef, kSpell, rr);
    auto sstart = s.read<std::int32_t>(d, kSpell, "StartDateHospProvSpell", sch.ranges);
    auto send = s.read<std::int32_t>(d, kSpell, "DischDateHospProvSpell", sch.ranges);
    auto dch = s.children(d, kRef, kPrimDiag, rr);
    auto diag = s.read<std::uint16_t>(d, kPrimDiag, "PrimDiag", dch.ranges);
    auto pch = s.children(d, kRef, kPresComp, rr);
    auto pres = s.read<std::uint16_t>(d, kPresComp, "PresComp", pch.ranges);

    const auto reason_dict = s.dictionary(d, kRef, "PrimReasonReferralMH");
    const auto priority_dict = s.dictionary(d, kRef, "ClinRespPriorityType");
    const auto team_dict = s.dictionary(d, kTeam, "ServTeamTypeRefToMH");
    const auto diag_dict = s.dictionary(d, kPrimDiag, "PrimDiag");
    const auto pres_dict = s.dictionary(d, kPresComp, "PresComp");
    const auto ethnic_dict = s.dictionary(d, kMpi, "EthnicCategory");
    const auto lsoa_dict = s.dictionary(d, kMpi, "LSOA2011");
    const auto accomm_dict = s.dictionary(d, kAccomm, "AccommodationType");
    const auto employ_dict = s.dictionary(d, kEmploy, "EmployStatus");
    const auto ld_dict = s.dictionary(d, kPatInd, "LDStatus");
    const auto autism_dict = s.dictionary(d, kPatInd, "AutismStatus");
    std::vector<bool> attended;
    for (const auto& c : s.dictionary(d, kContact, "AttendOrDNACode")) attended.push_back(ref.attended_codes.count(trim_code(c)) > 0);
    manifest.add_stage("read", clock.lap());

    // ---- each referral's person record (MHS001 of the same provider) and age at referral
    std::vector<std::tuple<std::int32_t, std::uint64_t, std::size_t>> mpi_index;  // (provider, person, row)
    mpi_index.reserve(mpi_person.size());
    for (std::size_t m = 0; m < mpi_person.size(); ++m) mpi_index.emplace_back(mpi_prov[m], mpi_person[m], m);
    std::sort(mpi_index.begin(), mpi_index.end());
    const std::size_t n = ref_person.size();
    std::vector<std::int64_t> mpi_of(n, -1);
    std::vector<std::optional<int>> age(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto it = std::lower_bound(mpi_index.begin(), mpi_index.end(), std::tuple(ref_prov[i], ref_person[i], std::size_t{0}));
        if (it != mpi_index.end() && std::get<0>(*it) == ref_prov[i] && std::get<1>(*it) == ref_person[i])
            mpi_of[i] = static_cast<std::int64_t>(std::get<2>(*it));
        // The birth date gives the exact age on the day of referral; the submitted age is the fallback.
        if (mpi_of[i] >= 0) age[i] = age_on(mpi_birth[static_cast<std::size_t>(mpi_of[i])], received[i]);
        if (!age[i] && age_field[i] != kMissing && age_field[i] >= 0) age[i] = age_field[i];
    }
    // People with any referral before their 18th birthday, from every rank: the transition rule
    // looks at all of a person's referrals, in any year and at any provider.
    reduce::DistinctSet local_young;
    for (std::size_t i = 0; i < n; ++i)
        if (age[i] && *age[i] < ref.cyp_age_limit) local_young.add(ref_person[i]);
    reduce::DistinctSet young = reduce::allreduce(local_young, comm);
    young.normalize();
    manifest.add_stage("transition", clock.lap());

    // ---- group: per referral its unit, then exact counts per (year, provider, unit, setting)
    report::Progress progress("mhnrg group", static_cast<std::int64_t>(n), rank == 0);
    UnitsAcc units = reduce::parallel_fold<UnitsAcc>(
        n,
        [&](UnitsAcc& a, std::size_t i) {
            if ((i & 4095) == 4095) progress.add(4096);
            ReferralFacts f;
            f.age_at_referral = age[i];
            f.referred_before_18 = std::binary_search(young.keys.begin(), young.keys.end(), ref_person[i]);
            for (auto j = dch.offsets[i]; j < dch.offsets[i + 1]; ++j) f.codes.push_back(diag_dict[diag[static_cast<std::size_t>(j)]]);
            for (auto j = pch.offsets[i]; j < pch.offsets[i + 1]; ++j) f.codes.push_back(pres_dict[pres[static_cast<std::size_t>(j)]]);
            for (auto j = tch.offsets[i]; j < tch.offsets[i + 1]; ++j) f.team_types.push_back(team_dict[team_type[static_cast<std::size_t>(j)]]);
            f.primary_reason = reason_dict[reason[i]];
            f.clinical_response_priority = priority_dict[priority[i]];
            const Grouping g = group_referral(ref, f);

            // Each contact's team: its team id among the referral's teams; a referral with a
            // single team lends it to contacts that name none (or another).
            auto contact_is_crisis = [&](std::size_t c) {
                const auto tb = tch.offsets[i], te = tch.offsets[i + 1];
                for (auto j = tb; j < te; ++j)
                    if (team_id[static_cast<std::size_t>(j)] == cteam[c])
                        return is_crisis_team(ref, team_dict[team_type[static_cast<std::size_t>(j)]], f.clinical_response_priority);
                return te - tb == 1 && is_crisis_team(ref, team_dict[team_type[static_cast<std::size_t>(tb)]], f.clinical_response_priority);
            };
            auto in_spell = [&](Day day) {
                for (auto j = sch.offsets[i]; j < sch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    if (sstart[uj] != kMissing && day >= sstart[uj] && (send[uj] == kMissing || day <= send[uj])) return true;
                }
                return false;
            };

            for (int y = 0; y < nyears; ++y) {
                const FinancialYear fy{first_year + y};
                std::int64_t contacts[kSettingCount + 1] = {}, spells = 0, bed_days = 0;
                for (auto j = cch.offsets[i]; j < cch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    if (!fy.contains(cdate[uj]) || !attended[attend[uj]]) continue;
                    const Setting st = contact_is_crisis(uj) ? Setting::Crisis
                                       : in_spell(cdate[uj]) ? Setting::Inpatient
                                                             : Setting::Community;
                    ++contacts[static_cast<int>(st)];
                    ++contacts[kAllSettings];
                }
                for (auto j = sch.offsets[i]; j < sch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    if (sstart[uj] == kMissing || sstart[uj] > fy.last_day()) continue;
                    if (send[uj] != kMissing && send[uj] < fy.first_day()) continue;
                    // Bed days: nights in the year, [start, discharge) clipped to the year; an
                    // open spell runs to the year's end.
                    const Day lo = std::max(sstart[uj], fy.first_day());
                    const Day hi = std::min(send[uj] == kMissing ? fy.last_day() + 1 : send[uj], fy.last_day() + 1);
                    ++spells;
                    bed_days += std::max<std::int64_t>(0, hi - lo);
                }
                const bool open = received[i] != kMissing && received[i] <= fy.last_day() &&
                                  (discharged[i] == kMissing || discharged[i] >= fy.first_day());
                const bool active = contacts[kAllSettings] > 0 || spells > 0;
                if (!open && !active) continue;
                const auto yy = static_cast<std::int16_t>(y);
                auto count = [&](std::uint8_t setting, std::int64_t c, std::int64_t sp, std::int64_t bd) {
                    const UnitKey k{yy, ref_prov[i], static_cast<std::uint8_t>(g.age), static_cast<std::uint8_t>(g.group), setting};
                    auto& u = a.units[k];
                    u.referrals.add();
                    u.contacts.add(c);
                    u.spells.add(sp);
                    u.bed_days.add(bd);
                    a.people[k].add(ref_person[i]);
                };
                count(kAllSettings, contacts[kAllSettings], spells, bed_days);
                if (contacts[static_cast<int>(Setting::Community)] > 0)
                    count(static_cast<std::uint8_t>(Setting::Community), contacts[static_cast<int>(Setting::Community)], 0, 0);
                if (contacts[static_cast<int>(Setting::Crisis)] > 0)
                    count(static_cast<std::uint8_t>(Setting::Crisis), contacts[static_cast<int>(Setting::Crisis)], 0, 0);
                if (spells > 0 || contacts[static_cast<int>(Setting::Inpatient)] > 0)
                    count(static_cast<std::uint8_t>(Setting::Inpatient), contacts[static_cast<int>(Setting::Inpatient)], spells, bed_days);
                a.in_year[{yy, ref_prov[i]}].add(ref_person[i]);
            }
        },
        256);
    progress.add(static_cast<std::int64_t>(n % 4096));
    progress.finish();
    for (auto& [k, v] : units.in_year.items) v.normalize();
    manifest.add_stage("group", clock.lap());

    // ---- needs and complexity factors of the people counted at each provider in each year
    // (this rank owns all of a provider's referrals and person records, so the sets are complete)
    const int f_housing = 0, f_older = 1, f_depriv = 2, f_employ = 3, f_ethnic = 4, f_ld = 5, f_autism = 6;
    const std::string older_label = std::to_string(ref.older_adult_age) + " and over",
                      younger_label = "Under " + std::to_string(ref.older_adult_age);
    NeedsAcc needs = reduce::parallel_fold<NeedsAcc>(
        mpi_person.size(),
        [&](NeedsAcc& a, std::size_t m) {
            for (int y = 0; y < nyears; ++y) {
                const auto yy = static_cast<std::int16_t>(y);
                const auto* people = units.in_year.find({yy, mpi_prov[m]});
                if (!people || !std::binary_search(people->keys.begin(), people->keys.end(), mpi_person[m])) continue;
                const FinancialYear fy{first_year + y};
                auto put = [&](int factor, std::string value) {
                    a.values[{yy, mpi_prov[m], static_cast<std::uint8_t>(factor), std::move(value)}].add();
                };
                const auto h = latest_record(accomm_date, ach.offsets[m], ach.offsets[m + 1], fy.last_day());
                put(f_housing, h < 0 ? "" : trim_code(accomm_dict[accomm[static_cast<std::size_t>(h)]]));
                const auto years_old = age_on(mpi_birth[m], fy.last_day());
                put(f_older, !years_old ? "" : *years_old >= ref.older_adult_age ? older_label : younger_label);
                put(f_depriv, trim_code(lsoa_dict[mpi_lsoa[m]]).empty() ? "" : "Recorded");
                const auto e = latest_record(employ_date, ech.offsets[m], ech.offsets[m + 1], fy.last_day());
                put(f_employ, e < 0 ? "" : trim_code(employ_dict[employ[static_cast<std::size_t>(e)]]));
                put(f_ethnic, trim_code(ethnic_dict[mpi_ethnic[m]]));
                // MHS005 holds one row per person; with several, the last in store order.
                const bool has_ind = ich.offsets[m + 1] > ich.offsets[m];
                const auto li = static_cast<std::size_t>(ich.offsets[m + 1] - 1);
                put(f_ld, has_ind ? trim_code(ld_dict[ld[li]]) : "");
                put(f_autism, has_ind ? trim_code(autism_dict[autism[li]]) : "");
            }
        },
        256);
    // People referred without a person record at their provider: every factor missing.
    for (const auto& [k, people] : units.in_year.items) {
        std::int64_t matched = 0;
        for (const auto& [nk, c] : needs.values.items)
            if (nk.year == k.year && nk.provider == k.provider && nk.factor == f_ethnic) matched += c.n;
        const std::int64_t without = static_cast<std::int64_t>(people.keys.size()) - matched;
        if (without > 0)
            for (int f = 0; f < kNeedsFactorCount; ++f) needs.values[{k.year, k.provider, static_cast<std::uint8_t>(f), ""}].add(without);
    }
    manifest.add_stage("needs", clock.lap());

    Result local{std::move(units), std::move(needs)};
    local.units.in_year.items.clear();  // served its purpose on this rank
    Result total = reduce::reduce_to_root(local, comm);
    manifest.add_stage("reduce", clock.lap());
    if (rank != 0) return;

    // ---- finalize: roll providers up to ICB, region and England; suppress below England
    Hierarchy hier = Hierarchy::build(s, d);
    const auto P = hier.provider_code.size();
    auto value_class = [&](int factor, const std::string& v) {
        if (v.empty()) return ValueClass::Missing;
        if (factor == f_older) return v == older_label ? ValueClass::Need : ValueClass::Valid;
        if (factor == f_depriv) return ValueClass::Valid;
        return ref.classify_value(factor, v);
    };
    auto meaning = [&](int factor, const std::string& v) -> std::string {
        if (v.empty()) return "Not recorded";
        if (factor == f_older) return v == older_label ? "Older adult at the end of the year" : "Not an older adult";
        if (factor == f_depriv) return "Small area (LSOA 2011) of residence recorded";
        const auto& values = ref.needs[static_cast<std::size_t>(factor)].values;
        auto it = values.find(v);
        return it == values.end() ? (values.empty() ? "Recorded" : "Not in the code list") : it->second.second;
    };

    std::vector<report::Table> tables;
    const std::string disclosure =
        " Below England, counts 0-4 are suppressed (empty) and others rounded to the nearest 5; rates are shown only "
        "where the denominator is at least 5.";
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        report::Table u("mhnrg_units_" + ln, "/mhnrg/units_" + ln,
                        "MHNRG currency units (age band x population group x setting) per " + ln +
                            " organisation and financial year (SPEC section 4)." + disclosure);
        u.add_text("financial_year", "Financial year, 1 April to 31 March");
        u.add_text("org_code", "Organisation code (ODS provider, ICB or region code); ENG for England");
        u.add_text("org_name", "Organisation name");
        u.add_text("age_band", "CYP (under 18 at referral, or 18-25 with a mental health referral before the 18th "
                               "birthday), Adult, or Unknown (no birth date or age at referral)");
        u.add_text("population_group", "Population group of the referral, first match in the fixed order: Eating and "
                                       "feeding, Neurodevelopmental, CYP, Psychosis and bipolar, Neurocognitive, "
                                       "Personality, Addiction alcohol and substance misuse, Mood and anxiety, Crisis; "
                                       "Ungrouped when nothing matched");
        u.add_text("setting", "Community, Crisis (contacts with a crisis team type; A18 with an emergency, urgent or very "
                              "urgent priority) or Inpatient (hospital spells, and contacts during one); All: every "
                              "referral open or active in the year, whatever its activity");
        u.add_int("people", "Distinct people (Person_ID) with a referral counted in the row", "people");
        u.add_int("referrals", "Referrals open in the year or with activity in it (All); referrals with activity in the "
                               "setting (other rows)", "referrals");
        u.add_int("attended_contacts", "Attended care contacts (AttendOrDNACode 5 or 6) dated in the year, in the setting",
                  "contacts");
        u.add_int("hospital_spells", "Hospital provider spells overlapping the year (each counted once per year)", "spells");
        u.add_int("bed_days", "Bed days in the year: nights from admission to discharge clipped to the year (an open "
                              "spell runs to 31 March)", "days");
        tables.push_back(std::move(u));

        report::Table c("mhnrg_needs_" + ln, "/mhnrg/needs_" + ln,
                        "Needs and complexity factors (seed 000 section 2.3): completeness per " + ln +
                            " organisation and financial year, over the people with a referral counted that year "
                            "(person records of each provider; above provider level, the sum over providers)." +
                            disclosure);
        c.add_text("financial_year", "Financial year, 1 April to 31 March");
        c.add_text("org_code", "Organisation code; ENG for England");
        c.add_text("org_name", "Organisation name");
        c.add_text("factor", "housing, older_adults, deprivation, employment, ethnicity, learning_disability, autism");
        c.add_int("people", "People with a referral counted in the year (person records)", "people");
        c.add_int("complete", "People whose field holds a valid, informative value (need + valid)", "people");
        c.add_int("indicating_need", "People whose value indicates the factor (learning disability or autism codes 1-4; "
                                     "older adult age); empty meaning for the other factors is 0", "people");
        c.add_int("default_code", "People with a not stated / not known code", "people");
        c.add_int("invalid", "People with a recorded value not in the factor's code list", "people");
        c.add_int("missing", "People with nothing recorded (no record, or an empty field)", "people");
        c.add_real("completeness_pct", "complete / people", "%", 1);
        c.add_real("need_pct", "indicating_need / people", "%", 1);
        tables.push_back(std::move(c));

        report::Table v("mhnrg_needs_values_" + ln, "/mhnrg/needs_values_" + ln,
                        "Needs and complexity factors: distribution of the recorded values per " + ln +
                            " organisation and financial year (the latest MHS003 / MHS004 record dated by the end of "
                            "the year; MHS001 and MHS005 as submitted)." + disclosure);
        v.add_text("financial_year", "Financial year, 1 April to 31 March");
        v.add_text("org_code", "Organisation code; ENG for England");
        v.add_text("org_name", "Organisation name");
        v.add_text("factor", "housing, older_adults, deprivation, employment, ethnicity, learning_disability, autism");
        v.add_text("value", "The recorded code (or the derived value for older_adults and deprivation); Missing when "
                            "nothing is recorded");
        v.add_text("value_class", "need, valid, default, invalid or missing (mhnrg_needs.csv)");
        v.add_text("meaning", "What the value means (reference data)");
        v.add_int("people", "People with this value", "people");
        tables.push_back(std::move(v));
    }

    for (int y = 0; y < nyears; ++y) {
        const auto yy = static_cast<std::int16_t>(y);
        const std::string fy = FinancialYear{first_year + y}.label();
        // Rows seen nationally, so every organisation lists the same rows.
        std::set<std::tuple<std::uint8_t, std::uint8_t, std::uint8_t>> unit_rows;
        for (const auto& [k, c] : total.units.units.items)
            if (k.year == yy) unit_rows.insert({k.age, k.group, k.setting});
        std::set<std::pair<std::uint8_t, std::string>> value_rows;
        for (const auto& [k, c] : total.needs.values.items)
            if (k.year == yy) value_rows.insert({k.factor, k.value});

        for (std::size_t li = 0; li < std::size(kLevels); ++li) {
            const Level level = kLevels[li];
            const bool eng = level == Level::England;
            using Row = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t>;
            std::map<std::string, std::map<Row, UnitCounts>> counts;
            std::map<std::string, std::map<Row, reduce::DistinctSet>> people;
            std::map<std::string, std::map<std::pair<std::uint8_t, std::string>, std::int64_t>> values;
            for (std::size_t p = 0; p < P; ++p) counts[hier.code(level, p)], values[hier.code(level, p)];
            for (const auto& [k, c] : total.units.units.items)
                if (k.year == yy) counts[hier.code(level, static_cast<std::size_t>(k.provider))][{k.age, k.group, k.setting}].merge(c);
            for (const auto& [k, ds] : total.units.people.items)
                if (k.year == yy) people[hier.code(level, static_cast<std::size_t>(k.provider))][{k.age, k.group, k.setting}].merge(ds);
            for (const auto& [k, c] : total.needs.values.items)
                if (k.year == yy) values[hier.code(level, static_cast<std::size_t>(k.provider))][{k.factor, k.value}] += c.n;

            auto& u = tables[li * 3];
            for (auto& [org, rows] : counts) {
                const std::string name = hier.names.count(org) ? hier.names.at(org) : "";
                for (const auto& row : unit_rows) {
                    const auto [a, g, st] = row;
                    const UnitCounts c = rows.count(row) ? rows.at(row) : UnitCounts{};
                    std::int64_t n_people = 0;
                    if (auto it = people[org].find(row); it != people[org].end()) n_people = it->second.size();
                    u.push("financial_year", fy);
                    u.push("org_code", org);
                    u.push("org_name", name);
                    u.push("age_band", std::string(age_band_label(static_cast<AgeBand>(a))));
                    u.push("population_group", std::string(group_label(static_cast<Group>(g))));
                    u.push("setting", st == kAllSettings ? std::string("All") : std::string(setting_label(static_cast<Setting>(st))));
                    u.push("people", stats::disclose_count(n_people, eng));
                    u.push("referrals", stats::disclose_count(c.referrals.n, eng));
                    u.push("attended_contacts", stats::disclose_count(c.contacts.n, eng));
                    u.push("hospital_spells", stats::disclose_count(c.spells.n, eng));
                    u.push("bed_days", stats::disclose_count(c.bed_days.n, eng));
                }
            }
            auto& c = tables[li * 3 + 1];
            auto& v = tables[li * 3 + 2];
            for (auto& [org, vals] : values) {
                const std::string name = hier.names.count(org) ? hier.names.at(org) : "";
                for (int f = 0; f < kNeedsFactorCount; ++f) {
                    std::int64_t by_class[5] = {};
                    for (const auto& [fv, k] : vals)
                        if (fv.first == f) by_class[static_cast<int>(value_class(f, fv.second))] += k;
                    const std::int64_t total_people = by_class[0] + by_class[1] + by_class[2] + by_class[3] + by_class[4];
                    const std::int64_t complete = by_class[0] + by_class[1];
                    c.push("financial_year", fy);
                    c.push("org_code", org);
                    c.push("org_name", name);
                    c.push("factor", std::string(kNeedsFactors[f]));
                    c.push("people", stats::disclose_count(total_people, eng));
                    c.push("complete", stats::disclose_count(complete, eng));
                    c.push("indicating_need", stats::disclose_count(by_class[0], eng));
                    c.push("default_code", stats::disclose_count(by_class[2], eng));
                    c.push("invalid", stats::disclose_count(by_class[3], eng));
                    c.push("missing", stats::disclose_count(by_class[4], eng));
                    const bool rate = total_people > 0 && stats::rate_disclosable(total_people, eng);
                    c.push("completeness_pct", rate ? std::optional<double>(100.0 * static_cast<double>(complete) / static_cast<double>(total_people)) : std::nullopt);
                    c.push("need_pct", rate ? std::optional<double>(100.0 * static_cast<double>(by_class[0]) / static_cast<double>(total_people)) : std::nullopt);
                }
                for (const auto& fv : value_rows) {
                    const std::int64_t k = vals.count(fv) ? vals.at(fv) : 0;
                    v.push("financial_year", fy);
                    v.push("org_code", org);
                    v.push("org_name", name);
                    v.push("factor", std::string(kNeedsFactors[fv.first]));
                    v.push("value", fv.second.empty() ? std::string("Missing") : fv.second);
                    v.push("value_class", std::string(value_class_label(value_class(fv.first, fv.second))));
                    v.push("meaning", meaning(fv.first, fv.second));
                    v.push("people", stats::disclose_count(k, eng));
                }
            }
        }
    }
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "mhnrg", s, tables, manifest, size, threads, ref_version);
}

}  // namespace mhbench::jobs
