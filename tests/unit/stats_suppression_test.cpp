#include <gtest/gtest.h>

#include <cmath>

#include "model/errors.hpp"
#include "stats/intervals.hpp"
#include "stats/suppression.hpp"

using namespace mhbench;
using namespace mhbench::stats;

TEST(StatsSuppression, SmallCountsSuppressedBelowEngland) {
    for (std::int64_t n = 0; n <= 4; ++n) EXPECT_EQ(disclose_count(n, false), std::nullopt) << n;
}

TEST(StatsSuppression, OthersRoundedToNearestFive) {
    const std::pair<std::int64_t, std::int64_t> cases[] = {{5, 5},   {6, 5},   {7, 5},   {8, 10},  {9, 10}, {10, 10},
                                                           {12, 10}, {13, 15}, {17, 15}, {18, 20}, {1002, 1000},
                                                           {1003, 1005}};
    for (auto [n, want] : cases) EXPECT_EQ(disclose_count(n, false), want) << n;
    // Matches the documented formula for the default rules.
    for (std::int64_t n = 5; n < 1000; ++n) EXPECT_EQ(disclose_count(n, false), ((n + 2) / 5) * 5) << n;
    EXPECT_EQ(disclose_count(INT64_MAX - 2, false), INT64_MAX - 2 - (INT64_MAX - 2) % 5);
}

TEST(StatsSuppression, EnglandIsExact) {
    for (std::int64_t n : {0, 1, 4, 7, 13, 123456789}) EXPECT_EQ(disclose_count(n, true), n);
}

TEST(StatsSuppression, ConfigurableRules) {
    DisclosureRules r{10, 10, 20};
    EXPECT_EQ(disclose_count(9, false, r), std::nullopt);
    EXPECT_EQ(disclose_count(14, false, r), 10);
    EXPECT_EQ(disclose_count(15, false, r), 20);  // halves up
    EXPECT_EQ(disclose_count(25, false, r), 30);
    EXPECT_FALSE(rate_disclosable(19, false, r));
    EXPECT_TRUE(rate_disclosable(20, false, r));
    EXPECT_THROW(disclose_count(10, false, DisclosureRules{5, 0, 5}), ConfigError);
    EXPECT_THROW(disclose_count(-1, false), ConfigError);
}

TEST(StatsSuppression, RatesNeedDenominatorOfFiveBelowEngland) {
    for (std::int64_t d = 0; d < 5; ++d) {
        EXPECT_FALSE(rate_disclosable(d, false)) << d;
        EXPECT_TRUE(rate_disclosable(d, true)) << d;
    }
    EXPECT_TRUE(rate_disclosable(5, false));
    EXPECT_TRUE(rate_disclosable(263, false));
}

TEST(StatsWilson, MatchesHighPrecisionReference) {
    // Reference limits computed independently with 50-digit arithmetic from the textbook form
    // (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959963984540054.
    struct Case {
        std::int64_t x, n;
        double lo, hi;
    };
    const Case cases[] = {
        {0, 10, 0.0, 0.27753279986288921464},
        {5, 10, 0.23659309051256399576, 0.76340690948743600424},
        {10, 10, 0.72246720013711078536, 1.0},
        {81, 263, 0.25528851987827423046, 0.36620957698280006443},
        {1, 1, 0.20654931437723741909, 1.0},
        {3, 7, 0.15821985525146970359, 0.74954163547234278389},
    };
    for (const auto& c : cases) {
        Interval iv = wilson_interval(c.x, c.n);
        EXPECT_NEAR(iv.lo, c.lo, 1e-12) << c.x << "/" << c.n;
        EXPECT_NEAR(iv.hi, c.hi, 1e-12) << c.x << "/" << c.n;
    }
    EXPECT_EQ(wilson_interval(0, 10).lo, 0.0);  // exact at the boundaries
    EXPECT_EQ(wilson_interval(10, 10).hi, 1.0);
}

TEST(StatsWilson, EdgeCases) {
    Interval iv = wilson_interval(0, 0);
    EXPECT_TRUE(std::isnan(iv.lo));
    EXPECT_TRUE(std::isnan(iv.hi));
    EXPECT_THROW(wilson_interval(11, 10), ConfigError);
    EXPECT_THROW(wilson_interval(-1, 10), ConfigError);
    EXPECT_THROW(wilson_interval(1, 10, 0.0), ConfigError);
    // Wider z, wider interval; symmetric about 1/2 for x = n/2.
    Interval a = wilson_interval(40, 100), b = wilson_interval(40, 100, 3.090232306167813);
    EXPECT_LT(b.lo, a.lo);
    EXPECT_GT(b.hi, a.hi);
    Interval s = wilson_interval(50, 100);
    EXPECT_NEAR(s.lo + s.hi, 1.0, 1e-15);
}
