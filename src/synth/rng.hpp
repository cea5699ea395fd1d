#pragma once
// Counter-seeded random streams: every stream is a pure function of (seed, labels), so what a
// provider-month draws does not depend on which rank or thread generates it.
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace mhbench::synth {

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Hash of a label list, used both to seed streams and as a stateless coin.
constexpr std::uint64_t mix(std::initializer_list<std::uint64_t> labels) {
    std::uint64_t h = 0x6A09E667F3BCC909ull;
    for (std::uint64_t v : labels) {
        std::uint64_t s = h ^ v;
        h = splitmix64(s);
    }
    return h;
}

inline double unit_double(std::uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }

/// xoshiro256** (Blackman and Vigna): fast, small state, good statistical quality.
class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (auto& w : s_) w = splitmix64(seed);
    }
    std::uint64_t next() {
        const std::uint64_t r = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return r;
    }
    double u() { return unit_double(next()); }
    bool chance(double p) { return u() < p; }
    /// Uniform integer in [lo, hi] (inclusive); the tiny modulo bias is irrelevant here.
    int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
    /// Geometric count >= 0 with the given mean.
    int geometric(double mean) {
        if (mean <= 0) return 0;
        const double p = 1.0 / (1.0 + mean);
        return static_cast<int>(std::floor(std::log1p(-u()) / std::log1p(-p)));
    }
    double normal(double mean, double sd) {
        const double a = u(), b = u();
        return mean + sd * std::sqrt(-2.0 * std::log1p(-a)) * std::cos(6.283185307179586 * b);
    }
    /// Index drawn with probability proportional to weights (need not sum to 1).
    template <class W>
    std::size_t pick(std::span<const W> weights) {
        double total = 0;
        for (const auto& w : weights) total += static_cast<double>(weight_of(w));
        double x = u() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            x -= static_cast<double>(weight_of(weights[i]));
            if (x < 0) return i;
        }
        return weights.size() - 1;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    template <class W>
    static double weight_of(const W& w) {
        if constexpr (requires { w.weight; }) return w.weight;
        else return static_cast<double>(w);
    }
    std::uint64_t s_[4];
};

/// floor(x) plus one with probability frac(x): expected value x, so totals track the scale.
inline std::int64_t stochastic_round(double x, std::uint64_t coin) {
    const double f = std::floor(x);
    return static_cast<std::int64_t>(f) + (unit_double(coin) < x - f ? 1 : 0);
}

}  // namespace mhbench::synth
