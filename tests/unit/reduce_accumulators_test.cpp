// Exact accumulators: hand-worked values, merge laws on random splits, overflow, serialization,
// and thread-count independence of parallel_fold.
#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"

using namespace mhbench;
using namespace mhbench::reduce;

namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// A key made of several fields, as a job's (organisation, unit) key would be.
struct OrgUnit {
    std::int32_t org = 0;
    std::string unit;
    auto operator<=>(const OrgUnit&) const = default;
    bool operator==(const OrgUnit&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & org & unit; }
};

// Several accumulators folded together, as a job's per-rank state would be.
struct Summary {
    KeyedMap<OrgUnit, Moments> by_org;
    Histogram scores;
    DistinctSet people;
    Count rows;
    void add(std::int64_t i, std::int64_t v) {
        by_org[OrgUnit{static_cast<std::int32_t>(i % 7), i % 3 == 0 ? "low" : "high"}].add(v);
        scores.add(v % 50);
        people.add(static_cast<std::uint64_t>(i % 1000) * 0x9e3779b97f4a7c15ull);
        rows.add();
    }
    void merge(const Summary& o) {
        by_org.merge(o.by_org);
        scores.merge(o.scores);
        people.merge(o.people);
        rows.merge(o.rows);
    }
    friend bool operator==(const Summary&, const Summary&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & by_org & scores & people & rows; }
};

std::vector<std::int64_t> random_values(std::mt19937_64& rng, std::size_t n, std::int64_t lo, std::int64_t hi) {
    std::uniform_int_distribution<std::int64_t> d(lo, hi);
    std::vector<std::int64_t> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

// Splits values at random points into groups, folds each group, then merges the groups in a
// random tree; the result must equal the serial fold exactly.
template <class Acc, class Add>
void check_random_splits(const std::vector<std::int64_t>& values, Add add, std::mt19937_64& rng, int trials) {
    Acc serial;
    for (auto v : values) add(serial, v);
    for (int t = 0; t < trials; ++t) {
        const std::size_t groups = std::uniform_int_distribution<std::size_t>(1, 12)(rng);
        std::vector<std::size_t> cuts{0, values.size()};
        for (std::size_t g = 1; g < groups; ++g)
            cuts.push_back(std::uniform_int_distribution<std::size_t>(0, values.size())(rng));
        std::sort(cuts.begin(), cuts.end());
        std::vector<Acc> parts;
        for (std::size_t g = 0; g + 1 < cuts.size(); ++g) {
            Acc a;
            for (std::size_t i = cuts[g]; i < cuts[g + 1]; ++i) add(a, values[i]);
            parts.push_back(std::move(a));
        }
        // Random tree: repeatedly merge a random part into another random part.
        while (parts.size() > 1) {
            std::shuffle(parts.begin(), parts.end(), rng);
            Acc b = std::move(parts.back());
            parts.pop_back();
            parts.back().merge(b);
        }
        ASSERT_TRUE(parts[0] == serial) << "trial " << t;
    }
}

template <class Acc> void check_laws(const Acc& a, const Acc& b, const Acc& c) {
    Acc ab = a;
    ab.merge(b);
    Acc ba = b;
    ba.merge(a);
    EXPECT_TRUE(ab == ba) << "commutative";
    Acc ab_c = ab;
    ab_c.merge(c);
    Acc bc = b;
    bc.merge(c);
    Acc a_bc = a;
    a_bc.merge(bc);
    EXPECT_TRUE(ab_c == a_bc) << "associative";
    Acc e;
    Acc ae = a;
    ae.merge(e);
    EXPECT_TRUE(ae == a) << "identity";
}

template <class T> T round_trip(const T& v) { return from_bytes<T>(to_bytes(v)); }

}  // namespace

// ---- Moments ------------------------------------------------------------------------------

