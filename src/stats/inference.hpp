#pragma once
// Inference for means and multiple testing (SPEC section 9): Student-t intervals, Welch's
// two-sample t-test, the one-sample t-test and Benjamini-Hochberg adjustment. Quantiles and
// tail probabilities come from Boost.Math, not hand-written approximations.
#include <cstdint>
#include <vector>

#include "stats/intervals.hpp"

namespace mhbench::stats {

/// Quantile of the standard normal distribution; p in (0, 1), else ConfigError.
double normal_quantile(double p);
/// Quantile of Student's t with df > 0 degrees of freedom (df may be fractional).
double t_quantile(double p, double df);
/// Two-sided tail probability P(|T| >= |t|) of Student's t with df > 0.
double t_two_sided_p(double t, double df);

/// Student-t interval for a mean: mean ± t(1 - alpha/2, n - 1) · sd / sqrt(n).
/// {NaN, NaN} when n < 2 or sd is NaN; a zero sd gives {mean, mean}.
Interval t_interval(double mean, double sd, std::int64_t n, double confidence = 0.95);

/// Result of a t-test; every field NaN when the test is undefined.
struct TTest {
    double t;
    double df;
    double p;  ///< two-sided
};

/// Welch's unequal-variance t-test of mean1 - mean2 (sample variances, Welch-Satterthwaite df).
/// Undefined (NaN) when either n < 2 or both variances are zero.
TTest welch_t_test(std::int64_t n1, double mean1, double var1, std::int64_t n2, double mean2, double var2);

/// One-sample t-test of a mean against a constant mu0. Undefined when n < 2 or sd == 0.
TTest one_sample_t_test(std::int64_t n, double mean, double sd, double mu0);

/// Benjamini-Hochberg adjusted p-values (step-up, monotone, capped at 1), in input order.
/// NaN entries are left NaN and do not count towards the number of tests.
std::vector<double> benjamini_hochberg(const std::vector<double>& p);

}  // namespace mhbench::stats
