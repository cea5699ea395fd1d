#include "stats/intervals.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "model/errors.hpp"

namespace mhbench::stats {

Interval wilson_interval(std::int64_t successes, std::int64_t n, double z) {
    if (n < 0 || successes < 0 || successes > n)
        throw ConfigError("wilson_interval: need 0 <= successes <= n (successes " + std::to_string(successes) +
                          ", n " + std::to_string(n) + ")");
    if (!(z > 0)) throw ConfigError("wilson_interval: z must be positive");
    if (n == 0) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan};
    }
    // Written in counts rather than p = x/n: (x + z²/2 ± z·sqrt(x(n-x)/n + z²/4)) / (n + z²).
    const double x = static_cast<double>(successes), m = static_cast<double>(n), z2 = z * z;
    const double centre = x + z2 / 2;
    const double half = z * std::sqrt(x * (m - x) / m + z2 / 4);
    Interval iv{(centre - half) / (m + z2), (centre + half) / (m + z2)};
    // At the boundaries the exact limits are 0 and 1; rounding must not leave them a hair off.
    if (successes == 0) iv.lo = 0.0;
    if (successes == n) iv.hi = 1.0;
    return iv;
}

}  // namespace mhbench::stats