TEST(ReduceAccumMoments, hand_worked) {
    Moments m;
    for (std::int64_t x : {2, 4, 4, 4, 5, 5, 7, 9}) m.add(x);
    EXPECT_EQ(m.n, 8);
    EXPECT_EQ(m.sum, 40);
    EXPECT_EQ(m.sum_sq, 232);
    EXPECT_EQ(m.min, 2);
    EXPECT_EQ(m.max, 9);
    EXPECT_EQ(m.mean(), 5.0);
    EXPECT_EQ(m.variance(), static_cast<double>(32.0L / 7.0L));
    EXPECT_DOUBLE_EQ(m.variance(), 32.0 / 7.0);
    EXPECT_DOUBLE_EQ(m.sd(), std::sqrt(32.0 / 7.0));
}

TEST(ReduceAccumMoments, empty_and_single) {
    Moments m;
    EXPECT_TRUE(std::isnan(m.mean()));
    EXPECT_TRUE(std::isnan(m.variance()));
    m.add(-3);
    EXPECT_EQ(m.mean(), -3.0);
    EXPECT_EQ(m.min, -3);
    EXPECT_EQ(m.max, -3);
    EXPECT_TRUE(std::isnan(m.variance()));
    EXPECT_TRUE(std::isnan(m.sd()));
    m.add(-3);
    EXPECT_EQ(m.variance(), 0.0);
}

TEST(ReduceAccumMoments, overflow_throws_and_leaves_state) {
    constexpr std::int64_t big = 3037000499;  // largest x with x*x in int64
    Moments m;
    EXPECT_THROW(m.add(big + 1), Error);
    EXPECT_THROW(m.add(std::numeric_limits<std::int64_t>::min()), Error);
    EXPECT_EQ(m, Moments{});
    m.add(big);
    const Moments before = m;
    EXPECT_THROW(m.add(big), Error);  // sum of squares overflows
    EXPECT_EQ(m, before);
    Moments o;
    o.add(-big);
    EXPECT_THROW(m.merge(o), Error);
    EXPECT_EQ(m, before);
}

TEST(ReduceAccumMoments, random_splits_exact_and_bitwise) {
    std::mt19937_64 rng(20250401);
    const auto values = random_values(rng, 5000, -100000, 1000000);
    check_random_splits<Moments>(values, [](Moments& m, std::int64_t v) { m.add(v); }, rng, 200);
    // Bitwise-equal doubles for one split against another.
    Moments serial, left, right;
    for (auto v : values) serial.add(v);
    for (std::size_t i = 0; i < values.size(); ++i) (i % 3 ? left : right).add(values[i]);
    right.merge(left);
    EXPECT_EQ(bits(right.mean()), bits(serial.mean()));
    EXPECT_EQ(bits(right.variance()), bits(serial.variance()));
    EXPECT_EQ(bits(right.sd()), bits(serial.sd()));
}

TEST(ReduceAccumMoments, merge_laws) {
    std::mt19937_64 rng(7);
    Moments a, b, c;
    for (auto v : random_values(rng, 100, -50, 50)) a.add(v);
    for (auto v : random_values(rng, 37, 0, 500)) b.add(v);
    for (auto v : random_values(rng, 3, -9, -1)) c.add(v);
    check_laws(a, b, c);
}

// ---- Histogram ----------------------------------------------------------------------------

TEST(ReduceAccumHistogram, medians_odd_even_negative) {
    Histogram odd;
    for (std::int64_t x : {10, 1, 3, 2, 3}) odd.add(x);
    EXPECT_EQ(odd.total(), 5);
    EXPECT_EQ(*odd.median(), 3.0);
    EXPECT_EQ(*odd.lower_median(), 3);

    Histogram even;
    for (std::int64_t x : {4, 1, 3, 2}) even.add(x);
    EXPECT_EQ(*even.median(), 2.5);
    EXPECT_EQ(*even.lower_median(), 2);

    Histogram neg;
    for (std::int64_t x : {-5, -1, -3, 0}) neg.add(x);
    EXPECT_EQ(*neg.median(), -2.0);
    EXPECT_EQ(*neg.lower_median(), -3);

    Histogram far;  // the two middle values in distant bins
    far.add(0, 2);
    far.add(101, 2);
    EXPECT_EQ(*far.median(), 50.5);
    EXPECT_EQ(*far.lower_median(), 0);

    Histogram empty;
    EXPECT_FALSE(empty.median().has_value());
    EXPECT_FALSE(empty.lower_median().has_value());
    EXPECT_EQ(empty.total(), 0);
}

