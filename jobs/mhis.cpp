#include "jobs/mhis.hpp"

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "jobs/pipeline.hpp"
#include "mhis/ledger.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "reference/reference.hpp"
#include "stats/suppression.hpp"
#include "store/inputs.hpp"

namespace mhbench::jobs {

namespace {

const char* const kCaveat =
    "Approximate: the category's spend also pays for things other than this activity, and the activity is what "
    "the organisation's providers record, not care for its residents; compare organisations with care.";

/// Early intervention referrals received per (year, provider), counted from the store.
struct EipKey {
    std::uint8_t year;
    std::int32_t provider;
    auto operator<=>(const EipKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & provider; }
};
struct EipAcc {
    reduce::KeyedMap<EipKey, reduce::Count> referrals;
    void merge(const EipAcc& o) { referrals.merge(o.referrals); }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & referrals; }
};

/// An activity measure for one level and year: org code → value, and how it was obtained.
struct ActivityFigures {
    bool available = false;
    std::string source, reason;                      ///< where it came from; why it is absent
    std::map<std::string, std::int64_t> value;       ///< by org code (ENG for England)
    std::set<std::string> partial;                   ///< orgs whose sum includes suppressed cells
    std::set<std::string> suppressed;                ///< orgs whose count (made here) is suppressed
};

/// Reads a results CSV mirror written by another job and sums `value_col` over the rows of
/// financial year `fy` that match `filter` (column → value), per org_code (ENG when the table
/// has no org_code column, as tt_national.csv).
ActivityFigures sum_results_csv(const std::filesystem::path& results, const std::string& job, const std::string& file,
                                const std::string& fy, const std::map<std::string, std::string>& filter,
                                const std::string& value_col, report::Manifest& manifest) {
    ActivityFigures f;
    const auto path = results / job / file;
    f.source = job + "/" + file;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        f.reason = "absent: no " + f.source + " (run mhbench run " + job + " into the results directory)";
        return f;
    }
    std::ostringstream text;
    text << in.rdbuf();
    const auto table = store::parse_input_table(job, file, text.str());
    auto find = [&](const std::string& c) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < table.columns.size(); ++i)
            if (table.columns[i] == c) return i;
        return std::nullopt;
    };
    const auto year_col = find("financial_year"), value = find(value_col), org = find("org_code");
    std::vector<std::pair<std::size_t, std::string>> conditions;
    for (const auto& [c, v] : filter) {
        const auto ci = find(c);
        if (!ci) {
            f.reason = "absent: " + f.source + " has no column " + c;
            return f;
        }
        conditions.emplace_back(*ci, v);
    }
    if (!year_col || !value) {
        f.reason = "absent: " + f.source + " has no column " + (year_col ? value_col : std::string("financial_year"));
        return f;
    }
    manifest.add_input(f.source, path.string());
    bool any = false;
    for (const auto& row : table.rows) {
        if (row[*year_col] != fy) continue;
        bool match = true;
        for (const auto& [ci, v] : conditions) match = match && row[ci] == v;
        if (!match) continue;
        const std::string code = org ? row[*org] : "ENG";
        any = true;
        auto& total = f.value[code];
        if (row[*value].empty()) {  // suppressed by the job that wrote it
            f.partial.insert(code);
            continue;
        }
        try {
            std::size_t used = 0;
            const long long v = std::stoll(row[*value], &used);
            if (used != row[*value].size()) throw std::invalid_argument("trailing text");
            total += v;
        } catch (const std::exception&) {
            throw InputError(path.string(), file, -1, value_col, "not an integer: '" + row[*value] + "'");
        }
    }
    if (!any) {
        f.reason = "absent: " + f.source + " has no rows for " + fy;
        return f;
    }
    f.available = true;
    return f;
}

double pounds(std::int64_t pence) { return static_cast<double>(pence) / 100.0; }

}  // namespace

