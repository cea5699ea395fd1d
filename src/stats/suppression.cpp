#include "stats/suppression.hpp"

#include <string>

#include "model/errors.hpp"

namespace mhbench::stats {

namespace {

void validate(const DisclosureRules& r) {
    if (r.round_to < 1 || r.suppress_below < 0 || r.min_rate_denominator < 0)
        throw ConfigError("disclosure rules need round_to >= 1 and non-negative thresholds (round_to " +
                          std::to_string(r.round_to) + ", suppress_below " + std::to_string(r.suppress_below) +
                          ", min_rate_denominator " + std::to_string(r.min_rate_denominator) + ")");
}

}  // namespace

std::optional<std::int64_t> disclose_count(std::int64_t n, bool england, const DisclosureRules& r) {
    validate(r);
    if (n < 0) throw ConfigError("disclose_count: a count cannot be negative (" + std::to_string(n) + ")");
    if (england) return n;
    if (n < r.suppress_below) return std::nullopt;
    // Nearest multiple, halves up; quotient and remainder so that large counts cannot overflow.
    std::int64_t q = n / r.round_to, rem = n % r.round_to;
    if (rem >= r.round_to - rem) ++q;
    return q * r.round_to;
}

bool rate_disclosable(std::int64_t denominator, bool england, const DisclosureRules& r) {
    validate(r);
    return england || denominator >= r.min_rate_denominator;
}

}  // namespace mhbench::stats
