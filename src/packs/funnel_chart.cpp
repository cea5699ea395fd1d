#include "packs/funnel_chart.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <iterator>

#include "packs/html.hpp"

namespace mhbench::packs {

const FunnelDot* FunnelSeries::dot(const std::string& org) const {
    auto it = std::lower_bound(dots.begin(), dots.end(), org, [](const FunnelDot& d, const std::string& o) { return d.org < o; });
    return it != dots.end() && it->org == org ? &*it : nullptr;
}

std::optional<FunnelSeries> make_series(FunnelSeries s, double target, double sd) {
    if (s.dots.size() < kMinFunnelOrganisations || !std::isfinite(target)) return std::nullopt;
    std::sort(s.dots.begin(), s.dots.end(), [](const FunnelDot& a, const FunnelDot& b) { return a.org < b.org; });
    std::vector<stats::FunnelPoint> pts;
    for (const auto& d : s.dots) pts.push_back({d.value, d.size});
    if (s.percent) {
        if (!(target > 0 && target < 1)) return std::nullopt;
        s.funnel = stats::proportion_funnel(target, pts);
    } else {
        if (!(sd > 0)) return std::nullopt;
        s.funnel = stats::mean_funnel(target, sd, pts);
    }
    return s;
}

std::string overdispersion_sentence(const FunnelSeries& s) {
    const auto& od = s.funnel.od;
    std::string out = fmt::format("Limits drawn: {}. Over-dispersion across the {} {} with a value: \u03c6 = {} "
                                  "(1 means no more variation than chance), \u03c4\u00b2 = {}",
                                  s.funnel.limits_drawn(), od.units, s.level_plural, format_number(od.phi, 2),
                                  od.tau2 == 0 ? std::string("0") : fmt::format("{:.3g}", od.tau2));
    if (s.percent) out += " (arcsine square-root scale)";
    out += od.overdispersed ? "; the organisations vary more than chance alone explains (\u03c7\u00b2 test at 5%)."
                            : "; no over-dispersion beyond chance (\u03c7\u00b2 test at 5%).";
    return out;
}

std::string position_words(const FunnelSeries& s, const std::string& org) {
    const FunnelDot* d = s.dot(org);
    if (!d) return "";
    return std::string(stats::position_label(s.funnel.position(d->value, d->size)));
}

namespace {

struct Scale {
    double d0, d1, r0, r1;
    bool log;
    double operator()(double v) const {
        const double a = log ? std::log10(v) : v, b0 = log ? std::log10(d0) : d0, b1 = log ? std::log10(d1) : d1;
        return r0 + (a - b0) / (b1 - b0) * (r1 - r0);
    }
};

std::string px(double v) { return fmt::format("{:.1f}", v); }

double nice_step(double range, int target_ticks) {
    const double raw = range / target_ticks, mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) return m * mag;
    return 10 * mag;
}

}  // namespace

