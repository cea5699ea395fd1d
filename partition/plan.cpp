#include "partition/plan.hpp"

#include <algorithm>
#include <string>

#include "model/errors.hpp"

namespace mhbench::partition {

std::vector<int> units_of(const Assignment& a, int rank) {
    std::vector<int> units;
    for (int u = 0; u < static_cast<int>(a.rank_of.size()); ++u)
        if (a.rank_of[u] == rank) units.push_back(u);
    return units;
}

std::vector<RowRange> ranges_for(std::span<const std::int64_t> unit_offsets, std::span<const int> units) {
    // Units must be strictly ascending: a caller passing them unsorted or twice has a bug, and
    // sorting silently would hide it (and reading twice would double-count rows).
    std::vector<RowRange> out;
    const auto n_units = static_cast<std::int64_t>(unit_offsets.size()) - 1;
    int prev = -1;
    for (int u : units) {
        if (u < 0 || u >= n_units)
            throw ConfigError("partition: unit " + std::to_string(u) + " outside the index of " +
                              std::to_string(std::max<std::int64_t>(n_units, 0)) + " units");
        if (u <= prev)
            throw ConfigError("partition: units must be strictly ascending, got " + std::to_string(u) +
                              " after " + std::to_string(prev));
        prev = u;
        const std::int64_t begin = unit_offsets[u], end = unit_offsets[u + 1];
        if (end < begin)
            throw ConfigError("partition: offsets decrease at unit " + std::to_string(u));
        if (end == begin) continue;
        if (!out.empty() && out.back().begin + out.back().count == begin)
            out.back().count += end - begin;
        else
            out.push_back({begin, end - begin});
    }
    return out;
}

std::int64_t total_rows(std::span<const RowRange> ranges) {
    std::int64_t sum = 0;
    for (const auto& r : ranges) sum += r.count;
    return sum;
}

}  // namespace mhbench::partition
