#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/errors.hpp"
#include "partition/lpt.hpp"
#include "partition/plan.hpp"

namespace mp = mhbench::partition;
using RR = mp::RowRange;

namespace {
// Six units of 3, 0, 4, 3, 0 and 5 rows.
const std::vector<std::int64_t> kOffsets{0, 3, 3, 7, 10, 10, 15};
}  // namespace

TEST(PartitionPlan, MergesAdjacentUnits) {
    // Units 0..3 are contiguous rows [0, 10) even across the empty unit 1.
    EXPECT_EQ(mp::ranges_for(kOffsets, std::vector<int>{0, 1, 2, 3}), (std::vector<RR>{{0, 10}}));
    // Unit 4 is empty, so 3 and 5 touch.
    EXPECT_EQ(mp::ranges_for(kOffsets, std::vector<int>{3, 5}), (std::vector<RR>{{7, 8}}));
    EXPECT_EQ(mp::ranges_for(kOffsets, std::vector<int>{0, 2, 5}), (std::vector<RR>{{0, 7}, {10, 5}}));
}

TEST(PartitionPlan, KeepsGapsSeparate) {
    EXPECT_EQ(mp::ranges_for(kOffsets, std::vector<int>{0, 3}), (std::vector<RR>{{0, 3}, {7, 3}}));
}

TEST(PartitionPlan, OmitsEmptyUnits) {
    EXPECT_TRUE(mp::ranges_for(kOffsets, std::vector<int>{1, 4}).empty());
    EXPECT_TRUE(mp::ranges_for(kOffsets, std::vector<int>{}).empty());
    EXPECT_EQ(mp::ranges_for(kOffsets, std::vector<int>{1, 2}), (std::vector<RR>{{3, 4}}));
}

TEST(PartitionPlan, RejectsUnsortedRepeatedOrOutOfRangeUnits) {
    // Decision: units must be strictly ascending; sorting silently would hide a caller bug.
    EXPECT_THROW(mp::ranges_for(kOffsets, std::vector<int>{2, 0}), mhbench::ConfigError);
    EXPECT_THROW(mp::ranges_for(kOffsets, std::vector<int>{2, 2}), mhbench::ConfigError);
    EXPECT_THROW(mp::ranges_for(kOffsets, std::vector<int>{6}), mhbench::ConfigError);
    EXPECT_THROW(mp::ranges_for(kOffsets, std::vector<int>{-1}), mhbench::ConfigError);
    EXPECT_THROW(mp::ranges_for(std::vector<std::int64_t>{0, 5, 2}, std::vector<int>{1}), mhbench::ConfigError);
    EXPECT_THROW(mp::ranges_for(std::vector<std::int64_t>{}, std::vector<int>{0}), mhbench::ConfigError);
}

TEST(PartitionPlan, TotalRows) {
    EXPECT_EQ(mp::total_rows(std::vector<RR>{}), 0);
    EXPECT_EQ(mp::total_rows(std::vector<RR>{{0, 7}, {10, 5}}), 12);
}

TEST(PartitionPlan, UnitsOfIsAscending) {
    mp::Assignment a;
    a.rank_of = {1, 0, 1, 2, 1};
    a.load = {0, 0, 0, 0};
    EXPECT_EQ(mp::units_of(a, 1), (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(mp::units_of(a, 0), (std::vector<int>{1}));
    EXPECT_TRUE(mp::units_of(a, 3).empty());
}

TEST(PartitionPlan, RanksTogetherReadEveryRowOnce) {
    const std::vector<std::int64_t> w{7, 0, 5, 4, 3, 3, 0, 2, 9, 1};
    std::vector<std::int64_t> offsets{0};
    for (auto x : w) offsets.push_back(offsets.back() + x);
    for (int ranks = 1; ranks <= 12; ++ranks) {
        const auto a = mp::lpt_assign(w, ranks);
        std::vector<int> reads(offsets.back(), 0);
        for (int r = 0; r < ranks; ++r) {
            const auto ranges = mp::ranges_for(offsets, mp::units_of(a, r));
            EXPECT_EQ(mp::total_rows(ranges), a.load[r]);
            for (const auto& rr : ranges) {
                EXPECT_GT(rr.count, 0);
                for (auto i = rr.begin; i < rr.begin + rr.count; ++i) ++reads[i];
            }
        }
        EXPECT_TRUE(std::all_of(reads.begin(), reads.end(), [](int n) { return n == 1; })) << ranks;
    }
}
