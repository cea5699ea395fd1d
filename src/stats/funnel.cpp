#include "stats/funnel.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <string>

#include "model/errors.hpp"

namespace mhbench::stats {

namespace {

using boost::math::binomial_distribution;
using boost::math::policies::discrete_quantile;
using boost::math::policies::integer_round_up;
using boost::math::policies::policy;
using RoundUp = policy<discrete_quantile<integer_round_up>>;

double clamp01(double v) { return std::min(1.0, std::max(0.0, v)); }

void check_points(const std::vector<FunnelPoint>& points) {
    for (std::size_t i = 0; i < points.size(); ++i)
        if (!(points[i].size > 0) || !std::isfinite(points[i].value))
            throw ConfigError("funnel: point " + std::to_string(i) + " needs a finite value and a size above 0");
}

}  // namespace

std::string_view position_label(FunnelPosition p) {
    switch (p) {
        case FunnelPosition::Below998: return "below the 99.8% limit";
        case FunnelPosition::Below95: return "below the 95% limit";
        case FunnelPosition::Within: return "within the 95% limits";
        case FunnelPosition::Above95: return "above the 95% limit";
        case FunnelPosition::Above998: return "above the 99.8% limit";
    }
    return "?";
}

double quantile_type7(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return NAN;
    const double h = (static_cast<double>(sorted.size()) - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

double binomial_funnel_limit(double target, std::int64_t n, double p) {
    if (n <= 0) throw ConfigError("funnel: binomial limit needs n above 0");
    if (!(target >= 0 && target <= 1) || !(p > 0 && p < 1)) throw ConfigError("funnel: binomial limit needs 0 <= target <= 1 and 0 < p < 1");
    const auto dn = static_cast<double>(n);
    if (target == 0) return 0;
    if (target == 1) return 1;
    binomial_distribution<double, RoundUp> b(dn, target);
    // Smallest r with P(R <= r) >= p: Boost's quantile, then checked against the CDF itself.
    double r = std::min(dn, std::max(0.0, boost::math::quantile(b, p)));
    while (r > 0 && boost::math::cdf(b, r - 1) >= p) r -= 1;
    while (r < dn && boost::math::cdf(b, r) < p) r += 1;
    const double at = boost::math::cdf(b, r), below = r > 0 ? boost::math::cdf(b, r - 1) : 0.0;
    const double alpha = at > below ? (at - p) / (at - below) : 0.0;
    return clamp01((r - alpha) / dn);
}

Overdispersion estimate_overdispersion(const std::vector<double>& z, const std::vector<double>& s, double trim) {
    if (z.size() != s.size()) throw ConfigError("funnel: z-scores and standard errors differ in number");
    if (!(trim >= 0 && trim < 0.5)) throw ConfigError("funnel: trim must be in [0, 0.5)");
    Overdispersion od;
    od.units = z.size();
    if (z.size() < 2) return od;
    std::vector<double> sorted(z);
    std::sort(sorted.begin(), sorted.end());
    od.winsor_lo = quantile_type7(sorted, trim);
    od.winsor_hi = quantile_type7(sorted, 1 - trim);
    double sum_z2 = 0, sw = 0, sw2 = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const double zw = std::min(od.winsor_hi, std::max(od.winsor_lo, z[i]));
        sum_z2 += zw * zw;
        const double w = 1 / (s[i] * s[i]);
        sw += w, sw2 += w * w;
    }
    const auto I = static_cast<double>(z.size());
    od.phi = sum_z2 / I;
    const double denom = sw - sw2 / sw;
    od.tau2 = (I * od.phi < I - 1 || !(denom > 0)) ? 0.0 : std::max(0.0, (I * od.phi - (I - 1)) / denom);
    od.chi2_critical = boost::math::quantile(boost::math::chi_squared_distribution<double>(I - 1), 0.95);
    od.overdispersed = I * od.phi > od.chi2_critical && od.tau2 > 0;
    return od;
}

double Funnel::z_score(double value, double size) const {
    if (kind == FunnelKind::Mean) return (value - target) / (sd / std::sqrt(size));
    return (std::asin(std::sqrt(clamp01(value))) - std::asin(std::sqrt(target))) * 2 * std::sqrt(size);
}

FunnelLimits Funnel::unadjusted_limits(double size) const {
    if (kind == FunnelKind::Mean) {
        const double s = sd / std::sqrt(size);
        return {target - kFunnelZ95 * s, target + kFunnelZ95 * s, target - kFunnelZ998 * s, target + kFunnelZ998 * s};
    }
    const auto n = std::max<std::int64_t>(1, std::llround(size));
    return {binomial_funnel_limit(target, n, 0.025), binomial_funnel_limit(target, n, 0.975),
            binomial_funnel_limit(target, n, 0.001), binomial_funnel_limit(target, n, 0.999)};
}

FunnelLimits Funnel::limits(double size) const {
    if (!od.overdispersed) return unadjusted_limits(size);
    if (kind == FunnelKind::Mean) {
        const double s = std::sqrt(sd * sd / size + od.tau2);
        return {target - kFunnelZ95 * s, target + kFunnelZ95 * s, target - kFunnelZ998 * s, target + kFunnelZ998 * s};
    }
    // On the arcsine scale, back-transformed with sin^2; clamped where the scale ends (0, pi/2).
    const double t = std::asin(std::sqrt(target)), s = std::sqrt(1 / (4 * size) + od.tau2);
    auto back = [](double y) { return y <= 0 ? 0.0 : y >= M_PI / 2 ? 1.0 : std::sin(y) * std::sin(y); };
    return {back(t - kFunnelZ95 * s), back(t + kFunnelZ95 * s), back(t - kFunnelZ998 * s), back(t + kFunnelZ998 * s)};
}

FunnelPosition Funnel::position(double value, double size) const {
    const FunnelLimits l = limits(size);
    if (value < l.lo998) return FunnelPosition::Below998;
    if (value > l.hi998) return FunnelPosition::Above998;
    if (value < l.lo95) return FunnelPosition::Below95;
    if (value > l.hi95) return FunnelPosition::Above95;
    return FunnelPosition::Within;
}

std::string_view Funnel::limits_drawn() const {
    if (od.overdispersed) return "additive random-effects limits (DerSimonian-Laird tau\u00b2), allowing for over-dispersion";
    return kind == FunnelKind::Proportion ? "exact binomial limits (no over-dispersion allowance needed)"
                                          : "limits of national mean \u00b1 z\u00b7s/\u221an (no over-dispersion allowance needed)";
}

Funnel proportion_funnel(double target, const std::vector<FunnelPoint>& points, double trim) {
    if (!(target > 0 && target < 1)) throw ConfigError("funnel: a proportion target must lie strictly between 0 and 1");
    check_points(points);
    Funnel f;
    f.kind = FunnelKind::Proportion;
    f.target = target;
    std::vector<double> z, s;
    for (const auto& p : points) {
        if (p.value < 0 || p.value > 1) throw ConfigError("funnel: a proportion must lie in [0, 1]");
        z.push_back(f.z_score(p.value, p.size));
        s.push_back(1 / (2 * std::sqrt(p.size)));
    }
    f.od = estimate_overdispersion(z, s, trim);
    return f;
}

Funnel mean_funnel(double target, double sd, const std::vector<FunnelPoint>& points, double trim) {
    if (!(sd > 0) || !std::isfinite(target)) throw ConfigError("funnel: a mean funnel needs a finite target and sd above 0");
    check_points(points);
    Funnel f;
    f.kind = FunnelKind::Mean;
    f.target = target;
    f.sd = sd;
    std::vector<double> z, s;
    for (const auto& p : points) {
        z.push_back(f.z_score(p.value, p.size));
        s.push_back(sd / std::sqrt(p.size));
    }
    f.od = estimate_overdispersion(z, s, trim);
    return f;
}

}  // namespace mhbench::stats
