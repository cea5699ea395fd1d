#pragma once
// Longest-processing-time assignment of weighted units (providers) to ranks.
// Knows nothing of mental health: units are indices, weights are row counts.
#include <cstdint>
#include <span>
#include <vector>

namespace mhbench::partition {

struct Assignment {
    std::vector<int> rank_of;          ///< rank owning each unit, by unit index
    std::vector<std::int64_t> load;    ///< total weight per rank
    std::int64_t max_load() const;
    /// max(largest weight, ceil(total / ranks)): no assignment can do better.
    std::int64_t lower_bound = 0;
};

/// Largest units first, each to the least-loaded rank. Ties broken by lower unit index
/// then lower rank, so the result depends only on the weights and the rank count.
/// Guarantees max_load <= 4/3 of the optimum (Graham 1969).
Assignment lpt_assign(std::span<const std::int64_t> weights, int ranks);

}  // namespace mhbench::partition
