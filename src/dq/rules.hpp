#pragma once
// Data-quality rules (SPEC section 8), pure: how a recorded value of a key field is classed as
// Valid / Other / Default / Invalid / Missing (NHS Digital VODIM), from versioned code lists in
// src/reference/<version>/dq_*.csv. No MPI, no HDF5: the job (jobs/dq.cpp) applies them.
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"

namespace mhbench::dq {

/// VODIM classes, in report order.
enum class Class : std::uint8_t { Valid, Other, Default, Invalid, Missing };
inline constexpr int kClassCount = 5;
std::string_view class_name(Class c);  // "valid", "other", "default", "invalid", "missing"

/// Trimmed, upper case, without dots: " f41.1" -> "F411".
std::string normalise_code(std::string_view raw);
/// A letter, two digits, then up to two letters or digits (takes a normalised code).
bool is_icd10(std::string_view normalised);
/// A SNOMED CT concept id: 6 to 18 digits, no leading zero (takes a normalised code).
bool is_snomed(std::string_view normalised);
/// The concept id of a possibly post-coordinated expression ("1234:5678=443390004" -> "1234").
std::string_view snomed_focus(std::string_view raw);

/// One rule of a code list (dq_codes.csv).
struct CodeRule {
    enum class Match : std::uint8_t { Exact, Prefix, Icd10, Snomed, Regex };
    Match match = Match::Exact;
    std::string code;                 ///< exact / prefix text, or the regex
    std::string from, to;             ///< Icd10: 3-character category range, inclusive
    std::optional<std::regex> regex;  ///< compiled once
    Class cls = Class::Valid;
    bool matches(std::string_view trimmed) const;
};

/// An ordered code list: the first matching rule decides; empty is Missing, no match Invalid.
struct CodeList {
    std::string name;
    std::vector<CodeRule> rules;
    Class classify(std::string_view raw) const;
};

/// How a field's records are judged (dq_fields.csv `rule`).
enum class FieldRule : std::uint8_t { Code, TtComplaint, BirthDate, RecordDate, SnomedOnAttended, PromPair };
/// Which records of the field's table are counted (dq_fields.csv `population`).
enum class Population : std::uint8_t { All, NotCancelled, Attended };

struct FieldSpec {
    std::string dataset;      ///< "iapt" or "mhsds"
    std::string table, column, item;
    FieldRule rule = FieldRule::Code;
    std::string list;         ///< code list name ("" when the rule needs none)
    std::string month_date;   ///< the record's own date column ("" = the fallback date)
    Population population = Population::All;
};

struct Headline {
    std::string measure, dataset, description;
    std::optional<double> target_percent;
};

/// The data-quality reference data: dq_codes.csv, dq_fields.csv, dq_measures.csv, dq_parameters.csv.
struct DqReference {
    std::map<std::string, CodeList> lists;
    std::vector<FieldSpec> fields;  ///< in file order (= report order)
    std::vector<Headline> headlines;
    Day earliest_record_date = days_from_civil(2000, 1, 1);
    int max_age_years = 120;

    const CodeList& list(const std::string& name) const;  ///< ConfigError when absent
    const Headline* headline(std::string_view measure, std::string_view dataset) const;

    /// From the reference file texts by name; ConfigError naming file, line and field when wrong.
    static DqReference parse(const std::map<std::string, std::string>& files);
};

/// Birth date of a person whose first referral at the provider was received on `first_referral`
/// (kMissing when unknown): Missing when absent; Invalid when after that referral or more than
/// max_age_years before it; Valid otherwise.
Class classify_birth_date(const DqReference& ref, Day birth, Day first_referral);
/// A record date (employment status, accommodation): Missing when absent, Invalid before
/// earliest_record_date, Valid otherwise.
Class classify_record_date(const DqReference& ref, Day date);

/// Month index of a day counted from April of `first_year` (0 = April of that year); -1 for a
/// missing day.
int month_index(Day d, int first_year);
/// "2023-04" for month index 0 of 2023.
std::string month_label(int index, int first_year);

}  // namespace mhbench::dq
