#pragma once
// One funnel plot of the packs: the organisations of one level on one indicator, its funnel
// (target, limits, over-dispersion) and its drawing as inline SVG with a text alternative.
#include <optional>
#include <string>
#include <vector>

#include "stats/funnel.hpp"

namespace mhbench::packs {

/// One organisation's point: its size (x) and value (y; a proportion 0..1 or a mean), both
/// taken from disclosure-controlled figures.
struct FunnelDot {
    std::string org;
    double size;
    double value;
};

struct FunnelSeries {
    std::string indicator;   ///< "reliable_recovery_rate" or "mean_contacts"
    std::string descriptor;  ///< problem descriptor ("All" for every one)
    std::string severity;    ///< severity band ("All" for every one)
    std::string title;       ///< plain-English chart title
    std::string x_label, y_label;
    std::string level_plural;  ///< "providers", "ICBs"
    bool percent = false;      ///< values are proportions shown as per cent
    stats::Funnel funnel;
    std::vector<FunnelDot> dots;  ///< sorted by organisation code
    std::size_t not_shown = 0;    ///< organisations without a disclosable value
    const FunnelDot* dot(const std::string& org) const;
};

/// Fewest organisations with a value for a funnel to be drawn: below it neither the comparison nor
/// the over-dispersion estimate means much.
inline constexpr std::size_t kMinFunnelOrganisations = 5;

/// Builds a series (funnel and over-dispersion) from its dots; nullopt when there are fewer than
/// kMinFunnelOrganisations dots or the funnel is undefined (a target of 0 or 1, or no spread for means).
std::optional<FunnelSeries> make_series(FunnelSeries s, double target, double sd);

/// The chart as inline SVG: limits, England line, every organisation as a hollow grey circle and
/// `highlight` (when given and present) as a filled blue diamond; x on a log scale. `id` must be
/// unique within the page. Coordinates carry one decimal of a pixel, no more precise than the
/// published figures they come from.
std::string funnel_svg(const FunnelSeries& s, const std::string& id, const std::string& highlight,
                       const std::string& highlight_name, bool small);

/// Plain-English sentence on the limits drawn, phi and tau2 (for the caption and the text alternative).
std::string overdispersion_sentence(const FunnelSeries& s);

/// Where `org` lies, in words ("within the 95% limits"), or "" when it is not on the chart.
std::string position_words(const FunnelSeries& s, const std::string& org);

}  // namespace mhbench::packs
