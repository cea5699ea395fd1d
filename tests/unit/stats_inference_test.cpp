// Statistics against a trusted reference: every value of tests/fixtures/tt_stats/
// reference_values.csv (computed with SciPy by make_reference_values.py beside it) must be
// matched to 1e-10 (relative to the value when it is larger than 1).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "stats/inference.hpp"
#include "stats/intervals.hpp"

using namespace mhbench;

namespace {

struct Row {
    std::string kind;
    double v[8];
    int line;
};

std::vector<Row> load() {
    std::ifstream in(std::string(MHBENCH_FIXTURES) + "/tt_stats/reference_values.csv");
    std::vector<Row> rows;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || line[0] == '#' || line.rfind("kind,", 0) == 0) continue;
        std::stringstream s(line);
        Row r{};
        r.line = n;
        std::getline(s, r.kind, ',');
        for (double& x : r.v) {
            std::string f;
            std::getline(s, f, ',');
            x = f.empty() ? NAN : std::stod(f);
        }
        rows.push_back(r);
    }
    return rows;
}

void near(double got, double want, const Row& r) {
    EXPECT_NEAR(got, want, 1e-10 * std::max(1.0, std::fabs(want))) << r.kind << " line " << r.line;
}

}  // namespace

TEST(StatsInference, matches_scipy_reference_values) {
    const auto rows = load();
    ASSERT_GT(rows.size(), 150u);
    int checked = 0;
    for (const Row& r : rows) {
        const double* v = r.v;
        if (r.kind == "normal_quantile") near(stats::normal_quantile(v[0]), v[6], r);
        else if (r.kind == "t_quantile") near(stats::t_quantile(v[0], v[1]), v[6], r);
        else if (r.kind == "t_two_sided_p") near(stats::t_two_sided_p(v[0], v[1]), v[6], r);
        else if (r.kind == "wilson") {
            const auto w = stats::wilson_interval(static_cast<std::int64_t>(v[0]), static_cast<std::int64_t>(v[1]));
            near(w.lo, v[6], r);
            near(w.hi, v[7], r);
        } else if (r.kind == "t_interval") {
            const auto iv = stats::t_interval(v[0], v[1], static_cast<std::int64_t>(v[2]));
            near(iv.lo, v[6], r);
            near(iv.hi, v[7], r);
        } else if (r.kind == "welch") {
            const auto t = stats::welch_t_test(static_cast<std::int64_t>(v[0]), v[1], v[2], static_cast<std::int64_t>(v[3]), v[4], v[5]);
            near(t.p, v[6], r);
            near(t.df, v[7], r);
        } else if (r.kind == "one_sample") {
            const auto t = stats::one_sample_t_test(static_cast<std::int64_t>(v[0]), v[1], v[2], v[3]);
            near(t.p, v[6], r);
            near(t.t, v[7], r);
        } else {
            ADD_FAILURE() << "unknown kind " << r.kind;
            continue;
        }
        ++checked;
    }
    EXPECT_EQ(checked, static_cast<int>(rows.size()));
}

TEST(StatsInference, undefined_tests_and_bad_arguments) {
    EXPECT_TRUE(std::isnan(stats::welch_t_test(1, 5, 1, 10, 5, 1).p));   // n < 2
    EXPECT_TRUE(std::isnan(stats::welch_t_test(5, 5, 0, 10, 6, 0).p));   // no variance at all
    EXPECT_TRUE(std::isnan(stats::one_sample_t_test(10, 5, 0, 4).p));    // sd 0
    EXPECT_TRUE(std::isnan(stats::t_interval(5, 1, 1).lo));              // n < 2
    const auto z = stats::t_interval(5, 0, 10);
    EXPECT_EQ(z.lo, 5.0);
    EXPECT_EQ(z.hi, 5.0);
    EXPECT_THROW(stats::normal_quantile(0), ConfigError);
    EXPECT_THROW(stats::t_quantile(0.5, 0), ConfigError);
    EXPECT_NEAR(stats::normal_quantile(0.975), stats::z95, 1e-15);
}

// Worked by hand: m = 5 tests, p sorted 0.01 0.02 0.03 0.04 0.20 -> p*m/rank = 0.05 0.05 0.05
// 0.05 0.20; step-up minimum from the largest keeps them. NaN entries are not tests.
TEST(StatsInference, benjamini_hochberg_by_hand) {
    const auto a = stats::benjamini_hochberg({0.04, 0.01, NAN, 0.20, 0.03, 0.02});
    const double want[] = {0.05, 0.05, NAN, 0.20, 0.05, 0.05};
    for (int i = 0; i < 6; ++i) {
        if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(a[static_cast<std::size_t>(i)]));
        else EXPECT_NEAR(a[static_cast<std::size_t>(i)], want[i], 1e-15) << i;
    }
    // p = 0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205 (m = 8):
    // raw p*m/i = 0.008, 0.032, 0.104, 0.082, 0.0672, 0.080, 0.0845714..., 0.205;
    // step-up minima = 0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.080, 0.0845714..., 0.205.
    const auto b = stats::benjamini_hochberg({0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205});
    const double wb[] = {0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.080, 0.074 * 8 / 7, 0.205};
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(b[static_cast<std::size_t>(i)], wb[i], 1e-15) << i;
    EXPECT_TRUE(stats::benjamini_hochberg({}).empty());
    EXPECT_THROW(stats::benjamini_hochberg({1.5}), ConfigError);
}
