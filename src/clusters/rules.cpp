#include "clusters/rules.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::clusters {

namespace {

using Csv = reference::CsvFile;
using reference::read_csv;

/// A plain non-negative integer with optional surrounding spaces; -1 otherwise.
int parse_code(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty() || s.size() > 6) return -1;
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0) return -1;
    return v;
}

/// Whether period a wins over period b as "current" (both already known to qualify).
bool later(const ClusterPeriod& a, const ClusterPeriod& b) {
    if (a.start != b.start) return a.start > b.start;
    const bool a_open = a.end == kMissing, b_open = b.end == kMissing;
    if (a_open != b_open) return a_open;
    if (a.end != b.end) return a.end > b.end;
    return a.cluster > b.cluster;
}

}  // namespace

ClusterReference ClusterReference::parse(const std::map<std::string, std::string>& files) {
    ClusterReference r;
    {
        Csv c = read_csv(files, "clusters_clusters.csv");
        const auto code = c.col("cluster"), name = c.col("name"), sc = c.col("super_class"),
                   days = c.col("max_review_days"), label = c.col("max_review_label");
        std::set<int> seen;
        int previous = -1;
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const auto& row = c.rows[i];
            const int v = parse_code(row[code]);
            if (v < 0) c.fail(i, "cluster", "not a cluster code: '" + row[code] + "'");
            if (v <= previous) c.fail(i, "cluster", "codes must be unique and ascending");
            previous = v;
            const int d = parse_code(row[days]);
            if (d <= 0) c.fail(i, "max_review_days", "not a positive number of days: '" + row[days] + "'");
            if (row[sc].empty()) c.fail(i, "super_class", "empty");
            r.clusters.push_back({std::to_string(v), row[name], row[sc], row[label], d});
            if (std::find(r.super_classes.begin(), r.super_classes.end(), row[sc]) == r.super_classes.end())
                r.super_classes.push_back(row[sc]);
        }
        if (r.clusters.empty()) throw ConfigError("reference data clusters_clusters.csv: no clusters");
    }
    {
        Csv c = read_csv(files, "clusters_parameters.csv");
        const auto name = c.col("name"), value = c.col("value");
        bool last = false;
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            if (c.rows[i][name] != "last_financial_year") c.fail(i, "name", "unknown parameter '" + c.rows[i][name] + "'");
            try {
                r.last_start_year = FinancialYear::parse(c.rows[i][value]).start_year;
            } catch (const Error&) {
                c.fail(i, "value", "not a financial year like 2022-23: '" + c.rows[i][value] + "'");
            }
            last = true;
        }
        if (!last) throw ConfigError("reference data clusters_parameters.csv: no last_financial_year");
    }
    return r;
}

int ClusterReference::index_of(std::string_view code) const {
    const int v = parse_code(code);
    if (v < 0) return -1;
    const std::string s = std::to_string(v);
    for (std::size_t i = 0; i < clusters.size(); ++i)
        if (clusters[i].code == s) return static_cast<int>(i);
    return -1;
}

int ClusterReference::super_class_of(int cluster) const {
    const auto& sc = clusters.at(static_cast<std::size_t>(cluster)).super_class;
    return static_cast<int>(std::find(super_classes.begin(), super_classes.end(), sc) - super_classes.begin());
}

int period_in_force(const std::vector<ClusterPeriod>& periods, Day d) {
    int best = -1;
    for (std::size_t i = 0; i < periods.size(); ++i) {
        const auto& p = periods[i];
        if (p.start == kMissing || p.start > d || (p.end != kMissing && p.end < d)) continue;
        if (best < 0 || later(p, periods[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
    }
    return best;
}

YearOutcome evaluate(const ReferralClusters& r, FinancialYear fy, const ClusterReference& ref) {
    YearOutcome out;
    const Day ys = fy.first_day(), ye = fy.last_day();
    out.open = r.received != kMissing && r.received <= ye && (r.discharged == kMissing || r.discharged >= ys);
    if (out.open) {
        const Day lo = std::max(ys, r.received), hi = r.discharged == kMissing ? ye : std::min(ye, r.discharged);
        int best = -1;
        for (std::size_t i = 0; i < r.periods.size(); ++i) {
            const auto& p = r.periods[i];
            if (p.start == kMissing || p.start > hi || (p.end != kMissing && p.end < lo)) continue;
            if (best < 0 || later(p, r.periods[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
        }
        if (best >= 0) {
            out.clustered = true;
            out.cluster = r.periods[static_cast<std::size_t>(best)].cluster;
        }
    }

    std::vector<Day> a;
    for (Day d : r.assessments)
        if (d != kMissing) a.push_back(d);
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const int pi = period_in_force(r.periods, a[i]);
        const int cluster = pi < 0 ? -1 : r.periods[static_cast<std::size_t>(pi)].cluster;
        if (i + 1 < a.size()) {
            if (!fy.contains(a[i + 1])) continue;
            if (cluster < 0) {
                ++out.unassessable;
                continue;
            }
            const int period = ref.clusters[static_cast<std::size_t>(cluster)].max_review_days;
            out.reviews.push_back({cluster, a[i + 1] - a[i] <= period});
            continue;
        }
        // The last assessment: a review is missed when the referral and a cluster are still open
        // the day after the period ends.
        if (cluster < 0) continue;
        const Day overdue = a[i] + ref.clusters[static_cast<std::size_t>(cluster)].max_review_days + 1;
        if (!fy.contains(overdue)) continue;
        if (r.discharged != kMissing && r.discharged < overdue) continue;
        if (period_in_force(r.periods, overdue) < 0) continue;
        out.reviews.push_back({cluster, false});
    }
    return out;
}

}  // namespace mhbench::clusters