TEST(ReduceAccumHistogram, grows_both_ways) {
    Histogram h;
    h.add(5);
    EXPECT_EQ(h.offset, 5);
    EXPECT_EQ(h.bins.size(), 1u);
    h.add(-2, 3);
    EXPECT_EQ(h.offset, -2);
    EXPECT_EQ(h.bins.size(), 8u);
    h.add(10);
    EXPECT_EQ(h.offset, -2);
    EXPECT_EQ(h.bins.size(), 13u);
    EXPECT_EQ(h.count(-2), 3);
    EXPECT_EQ(h.count(5), 1);
    EXPECT_EQ(h.count(10), 1);
    EXPECT_EQ(h.count(0), 0);
    EXPECT_EQ(h.count(-100), 0);
    EXPECT_EQ(h.count(100), 0);
    EXPECT_EQ(h.total(), 5);
    EXPECT_EQ(*h.median(), -2.0);  // ranks 1..3 are -2
    EXPECT_EQ(*h.lower_median(), -2);
}

TEST(ReduceAccumHistogram, equality_ignores_edge_zeros) {
    Histogram a{.offset = 0, .bins = {0, 1, 2, 0, 0}};
    Histogram b{.offset = 1, .bins = {1, 2}};
    Histogram c{.offset = 2, .bins = {1, 2}};
    Histogram zeros{.offset = 40, .bins = {0, 0}};
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(b == c);
    EXPECT_TRUE(zeros == Histogram{});
    EXPECT_FALSE(zeros == b);
    // Merging a padded histogram does not pad the result.
    Histogram m;
    m.merge(a);
    EXPECT_EQ(m.offset, 1);
    EXPECT_EQ(m.bins, (std::vector<std::int64_t>{1, 2}));
    m.merge(zeros);
    EXPECT_EQ(m.bins.size(), 2u);
}

TEST(ReduceAccumHistogram, rejects_bad_input) {
    Histogram h;
    EXPECT_THROW(h.add(1, -1), Error);
    h.add(0);
    EXPECT_THROW(h.add(Histogram::max_bins), Error);  // range too wide
    EXPECT_THROW(h.add(std::numeric_limits<std::int64_t>::min()), Error);
    h.add(0, std::numeric_limits<std::int64_t>::max() - 1);
    EXPECT_THROW(h.add(0), Error);  // bin overflow
    Histogram one;
    one.add(0);
    const Histogram before = h;
    EXPECT_THROW(h.merge(one), Error);
    EXPECT_EQ(h.bins, before.bins);
}

TEST(ReduceAccumHistogram, random_splits_and_laws) {
    std::mt19937_64 rng(99);
    const auto values = random_values(rng, 4000, -60, 60);
    check_random_splits<Histogram>(values, [](Histogram& h, std::int64_t v) { h.add(v); }, rng, 200);
    Histogram a, b, c;
    for (auto v : random_values(rng, 50, -10, 10)) a.add(v);
    for (auto v : random_values(rng, 50, 30, 40)) b.add(v);
    for (auto v : random_values(rng, 5, -40, -30)) c.add(v);
    check_laws(a, b, c);
}

// ---- DistinctSet --------------------------------------------------------------------------

TEST(ReduceAccumDistinct, union_and_size) {
    DistinctSet a, b;
    for (std::uint64_t k : {5u, 1u, 3u, 1u}) a.add(k);
    for (std::uint64_t k : {4u, 3u}) b.add(k);
    EXPECT_EQ(a.size(), 3);
    a.merge(b);  // b never normalised
    EXPECT_EQ(a.keys, (std::vector<std::uint64_t>{1, 3, 4, 5}));
    EXPECT_EQ(a.size(), 4);
    DistinctSet c{.keys = {5, 4, 3, 1, 1}};
    EXPECT_TRUE(a == c);
    DistinctSet empty;
    EXPECT_EQ(empty.size(), 0);
    empty.merge(a);
    EXPECT_TRUE(empty == a);
}

