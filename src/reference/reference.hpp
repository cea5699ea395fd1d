#pragma once
// Versioned reference data of the NHS Talking Therapies currency model (SPEC section 3): code
// lists, measures with cut-offs, severity schemes and the published Fig. 3 averages. The files
// live in src/reference/<version>/*.csv, are embedded in the binary at build time and can be
// replaced at run time with `--reference DIR`. This layer parses and checks them; the rules that
// use them are in src/tt.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench::reference {

/// Scores are held as fixed-point hundredths, as in the store (MI 2.30 -> 230).
using Hundredths = std::int32_t;

enum class Scheme : std::uint8_t { ThreeBands, MedianSplit, OneBand };
enum class Intensity : std::uint8_t { None, Low, High, Employment };
enum class AppClass : std::uint8_t { Other, Treatment, Employment };

struct Measure {
    std::string name, snomed_ct;
    Hundredths min = 0, max = 0, caseness = 0, reliable_change = 0;
    std::string snomed_status, status, source;
};

struct Band {
    std::string label;
    Hundredths min = 0, max = 0;  // inclusive
};

struct Descriptor {
    std::string label;
    int severity_measure = -1;  // index into measures; -1 for none
    int pair_measure = -1;
    Scheme scheme = Scheme::OneBand;
    bool in_model = true;
};

struct ComplaintRule {
    std::string code;  // ICD-10 without the dot, or a SNOMED CT id
    bool snomed = false;
    bool prefix = false;
    int descriptor = 0;
};

struct Published {
    std::string descriptor, severity;
    double mean_contacts = 0, mean_low = 0, mean_high = 0;
};

struct Reference {
    std::string version;
    std::string origin;  ///< "built-in" or the directory it was read from
    int min_treatment_appointments = 2;
    int depression_measure = -1;      ///< always in the outcome pair (PHQ-9)
    int backup_anxiety_measure = -1;  ///< paired when the descriptor's own measure is missing (GAD-7)
    std::vector<Measure> measures;
    std::vector<Descriptor> descriptors;  ///< in reporting order
    int fallback_descriptor = -1;         ///< Other/Unknown/Invalid
    std::vector<ComplaintRule> complaint_rules;  ///< in order; the first match wins
    std::map<int, std::vector<Band>> bands;      ///< three-band schemes, by measure index
    std::map<std::string, Intensity> activities; ///< SNOMED CT -> intensity
    std::set<std::string> attended_codes;
    std::map<std::string, AppClass> app_types;
    std::vector<Published> fig3;
    std::map<std::string, std::string> files;    ///< file name -> text, as loaded

    int measure_by_snomed(std::string_view code) const;  ///< -1 when not a known measure
    int measure_by_name(std::string_view name) const;     ///< -1 when unknown
    int descriptor_by_label(std::string_view label) const;
    const Published* published(std::string_view descriptor, std::string_view severity) const;
    /// Severity labels of a descriptor in reporting order (without Unknown / All).
    std::vector<std::string> band_labels(int descriptor) const;

    /// The set embedded at build time.
    static const Reference& built_in();
    /// Every *.csv of a directory (the same file names as the built-in set).
    static Reference load(const std::filesystem::path& dir);
    /// From file texts by name; throws ConfigError naming the file, line and field on bad data.
    static Reference parse(const std::map<std::string, std::string>& files, const std::string& origin);
};

/// "2.3" -> 230; throws ConfigError on anything but a plain decimal with at most 2 decimals.
Hundredths parse_hundredths(std::string_view text);

namespace embedded {
/// The embedded files (generated at build time from src/reference/2025-26/*.csv).
const std::map<std::string, std::string>& files();
}

}  // namespace mhbench::reference
