#include "reduce/accumulators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>
#include <iterator>
#include <string>
#include <tuple>

#include "model/errors.hpp"

namespace mhbench::reduce {

namespace {

__extension__ typedef __int128 int128;  // exact n*sum_sq - sum^2; __extension__ keeps -Wpedantic quiet

std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* what) {
    std::int64_t r;
    if (__builtin_add_overflow(a, b, &r)) throw Error(std::string(what) + ": 64-bit integer overflow");
    return r;
}

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Exact numerator and denominator of the sample variance, rounded once each into long double,
// so the result is a function of (n, sum, sum_sq) only.
long double variance_ld(const Moments& m) {
    const int128 num = int128{m.n} * m.sum_sq - int128{m.sum} * m.sum;
    const int128 den = int128{m.n} * (m.n - 1);
    return static_cast<long double>(num) / static_cast<long double>(den);
}

}  // namespace

// ---- Moments ------------------------------------------------------------------------------

void Moments::add(std::int64_t x) {
    std::int64_t sq;
    if (__builtin_mul_overflow(x, x, &sq)) throw Error("Moments: square of a value overflows 64 bits");
    // Compute everything before committing so a throw leaves *this unchanged.
    const std::int64_t n2 = checked_add(n, 1, "Moments count");
    const std::int64_t s2 = checked_add(sum, x, "Moments sum");
    const std::int64_t q2 = checked_add(sum_sq, sq, "Moments sum of squares");
    min = n == 0 ? x : std::min(min, x);
    max = n == 0 ? x : std::max(max, x);
    n = n2;
    sum = s2;
    sum_sq = q2;
}

void Moments::merge(const Moments& o) {
    if (o.n == 0) return;
    const std::int64_t n2 = checked_add(n, o.n, "Moments count");
    const std::int64_t s2 = checked_add(sum, o.sum, "Moments sum");
    const std::int64_t q2 = checked_add(sum_sq, o.sum_sq, "Moments sum of squares");
    min = n == 0 ? o.min : std::min(min, o.min);
    max = n == 0 ? o.max : std::max(max, o.max);
    n = n2;
    sum = s2;
    sum_sq = q2;
}

double Moments::mean() const {
    if (n == 0) return nan;
    return static_cast<double>(static_cast<long double>(sum) / static_cast<long double>(n));
}

double Moments::variance() const {
    if (n < 2) return nan;
    return static_cast<double>(variance_ld(*this));
}

double Moments::sd() const {
    if (n < 2) return nan;
    return static_cast<double>(std::sqrt(variance_ld(*this)));
}

// ---- Histogram ----------------------------------------------------------------------------

void Histogram::grow_to(std::int64_t lo, std::int64_t hi) {
    if (bins.empty()) {
        offset = lo;
        bins.assign(static_cast<std::size_t>(hi - lo + 1), 0);
        return;
    }
    const std::int64_t cur_hi = offset + static_cast<std::int64_t>(bins.size()) - 1;
    lo = std::min(lo, offset);
    hi = std::max(hi, cur_hi);
    if (lo < offset) {
        bins.insert(bins.begin(), static_cast<std::size_t>(offset - lo), 0);
        offset = lo;
    }
    if (hi > cur_hi) bins.resize(bins.size() + static_cast<std::size_t>(hi - cur_hi), 0);
}

namespace {
// Throws unless [lo, hi] (together with the current range) fits in max_bins bins.
void check_width(std::int64_t lo, std::int64_t hi) {
    if (int128{hi} - lo + 1 > Histogram::max_bins)
        throw Error("Histogram: value range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "] is too wide for an exact histogram");
}
}  // namespace

void Histogram::add(std::int64_t value, std::int64_t weight) {
    if (weight < 0) throw Error("Histogram: negative weight");
    if (weight == 0) return;  // no bin for it, so the range stays trimmed
    if (bins.empty()) {
        offset = value;
        bins.assign(1, weight);
        return;
    }
    const std::int64_t hi = offset + static_cast<std::int64_t>(bins.size()) - 1;
    check_width(std::min(value, offset), std::max(value, hi));
    const std::int64_t old = (value >= offset && value <= hi) ? bins[static_cast<std::size_t>(value - offset)] : 0;
    const std::int64_t updated = checked_add(old, weight, "Histogram bin");
    grow_to(value, value);
    bins[static_cast<std::size_t>(value - offset)] = updated;
}