TEST(ReduceAccumDistinct, many_repeats_stay_compact) {
    DistinctSet s;
    for (std::uint64_t i = 0; i < 2'000'000; ++i) s.add(i % 1000);
    EXPECT_LT(s.keys.size(), 200'000u);  // compacted on the way, not 2M entries
    EXPECT_EQ(s.size(), 1000);
    EXPECT_EQ(s.keys.front(), 0u);
    EXPECT_EQ(s.keys.back(), 999u);
}

TEST(ReduceAccumDistinct, random_splits_and_laws) {
    std::mt19937_64 rng(5);
    const auto values = random_values(rng, 20000, 0, 3000);
    auto add = [](DistinctSet& s, std::int64_t v) { s.add(static_cast<std::uint64_t>(v)); };
    check_random_splits<DistinctSet>(values, add, rng, 100);
    DistinctSet a, b, c;
    for (auto v : random_values(rng, 100, 0, 200)) add(a, v);
    for (auto v : random_values(rng, 100, 100, 300)) add(b, v);
    for (auto v : random_values(rng, 10, 0, 1000)) add(c, v);
    check_laws(a, b, c);
}

// ---- KeyedMap and Count -------------------------------------------------------------------

TEST(ReduceAccumKeyed, merges_per_key) {
    KeyedMap<OrgUnit, Moments> a, b;
    a[{1, "x"}].add(10);
    a[{2, "x"}].add(20);
    b[{1, "x"}].add(30);
    b[{1, "y"}].add(40);
    a.merge(b);
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a.find({1, "x"})->n, 2);
    EXPECT_EQ(a.find({1, "x"})->sum, 40);
    EXPECT_EQ(a.find({1, "y"})->sum, 40);
    EXPECT_EQ(a.find({2, "x"})->sum, 20);
    EXPECT_EQ(a.find({3, "x"}), nullptr);
}

TEST(ReduceAccumKeyed, random_splits_composite) {
    std::mt19937_64 rng(11);
    const auto values = random_values(rng, 3000, 0, 400);
    std::int64_t i = 0;  // the row number feeds the key, so add must see rows in order
    std::vector<std::pair<std::int64_t, std::int64_t>> rows;
    for (auto v : values) rows.emplace_back(i++, v);
    Summary serial;
    for (auto [r, v] : rows) serial.add(r, v);
    for (int t = 0; t < 50; ++t) {
        std::vector<Summary> parts(std::uniform_int_distribution<int>(1, 9)(rng));
        for (auto [r, v] : rows) parts[std::uniform_int_distribution<std::size_t>(0, parts.size() - 1)(rng)].add(r, v);
        std::shuffle(parts.begin(), parts.end(), rng);
        Summary all;
        for (auto& p : parts) all.merge(p);
        ASSERT_TRUE(all == serial);
        ASSERT_EQ(to_bytes(all), to_bytes(serial)) << "same bytes whatever the split";
    }
}

TEST(ReduceAccumCount, adds_and_merges) {
    Count a, b;
    a.add();
    a.add(4);
    b.add(2);
    a.merge(b);
    EXPECT_EQ(a.n, 7);
    check_laws(a, b, Count{3});
}

// ---- serialization ------------------------------------------------------------------------

TEST(ReduceAccumSerial, round_trips) {
    Count c{42};
    EXPECT_EQ(round_trip(c), c);

    Moments m;
    for (std::int64_t x : {-7, 3, 1000}) m.add(x);
    EXPECT_EQ(round_trip(m), m);

    Histogram h;
    for (std::int64_t x : {-3, 4, 4, 9}) h.add(x);
    const Histogram h2 = round_trip(h);
    EXPECT_TRUE(h2 == h);
    EXPECT_EQ(h2.offset, h.offset);
    EXPECT_EQ(h2.bins, h.bins);

    DistinctSet d;
    for (std::uint64_t k : {9u, 2u, 9u, 0u}) d.add(k);
    DistinctSet normal = d;
    normal.normalize();
    EXPECT_EQ(to_bytes(d), to_bytes(normal)) << "bytes do not depend on the order of adds";
    EXPECT_EQ(round_trip(d).keys, (std::vector<std::uint64_t>{0, 2, 9}));

    KeyedMap<OrgUnit, Moments> km;
    km[{3, "alpha"}].add(5);
    km[{-1, ""}].add(-5);
    km[{3, "beta"}].add(7);
    EXPECT_EQ(round_trip(km), km);

    Summary s;
    for (std::int64_t i = 0; i < 500; ++i) s.add(i, i * 7 % 113);
    EXPECT_EQ(round_trip(s), s);
}

