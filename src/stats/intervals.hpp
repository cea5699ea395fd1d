#pragma once
// Confidence intervals for proportions (SPEC section 9: Wilson score interval).
#include <cstdint>

namespace mhbench::stats {

/// Two-sided 95% normal quantile, to double precision.
inline constexpr double z95 = 1.959963984540054;

struct Interval {
    double lo;
    double hi;
};

/// Wilson score interval for `successes` out of `n`, as proportions in [0, 1]. n == 0 gives
/// {NaN, NaN}; successes outside [0, n] or z <= 0 throw ConfigError.
Interval wilson_interval(std::int64_t successes, std::int64_t n, double z = z95);

}  // namespace mhbench::stats
