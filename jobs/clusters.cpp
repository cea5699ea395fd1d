#include "jobs/clusters.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "clusters/rules.hpp"
#include "jobs/pipeline.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "reference/reference.hpp"
#include "report/progress.hpp"
#include "stats/intervals.hpp"
#include "stats/suppression.hpp"

namespace mhbench::jobs {

namespace {

enum Measure : std::uint8_t { Open, Clustered, Caseload, Reviews, OnTime, Unassessable };

struct CountKey {
    std::uint8_t year, measure;
    std::int32_t provider;
    std::int16_t cluster;  // cluster index; -1 for an unknown or unused code; -2 where not by cluster
    auto operator<=>(const CountKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & year & measure & provider & cluster; }
};

struct ClustersAcc {
    reduce::KeyedMap<CountKey, reduce::Count> counts;
    void merge(const ClustersAcc& o) { counts.merge(o.counts); }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & counts; }
};

constexpr std::int16_t kNotByCluster = -2;
const char* const kInvalid = "Invalid/Unknown";

/// A proportion and its Wilson interval, shown where the denominator allows (SPEC section 9).
struct Rate {
    std::optional<double> rate, lo, hi;
};
Rate rate_of(std::int64_t num, std::int64_t den, bool england) {
    if (den <= 0 || !stats::rate_disclosable(den, england)) return {};
    const auto ci = stats::wilson_interval(num, den);
    return {static_cast<double>(num) / static_cast<double>(den), ci.lo, ci.hi};
}

}  // namespace

