#pragma once
// MHNRG currency model (SPEC section 4; seed 000 sections 2.2-2.3 and Appendix 2): the pure
// rules, free of MPI, HDF5 and threads. Step 1 age band (adult / CYP with the 18-25 transition
// rule), step 2 population group in the fixed order of the guidance, step 3 setting of each
// activity. Every code comes from the versioned reference data (src/reference/<version>/
// mhnrg_*.csv), a documented default that the official grouping spreadsheet replaces through
// `--reference DIR`.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"

namespace mhbench::mhnrg {

// ---------------------------------------------------------------- labels (stable, in report order)

enum class AgeBand : std::uint8_t { Cyp, Adult, Unknown };
inline constexpr int kAgeBandCount = 3;
std::string_view age_band_label(AgeBand a);  // "CYP", "Adult", "Unknown"

/// Population groups in the fixed order of the guidance: the first that matches wins.
enum class Group : std::uint8_t {
    EatingFeeding,       ///< all ages
    Neurodevelopmental,  ///< all ages
    Cyp,                 ///< everyone else in the CYP age band
    PsychosisBipolar,
    Neurocognitive,
    Personality,
    Addiction,
    MoodAnxiety,
    Crisis,              ///< cross-cutting: only crisis-related needs, or seen only by crisis teams
    Ungrouped,           ///< nothing matched: reported, never dropped (a data-quality finding)
};
inline constexpr int kGroupCount = 10;
/// "Eating and feeding", "Neurodevelopmental", "CYP", "Psychosis and bipolar", "Neurocognitive",
/// "Personality", "Addiction, alcohol and substance misuse", "Mood and anxiety", "Crisis", "Ungrouped".
std::string_view group_label(Group g);
/// Key used in the reference files: eating_feeding, neurodevelopmental, cyp, psychosis_bipolar,
/// neurocognitive, personality, addiction, mood_anxiety, crisis, ungrouped.
std::string_view group_key(Group g);

enum class Setting : std::uint8_t { Community, Crisis, Inpatient };
inline constexpr int kSettingCount = 3;
std::string_view setting_label(Setting s);  // "Community", "Crisis", "Inpatient"

// ---------------------------------------------------------------- needs and complexity factors

/// The seven factors of seed 000 section 2.3, in report order: housing, older_adults,
/// deprivation, employment, ethnicity, learning_disability, autism.
inline constexpr std::string_view kNeedsFactors[] = {"housing",   "older_adults", "deprivation", "employment",
                                                     "ethnicity", "learning_disability", "autism"};
inline constexpr int kNeedsFactorCount = 7;
/// need: a valid value that indicates the factor (learning disability / autism codes 1-4, 65 and
/// over); valid: any other valid value; default: a "not stated / not known" code; invalid: a
/// recorded value not in the factor's code list; missing: nothing recorded.
enum class ValueClass : std::uint8_t { Need, Valid, Default, Invalid, Missing };
std::string_view value_class_label(ValueClass c);  // "need", "valid", "default", "invalid", "missing"

// ---------------------------------------------------------------- reference data

/// One rule of mhnrg_grouping.csv: a code (range) that places a referral in a group.
struct GroupRule {
    enum class Field : std::uint8_t { Icd10, SnomedCt, TeamType, ReferralReason };
    Group group = Group::Ungrouped;
    Field field = Field::Icd10;
    std::string from, to;  ///< ICD-10: normalised (upper case, no dot) range ends, matched on the
                           ///< code's leading characters; SNOMED CT / team type / reason: exact
};

/// The MHNRG reference data: mhnrg_grouping.csv, mhnrg_setting.csv, mhnrg_needs.csv.
struct MhnrgReference {
    std::string version;
    std::vector<GroupRule> rules;               ///< in file order (the group order decides, not this)
    int cyp_age_limit = 18;                     ///< CYP when younger at referral
    int transition_age_limit = 25;              ///< CYP up to and including this age with an earlier referral before 18
    std::set<std::string> crisis_team_types;    ///< always crisis (A02, A11, A19-A25, C05)
    std::set<std::string> priority_team_types;  ///< crisis only with a crisis priority (A18)
    std::set<std::string> crisis_priorities;    ///< ClinRespPriorityType: emergency, very urgent, urgent
    std::set<std::string> attended_codes;       ///< AttendOrDNACode of an attended contact (5, 6)

    /// Needs and complexity factors (mhnrg_needs.csv): the classes of each factor's codes.
    struct NeedsFactor {
        std::string key;
        std::map<std::string, std::pair<ValueClass, std::string>> values;  ///< code -> class, meaning; empty: any recorded value is valid
    };
    std::vector<NeedsFactor> needs;  ///< the seven factors in kNeedsFactors order
    int older_adult_age = 65;        ///< older adults: this age or more at the end of the year

    /// Class of a raw recorded value of a coded factor (trimmed; empty is missing).
    ValueClass classify_value(int factor, std::string_view raw) const;

    /// From the reference file texts by name (reference::Reference::files); ConfigError naming
    /// the file, line and field when a file is absent or wrong.
    static MhnrgReference parse(const std::map<std::string, std::string>& files);
};

// ---------------------------------------------------------------- step 1: age

/// Whole years between a birth date and a date (a birthday counts on the day itself; someone
/// born on 29 February has their birthday on 1 March in other years). nullopt if either is missing
/// or the date is before the birth.
std::optional<int> age_on(Day birth, Day date);

/// CYP when under cyp_age_limit at referral; CYP also from cyp_age_limit to transition_age_limit
/// (inclusive) when the person had a mental health referral before their 18th birthday; Adult
/// otherwise; Unknown when the age at referral is not known.
AgeBand age_band(const MhnrgReference& ref, std::optional<int> age_at_referral, bool referred_before_18);

// ---------------------------------------------------------------- step 2: population group

/// What the grouping needs to know about one referral.
struct ReferralFacts {
    std::optional<int> age_at_referral;     ///< whole years (see age_on); nullopt when unknown
    bool referred_before_18 = false;        ///< the person has another MH referral received before their 18th birthday
    std::vector<std::string> codes;         ///< primary diagnosis and presenting complaint codes, raw (ICD-10 with or without the dot; others ignored)
    std::vector<std::string> team_types;    ///< ServTeamTypeRefToMH of the teams referred to
    std::string primary_reason;             ///< PrimReasonReferralMH, raw
    std::string clinical_response_priority; ///< ClinRespPriorityType, raw (A18 counts as crisis with a crisis priority)
};

struct Grouping {
    AgeBand age = AgeBand::Unknown;
    Group group = Group::Ungrouped;
};

/// Age band, then the first group in the fixed order that matches a code, a team type or the
/// reason: Eating and feeding, Neurodevelopmental, CYP (anyone in the CYP band), the adult
/// groups, Crisis (a crisis code or reason, or every team referred to a crisis team), Ungrouped.
Grouping group_referral(const MhnrgReference& ref, const ReferralFacts& facts);

// ---------------------------------------------------------------- step 3: setting

/// A contact's team type is a crisis team (A18 only with a crisis clinical response priority).
bool is_crisis_team(const MhnrgReference& ref, std::string_view team_type, std::string_view clinical_response_priority);

/// Trimmed, upper case, without dots or spaces: " f50.0" -> "F500".
std::string normalise_code(std::string_view raw);
/// Trimmed (spaces at both ends removed), case kept: team types, reasons, priorities, values.
std::string trim_code(std::string_view raw);

}  // namespace mhbench::mhnrg
