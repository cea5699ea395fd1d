#pragma once
// Per-rank reading plan: which contiguous row ranges of each table a rank reads, from a
// CSR index of row ranges per unit (provider) and an assignment of units to ranks.
#include <cstdint>
#include <span>
#include <vector>

#include "lpt.hpp"

namespace mhbench::partition {

/// A hyperslab of a one-dimensional column: rows [begin, begin + count).
struct RowRange {
    std::int64_t begin = 0;
    std::int64_t count = 0;
    friend bool operator==(const RowRange&, const RowRange&) = default;
};

/// Units owned by `rank`, ascending.
std::vector<int> units_of(const Assignment& a, int rank);

/// Row ranges of one table for the given units (ascending). `unit_offsets` has one more
/// entry than there are units: unit u holds rows [unit_offsets[u], unit_offsets[u+1]).
/// Adjacent ranges are merged; empty ones omitted. Units must be strictly ascending and in
/// range, and offsets non-decreasing: otherwise mhbench::ConfigError (unsorted or repeated
/// units are a caller bug that sorting would hide; a repeat would read rows twice).
std::vector<RowRange> ranges_for(std::span<const std::int64_t> unit_offsets, std::span<const int> units);

std::int64_t total_rows(std::span<const RowRange> ranges);

}  // namespace mhbench::partition