void Histogram::merge(const Histogram& o) {
    // Only o's non-zero span matters; skipping its edge zeros keeps *this trimmed.
    auto first = std::find_if(o.bins.begin(), o.bins.end(), [](std::int64_t c) { return c != 0; });
    if (first == o.bins.end()) return;
    auto last = std::find_if(o.bins.rbegin(), o.bins.rend(), [](std::int64_t c) { return c != 0; }).base();
    const std::int64_t lo = o.offset + (first - o.bins.begin());
    const std::int64_t hi = o.offset + (last - o.bins.begin()) - 1;
    if (!bins.empty())
        check_width(std::min(lo, offset), std::max(hi, offset + static_cast<std::int64_t>(bins.size()) - 1));
    else
        check_width(lo, hi);
    // Check every sum first so a throw leaves *this unchanged.
    for (std::int64_t v = lo; v <= hi; ++v) {
        std::int64_t r;
        if (__builtin_add_overflow(count(v), o.bins[static_cast<std::size_t>(v - o.offset)], &r))
            throw Error("Histogram bin: 64-bit integer overflow");
    }
    grow_to(lo, hi);
    for (std::int64_t v = lo; v <= hi; ++v)
        bins[static_cast<std::size_t>(v - offset)] += o.bins[static_cast<std::size_t>(v - o.offset)];
}

std::int64_t Histogram::total() const {
    std::int64_t t = 0;
    for (std::int64_t c : bins) t = checked_add(t, c, "Histogram total");
    return t;
}

std::int64_t Histogram::count(std::int64_t value) const {
    if (bins.empty() || value < offset) return 0;
    const std::uint64_t i = static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(offset);
    return i < bins.size() ? bins[i] : 0;
}

std::int64_t Histogram::value_at_rank(std::int64_t rank) const {
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) {
        seen += bins[i];
        if (seen >= rank) return offset + static_cast<std::int64_t>(i);
    }
    throw Error("Histogram: rank beyond total");  // unreachable for 1 <= rank <= total()
}

std::optional<double> Histogram::median() const {
    const std::int64_t t = total();
    if (t == 0) return std::nullopt;
    if (t % 2 == 1) return static_cast<double>(value_at_rank(t / 2 + 1));
    const int128 two = int128{value_at_rank(t / 2)} + value_at_rank(t / 2 + 1);
    return static_cast<double>(static_cast<long double>(two) / 2);
}

std::optional<std::int64_t> Histogram::lower_median() const {
    const std::int64_t t = total();
    if (t == 0) return std::nullopt;
    return value_at_rank(t / 2 + t % 2);
}

bool operator==(const Histogram& a, const Histogram& b) {
    auto span = [](const Histogram& h) {
        auto nz = [](std::int64_t c) { return c != 0; };
        auto first = std::find_if(h.bins.begin(), h.bins.end(), nz);
        auto last = std::find_if(h.bins.rbegin(), h.bins.rend(), nz).base();
        if (first == h.bins.end()) last = first;
        return std::tuple(h.offset + (first - h.bins.begin()), first, last);
    };
    auto [alo, af, al] = span(a);
    auto [blo, bf, bl] = span(b);
    if (af == al || bf == bl) return (af == al) == (bf == bl);  // empty equals only empty
    return alo == blo && std::equal(af, al, bf, bl);
}

// ---- DistinctSet --------------------------------------------------------------------------

void DistinctSet::add(std::uint64_t k) {
    keys.push_back(k);
    // Compact when the keys added since the last normalize outnumber the set, so many repeats
    // of few keys cost memory in proportion to the distinct keys, at amortised O(log n) each.
    if (keys.size() - normalized_size_ > std::max<std::size_t>(normalized_size_, 1u << 16)) normalize();
}

namespace {
// End of the longest strictly increasing prefix.
auto sorted_end(std::vector<std::uint64_t>& v) {
    auto it = std::adjacent_find(v.begin(), v.end(), std::greater_equal<>());
    return it == v.end() ? it : it + 1;
}
}  // namespace

void DistinctSet::normalize() {
    // Appends leave a sorted prefix and an unsorted tail: sort the tail only, then merge.
    auto mid = sorted_end(keys);
    if (mid != keys.end()) {
        std::sort(mid, keys.end());
        std::inplace_merge(keys.begin(), mid, keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    }
    normalized_size_ = keys.size();
}

void DistinctSet::merge(const DistinctSet& o) {
    normalize();
    const bool o_ready =
        std::adjacent_find(o.keys.begin(), o.keys.end(), std::greater_equal<>()) == o.keys.end();
    DistinctSet copy;
    if (!o_ready) {
        copy.keys = o.keys;
        copy.normalize();
    }
    const auto& other = o_ready ? o.keys : copy.keys;
    if (other.empty()) return;
    if (keys.empty()) {
        keys = other;
    } else {
        std::vector<std::uint64_t> out;
        out.reserve(keys.size() + other.size());
        std::set_union(keys.begin(), keys.end(), other.begin(), other.end(), std::back_inserter(out));
        keys = std::move(out);
    }
    normalized_size_ = keys.size();
}

std::int64_t DistinctSet::size() {
    normalize();
    return static_cast<std::int64_t>(keys.size());
}

bool operator==(DistinctSet a, DistinctSet b) {
    a.normalize();
    b.normalize();
    return a.keys == b.keys;
}

}  // namespace mhbench::reduce
