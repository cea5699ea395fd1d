#pragma once
// Exact mergeable accumulators: add / merge / finalize, integers only, so the result never
// depends on how the work was split across threads or ranks. Knows nothing of mental health.
// Every accumulator: add(...), merge(const Self&), operator==, and Boost.Serialization serialize().
// Serializing a std::map / std::vector member needs the Boost headers that reduce/combine.hpp
// includes; include that header wherever archives are made.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace mhbench::reduce {

/// What parallel_fold, reduce_to_root and KeyedMap need of an accumulator.
template <class A>
concept Mergeable = std::default_initializable<A> && requires(A& a, const A& b) { a.merge(b); };

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
/// add and merge leave the accumulator unchanged when they throw.
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
/// add and merge never create zero bins at either end, so equal contents serialize identically.
struct Histogram {
    /// Widest value range accepted (1 GiB of bins): a wider one means the values are not a
    /// bounded score, and growing to it would exhaust memory rather than fail clearly.
    static constexpr std::int64_t max_bins = std::int64_t{1} << 27;

    std::int64_t offset = 0;            // value of bins[0]
    std::vector<std::int64_t> bins;     // counts
    /// weight >= 0; throws mhbench::Error on a negative weight, overflow or a too wide range.
    void add(std::int64_t value, std::int64_t weight = 1);
    void merge(const Histogram& o);
    std::int64_t total() const;
    /// Count of one value (0 outside the range).
    std::int64_t count(std::int64_t value) const;
    /// Exact median: the mean of the two middle values for an even total (as PERCENTILE_CONT 0.5);
    /// nullopt when empty.
    std::optional<double> median() const;
    /// Lower median: the smallest value v with count(<= v) >= ceil(total/2); nullopt when empty.
    std::optional<std::int64_t> lower_median() const;
    friend bool operator==(const Histogram& a, const Histogram& b);  // same counts per value
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & offset & bins; }

private:
    void grow_to(std::int64_t lo, std::int64_t hi);  // make [lo, hi] addressable
    std::int64_t value_at_rank(std::int64_t rank) const;  // 1-based rank in sorted order
};

/// Exact distinct count of 64-bit keys (e.g. hashed person ids): a sorted set, merged by union.
struct DistinctSet {
    std::vector<std::uint64_t> keys;  // sorted, unique after normalize()
    /// Size after the last normalize(); only decides when add() compacts. Not part of the
    /// value (ignored by ==, not serialized).
    std::size_t normalized_size_ = 0;

    void add(std::uint64_t k);        // amortised; call normalize() (or merge/size) before reading
    void merge(const DistinctSet& o);
    std::int64_t size();
    void normalize();
    friend bool operator==(DistinctSet a, DistinctSet b);
    template <class Ar> void serialize(Ar& ar, unsigned) {
        normalize();  // same bytes whatever the order of adds
        ar & keys;
        normalize();  // loaded keys are checked, not trusted
    }
};

/// Sparse map of accumulators keyed by any ordered, serializable key; merge merges per key.
template <class Key, class Acc>
struct KeyedMap {
    std::map<Key, Acc> items;
    Acc& operator[](const Key& k) { return items[k]; }
    /// nullptr when the key was never touched.
    const Acc* find(const Key& k) const {
        auto it = items.find(k);
        return it == items.end() ? nullptr : &it->second;
    }
    std::size_t size() const { return items.size(); }
    void merge(const KeyedMap& o) {
        for (const auto& [k, v] : o.items) {
            auto it = items.lower_bound(k);
            if (it == items.end() || items.key_comp()(k, it->first)) it = items.emplace_hint(it, k, Acc{});
            it->second.merge(v);
        }
    }
    friend bool operator==(const KeyedMap&, const KeyedMap&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & items; }
};

}  // namespace mhbench::reduce
