// Legacy care cluster rules (SPEC section 5) on hand-made referrals, with the built-in reference
// data: review adherence at exactly each maximum review period and one day over, missed reviews,
// the current cluster and super classes.
#include <gtest/gtest.h>

#include "clusters/rules.hpp"
#include "model/errors.hpp"
#include "reference/reference.hpp"

using namespace mhbench;
using namespace mhbench::clusters;

namespace {

const ClusterReference& ref() {
    static const ClusterReference r = ClusterReference::parse(reference::Reference::built_in().files);
    return r;
}
Day day(int y, unsigned m, unsigned d) { return days_from_civil(y, m, d); }
int idx(const char* code) { return ref().index_of(code); }

/// A referral clustered in `code` from `a` with assessments at a and b, discharged at b (so the
/// review after b never falls due).
ReferralClusters two_assessments(const char* code, Day a, Day b) {
    ReferralClusters r;
    r.received = day(2020, 1, 1);
    r.discharged = b;
    r.assessments = {b, a};  // any order
    r.periods = {{a, kMissing, idx(code)}};
    return r;
}

}  // namespace

TEST(ClustersReference, TwentyOneClustersAndTheirPeriods) {
    EXPECT_EQ(ref().clusters.size(), 21u);
    EXPECT_EQ(idx("9"), -1);  // under review, not used
    EXPECT_EQ(idx("22"), -1);
    EXPECT_EQ(idx("x"), -1);
    EXPECT_EQ(idx(""), -1);
    EXPECT_EQ(idx("03"), idx("3"));
    const std::map<std::string, int> days = {{"0", 182}, {"1", 84},   {"2", 105},  {"3", 182},  {"6", 182},
                                             {"7", 365}, {"8", 365},  {"10", 365}, {"13", 365}, {"14", 28},
                                             {"15", 28}, {"16", 182}, {"17", 182}, {"18", 365}, {"19", 182},
                                             {"21", 182}};
    for (const auto& [code, d] : days) EXPECT_EQ(ref().clusters[static_cast<std::size_t>(idx(code.c_str()))].max_review_days, d) << code;
    EXPECT_EQ(ref().super_classes, (std::vector<std::string>{"Non-psychotic", "Psychotic", "Organic"}));
    EXPECT_EQ(ref().super_class_of(idx("0")), 0);
    EXPECT_EQ(ref().super_class_of(idx("8")), 0);
    EXPECT_EQ(ref().super_class_of(idx("10")), 1);
    EXPECT_EQ(ref().super_class_of(idx("17")), 1);
    EXPECT_EQ(ref().super_class_of(idx("18")), 2);
    EXPECT_EQ(ref().super_class_of(idx("21")), 2);
    EXPECT_EQ(ref().last_start_year, 2022);
}

TEST(ClustersReference, BadPeriodNamesFileLineAndField) {
    auto files = reference::Reference::built_in().files;
    auto& text = files.at("clusters_clusters.csv");
    const auto at = text.find("1,Common mental health problems (low severity),Non-psychotic,84,");
    ASSERT_NE(at, std::string::npos);
    text.replace(text.find(",84,", at), 4, ",x84,");
    try {
        ClusterReference::parse(files);
        FAIL() << "accepted a non-numeric review period";
    } catch (const ConfigError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("clusters_clusters.csv line"), std::string::npos) << m;
        EXPECT_NE(m.find("max_review_days"), std::string::npos) << m;
    }
}

// For every distinct maximum review period: exactly the period adheres, one day over does not.
TEST(ClustersReview, ExactlyThePeriodAdheresOneDayOverDoesNot) {
    const std::pair<const char*, int> cases[] = {{"1", 84}, {"2", 105}, {"14", 28}, {"15", 28}, {"3", 182},
                                                 {"0", 182}, {"7", 365}, {"12", 365}, {"18", 365}, {"21", 182}};
    const Day a = day(2021, 6, 1);
    for (const auto& [code, period] : cases) {
        for (int extra : {0, 1}) {
            const Day b = a + period + extra;
            const auto out = evaluate(two_assessments(code, a, b), FinancialYear::of(b), ref());
            ASSERT_EQ(out.reviews.size(), 1u) << code;
            EXPECT_EQ(out.reviews[0].cluster, idx(code));
            EXPECT_EQ(out.reviews[0].on_time, extra == 0) << "cluster " << code << " interval " << period + extra;
            // Counted in the year of the later assessment only.
            if (FinancialYear::of(a).start_year != FinancialYear::of(b).start_year)
                EXPECT_TRUE(evaluate(two_assessments(code, a, b), FinancialYear::of(a), ref()).reviews.empty());
        }
    }
}

