#include "jobs/activity.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>

#include <algorithm>
#include <optional>
#include <set>

#include "jobs/pipeline.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "report/progress.hpp"
#include "stats/suppression.hpp"

namespace mhbench::jobs {

namespace {

// The job's configuration: attended appointments are AttendOrDNACode 5 (attended on time)
// and 6 (arrived late but seen), in both data sets.
const std::set<std::string> kAttendedCodes = {"5", "6"};

enum Measure : std::uint8_t { Received, Discharged, People, Contacts, Attended };
constexpr const char* kMeasureNames[] = {"referrals_received", "referrals_discharged", "people_with_open_referral",
                                         "care_contacts", "attended_contacts"};

struct DatasetTables {
    Dataset dataset;
    const char* contact;
    const char* mechanism;
};
constexpr DatasetTables kTables[] = {{Dataset::Iapt, "IDS201CareContact", "ConsMechanism"},
                                     {Dataset::Mhsds, "MHS201CareContact", "ConsMechanismMH"}};

struct CountKey {
    std::uint8_t dataset, year, measure;
    std::int32_t provider;
    std::uint16_t category;  // dictionary code of the category column, 0 for none
    auto operator<=>(const CountKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & dataset & year & measure & provider & category; }
};
struct PeopleKey {
    std::uint8_t dataset, year;
    std::int32_t provider;
    auto operator<=>(const PeopleKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & dataset & year & provider; }
};

struct ActivityAcc {
    reduce::KeyedMap<CountKey, reduce::Count> counts;
    reduce::KeyedMap<PeopleKey, reduce::DistinctSet> people;
    void merge(const ActivityAcc& o) {
        counts.merge(o.counts);
        people.merge(o.people);
    }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & counts & people; }
};


}  // namespace

