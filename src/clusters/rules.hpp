#pragma once
// Legacy mental health care clusters (SPEC section 5, seed 001): the rules, free of MPI, HDF5
// and threads. Which cluster a referral is in during a financial year, whether it is open, and
// whether each cluster review came within the cluster's maximum review period. The clusters,
// super classes and periods come from reference data (clusters_*.csv); docs/clusters.md
// states the definitions.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"

namespace mhbench::clusters {

struct Cluster {
    std::string code;  ///< as reported ("0".."21")
    std::string name, super_class, max_review_label;
    int max_review_days = 0;
};

/// clusters_clusters.csv and clusters_parameters.csv.
struct ClusterReference {
    std::vector<Cluster> clusters;           ///< in code order
    std::vector<std::string> super_classes;  ///< in order of first appearance
    int last_start_year = 2022;              ///< the last financial year clusters were in use (later: no rows)

    /// From the reference file texts by name; ConfigError naming file, line and field when wrong.
    static ClusterReference parse(const std::map<std::string, std::string>& files);
    /// Index of a recorded cluster code ("3", "03", " 3") or -1 when not a used cluster code.
    int index_of(std::string_view code) const;
    int super_class_of(int cluster) const;  ///< index into super_classes
};

/// One MHS803 row: a cluster assigned from start to end (kMissing = still open).
struct ClusterPeriod {
    Day start = kMissing, end = kMissing;
    int cluster = -1;  ///< index into ClusterReference::clusters; -1 for an unknown or unused code
};

/// What the rules need of one referral: its dates, cluster tool assessments (MHS801
/// AssToolCompDate, any order, kMissing ignored) and cluster periods (MHS803).
struct ReferralClusters {
    Day received = kMissing, discharged = kMissing;
    std::vector<Day> assessments;
    std::vector<ClusterPeriod> periods;
};

/// One review counted in a year: the cluster the previous assessment was made under and whether
/// the review came in time.
struct Review {
    int cluster = -1;
    bool on_time = false;
};

/// A referral in one financial year.
struct YearOutcome {
    bool open = false;       ///< received by the year end and not discharged before it starts
    bool clustered = false;  ///< open, and a cluster period (valid code or not) overlaps its time open in the year
    int cluster = -1;        ///< the current cluster when clustered (-1 for an unknown or unused code)
    std::vector<Review> reviews;        ///< reviews counted in the year (assessments with a valid cluster)
    std::int64_t unassessable = 0;      ///< review intervals counted in the year with no valid cluster in force
};

/// The cluster in force on day d: among periods with start <= d and (end missing or end >= d),
/// the latest start, then the latest end (open = latest), then the highest code index.
/// Returns the index into `periods`, or -1 when none.
int period_in_force(const std::vector<ClusterPeriod>& periods, Day d);

/// The outcome of one referral in financial year fy (docs/clusters.md):
/// - open and clustered as above; the current cluster is the period overlapping the referral's
///   time open in the year with the latest start (ties as period_in_force);
/// - reviews: the distinct assessment dates in order. Each assessment a made under a cluster with
///   maximum review period P (the cluster in force on day a) starts a review interval:
///   * if a later assessment b exists, the interval is counted in the year containing b and is on
///     time when b - a <= P (exactly P days adheres; P + 1 does not);
///   * otherwise, if the referral is still open and a cluster still in force on day a + P + 1, the
///     review was missed: counted, not on time, in the year containing a + P + 1;
///   * otherwise no review fell due (discharged or cluster ended within the period).
YearOutcome evaluate(const ReferralClusters& r, FinancialYear fy, const ClusterReference& ref);

}  // namespace mhbench::clusters
