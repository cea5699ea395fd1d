#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "partition/lpt.hpp"

namespace mp = mhbench::partition;

namespace {

// Columns 1 (finished courses) and 2 (referrals) of the real provider sizes fixture.
std::vector<std::int64_t> provider_sizes(int column) {
    std::ifstream in(std::string(MHBENCH_FIXTURES) + "/provider_sizes_2023-24.csv");
    EXPECT_TRUE(in) << "missing fixture provider_sizes_2023-24.csv";
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::int64_t> out;
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::string cell;
        for (int c = 0; c <= column; ++c) std::getline(row, cell, ',');
        out.push_back(std::stoll(cell));
    }
    return out;
}

// Each unit has exactly one valid rank and the loads are the sums of its units' weights.
void expect_consistent(const mp::Assignment& a, const std::vector<std::int64_t>& w, int ranks) {
    ASSERT_EQ(a.rank_of.size(), w.size());
    ASSERT_EQ(a.load.size(), static_cast<std::size_t>(ranks));
    std::vector<std::int64_t> load(ranks, 0);
    for (std::size_t u = 0; u < w.size(); ++u) {
        ASSERT_GE(a.rank_of[u], 0);
        ASSERT_LT(a.rank_of[u], ranks);
        load[a.rank_of[u]] += w[u];
    }
    EXPECT_EQ(a.load, load);
    EXPECT_LE(a.lower_bound, a.max_load());
}

}  // namespace

TEST(PartitionLpt, HandWorkedTwoRanks) {
    // 7→r0 (7,0); 5→r1 (7,5); 4→r1 (7,9); 3→r0 (10,9); 3→r1 (10,12); 2→r0 (12,12).
    const std::vector<std::int64_t> w{7, 5, 4, 3, 3, 2};
    const auto a = mp::lpt_assign(w, 2);
    EXPECT_EQ(a.rank_of, (std::vector<int>{0, 1, 1, 0, 1, 0}));
    EXPECT_EQ(a.load, (std::vector<std::int64_t>{12, 12}));
    EXPECT_EQ(a.max_load(), 12);
    EXPECT_EQ(a.lower_bound, 12);
}

TEST(PartitionLpt, TiesGoToLowerIndexThenLowerRank) {
    // Order u1, u2 (weight 2, lower index first), then u0, u3; equal loads pick the lower rank.
    const std::vector<std::int64_t> w{1, 2, 2, 1};
    const auto a = mp::lpt_assign(w, 2);
    EXPECT_EQ(a.rank_of, (std::vector<int>{0, 0, 1, 1}));
    EXPECT_EQ(a.load, (std::vector<std::int64_t>{3, 3}));
}

TEST(PartitionLpt, LowerBoundIsLargestOrCeilingOfMean) {
    EXPECT_EQ(mp::lpt_assign(std::vector<std::int64_t>{10, 1, 1}, 2).lower_bound, 10);
    EXPECT_EQ(mp::lpt_assign(std::vector<std::int64_t>{3, 3, 3, 2}, 2).lower_bound, 6);   // 11/2 → 6
    EXPECT_EQ(mp::lpt_assign(std::vector<std::int64_t>{3, 3, 3, 2}, 3).lower_bound, 4);   // 11/3 → 4
}

TEST(PartitionLpt, RealProviderSizesWithinFourThirdsOfLowerBound) {
    for (int column : {1, 2}) {
        const auto w = provider_sizes(column);
        ASSERT_GT(w.size(), 100u);
        const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
        ASSERT_GE(*hi, 100 * *lo) << "fixture should be very skewed";
        for (int ranks = 1; ranks <= 64; ++ranks) {
            const auto a = mp::lpt_assign(w, ranks);
            expect_consistent(a, w, ranks);
            // The requirement: max_load <= 4/3 * lower_bound. Stronger than Graham's
            // bound (which is relative to the optimum, itself >= lower_bound), so it checks
            // that the national skew is handled well, not just that LPT is LPT.
            EXPECT_LE(3 * a.max_load(), 4 * a.lower_bound) << "column " << column << ", ranks " << ranks;
        }
    }
}