// The review of the last assessment is missed when the referral and a cluster are still open the
// day after the period ends; discharge on the last day of the period means no review fell due.
TEST(ClustersReview, MissedReviewCountedWhenOverdue) {
    const Day a = day(2022, 5, 2);  // cluster 1: 84 days, overdue from a + 85 (2022-07-26)
    ReferralClusters r;
    r.received = day(2022, 4, 20);
    r.assessments = {a};
    r.periods = {{a, kMissing, idx("1")}};
    const FinancialYear fy{2022};
    auto out = evaluate(r, fy, ref());
    ASSERT_EQ(out.reviews.size(), 1u);
    EXPECT_FALSE(out.reviews[0].on_time);

    r.discharged = a + 84;  // discharged on the last day of the period
    EXPECT_TRUE(evaluate(r, fy, ref()).reviews.empty());
    r.discharged = a + 85;
    EXPECT_EQ(evaluate(r, fy, ref()).reviews.size(), 1u);

    r.discharged = kMissing;  // cluster ended within the period: no review due
    r.periods[0].end = a + 84;
    EXPECT_TRUE(evaluate(r, fy, ref()).reviews.empty());

    // An assessment with no valid cluster in force: the interval cannot be judged.
    ReferralClusters u = two_assessments("9", a, a + 10);
    out = evaluate(u, fy, ref());
    EXPECT_TRUE(out.reviews.empty());
    EXPECT_EQ(out.unassessable, 1);
}

// Three assessments: on time (84 days), late (85 days), then missed at the end of the year.
TEST(ClustersReview, SequenceOfReviews) {
    const Day a = day(2022, 4, 5);
    ReferralClusters r;
    r.received = day(2022, 4, 1);
    r.assessments = {a, a + 84, a + 84, a + 84 + 85};  // a duplicate date counts once
    r.periods = {{a, kMissing, idx("1")}};
    const auto out = evaluate(r, FinancialYear{2022}, ref());
    ASSERT_EQ(out.reviews.size(), 3u);  // the third's deadline a + 253 + 85 = 2023-03-15 is in 2022-23
    EXPECT_TRUE(out.reviews[0].on_time);
    EXPECT_FALSE(out.reviews[1].on_time);
    EXPECT_FALSE(out.reviews[2].on_time);
}

TEST(ClustersCaseload, CurrentClusterAndOpenReferrals) {
    const FinancialYear fy{2022};
    ReferralClusters r;
    r.received = day(2021, 1, 1);
    // Re-clustered from 4 to 14 during the year, and 21 after the year: 14 is current.
    r.periods = {{day(2021, 2, 1), day(2022, 9, 1), idx("4")},
                 {day(2022, 9, 1), kMissing, idx("14")},
                 {day(2023, 4, 2), kMissing, idx("21")}};
    auto out = evaluate(r, fy, ref());
    EXPECT_TRUE(out.open);
    EXPECT_TRUE(out.clustered);
    EXPECT_EQ(out.cluster, idx("14"));
    EXPECT_EQ(ref().super_class_of(out.cluster), 1);

    // Discharged before the re-clustering: still 4 (the period overlapping its time open).
    r.discharged = day(2022, 8, 31);
    out = evaluate(r, fy, ref());
    EXPECT_EQ(out.cluster, idx("4"));

    // Discharged before the year: not open, not counted.
    r.discharged = day(2022, 3, 31);
    out = evaluate(r, fy, ref());
    EXPECT_FALSE(out.open);
    EXPECT_FALSE(out.clustered);

    // Open, with a cluster that ended before the year: open but not clustered.
    ReferralClusters old;
    old.received = day(2020, 1, 1);
    old.periods = {{day(2020, 2, 1), day(2022, 3, 31), idx("3")}};
    out = evaluate(old, fy, ref());
    EXPECT_TRUE(out.open);
    EXPECT_FALSE(out.clustered);

    // An unused code (9) is clustered, as Invalid/Unknown.
    old.periods = {{day(2022, 4, 1), kMissing, idx("9")}};
    out = evaluate(old, fy, ref());
    EXPECT_TRUE(out.clustered);
    EXPECT_EQ(out.cluster, -1);

    // Received after the year ends: not open.
    ReferralClusters later;
    later.received = day(2023, 4, 1);
    EXPECT_FALSE(evaluate(later, fy, ref()).open);
}
