#pragma once
// Individual Placement and Support (SPEC section 6, seeds 002 and 004): the rules, free of MPI,
// HDF5 and threads. Which referral is IPS, which contact is a counted direct contact, when a
// referral accesses IPS in a year, employment at referral and discharge, fidelity bands and
// reviews due. Codes and thresholds come from reference data (ips_*.csv).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"

namespace mhbench::ips {

struct FidelityBand {
    std::string label;
    int min = 0, max = 0;  // inclusive
};

/// The IPS reference data: ips_codes.csv, ips_fidelity_bands.csv, ips_thresholds.csv.
struct IpsReference {
    std::set<std::string> team_types, activities, refused_qualifiers, attended, direct_mechanisms, employed,
        not_employed;
    std::vector<FidelityBand> bands;  ///< ascending, contiguous
    double job_retention_max_share = 0.15;
    double unemployed_min_share = 0.85;
    int review_due_years = 2;

    /// From the reference file texts by name; ConfigError naming file, line and field when a
    /// file is absent or wrong.
    static IpsReference parse(const std::map<std::string, std::string>& files);
};

/// What a care activity code (MHS202 Procedure) says about IPS.
enum class ActivityKind : std::uint8_t { Other, Ips, IpsRefused };
/// "772822000" → Ips; "772822000:408729009=443390004" → IpsRefused (the code is the text before
/// ':', the qualifier the text after the last '='); anything else → Other.
ActivityKind classify_activity(std::string_view procedure, const IpsReference& ref);

/// Employment status as the IPS measures use it.
enum class Employment : std::uint8_t { Unknown, Employed, NotEmployed };
Employment classify_employment(std::string_view code, const IpsReference& ref);

/// One contact of a referral as the rules need it.
struct Contact {
    Day date = kMissing;
    bool direct = false;     ///< attended, by a direct consultation mechanism
    bool ips_team = false;   ///< delivered by one of the referral's IPS teams (team route)
    bool ips_coded = false;  ///< carries an IPS activity code, not refused (activity route)
};

/// A referral is IPS by the team route (referred to an IPS team) or the activity route (a direct
/// contact coded IPS, not refused); one that qualifies both ways is still one referral.
struct Routes {
    bool team = false, activity = false;
    bool ips() const { return team || activity; }
};
Routes routes_of(bool referred_to_ips_team, std::span<const Contact> contacts);

/// A contact counts for IPS when it is direct and either delivered by the referral's IPS team or
/// coded as IPS (once, when both).
bool counts_as_ips_contact(const Contact& c);
/// A contact of an IPS referral that is IPS activity, direct or not (team route: the IPS team's
/// contacts; activity route: the coded ones), for the contacts-by-mechanism table.
bool is_ips_activity(const Contact& c);

/// Access in a financial year: the date of the referral's first counted direct contact in that
/// year; nullopt when there is none. Each year of an open referral is a new access.
std::optional<Day> access_in_year(std::span<const Contact> contacts, FinancialYear fy);

/// One EmployStatus record of the person.
struct EmploymentRecord {
    Day date = kMissing;
    Employment status = Employment::Unknown;
};
/// Employment at referral: the first record dated from the referral's receipt up to its end
/// (discharge, or `until` while open); when there is none, the latest record before receipt (the
/// status known when referred). Records without a date are ignored. `records` in any order.
Employment employment_at_referral(std::span<const EmploymentRecord> records, Day received, Day discharged, Day until);
/// Employment at discharge: the last record dated on or before the discharge date.
Employment employment_at_discharge(std::span<const EmploymentRecord> records, Day discharged);

/// The band of a review score; "" when the score is outside every band.
std::string fidelity_band(int score, const IpsReference& ref);
/// A review is due when the latest review is more than review_due_years old on `as_of`
/// (exactly that many years is not yet overdue).
bool review_overdue(Day latest_review, Day as_of, const IpsReference& ref);

}  // namespace mhbench::ips