TEST(ReduceAccumSerial, standard_key_types) {
    KeyedMap<std::tuple<int, std::string, std::int64_t>, Histogram> t;
    t[{1, "a", -4}].add(3);
    t[{1, "b", 9}].add(-3);
    EXPECT_EQ(round_trip(t), t);

    KeyedMap<std::optional<std::int32_t>, Count> o;
    o[std::nullopt].add(2);
    o[17].add(5);
    EXPECT_EQ(round_trip(o), o);

    KeyedMap<std::pair<std::string, std::vector<int>>, DistinctSet> p;
    p[{"x", {1, 2}}].add(8);
    p[{"", {}}].add(1);
    EXPECT_EQ(round_trip(p), p);

    std::variant<int, std::string> v = std::string("v");
    EXPECT_EQ(round_trip(v), v);
    std::map<std::int64_t, std::variant<int, std::string>> mv{{1, 5}, {2, std::string("s")}};
    EXPECT_EQ(round_trip(mv), mv);
}

TEST(ReduceAccumSerial, bad_archives_throw) {
    Moments m;
    m.add(3);
    auto bytes = to_bytes(m);
    const std::span<const std::byte> all(bytes);
    EXPECT_THROW(from_bytes<Moments>(all.first(bytes.size() - 3)), Error);
    EXPECT_THROW(from_bytes<Moments>(all.first(5)), Error);
    EXPECT_THROW(from_bytes<Count>(all), Error);  // bytes left over
    bytes.push_back(std::byte{0});
    EXPECT_THROW(from_bytes<Moments>(bytes), Error);
}

// ---- parallel_fold ------------------------------------------------------------------------

TEST(ReduceAccumParallel, same_result_for_any_thread_count) {
    constexpr std::size_t n = 200'000;
    auto body = [](Summary& s, std::size_t i) {
        const auto r = static_cast<std::int64_t>(i);
        s.add(r, (r * 2654435761) % 997);
    };
    Summary serial;
    for (std::size_t i = 0; i < n; ++i) body(serial, i);
    const auto serial_bytes = to_bytes(serial);
    for (int threads : {1, 2, 4}) {
        // Lift the default cap (the core count) so 4 threads really run on a 2-core machine.
        tbb::global_control cap(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        for (std::size_t grain : {1u, 100u, 5000u}) {
            tbb::task_arena arena(threads);
            Summary s = arena.execute([&] { return parallel_fold<Summary>(n, body, grain); });
            ASSERT_TRUE(s == serial) << threads << " threads, grain " << grain;
            EXPECT_EQ(to_bytes(s), serial_bytes);
            const auto* m = s.by_org.find({3, "low"});
            ASSERT_NE(m, nullptr);
            EXPECT_EQ(bits(m->sd()), bits(serial.by_org.find({3, "low"})->sd()));
        }
    }
    EXPECT_TRUE(parallel_fold<Summary>(0, body) == Summary{});
}

TEST(ReduceAccumParallel, moments_bitwise_across_threads) {
    constexpr std::size_t n = 100'000;
    auto body = [](Moments& m, std::size_t i) { m.add(static_cast<std::int64_t>((i * 7919) % 100003) - 50000); };
    Moments serial;
    for (std::size_t i = 0; i < n; ++i) body(serial, i);
    for (int threads : {1, 2, 4}) {
        tbb::global_control cap(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
        tbb::task_arena arena(threads);
        Moments m = arena.execute([&] { return parallel_fold<Moments>(n, body, 64); });
        EXPECT_EQ(m, serial);
        EXPECT_EQ(bits(m.mean()), bits(serial.mean()));
        EXPECT_EQ(bits(m.sd()), bits(serial.sd()));
    }
}