void run_clusters(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    const int rank = ctx.rank, size = ctx.size, threads = ctx.threads;

    Stopwatch clock;
    report::Manifest manifest;
    const reference::Reference refset = reference_set(o);
    const clusters::ClusterReference ref = clusters::ClusterReference::parse(refset.files);
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const Dataset d = Dataset::Mhsds;
    if (!s.has(d)) throw ConfigError("clusters: the store " + o.store.string() + " holds no MHSDS data");
    // Clusters ended when MHNRGs came in: years after the last one get no rows (not an error, so
    // that a pipeline running every job for a current year still completes), and the run says so.
    const int first_year = o.years.first.start_year;
    const int nyears = std::max(0, std::min(o.years.last.start_year, ref.last_start_year) - first_year + 1);
    if (o.years.last.start_year > ref.last_start_year) {
        const std::string note = "care clusters were last used in " + FinancialYear{ref.last_start_year}.label() +
                                 " (MHNRGs replace them): no rows for later years";
        manifest.set("note", note);
        if (rank == 0) std::fprintf(stderr, "clusters: %s\n", note.c_str());
    }

    // ---- read this rank's providers: referrals, their cluster tool assessments and clusters.
    const std::string ref_table = referral_table(d).name, tool = "MHS801ClusterTool", care = "MHS803CareCluster";
    Plan plan = Plan::make(s, d, {ref_table, tool, care}, size, rank);
    auto rr = plan.ranges(s, d, ref_table);
    auto received = s.read<std::int32_t>(d, ref_table, "ReferralRequestReceivedDate", rr);
    auto discharged = s.read<std::int32_t>(d, ref_table, "ServDischDate", rr);
    auto prov = plan.provider_of_rows(s, d, ref_table);
    auto tools = s.children(d, ref_table, tool, rr);
    auto tool_date = s.read<std::int32_t>(d, tool, "AssToolCompDate", tools.ranges);
    auto cares = s.children(d, ref_table, care, rr);
    auto care_code = s.read<std::uint16_t>(d, care, "AMHCareClustCodeFin", cares.ranges);
    auto care_start = s.read<std::int32_t>(d, care, "StartDateCareClust", cares.ranges);
    auto care_end = s.read<std::int32_t>(d, care, "EndDateCareClust", cares.ranges);
    // Dictionary code → cluster index, once.
    std::vector<int> cluster_of_code;
    for (const auto& code : s.dictionary(d, care, "AMHCareClustCodeFin")) cluster_of_code.push_back(ref.index_of(code));
    manifest.add_stage("read", clock.lap());

    report::Progress progress("clusters group", static_cast<std::int64_t>(received.size()), rank == 0);
    auto local = reduce::parallel_fold<ClustersAcc>(
        received.size(),
        [&](ClustersAcc& acc, std::size_t i) {
            if ((i & 4095) == 4095) progress.add(4096);  // every index is visited once
            clusters::ReferralClusters r;
            r.received = received[i];
            r.discharged = discharged[i];
            for (auto j = tools.offsets[i]; j < tools.offsets[i + 1]; ++j)
                r.assessments.push_back(tool_date[static_cast<std::size_t>(j)]);
            for (auto j = cares.offsets[i]; j < cares.offsets[i + 1]; ++j) {
                const auto uj = static_cast<std::size_t>(j);
                r.periods.push_back({care_start[uj], care_end[uj], cluster_of_code[care_code[uj]]});
            }
            const std::int32_t p = prov[i];
            for (int y = 0; y < nyears; ++y) {
                const auto yy = static_cast<std::uint8_t>(y);
                const auto out = clusters::evaluate(r, FinancialYear{first_year + y}, ref);
                if (out.open) acc.counts[{yy, Open, p, kNotByCluster}].add();
                if (out.clustered) {
                    acc.counts[{yy, Clustered, p, kNotByCluster}].add();
                    acc.counts[{yy, Caseload, p, static_cast<std::int16_t>(out.cluster)}].add();
                }
                for (const auto& rv : out.reviews) {
                    acc.counts[{yy, Reviews, p, static_cast<std::int16_t>(rv.cluster)}].add();
                    if (rv.on_time) acc.counts[{yy, OnTime, p, static_cast<std::int16_t>(rv.cluster)}].add();
                }
                if (out.unassessable) acc.counts[{yy, Unassessable, p, kNotByCluster}].add(out.unassessable);
            }
        },
        256);
    progress.add(static_cast<std::int64_t>(received.size() % 4096));
    progress.finish();
    manifest.add_stage("group", clock.lap());
    ClustersAcc total = reduce::reduce_to_root(local, comm);
    manifest.add_stage("reduce", clock.lap());
    if (rank != 0) return;

    // ---- finalize: roll providers up to ICB, region and England; disclosure control below England.
    Hierarchy h = Hierarchy::build(s, d);
    const auto P = h.provider_code.size();
    const auto C = static_cast<int>(ref.clusters.size());
    std::vector<report::Table> tables;
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        const bool england = level == Level::England;
        const std::string disclosure = england ? "" : " Counts 0-4 are suppressed (empty) and others rounded to the nearest 5; "
                                                      "rates are computed from unrounded counts and shown only where the "
                                                      "denominator is at least 5.";
        report::Table t("clusters_caseload_" + ln, "/clusters/caseload_" + ln,
                        "Legacy care clusters by " + ln + " organisation: caseload and review adherence by cluster, "
                        "super class total (cluster All) and overall (super class All). Definitions in docs/clusters.md." +
                            disclosure);
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("org_code", "Organisation code (ODS provider, ICB or region code); ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("super_class", "Non-psychotic (clusters 0-8), Psychotic (10-17), Organic (18-21), Invalid/Unknown "
                                  "(a code that is not a used cluster, including 9), All");
        t.add_text("cluster", "Care cluster code (MHS803 AMHCareClustCodeFin), Invalid/Unknown, or All");
        t.add_text("cluster_name", "Cluster name (NHS Data Dictionary)");
        t.add_int("max_review_days", "The cluster's maximum review period in days (empty for totals)", "days");
        t.add_int("caseload", "Referrals open in the year whose current cluster (the cluster period overlapping the "
                              "referral's time open in the year with the latest start) is this one", "referrals");
        t.add_int("reviews", "Review intervals counted in the year: assessment to the next cluster tool assessment "
                             "(counted in the year of the next), or a review missed while the referral and a cluster "
                             "stayed open (counted in the year it became overdue); by the cluster of the earlier "
                             "assessment", "reviews");
        t.add_int("reviews_on_time", "Reviews whose interval was at most the maximum review period (exactly the period "
                                     "adheres)", "reviews");
        t.add_real("adherence", "reviews_on_time / reviews", "proportion", 4);
        t.add_real("adherence_lo", "Wilson 95% interval, lower limit", "proportion", 4);
        t.add_real("adherence_hi", "Wilson 95% interval, upper limit", "proportion", 4);
        tables.push_back(std::move(t));
        report::Table u("clusters_summary_" + ln, "/clusters/summary_" + ln,
                        "Legacy care clusters by " + ln + " organisation: share of open referrals clustered and overall "
                        "review adherence. Definitions in docs/clusters.md." + disclosure);
        u.add_text("financial_year", "Financial year, 1 April to 31 March");
        u.add_text("org_code", "Organisation code (ODS provider, ICB or region code); ENG for England");
        u.add_text("org_name", "Organisation name");
        u.add_int("open_referrals", "MHSDS referrals open at some time in the year (received by its end, not discharged "
                                    "before its start), all ages and services", "referrals");
        u.add_int("clustered_referrals", "Open referrals with a cluster period (any code) overlapping their time open "
                                         "in the year", "referrals");
        u.add_real("share_clustered", "clustered_referrals / open_referrals", "proportion", 4);
        u.add_real("share_clustered_lo", "Wilson 95% interval, lower limit", "proportion", 4);
        u.add_real("share_clustered_hi", "Wilson 95% interval, upper limit", "proportion", 4);
        u.add_int("reviews", "Review intervals counted in the year, every valid cluster", "reviews");
        u.add_int("reviews_on_time", "Reviews within the cluster's maximum review period", "reviews");
        u.add_real("adherence", "reviews_on_time / reviews", "proportion", 4);
        u.add_real("adherence_lo", "Wilson 95% interval, lower limit", "proportion", 4);
        u.add_real("adherence_hi", "Wilson 95% interval, upper limit", "proportion", 4);
        u.add_int("reviews_unassessable", "Intervals between assessments counted in the year with no valid cluster in "
                                          "force at the earlier assessment (not in reviews)", "reviews");
        tables.push_back(std::move(u));
    }

    for (int y = 0; y < nyears; ++y) {
        const auto yy = static_cast<std::uint8_t>(y);
        const std::string fy = FinancialYear{first_year + y}.label();
        for (std::size_t li = 0; li < std::size(kLevels); ++li) {
            const Level level = kLevels[li];
            const bool england = level == Level::England;
            // org → (measure, cluster) → count; every organisation listed even when empty.
            std::map<std::string, std::map<std::pair<std::uint8_t, std::int16_t>, std::int64_t>> counts;
            for (std::size_t p = 0; p < P; ++p) counts[h.code(level, p)];
            for (const auto& [k, v] : total.counts.items)
                if (k.year == yy) counts[h.code(level, static_cast<std::size_t>(k.provider))][{k.measure, k.cluster}] += v.n;
            auto& t = tables[2 * li];
            auto& u = tables[2 * li + 1];
            for (auto& [org, by] : counts) {
                auto get = [&](std::uint8_t m, std::int16_t c) {
                    auto it = by.find({m, c});
                    return it == by.end() ? std::int64_t{0} : it->second;
                };
                const std::string name = h.names.count(org) ? h.names.at(org) : "";
                auto row = [&](const std::string& sc, const std::string& cl, const std::string& cname,
                               std::optional<std::int64_t> days, std::int64_t caseload, std::int64_t reviews,
                               std::int64_t on_time) {
                    t.push("financial_year", fy);
                    t.push("org_code", org);
                    t.push("org_name", name);
                    t.push("super_class", sc);
                    t.push("cluster", cl);
                    t.push("cluster_name", cname);
                    t.push("max_review_days", days);
                    t.push("caseload", stats::disclose_count(caseload, england));
                    t.push("reviews", stats::disclose_count(reviews, england));
                    t.push("reviews_on_time", stats::disclose_count(on_time, england));
                    const Rate r = rate_of(on_time, reviews, england);
                    t.push("adherence", r.rate);
                    t.push("adherence_lo", r.lo);
                    t.push("adherence_hi", r.hi);
                };
                std::int64_t all_caseload = 0, all_reviews = 0, all_on_time = 0;
                for (std::size_t sc = 0; sc < ref.super_classes.size(); ++sc) {
                    std::int64_t sc_caseload = 0, sc_reviews = 0, sc_on_time = 0;
                    for (int c = 0; c < C; ++c) {
                        if (ref.super_class_of(c) != static_cast<int>(sc)) continue;
                        const auto& cl = ref.clusters[static_cast<std::size_t>(c)];
                        const auto c16 = static_cast<std::int16_t>(c);
                        const auto n = get(Caseload, c16), rv = get(Reviews, c16), ot = get(OnTime, c16);
                        row(cl.super_class, cl.code, cl.name, cl.max_review_days, n, rv, ot);
                        sc_caseload += n, sc_reviews += rv, sc_on_time += ot;
                    }
                    row(ref.super_classes[sc], "All", "", std::nullopt, sc_caseload, sc_reviews, sc_on_time);
                    all_caseload += sc_caseload, all_reviews += sc_reviews, all_on_time += sc_on_time;
                }
                const auto invalid = get(Caseload, -1);
                row(kInvalid, kInvalid, "", std::nullopt, invalid, 0, 0);
                row("All", "All", "", std::nullopt, all_caseload + invalid, all_reviews, all_on_time);

                const auto open = get(Open, kNotByCluster), clustered = get(Clustered, kNotByCluster);
                u.push("financial_year", fy);
                u.push("org_code", org);
                u.push("org_name", name);
                u.push("open_referrals", stats::disclose_count(open, england));
                u.push("clustered_referrals", stats::disclose_count(clustered, england));
                const Rate share = rate_of(clustered, open, england);
                u.push("share_clustered", share.rate);
                u.push("share_clustered_lo", share.lo);
                u.push("share_clustered_hi", share.hi);
                u.push("reviews", stats::disclose_count(all_reviews, england));
                u.push("reviews_on_time", stats::disclose_count(all_on_time, england));
                const Rate adh = rate_of(all_on_time, all_reviews, england);
                u.push("adherence", adh.rate);
                u.push("adherence_lo", adh.lo);
                u.push("adherence_hi", adh.hi);
                u.push("reviews_unassessable", stats::disclose_count(get(Unassessable, kNotByCluster), england));
            }
        }
    }
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "clusters", s, tables, manifest, size, threads, refset.version);
}

}  // namespace mhbench::jobs
