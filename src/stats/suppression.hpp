#pragma once
// Statistical disclosure control below England level (SPEC section 9): counts 0-4
// suppressed, others rounded to the nearest 5; rates only where the denominator is at least 5.
#include <cstdint>
#include <optional>

namespace mhbench::stats {

struct DisclosureRules {
    std::int64_t suppress_below = 5;      // counts < this are suppressed
    std::int64_t round_to = 5;            // others rounded to the nearest multiple (halves up)
    std::int64_t min_rate_denominator = 5;
};

/// England level: exact. Otherwise nullopt (suppressed) or the rounded count.
std::optional<std::int64_t> disclose_count(std::int64_t n, bool england, const DisclosureRules& r = {});
/// Whether a rate with this (unrounded) denominator may be shown below England level.
bool rate_disclosable(std::int64_t denominator, bool england, const DisclosureRules& r = {});

}  // namespace mhbench::stats
