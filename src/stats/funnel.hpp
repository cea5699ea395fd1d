#pragma once
// Funnel plots for comparing organisations (SPEC section 9; Spiegelhalter 2005, Stat Med 24:1185,
// and the NHS-R FunnelPlotR conventions): limits at 95% and 99.8% around a national target, a
// robust over-dispersion estimate from Winsorised z-scores, and DerSimonian-Laird additive
// random-effects limits when the organisations vary more than chance alone explains.
//
// Proportions: exact binomial limits (Spiegelhalter's interpolated quantiles) without
// over-dispersion; z-scores and the additive limits on the arcsine-square-root scale,
// y = asin(sqrt(p)), s = 1 / (2 sqrt(n)). Means: target ± z·sd/sqrt(n), z-scores on the raw
// scale with s = sd / sqrt(n).
#include <cstdint>
#include <string_view>
#include <vector>

namespace mhbench::stats {

/// Two-sided normal quantiles of the funnel limits: 0.025/0.975 and 0.001/0.999.
inline constexpr double kFunnelZ95 = 1.959963984540054;
inline constexpr double kFunnelZ998 = 3.090232306167813;

enum class FunnelKind { Proportion, Mean };

/// One organisation on a funnel: its value (a proportion in [0, 1] or a mean) and its size
/// (the denominator of the proportion, or the number of cases the mean is over; > 0).
struct FunnelPoint {
    double value;
    double size;
};

/// Robust over-dispersion estimate over the organisations of one funnel.
struct Overdispersion {
    std::size_t units = 0;       ///< I, organisations with a z-score
    double phi = 0;              ///< mean of the squared Winsorised z-scores
    double tau2 = 0;             ///< DerSimonian-Laird between-organisation variance (transformed scale), >= 0
    double winsor_lo = 0;        ///< z at the lower trimming centile (R's type 7 quantile)
    double winsor_hi = 0;        ///< z at the upper trimming centile
    double chi2_critical = 0;    ///< 95th percentile of chi-squared with I - 1 degrees of freedom
    bool overdispersed = false;  ///< I·phi > chi2_critical (and tau2 > 0): additive limits are drawn
};

struct FunnelLimits {
    double lo95, hi95, lo998, hi998;
};

/// Where a point lies against the limits drawn.
enum class FunnelPosition { Below998, Below95, Within, Above95, Above998 };
std::string_view position_label(FunnelPosition p);  // "below 99.8% limit", ..., "within 95% limits"

/// A funnel: its target, the spread it is built on and the over-dispersion of its points.
struct Funnel {
    FunnelKind kind = FunnelKind::Proportion;
    double target = 0;  ///< national proportion (0..1) or national mean
    double sd = 0;      ///< national standard deviation (means only)
    Overdispersion od;

    /// Limits drawn at this size: additive random-effects limits when over-dispersed, otherwise
    /// exact binomial (proportions) or target ± z·sd/sqrt(n) (means). Proportion limits are
    /// clamped to [0, 1].
    FunnelLimits limits(double size) const;
    /// The limits without any over-dispersion allowance.
    FunnelLimits unadjusted_limits(double size) const;
    /// z-score of a point on the funnel's scale, without over-dispersion allowance.
    double z_score(double value, double size) const;
    FunnelPosition position(double value, double size) const;
    /// "additive random-effects (DerSimonian-Laird) limits" or the unadjusted kind.
    std::string_view limits_drawn() const;
};

/// Builds a funnel around `target` for proportions. Points with size <= 0 throw ConfigError.
Funnel proportion_funnel(double target, const std::vector<FunnelPoint>& points, double trim = 0.1);
/// Builds a funnel around `target` (national mean) with national standard deviation `sd` > 0.
Funnel mean_funnel(double target, double sd, const std::vector<FunnelPoint>& points, double trim = 0.1);

/// Spiegelhalter's exact binomial limit: the p-quantile of Binomial(n, target) / n, interpolated
/// between integers so the limits are smooth in n (Spiegelhalter 2005, appendix A.1.1):
/// r = smallest count with P(R <= r) >= p, alpha = (P(R <= r) - p) / P(R = r), limit (r - alpha)/n.
double binomial_funnel_limit(double target, std::int64_t n, double p);

/// R's type 7 sample quantile of already sorted values.
double quantile_type7(const std::vector<double>& sorted, double p);

/// Over-dispersion from unadjusted z-scores and within-organisation standard errors s_i:
/// z Winsorised at the trim / 1 - trim centiles, phi = mean(z_w^2), tau2 = max(0, (I·phi - (I - 1)) /
/// (sum w - sum w^2 / sum w)) with w = 1 / s^2 (0 when I·phi < I - 1), over-dispersed when
/// I·phi exceeds the 95th percentile of chi-squared(I - 1). Fewer than 2 points: not over-dispersed.
Overdispersion estimate_overdispersion(const std::vector<double>& z, const std::vector<double>& s, double trim = 0.1);

}  // namespace mhbench::stats
