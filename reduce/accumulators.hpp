#pragma once
// Exact mergeable accumulators: add / merge / finalize, integers only, so the result never
// depends on how the work was split across threads or ranks. Knows nothing of mental health.
// Every accumulator: add(...), merge(const Self&), operator==, and Boost.Serialization serialize().
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace mhbench::reduce {

/// A count.
struct Count {
    std::int64_t n = 0;
    void add(std::int64_t k = 1) { n += k; }
    void merge(const Count& o) { n += o.n; }
    friend bool operator==(const Count&, const Count&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & n; }
};

/// n, sum, sum of squares, min and max of integer values, exactly (throws on int64 overflow).
/// Finalize: mean, sample variance / sd (n-1), computed in long double from the exact sums.
struct Moments {
    std::int64_t n = 0, sum = 0, sum_sq = 0;
    std::int64_t min = 0, max = 0;  // meaningful when n > 0
    void add(std::int64_t x);
    void merge(const Moments& o);
    double mean() const;      // NaN when n == 0
    double variance() const;  // sample variance; NaN when n < 2
    double sd() const;
    friend bool operator==(const Moments&, const Moments&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & n & sum & sum_sq & min & max; }
};

/// Exact integer histogram of integer values (bounded scores, contact counts); grows as needed.
struct Histogram {
    std::int64_t offset = 0;            // value of bins[0]
    std::vector<std::int64_t> bins;     // counts
    void add(std::int64_t value, std::int64_t weight = 1);
    void merge(const Histogram& o);
    std::int64_t total() const;
    /// Exact median: the mean of the two middle values for an even total (as PERCENTILE_CONT 0.5);
    /// nullopt when empty.
    std::optional<double> median() const;
    /// Lower median: the smallest value v with count(<= v) >= ceil(total/2); nullopt when empty.
    std::optional<std::int64_t> lower_median() const;
    friend bool operator==(const Histogram& a, const Histogram& b);  // same counts per value
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & offset & bins; }
};

/// Exact distinct count of 64-bit keys (e.g. hashed person ids): a sorted set, merged by union.
struct DistinctSet {
    std::vector<std::uint64_t> keys;  // sorted, unique after normalize()
    void add(std::uint64_t k);        // amortised; call normalize() (or merge/size) before reading
    void merge(const DistinctSet& o);
    std::int64_t size();
    void normalize();
    friend bool operator==(DistinctSet a, DistinctSet b);
    template <class Ar> void serialize(Ar& ar, unsigned) { normalize(); ar & keys; }
};

/// Sparse map of accumulators keyed by any ordered, serializable key; merge merges per key.
template <class Key, class Acc>
struct KeyedMap {
    std::map<Key, Acc> items;
    Acc& operator[](const Key& k) { return items[k]; }
    void merge(const KeyedMap& o) {
        for (const auto& [k, v] : o.items) items[k].merge(v);
    }
    friend bool operator==(const KeyedMap&, const KeyedMap&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & items; }
};

}  // namespace mhbench::reduce