void run_mhis(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    const reference::Reference refset = reference_set(o);
    const mhis::MhisReference ref = mhis::MhisReference::parse(refset.files);
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const int first_year = o.years.first.start_year, nyears = o.years.last.start_year - first_year + 1;

    // ---- the ledger, read and validated on every rank (small) so a bad row fails every rank alike.
    if (!store::has_input_table(s, "mhis_ledger"))
        throw ConfigError("mhis: the store " + o.store.string() +
                          " holds no MHIS spend ledger (ingest a directory with mhis_ledger.csv)");
    const auto organisations = s.organisations();
    std::map<std::string, std::string> icb_name, region_of_icb, region_name;
    for (const auto& org : organisations) {
        if (org.icb_code.empty()) continue;
        icb_name[org.icb_code] = org.icb_name;
        region_of_icb[org.icb_code] = org.region_code;
        region_name[org.region_code] = org.region_name;
    }
    std::set<std::string> icbs;
    for (const auto& [code, name] : icb_name) icbs.insert(code);
    const auto input = store::read_input_table(s, "mhis_ledger");
    const auto rows = mhis::parse_ledger({input.file, input.columns, input.rows}, icbs, ref);
    manifest.set("mhis_ledger_rows", static_cast<std::int64_t>(rows.size()));
    manifest.add_stage("ledger", clock.lap());

    // ---- early intervention referrals from the store (no other job counts them).
    const Dataset d = Dataset::Mhsds;
    const bool have_mhsds = s.has(d);
    EipAcc eip;
    if (have_mhsds) {
        const std::string ref_table = referral_table(d).name, team = "MHS102ServiceTypeReferredTo";
        Plan plan = Plan::make(s, d, {ref_table, team}, size, rank);
        auto rr = plan.ranges(s, d, ref_table);
        auto received = s.read<std::int32_t>(d, ref_table, "ReferralRequestReceivedDate", rr);
        auto prov = plan.provider_of_rows(s, d, ref_table);
        auto teams = s.children(d, ref_table, team, rr);
        auto team_type = s.read<std::uint16_t>(d, team, "ServTeamTypeRefToMH", teams.ranges);
        std::vector<bool> is_eip;
        for (const auto& code : s.dictionary(d, team, "ServTeamTypeRefToMH")) is_eip.push_back(ref.eip_team_types.count(code) > 0);
        auto local = reduce::parallel_fold<EipAcc>(
            received.size(),
            [&](EipAcc& acc, std::size_t i) {
                bool eip_team = false;
                for (auto j = teams.offsets[i]; j < teams.offsets[i + 1]; ++j)
                    eip_team = eip_team || is_eip[team_type[static_cast<std::size_t>(j)]];
                if (!eip_team || received[i] == kMissing) return;
                const int y = FinancialYear::of(received[i]).start_year - first_year;
                if (y < 0 || y >= nyears) return;
                acc.referrals[{static_cast<std::uint8_t>(y), prov[i]}].add();
            },
            256);
        eip = reduce::reduce_to_root(local, comm);
    }
    manifest.add_stage("eip referrals", clock.lap());
    if (rank != 0) return;

    // ---- finalize on rank 0: totals, categories and unit costs per ICB, region and England.
    const std::filesystem::path results =
        !o.results.empty() ? o.results : std::filesystem::absolute(o.out).lexically_normal().parent_path();
    std::optional<Hierarchy> h;
    if (have_mhsds) h = Hierarchy::build(s, d);
    constexpr Level kMhisLevels[] = {Level::Icb, Level::Region, Level::England};
    auto org_of = [&](Level level, const std::string& icb) -> std::string {
        if (level == Level::Icb) return icb;
        if (level == Level::Region) return region_of_icb.at(icb);
        return "ENG";
    };
    auto name_of = [&](Level level, const std::string& org) -> std::string {
        if (level == Level::Icb) return icb_name.count(org) ? icb_name.at(org) : "";
        if (level == Level::Region) return region_name.count(org) ? region_name.at(org) : "";
        return "England";
    };

    std::vector<report::Table> tables;
    for (Level level : kMhisLevels) {
        const std::string ln(level_name(level));
        report::Table t("mhis_totals_" + ln, "/mhis/totals_" + ln,
                        "Mental Health Investment Standard spend by " + ln +
                            " (SPEC section 7, seed 003), in pounds. Every ledger amount is in exactly one of "
                            "mhis_total, non_core, outside_mhis, excluded_development, excluded_covid, which add up "
                            "to ledger_total. Spend is not a count of people, so no disclosure control applies.");
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("org_code", "ICB or region code; ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_real("mhis_total", "MHIS: spend on the core categories from funding sources that count (not service "
                                 "development / transformation funding, not COVID-19 costs)", "GBP", 2);
        t.add_real("non_core", "Non-core mental health spend: categories 16 (prescribing) and 17 (continuing "
                               "healthcare), counted sources", "GBP", 2);
        t.add_real("mhis_and_non_core", "mhis_total + non_core", "GBP", 2);
        t.add_real("outside_mhis", "Categories outside the MHIS: 18a-c (learning disability and autism), 19 "
                                   "(dementia), ADHD and not applicable, counted sources", "GBP", 2);
        t.add_real("excluded_development", "Service development / transformation funding (any category), excluded",
                   "GBP", 2);
        t.add_real("excluded_covid", "COVID-19 costs (any category), excluded", "GBP", 2);
        t.add_real("ledger_total", "Every ledger amount of the organisation and year", "GBP", 2);
        t.add_int("ledger_rows", "Ledger rows added up (a count: below England 0-4 suppressed, others rounded to 5)", "rows");
        tables.push_back(std::move(t));

        report::Table c("mhis_categories_" + ln, "/mhis/categories_" + ln,
                        "MHIS ledger spend by category and funding source, per " + ln + ", in pounds.");
        c.add_text("financial_year", "Financial year, 1 April to 31 March");
        c.add_text("org_code", "ICB or region code; ENG for England");
        c.add_text("org_name", "Organisation name");
        c.add_text("category", "MHIS category of seed 003 (1, 2, 21, 3, ... 19, ADHD, not applicable)");
        c.add_text("category_name", "Category name");
        c.add_text("mhis_class", "core, non_core or outside (the MHIS)");
        c.add_text("funding_source", "Funding source as the ledger names it (reference spelling)");
        c.add_text("counted_as", "mhis, non_core, outside_mhis, excluded_development or excluded_covid: the totals "
                                 "column the amount is in");
        c.add_real("amount", "Spend", "GBP", 2);
        tables.push_back(std::move(c));

        report::Table u("mhis_unit_costs_" + ln, "/mhis/unit_costs_" + ln,
                        "Spend per unit of activity where an MHIS category maps to activity the other jobs measure, "
                        "per " + ln + ". The mapping is approximate (see caveat): use it to ask questions, not to "
                        "rank organisations.");
        u.add_text("financial_year", "Financial year, 1 April to 31 March");
        u.add_text("org_code", "ICB or region code; ENG for England");
        u.add_text("org_name", "Organisation name");
        u.add_text("category", "MHIS category");
        u.add_text("category_name", "Category name");
        u.add_text("activity", "tt_finished_courses, tt_attended_contacts, crisis_attended_contacts, eip_referrals, "
                               "inpatient_bed_days (docs/mhis.md)");
        u.add_text("activity_unit", "What one unit of activity is");
        u.add_real("spend", "The category's spend from counted funding sources (as in mhis_total / non_core)", "GBP", 2);
        u.add_int("activity_count", "Activity of the organisation's providers in the year; below England as the source "
                                    "job disclosed it (suppressed cells left out, counts rounded to 5)", "");
        u.add_real("unit_cost", "spend / activity_count, where the activity is available and positive", "GBP", 2);
        u.add_text("activity_source", "Where the activity comes from: a results file of another job (JOB/FILE) or "
                                      "store (counted by this job)");
        u.add_text("status", "available; partial (the source suppressed some of the cells summed, so activity is "
                             "understated); suppressed; or absent with the reason");
        u.add_text("caveat", "The approximation, stated with every figure");
        tables.push_back(std::move(u));
    }

    for (int y = 0; y < nyears; ++y) {
        const int year = first_year + y;
        const std::string fy = FinancialYear{year}.label();
        for (std::size_t li = 0; li < std::size(kMhisLevels); ++li) {
            const Level level = kMhisLevels[li];
            const bool england = level == Level::England;
            const std::string ln(level_name(level));
            // Every organisation of the level is listed, with zeros when the ledger has nothing.
            std::map<std::string, mhis::Totals> totals;
            std::map<std::string, std::map<std::pair<int, int>, std::int64_t>> by_category;  // (category, source)
            std::map<std::string, std::map<int, std::int64_t>> counted_spend;                // category → pence
            for (const auto& icb : icbs) totals[org_of(level, icb)];
            for (const auto& r : rows) {
                if (r.start_year != year) continue;
                const auto org = org_of(level, r.icb);
                totals[org].add(r, ref);
                by_category[org][{r.category, r.source}] += r.pence;
                if (ref.sources[static_cast<std::size_t>(r.source)].exclusion == mhis::Exclusion::None)
                    counted_spend[org][r.category] += r.pence;
            }
            auto& t = tables[3 * li];
            auto& c = tables[3 * li + 1];
            auto& u = tables[3 * li + 2];
            for (const auto& [org, tot] : totals) {
                t.push("financial_year", fy);
                t.push("org_code", org);
                t.push("org_name", name_of(level, org));
                t.push("mhis_total", pounds(tot.mhis));
                t.push("non_core", pounds(tot.non_core));
                t.push("mhis_and_non_core", pounds(tot.mhis + tot.non_core));
                t.push("outside_mhis", pounds(tot.outside));
                t.push("excluded_development", pounds(tot.excluded_development));
                t.push("excluded_covid", pounds(tot.excluded_covid));
                t.push("ledger_total", pounds(tot.ledger()));
                t.push("ledger_rows", stats::disclose_count(tot.rows, england));
                for (std::size_t ci = 0; ci < ref.categories.size(); ++ci)
                    for (std::size_t si = 0; si < ref.sources.size(); ++si) {
                        const auto& m = by_category[org];
                        auto it = m.find({static_cast<int>(ci), static_cast<int>(si)});
                        if (it == m.end()) continue;
                        mhis::LedgerRow probe;
                        probe.category = static_cast<int>(ci), probe.source = static_cast<int>(si);
                        static constexpr const char* kBucketNames[] = {"mhis", "non_core", "outside_mhis",
                                                                       "excluded_development", "excluded_covid"};
                        c.push("financial_year", fy);
                        c.push("org_code", org);
                        c.push("org_name", name_of(level, org));
                        c.push("category", ref.categories[ci].code);
                        c.push("category_name", ref.categories[ci].name);
                        c.push("mhis_class", std::string(mhis::class_name(ref.categories[ci].mhis_class)));
                        c.push("funding_source", ref.sources[si].name);
                        c.push("counted_as", kBucketNames[static_cast<int>(mhis::bucket_of(probe, ref))]);
                        c.push("amount", pounds(it->second));
                    }
            }

            // Activity per link, for this level and year.
            for (const auto& link : ref.links) {
                ActivityFigures f;
                if (link.activity == "tt_finished_courses")
                    f = sum_results_csv(results, "tt-averages", "tt_" + ln + ".csv", fy,
                                        {{"descriptor", "All"}, {"severity", "All"}}, "finished", manifest);
                else if (link.activity == "tt_attended_contacts")
                    f = sum_results_csv(results, "activity", "activity_" + ln + ".csv", fy,
                                        {{"dataset", "iapt"}, {"measure", "attended_contacts"}}, "value", manifest);
                else if (link.activity == "crisis_attended_contacts")
                    f = sum_results_csv(results, "mhnrg", "mhnrg_units_" + ln + ".csv", fy, {{"setting", "Crisis"}},
                                        "attended_contacts", manifest);
                else if (link.activity == "inpatient_bed_days")
                    f = sum_results_csv(results, "mhnrg", "mhnrg_units_" + ln + ".csv", fy, {{"setting", "Inpatient"}},
                                        "bed_days", manifest);
                else if (link.activity == "eip_referrals") {
                    f.source = "store";
                    if (!have_mhsds) {
                        f.reason = "absent: the store holds no MHSDS data";
                    } else {
                        f.available = true;
                        std::map<std::string, std::int64_t> exact;
                        for (const auto& [k, v] : eip.referrals.items)
                            if (k.year == static_cast<std::uint8_t>(y))
                                exact[h->code(level, static_cast<std::size_t>(k.provider))] += v.n;
                        for (const auto& [org, unused] : totals) {
                            const std::int64_t n = exact.count(org) ? exact.at(org) : 0;
                            const auto shown = stats::disclose_count(n, england);
                            if (shown) f.value[org] = *shown;
                            else f.suppressed.insert(org);
                        }
                    }
                } else {
                    throw ConfigError("reference data mhis_activity.csv: activity '" + link.activity +
                                      "' is not one the mhis job can measure");
                }
                const int ci = ref.category_index(link.category);
                for (const auto& [org, tot] : totals) {
                    const std::int64_t spend = counted_spend[org].count(ci) ? counted_spend[org].at(ci) : 0;
                    u.push("financial_year", fy);
                    u.push("org_code", org);
                    u.push("org_name", name_of(level, org));
                    u.push("category", link.category);
                    u.push("category_name", ref.categories[static_cast<std::size_t>(ci)].name);
                    u.push("activity", link.activity);
                    u.push("activity_unit", link.unit);
                    u.push("spend", pounds(spend));
                    std::optional<std::int64_t> count;
                    std::string status;
                    if (!f.available) {
                        status = f.reason;
                    } else if (f.suppressed.count(org)) {
                        status = "suppressed";
                    } else if (!f.value.count(org)) {
                        count = 0;
                        status = "available";
                    } else {
                        count = f.value.at(org);
                        status = f.partial.count(org) ? "partial" : "available";
                    }
                    u.push("activity_count", count);
                    if (count && *count > 0) u.push("unit_cost", pounds(spend) / static_cast<double>(*count));
                    else u.push("unit_cost", std::nullopt);
                    u.push("activity_source", f.source);
                    u.push("status", status);
                    u.push("caveat", kCaveat);
                }
            }
        }
    }
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "mhis", s, tables, manifest, size, threads, refset.version);
}

}  // namespace mhbench::jobs
