#include "ips/rules.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::ips {

namespace {

using Csv = reference::CsvFile;
using reference::read_csv;

int to_int(const Csv& c, std::size_t row, const std::string& field) {
    const std::string& s = c.rows[row][c.col(field)];
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) c.fail(row, field, "'" + s + "' is not a whole number");
    return v;
}

double to_double(const Csv& c, std::size_t row, const std::string& field) {
    const std::string& s = c.rows[row][c.col(field)];
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (used == s.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    c.fail(row, field, "'" + s + "' is not a number");
}

}  // namespace

IpsReference IpsReference::parse(const std::map<std::string, std::string>& files) {
    IpsReference r;
    {
        Csv c = read_csv(files, "ips_codes.csv");
        const std::size_t kind = c.col("kind"), code = c.col("code");
        const std::map<std::string, std::set<std::string>*> sets = {
            {"team_type", &r.team_types},       {"activity", &r.activities},
            {"refused_qualifier", &r.refused_qualifiers}, {"attended", &r.attended},
            {"direct_mechanism", &r.direct_mechanisms},   {"employed", &r.employed},
            {"not_employed", &r.not_employed}};
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            auto it = sets.find(c.rows[i][kind]);
            if (it == sets.end()) c.fail(i, "kind", "unknown kind '" + c.rows[i][kind] + "'");
            if (c.rows[i][code].empty()) c.fail(i, "code", "empty code");
            it->second->insert(c.rows[i][code]);
        }
        for (const auto& [k, set] : sets)
            if (set->empty()) throw ConfigError("reference data ips_codes.csv: no code of kind " + k);
        for (const auto& e : r.employed)
            if (r.not_employed.count(e)) throw ConfigError("reference data ips_codes.csv: " + e + " is both employed and not");
    }
    {
        Csv c = read_csv(files, "ips_fidelity_bands.csv");
        const std::size_t label = c.col("band");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            FidelityBand b{c.rows[i][label], to_int(c, i, "min_score"), to_int(c, i, "max_score")};
            if (b.label.empty()) c.fail(i, "band", "empty band name");
            if (b.max < b.min) c.fail(i, "max_score", "below min_score");
            if (!r.bands.empty() && b.min != r.bands.back().max + 1)
                c.fail(i, "min_score", "bands must be ascending and contiguous");
            r.bands.push_back(b);
        }
        if (r.bands.empty()) throw ConfigError("reference data ips_fidelity_bands.csv: no bands");
    }
    {
        Csv c = read_csv(files, "ips_thresholds.csv");
        const std::size_t name = c.col("name");
        std::set<std::string> seen;
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const std::string& n = c.rows[i][name];
            seen.insert(n);
            if (n == "job_retention_max_share") r.job_retention_max_share = to_double(c, i, "value");
            else if (n == "unemployed_min_share") r.unemployed_min_share = to_double(c, i, "value");
            else if (n == "review_due_years") r.review_due_years = to_int(c, i, "value");
            else c.fail(i, "name", "unknown threshold '" + n + "'");
        }
        for (const char* n : {"job_retention_max_share", "unemployed_min_share", "review_due_years"})
            if (!seen.count(n)) throw ConfigError(std::string("reference data ips_thresholds.csv: no ") + n);
        if (!(r.job_retention_max_share >= 0 && r.job_retention_max_share <= 1) ||
            !(r.unemployed_min_share >= 0 && r.unemployed_min_share <= 1))
            throw ConfigError("reference data ips_thresholds.csv: shares must be between 0 and 1");
        if (r.review_due_years < 1) throw ConfigError("reference data ips_thresholds.csv: review_due_years below 1");
    }
    return r;
}

ActivityKind classify_activity(std::string_view procedure, const IpsReference& ref) {
    const std::size_t colon = procedure.find(':');
    const std::string code(procedure.substr(0, colon));
    if (!ref.activities.count(code)) return ActivityKind::Other;
    if (colon != std::string_view::npos) {
        const std::size_t eq = procedure.rfind('=');
        if (eq != std::string_view::npos && eq > colon && ref.refused_qualifiers.count(std::string(procedure.substr(eq + 1))))
            return ActivityKind::IpsRefused;
    }
    return ActivityKind::Ips;
}

Employment classify_employment(std::string_view code, const IpsReference& ref) {
    const std::string c(code);
    if (ref.employed.count(c)) return Employment::Employed;
    if (ref.not_employed.count(c)) return Employment::NotEmployed;
    return Employment::Unknown;
}

Routes routes_of(bool referred_to_ips_team, std::span<const Contact> contacts) {
    Routes r;
    r.team = referred_to_ips_team;
    r.activity = std::any_of(contacts.begin(), contacts.end(), [](const Contact& c) { return c.direct && c.ips_coded; });
    return r;
}

bool counts_as_ips_contact(const Contact& c) { return c.direct && (c.ips_team || c.ips_coded); }

bool is_ips_activity(const Contact& c) { return c.ips_team || c.ips_coded; }

std::optional<Day> access_in_year(std::span<const Contact> contacts, FinancialYear fy) {
    std::optional<Day> first;
    for (const auto& c : contacts)
        if (counts_as_ips_contact(c) && fy.contains(c.date) && (!first || c.date < *first)) first = c.date;
    return first;
}

Employment employment_at_referral(std::span<const EmploymentRecord> records, Day received, Day discharged, Day until) {
    const Day end = discharged != kMissing ? discharged : until;
    const EmploymentRecord* first_within = nullptr;
    const EmploymentRecord* last_before = nullptr;
    for (const auto& r : records) {
        if (r.date == kMissing) continue;
        if (received != kMissing && r.date < received) {
            if (!last_before || r.date > last_before->date) last_before = &r;
        } else if (r.date <= end) {
            if (!first_within || r.date < first_within->date) first_within = &r;
        }
    }
    if (first_within) return first_within->status;
    return last_before ? last_before->status : Employment::Unknown;
}

Employment employment_at_discharge(std::span<const EmploymentRecord> records, Day discharged) {
    if (discharged == kMissing) return Employment::Unknown;
    const EmploymentRecord* last = nullptr;
    for (const auto& r : records)
        if (r.date != kMissing && r.date <= discharged && (!last || r.date > last->date)) last = &r;
    return last ? last->status : Employment::Unknown;
}

std::string fidelity_band(int score, const IpsReference& ref) {
    for (const auto& b : ref.bands)
        if (score >= b.min && score <= b.max) return b.label;
    return "";
}

bool review_overdue(Day latest_review, Day as_of, const IpsReference& ref) {
    // The same calendar date review_due_years later (29 February falls back to 28 February).
    const Civil c = civil_from_days(latest_review);
    const int y = c.year + ref.review_due_years;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    const unsigned day = (c.month == 2 && c.day == 29 && !leap) ? 28 : c.day;
    return as_of > days_from_civil(y, c.month, day);
}

}  // namespace mhbench::ips
