#pragma once
// HTML building blocks of the benchmark packs: escaping, numbers formatted as NHS publications
// format them, and the page shell (inline CSS and script only: a pack fetches nothing).
#include <optional>
#include <string>
#include <string_view>

namespace mhbench::packs {

/// Escapes &, <, >, " and ' for text and attribute values.
std::string escape(std::string_view s);

/// Whole number with thousands separators ("1,234,567"); "*" (suppressed) when missing.
std::string format_count(std::optional<double> v);
/// Fixed decimals with thousands separators in the integer part ("12,345.6"); "*" when missing.
std::string format_number(std::optional<double> v, int decimals);
/// A percentage from a value already in per cent, one decimal ("47.1%"); "*" when missing.
std::string format_percent(std::optional<double> per_cent, int decimals = 1);

/// Text for a suppressed or unavailable cell, with its explanation for screen readers.
inline constexpr std::string_view kSuppressedCell =
    "<span title=\"suppressed or not available: see Disclosure control\">*</span>";

/// A complete page: doctype, language, title, the shared inline style sheet and, when given,
/// an inline script placed at the end of the body.
std::string page(const std::string& title, const std::string& body, const std::string& script = "");

}  // namespace mhbench::packs
