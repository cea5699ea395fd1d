#pragma once
// Dates as days since 1970-01-01 in an int32; financial years labelled "2023-24".
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace mhbench {

using Day = std::int32_t;
/// Sentinel for a missing date (or any missing int32 value in the store).
inline constexpr std::int32_t kMissing = std::numeric_limits<std::int32_t>::min();

/// Days since the epoch for a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr Day days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}

struct Civil {
    int year;
    unsigned month, day;
};
Civil civil_from_days(Day z);

/// Parses an ISO 8601 date "YYYY-MM-DD" (a trailing time part "THH:MM[:SS]" is
/// accepted and ignored). nullopt when malformed or not a real calendar date.
std::optional<Day> parse_iso_date(std::string_view s);
std::string format_iso_date(Day d);

/// Financial year (1 April to 31 March) identified by the calendar year it starts in.
struct FinancialYear {
    int start_year;
    Day first_day() const { return days_from_civil(start_year, 4, 1); }
    Day last_day() const { return days_from_civil(start_year + 1, 3, 31); }
    bool contains(Day d) const { return d != kMissing && d >= first_day() && d <= last_day(); }
    std::string label() const;  // "2023-24"
    static FinancialYear of(Day d);
    /// Parses "2023-24"; throws ConfigError when malformed.
    static FinancialYear parse(std::string_view label);
    auto operator<=>(const FinancialYear&) const = default;
};

/// Inclusive range of financial years, "2021-22:2023-24" or a single "2023-24".
struct YearRange {
    FinancialYear first, last;
    static YearRange parse(std::string_view spec);
};

}  // namespace mhbench