void run_activity(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const int first_year = o.years.first.start_year, nyears = o.years.last.start_year - first_year + 1;
    ActivityAcc local;
    std::map<Dataset, std::vector<std::string>> attend_dict, mech_dict;
    double read_s = 0, group_s = 0;

    for (const auto& dt : kTables) {
        if (!s.has(dt.dataset)) continue;
        const Dataset d = dt.dataset;
        const std::string ref = referral_table(d).name;
        Plan plan = Plan::make(s, d, {ref, dt.contact}, size, rank);
        auto rr = plan.ranges(s, d, ref);
        auto received = s.read<std::int32_t>(d, ref, "ReferralRequestReceivedDate", rr);
        auto discharged = s.read<std::int32_t>(d, ref, "ServDischDate", rr);
        auto person = s.read<std::uint64_t>(d, ref, "Person_ID", rr);
        auto prov = plan.provider_of_rows(s, d, ref);
        auto ch = s.children(d, ref, dt.contact, rr);
        auto cdate = s.read<std::int32_t>(d, dt.contact, "CareContDate", ch.ranges);
        auto attend = s.read<std::uint16_t>(d, dt.contact, "AttendOrDNACode", ch.ranges);
        auto mech = s.read<std::uint16_t>(d, dt.contact, dt.mechanism, ch.ranges);
        attend_dict[d] = s.dictionary(d, dt.contact, "AttendOrDNACode");
        mech_dict[d] = s.dictionary(d, dt.contact, dt.mechanism);
        std::vector<bool> attended(attend_dict[d].size(), false);
        for (std::size_t c = 0; c < attended.size(); ++c) attended[c] = kAttendedCodes.count(attend_dict[d][c]) > 0;
        read_s += clock.lap();

        const auto ds = static_cast<std::uint8_t>(d);
        report::Progress progress("activity " + std::string(dataset_name(d)) + " group",
                                  static_cast<std::int64_t>(received.size()), rank == 0);
        auto acc = reduce::parallel_fold<ActivityAcc>(
            received.size(),
            [&](ActivityAcc& a, std::size_t i) {
                if ((i & 4095) == 4095) progress.add(4096);  // every index is visited once
                const std::int32_t p = prov[i];
                for (int y = 0; y < nyears; ++y) {
                    FinancialYear fy{first_year + y};
                    const auto yy = static_cast<std::uint8_t>(y);
                    if (fy.contains(received[i])) a.counts[{ds, yy, Received, p, 0}].add();
                    if (fy.contains(discharged[i])) a.counts[{ds, yy, Discharged, p, 0}].add();
                    // Open at some point in the year: received by its end, not discharged before its start.
                    if (received[i] != kMissing && received[i] <= fy.last_day() &&
                        (discharged[i] == kMissing || discharged[i] >= fy.first_day()))
                        a.people[{ds, yy, p}].add(person[i]);
                }
                for (auto j = ch.offsets[i]; j < ch.offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    if (cdate[uj] == kMissing) continue;
                    int y = FinancialYear::of(cdate[uj]).start_year - first_year;
                    if (y < 0 || y >= nyears) continue;
                    const auto yy = static_cast<std::uint8_t>(y);
                    a.counts[{ds, yy, Contacts, p, attend[uj]}].add();
                    if (attended[attend[uj]]) a.counts[{ds, yy, Attended, p, mech[uj]}].add();
                }
            },
            256);
        progress.add(static_cast<std::int64_t>(received.size() % 4096));
        progress.finish();
        local.merge(acc);
        group_s += clock.lap();
    }
    manifest.add_stage("read", read_s);
    manifest.add_stage("group", group_s);
    ActivityAcc total = reduce::reduce_to_root(local, comm);
    manifest.add_stage("reduce", clock.lap());
    if (rank != 0) return;

    // ---- finalize: roll providers up to ICB, region and England; suppress below England.
    std::vector<report::Table> tables;
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        report::Table t("activity_" + ln, "/activity/" + ln,
                        "Activity by financial year, data set and " + ln +
                            " organisation. Below England, counts 0-4 are suppressed (empty) and others "
                            "rounded to the nearest 5.");
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("dataset", "iapt (NHS Talking Therapies) or mhsds (Mental Health Services Data Set)");
        t.add_text("org_code", "Organisation code (ODS); ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("measure",
                   "referrals_received, referrals_discharged, people_with_open_referral (distinct people with a "
                   "referral open at any time in the year), care_contacts (by attendance code), attended_contacts "
                   "(attendance code 5 or 6, by consultation mechanism)");
        t.add_text("category", "AttendOrDNACode for care_contacts, consultation mechanism for attended_contacts, "
                               "All otherwise; Missing when not recorded");
        t.add_int("value", "The count", "count");
        tables.push_back(std::move(t));
    }
    for (const auto& dt : kTables) {
        if (!s.has(dt.dataset)) continue;
        const Dataset d = dt.dataset;
        const auto ds = static_cast<std::uint8_t>(d);
        Hierarchy h = Hierarchy::build(s, d);
        const auto P = h.provider_code.size();
        for (int y = 0; y < nyears; ++y) {
            const auto yy = static_cast<std::uint8_t>(y);
            const std::string fy = FinancialYear{first_year + y}.label();
            // Categories seen nationally, so every organisation lists the same rows.
            std::map<std::uint8_t, std::set<std::uint16_t>> cats;
            for (const auto& [k, v] : total.counts.items)
                if (k.dataset == ds && k.year == yy) cats[k.measure].insert(k.category);
            for (std::uint8_t m : {Received, Discharged, People}) cats[m] = {0};
            auto label = [&](std::uint8_t m, std::uint16_t c) -> std::string {
                if (m == Contacts || m == Attended) {
                    const auto& dict = m == Contacts ? attend_dict[d] : mech_dict[d];
                    return dict.at(c).empty() ? "Missing" : dict.at(c);
                }
                return "All";
            };
            for (std::size_t li = 0; li < std::size(kLevels); ++li) {
                const Level level = kLevels[li];
                // org → (measure, category) → count, and org → distinct people.
                std::map<std::string, std::map<std::pair<std::uint8_t, std::uint16_t>, std::int64_t>> counts;
                std::map<std::string, reduce::DistinctSet> people;
                for (std::size_t p = 0; p < P; ++p) counts[h.code(level, p)];
                for (const auto& [k, v] : total.counts.items)
                    if (k.dataset == ds && k.year == yy)
                        counts[h.code(level, static_cast<std::size_t>(k.provider))][{k.measure, k.category}] += v.n;
                for (const auto& [k, v] : total.people.items)
                    if (k.dataset == ds && k.year == yy) people[h.code(level, static_cast<std::size_t>(k.provider))].merge(v);
                auto& t = tables[li];
                for (auto& [org, byc] : counts) {
                    for (const auto& [m, cs] : cats) {
                        std::map<std::string, std::int64_t> rows;  // by category label, sorted
                        for (auto c : cs)
                            rows[label(m, c)] += m == People ? people[org].size() : (byc.count({m, c}) ? byc.at({m, c}) : 0);
                        for (const auto& [lab, n] : rows) {
                            t.push("financial_year", fy);
                            t.push("dataset", std::string(dataset_name(d)));
                            t.push("org_code", org);
                            t.push("org_name", h.names.count(org) ? h.names.at(org) : "");
                            t.push("measure", std::string(kMeasureNames[m]));
                            t.push("category", lab);
                            t.push("value", stats::disclose_count(n, level == Level::England));
                        }
                    }
                }
            }
        }
    }
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "activity", s, tables, manifest, size, threads);
}

}  // namespace mhbench::jobs
