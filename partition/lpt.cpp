#include "partition/lpt.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <string>
#include <utility>

#include "model/errors.hpp"

namespace mhbench::partition {

std::int64_t Assignment::max_load() const {
    return load.empty() ? 0 : *std::max_element(load.begin(), load.end());
}

Assignment lpt_assign(std::span<const std::int64_t> weights, int ranks) {
    if (ranks < 1) throw ConfigError("partition: rank count must be at least 1, got " + std::to_string(ranks));
    const auto n = static_cast<int>(weights.size());
    std::int64_t total = 0, largest = 0;
    for (int u = 0; u < n; ++u) {
        // Weights are row counts; a negative one means a corrupt index, not a data problem.
        if (weights[u] < 0)
            throw ConfigError("partition: unit " + std::to_string(u) + " has negative weight " +
                              std::to_string(weights[u]));
        total += weights[u];
        largest = std::max(largest, weights[u]);
    }

    // Heaviest first; stable_sort keeps lower index first among equal weights.
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weights[a] > weights[b]; });

    // Min-heap on (load, rank): pair ordering breaks load ties by the lower rank.
    using Slot = std::pair<std::int64_t, int>;
    std::priority_queue<Slot, std::vector<Slot>, std::greater<>> heap;
    for (int r = 0; r < ranks; ++r) heap.emplace(0, r);

    Assignment a;
    a.rank_of.assign(n, -1);
    a.load.assign(ranks, 0);
    for (int u : order) {
        auto [load, r] = heap.top();
        heap.pop();
        a.rank_of[u] = r;
        a.load[r] += weights[u];
        heap.emplace(load + weights[u], r);
    }
    a.lower_bound = std::max(largest, (total + ranks - 1) / ranks);
    return a;
}

}  // namespace mhbench::partition
