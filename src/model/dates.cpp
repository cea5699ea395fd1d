#include "model/dates.hpp"

#include <charconv>
#include <cstdio>

#include "model/errors.hpp"

namespace mhbench {

Civil civil_from_days(Day z0) {
    int z = z0 + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int y = static_cast<int>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool digits(std::string_view s, int& out) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::optional<Day> parse_iso_date(std::string_view s) {
    if (s.size() > 10 && (s[10] == 'T' || s[10] == ' ')) s = s.substr(0, 10);
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y, m, d;
    if (!digits(s.substr(0, 4), y) || !digits(s.substr(5, 2), m) || !digits(s.substr(8, 2), d)) return std::nullopt;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1850 || m < 1 || m > 12 || d < 1) return std::nullopt;
    int dim = kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
    if (d > dim) return std::nullopt;
    return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_iso_date(Day d) {
    if (d == kMissing) return "";
    Civil c = civil_from_days(d);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
    return buf;
}

std::string FinancialYear::label() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", start_year, (start_year + 1) % 100);
    return buf;
}

FinancialYear FinancialYear::of(Day d) {
    Civil c = civil_from_days(d);
    return {c.month >= 4 ? c.year : c.year - 1};
}

FinancialYear FinancialYear::parse(std::string_view label) {
    int y, y2;
    if (label.size() != 7 || label[4] != '-' || !digits(label.substr(0, 4), y) || !digits(label.substr(5, 2), y2) ||
        (y + 1) % 100 != y2)
        throw ConfigError("financial year '" + std::string(label) + "' is not of the form 2023-24");
    return {y};
}

YearRange YearRange::parse(std::string_view spec) {
    auto colon = spec.find(':');
    if (colon == std::string_view::npos) {
        auto y = FinancialYear::parse(spec);
        return {y, y};
    }
    YearRange r{FinancialYear::parse(spec.substr(0, colon)), FinancialYear::parse(spec.substr(colon + 1))};
    if (r.last < r.first) throw ConfigError("year range '" + std::string(spec) + "' runs backwards");
    return r;
}

}  // namespace mhbench