std::string funnel_svg(const FunnelSeries& s, const std::string& id, const std::string& highlight,
                       const std::string& highlight_name, bool small) {
    const double W = small ? 380 : 720, H = small ? 250 : 320;
    const double left = 58, right = 14, top = 12, bottom = 46;
    const double k = s.percent ? 100.0 : 1.0;  // shown units
    double xmin = 1e300, xmax = 0;
    std::vector<double> sizes;
    for (const auto& d : s.dots) xmin = std::min(xmin, d.size), xmax = std::max(xmax, d.size), sizes.push_back(d.size);
    xmin = std::max(1.0, xmin / 1.25);
    xmax = std::max(xmin * 10, xmax * 1.25);
    std::sort(sizes.begin(), sizes.end());
    // The y range covers every dot, the target and the limits at the lower quartile of sizes: the
    // funnel's mouth beyond that is cut off rather than squashing the points.
    const double q1 = sizes[sizes.size() / 4];
    const auto lq = s.funnel.limits(q1);
    double ylo = std::min(s.funnel.target, lq.lo998), yhi = std::max(s.funnel.target, lq.hi998);
    for (const auto& d : s.dots) ylo = std::min(ylo, d.value), yhi = std::max(yhi, d.value);
    const double pad = (yhi - ylo) * 0.06 + (s.percent ? 0.005 : 0.05);
    ylo = std::max(0.0, ylo - pad), yhi += pad;
    if (s.percent) yhi = std::min(1.0, yhi);
    const Scale X{xmin, xmax, left, W - right, true}, Y{ylo, yhi, H - bottom, top, false};

    const std::string tid = id + "-t", did = id + "-d", cid = id + "-c";
    const FunnelDot* me = highlight.empty() ? nullptr : s.dot(highlight);
    std::string desc = fmt::format("Funnel plot of {} against {} for {} {}; England {} is the centre line. ", s.y_label,
                                   s.x_label, s.dots.size(), s.level_plural,
                                   s.percent ? format_percent(s.funnel.target * 100) : format_number(s.funnel.target, 2));
    if (me)
        desc += fmt::format("{}: {} with {} {}, {}. ", highlight_name,
                            s.percent ? format_percent(me->value * 100) : format_number(me->value, 2), format_count(me->size),
                            s.x_label, position_words(s, highlight));
    else if (!highlight.empty())
        desc += highlight_name + " has no disclosable value on this chart. ";
    desc += overdispersion_sentence(s);

    std::string o = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
        "aria-labelledby=\"{} {}\" class=\"funnel\" data-dots=\"{}\">\n<title id=\"{}\">{}</title>\n<desc id=\"{}\">{}</desc>\n",
        W, H, W, H, tid, did, s.dots.size(), tid, escape(s.title), did, escape(desc));
    o += fmt::format("<defs><clipPath id=\"{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n", cid,
                     left, top, W - left - right, H - top - bottom);
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fff\" stroke=\"#aeb7bd\"/>\n", left, top,
                     W - left - right, H - top - bottom);
    // y grid and ticks
    const double step = nice_step((yhi - ylo) * k, small ? 4 : 6);
    const int decimals = step < 1 ? (step < 0.1 ? 2 : 1) : 0;
    for (double t = std::ceil(ylo * k / step) * step; t <= yhi * k + 1e-9; t += step) {
        const double y = Y(t / k);
        o += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#e8edee\"/>", left, W - right, px(y), px(y));
        o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#212b32\">{}</text>\n",
                         left - 4, px(y + 4), format_number(t, decimals) + (s.percent ? "%" : ""));
    }
    // x ticks at 1, 2, 5 x 10^k
    for (double p = std::pow(10.0, std::floor(std::log10(xmin))); p <= xmax; p *= 10)
        for (double m : {1.0, 2.0, 5.0}) {
            const double v = p * m;
            if (v < xmin || v > xmax) continue;
            const double x = X(v);
            o += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#e8edee\"/>", px(x), px(x), top, H - bottom);
            if (m != 2.0 || !small)
                o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#212b32\">{}</text>\n",
                                 px(x), H - bottom + 14, format_count(v));
        }
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#212b32\">{} (log scale)</text>\n",
                     px((left + W - right) / 2), H - 10, escape(s.x_label));
    o += fmt::format("<text transform=\"translate(13 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" "
                     "fill=\"#212b32\">{}</text>\n",
                     px((top + H - bottom) / 2), escape(s.y_label));
    // limits: sampled on a log grid of sizes (whole numbers for proportions)
    std::string lo95, hi95, lo998, hi998;
    double last_n = -1;
    for (int i = 0; i <= 80; ++i) {
        double n = xmin * std::pow(xmax / xmin, i / 80.0);
        if (s.percent) n = std::round(n);
        if (n == last_n || n < 1) continue;
        last_n = n;
        const auto l = s.funnel.limits(n);
        const std::string xs = px(X(n));
        const char sep = lo95.empty() ? 'M' : 'L';
        fmt::format_to(std::back_inserter(lo95), "{}{} {}", sep, xs, px(Y(l.lo95)));
        fmt::format_to(std::back_inserter(hi95), "{}{} {}", sep, xs, px(Y(l.hi95)));
        fmt::format_to(std::back_inserter(lo998), "{}{} {}", sep, xs, px(Y(l.lo998)));
        fmt::format_to(std::back_inserter(hi998), "{}{} {}", sep, xs, px(Y(l.hi998)));
    }
    o += fmt::format("<g clip-path=\"url(#{})\" fill=\"none\">\n", cid);
    o += fmt::format("<path d=\"{}{}\" stroke=\"#d55e00\" stroke-width=\"1.8\"/>\n", lo998, hi998);
    o += fmt::format("<path d=\"{}{}\" stroke=\"#0072b2\" stroke-width=\"1.8\" stroke-dasharray=\"6 4\"/>\n", lo95, hi95);
    o += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#212b32\" stroke-width=\"1.2\"/>\n", left,
                     W - right, px(Y(s.funnel.target)), px(Y(s.funnel.target)));
    o += "</g>\n";
    // every organisation as a grey dot (one path: round caps on zero-length segments); outside the
    // clip, so that a dot on the edge of the range (a rate of 100%) is drawn whole
    std::string d;
    for (const auto& dot : s.dots) {
        if (me && dot.org == me->org) continue;
        fmt::format_to(std::back_inserter(d), "M{} {}h0", px(X(dot.size)), px(Y(dot.value)));
    }
    o += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#768692\" stroke-opacity=\"0.75\" stroke-width=\"{}\" "
                     "stroke-linecap=\"round\"/>\n",
                     d, small ? 4.5 : 5.5);
    if (me) {
        const double x = X(me->size), y = Y(me->value), r = small ? 6 : 7.5;
        o += fmt::format("<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"#005eb8\" stroke=\"#000\" stroke-width=\"1.5\"/>\n",
                         px(x), px(y - r), px(x + r), px(y), px(x), px(y + r), px(x - r), px(y));
    }
    return o + "</svg>\n";
}

}  // namespace mhbench::packs