TEST(PartitionLpt, GrahamWorstCaseWithinBound) {
    // 2m+1 jobs 2m-1,2m-1,2m-2,2m-2,...,m+1,m+1,m,m,m on m ranks: the optimum is 3m (triples
    // summing to 3m) and LPT reaches exactly (4/3 - 1/(3m)) * 3m = 4m - 1.
    for (int m = 1; m <= 20; ++m) {
        std::vector<std::int64_t> w;
        for (int k = 2 * m - 1; k >= m + 1; --k) w.insert(w.end(), {k, k});
        w.insert(w.end(), {m, m, m});
        ASSERT_EQ(w.size(), static_cast<std::size_t>(2 * m + 1));
        ASSERT_EQ(std::accumulate(w.begin(), w.end(), std::int64_t{0}), std::int64_t{3} * m * m);
        const auto a = mp::lpt_assign(w, m);
        expect_consistent(a, w, m);
        EXPECT_EQ(a.lower_bound, 3 * m);
        EXPECT_LE(a.max_load(), 4 * m - 1) << "m = " << m;
        EXPECT_EQ(a.max_load(), 4 * m - 1) << "m = " << m << ": the known worst case should be reached";
    }
}

TEST(PartitionLpt, Deterministic) {
    const auto w = provider_sizes(1);
    for (int ranks : {1, 3, 7, 16}) {
        const auto a = mp::lpt_assign(w, ranks), b = mp::lpt_assign(w, ranks);
        EXPECT_EQ(a.rank_of, b.rank_of);
        EXPECT_EQ(a.load, b.load);
        EXPECT_EQ(a.lower_bound, b.lower_bound);
    }
}

TEST(PartitionLpt, MoreRanksThanUnits) {
    const std::vector<std::int64_t> w{1, 5};
    const auto a = mp::lpt_assign(w, 4);
    EXPECT_EQ(a.rank_of, (std::vector<int>{1, 0}));
    EXPECT_EQ(a.load, (std::vector<std::int64_t>{5, 1, 0, 0}));
    EXPECT_EQ(a.max_load(), 5);
    EXPECT_EQ(a.lower_bound, 5);
}

TEST(PartitionLpt, ZeroWeightUnitsStillAssigned) {
    // u2 → r0; then u0, u1 (weight 0) both go to the idle r1.
    const std::vector<std::int64_t> w{0, 0, 4};
    const auto a = mp::lpt_assign(w, 2);
    EXPECT_EQ(a.rank_of, (std::vector<int>{1, 1, 0}));
    EXPECT_EQ(a.load, (std::vector<std::int64_t>{4, 0}));

    const std::vector<std::int64_t> zeros(5, 0);
    const auto z = mp::lpt_assign(zeros, 3);
    expect_consistent(z, zeros, 3);
    EXPECT_EQ(z.lower_bound, 0);
    EXPECT_EQ(z.max_load(), 0);
}

TEST(PartitionLpt, NoUnits) {
    const auto a = mp::lpt_assign(std::span<const std::int64_t>{}, 3);
    EXPECT_TRUE(a.rank_of.empty());
    EXPECT_EQ(a.load, (std::vector<std::int64_t>{0, 0, 0}));
    EXPECT_EQ(a.lower_bound, 0);
}

TEST(PartitionLpt, RejectsBadInput) {
    const std::vector<std::int64_t> w{1, 2};
    EXPECT_THROW(mp::lpt_assign(w, 0), mhbench::ConfigError);
    EXPECT_THROW(mp::lpt_assign(w, -1), mhbench::ConfigError);
    EXPECT_THROW(mp::lpt_assign(std::vector<std::int64_t>{1, -2}, 2), mhbench::ConfigError);
}
