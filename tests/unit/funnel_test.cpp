// Funnel limits and over-dispersion (src/stats/funnel): values worked by hand, and values from an
// independent SciPy implementation of Spiegelhalter (2005) / FunnelPlotR on a small fixture
// (tests/fixtures/funnel_small, make_reference_values.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "stats/funnel.hpp"

using namespace mhbench;
using namespace mhbench::stats;

namespace {

struct RefRow {
    std::string kind;
    double a, b, c, expected;
};

double cell(const std::string& s) { return s.empty() ? NAN : std::stod(s); }

std::vector<RefRow> reference_rows() {
    std::ifstream f(std::string(MHBENCH_FIXTURES) + "/funnel_small/reference_values.csv");
    EXPECT_TRUE(f) << "missing funnel_small/reference_values.csv";
    std::vector<RefRow> rows;
    std::string line;
    std::getline(f, line);
    while (std::getline(f, line)) {
        std::stringstream ss(line);
        std::string k, a, b, c, e;
        std::getline(ss, k, ','), std::getline(ss, a, ','), std::getline(ss, b, ','), std::getline(ss, c, ','),
            std::getline(ss, e, ',');
        rows.push_back({k, cell(a), cell(b), cell(c), cell(e)});
    }
    return rows;
}

struct FixturePoints {
    std::vector<FunnelPoint> proportions, means;
};

FixturePoints fixture_points() {
    std::ifstream f(std::string(MHBENCH_FIXTURES) + "/funnel_small/points.csv");
    FixturePoints p;
    std::string line;
    bool header = true;
    while (std::getline(f, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (header) {
            header = false;
            continue;
        }
        std::stringstream ss(line);
        std::string org, num, den, mean, n;
        std::getline(ss, org, ','), std::getline(ss, num, ','), std::getline(ss, den, ','), std::getline(ss, mean, ','),
            std::getline(ss, n, ',');
        p.proportions.push_back({std::stod(num) / std::stod(den), std::stod(den)});
        p.means.push_back({std::stod(mean), std::stod(n)});
    }
    return p;
}

}  // namespace

TEST(FunnelTest, binomial_limit_by_hand) {
    // Binomial(10, 0.5): P(R <= 1) = 11/1024, P(R <= 2) = 56/1024, so the 2.5% quantile is r = 2,
    // alpha = (56 - 25.6) / (56 - 11) = 0.675555..., limit (2 - alpha) / 10 = 0.1324444...
    EXPECT_NEAR(binomial_funnel_limit(0.5, 10, 0.025), (2 - 30.4 / 45) / 10, 1e-12);
    // 97.5%: P(R <= 7) = 968/1024 < 0.975 <= P(R <= 8) = 1013/1024, so r = 8,
    // alpha = (1013 - 998.4) / 45, limit (8 - alpha) / 10 = 0.7675555... (the interpolation is not symmetric).
    EXPECT_NEAR(binomial_funnel_limit(0.5, 10, 0.975), (8 - 14.6 / 45) / 10, 1e-12);
    // Binomial(4, 0.5), p = 0.001: P(R <= 0) = 1/16 >= 0.001, alpha = (0.0625 - 0.001) / 0.0625 -> limit < 0,
    // clamped to 0.
    EXPECT_EQ(binomial_funnel_limit(0.5, 4, 0.001), 0.0);
    EXPECT_THROW(binomial_funnel_limit(0.5, 0, 0.025), ConfigError);
}

TEST(FunnelTest, quantile_type7_by_hand) {
    const std::vector<double> v{-4, -2, 0, 2, 4};
    EXPECT_DOUBLE_EQ(quantile_type7(v, 0.1), -3.2);  // h = 0.4: -4 + 0.4 * 2
    EXPECT_DOUBLE_EQ(quantile_type7(v, 0.9), 3.2);
    EXPECT_DOUBLE_EQ(quantile_type7(v, 0.5), 0.0);
}

TEST(FunnelTest, mean_overdispersion_by_hand) {
    // Target 10, sd 2, every n = 4 so s = 1 and z = value - 10: z = 0, 2, -2, 4, -4.
    // Winsorised at -3.2 / 3.2: squares 0 + 4 + 4 + 10.24 + 10.24 = 28.48, phi = 5.696;
    // w = 1 each: sum w - sum w^2 / sum w = 5 - 1 = 4, tau2 = (28.48 - 4) / 4 = 6.12;
    // chi2(0.95, 4) = 9.4877 < 28.48: over-dispersed.
    const Funnel f = mean_funnel(10, 2, {{10, 4}, {12, 4}, {8, 4}, {14, 4}, {6, 4}});
    EXPECT_DOUBLE_EQ(f.od.phi, 5.696);
    EXPECT_NEAR(f.od.tau2, 6.12, 1e-12);
    EXPECT_NEAR(f.od.chi2_critical, 9.487729036781154, 1e-9);
    EXPECT_TRUE(f.od.overdispersed);
    // Additive limits at n = 4: 10 ± z·sqrt(1 + 6.12).
    const auto l = f.limits(4);
    EXPECT_NEAR(l.hi95, 10 + kFunnelZ95 * std::sqrt(7.12), 1e-12);
    EXPECT_NEAR(l.lo998, 10 - kFunnelZ998 * std::sqrt(7.12), 1e-12);
    // Unadjusted: 10 ± z·2/sqrt(4).
    EXPECT_NEAR(f.unadjusted_limits(4).hi95, 10 + kFunnelZ95, 1e-12);
    // 14 is beyond the unadjusted 99.8% limit (13.09) but within the additive 95% one (15.23).
    EXPECT_EQ(f.position(14, 4), FunnelPosition::Within);
    EXPECT_EQ(f.position(16, 4), FunnelPosition::Above95);
    EXPECT_EQ(f.position(1, 4), FunnelPosition::Below998);
}

TEST(FunnelTest, no_overdispersion_keeps_unadjusted_limits) {
    // z = 0, 0.5, -0.5, 1, -1: Winsorised at -0.8 / 0.8, phi = (0 + 0.25 + 0.25 + 0.64 + 0.64) / 5 = 0.356 < 1:
    // I·phi = 1.78 < I - 1 = 4, so tau2 = 0 and the limits are the plain ones.
    const Funnel f = mean_funnel(10, 2, {{10, 4}, {10.5, 4}, {9.5, 4}, {11, 4}, {9, 4}});
    EXPECT_NEAR(f.od.phi, 0.356, 1e-12);
    EXPECT_EQ(f.od.tau2, 0.0);
    EXPECT_FALSE(f.od.overdispersed);
    EXPECT_NEAR(f.limits(4).hi998, 10 + kFunnelZ998, 1e-12);
    EXPECT_EQ(f.position(12.5, 4), FunnelPosition::Above95);   // z = 2.5
    EXPECT_EQ(f.position(13.5, 4), FunnelPosition::Above998);  // z = 3.5
    // Exact binomial limits for a proportion funnel that is not over-dispersed.
    const Funnel p = proportion_funnel(0.5, {{0.5, 10}, {0.4, 10}, {0.6, 10}});
    EXPECT_FALSE(p.od.overdispersed);
    EXPECT_NEAR(p.limits(10).lo95, (2 - 30.4 / 45) / 10, 1e-12);
}

TEST(FunnelTest, bad_input_is_an_error) {
    EXPECT_THROW(mean_funnel(10, 0, {{10, 4}}), ConfigError);
    EXPECT_THROW(mean_funnel(10, 2, {{10, 0}}), ConfigError);
    EXPECT_THROW(proportion_funnel(0, {{0.1, 10}}), ConfigError);
    EXPECT_THROW(proportion_funnel(0.5, {{1.5, 10}}), ConfigError);
}

TEST(FunnelTest, agrees_with_scipy_reference) {
    const auto rows = reference_rows();
    ASSERT_GT(rows.size(), 100u);
    const auto pts = fixture_points();
    ASSERT_EQ(pts.proportions.size(), 12u);
    const Funnel fp = proportion_funnel(0.47, pts.proportions);
    const Funnel fm = mean_funnel(8.2, 4.8, pts.means);
    std::map<std::string, int> seen;
    for (const auto& r : rows) {
        ++seen[r.kind];
        const double tol = 1e-9 * std::max(1.0, std::fabs(r.expected));
        auto limit_at = [&](const Funnel& f) {
            const auto l = f.limits(r.a);
            const double v[4] = {l.lo998, l.lo95, l.hi95, l.hi998};
            return v[static_cast<int>(r.b)];
        };
        if (r.kind == "binomial_limit")
            EXPECT_NEAR(binomial_funnel_limit(r.a, static_cast<std::int64_t>(r.b), r.c), r.expected, tol)
                << r.a << " " << r.b << " " << r.c;
        else if (r.kind == "prop_z")
            EXPECT_NEAR(fp.z_score(pts.proportions[static_cast<std::size_t>(r.a)].value,
                                   pts.proportions[static_cast<std::size_t>(r.a)].size),
                        r.expected, tol);
        else if (r.kind == "mean_z")
            EXPECT_NEAR(fm.z_score(pts.means[static_cast<std::size_t>(r.a)].value, pts.means[static_cast<std::size_t>(r.a)].size),
                        r.expected, tol);
        else if (r.kind == "prop_lo") EXPECT_NEAR(fp.od.winsor_lo, r.expected, tol);
        else if (r.kind == "prop_hi") EXPECT_NEAR(fp.od.winsor_hi, r.expected, tol);
        else if (r.kind == "prop_phi") EXPECT_NEAR(fp.od.phi, r.expected, tol);
        else if (r.kind == "prop_tau2") EXPECT_NEAR(fp.od.tau2, r.expected, tol);
        else if (r.kind == "prop_chi2") EXPECT_NEAR(fp.od.chi2_critical, r.expected, 1e-8);
        else if (r.kind == "mean_lo") EXPECT_NEAR(fm.od.winsor_lo, r.expected, tol);
        else if (r.kind == "mean_hi") EXPECT_NEAR(fm.od.winsor_hi, r.expected, tol);
        else if (r.kind == "mean_phi") EXPECT_NEAR(fm.od.phi, r.expected, tol);
        else if (r.kind == "mean_tau2") EXPECT_NEAR(fm.od.tau2, r.expected, tol);
        else if (r.kind == "mean_chi2") EXPECT_NEAR(fm.od.chi2_critical, r.expected, 1e-8);
        else if (r.kind == "prop_additive") EXPECT_NEAR(limit_at(fp), r.expected, tol) << r.a << " " << r.b;
        else if (r.kind == "mean_additive") EXPECT_NEAR(limit_at(fm), r.expected, tol) << r.a << " " << r.b;
        else ADD_FAILURE() << "unknown kind " << r.kind;
    }
    // Both fixture funnels are over-dispersed, so the additive limits above are the ones drawn.
    EXPECT_TRUE(fp.od.overdispersed);
    EXPECT_TRUE(fm.od.overdispersed);
    EXPECT_EQ(seen["binomial_limit"], 72);
    EXPECT_EQ(seen["prop_z"], 12);
    EXPECT_EQ(seen["prop_additive"], 16);
    EXPECT_EQ(seen["mean_additive"], 12);
}
