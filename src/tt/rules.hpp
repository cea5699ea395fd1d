#pragma once
// NHS Talking Therapies currency model, per referral (SPEC section 3): finished course, primary
// presenting complaint and descriptor, first and last scores, caseness and reliable change,
// severity band and contacts by intensity. Pure functions over plain records: no MPI, no HDF5.
// Every code comes from the reference data (src/reference); scores are fixed-point hundredths.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reference/reference.hpp"

namespace mhbench::tt {

using reference::AppClass;
using reference::Hundredths;
using reference::Intensity;
using reference::Reference;

inline constexpr std::int32_t kNoDate = INT32_MIN;  // the store's missing value

// ---------------------------------------------------------------- Step 1: presenting complaint

/// Trimmed, upper case, without the dot: " f41.1" -> "F411". ICD-10 and SNOMED CT both.
std::string normalise_code(std::string_view raw);
/// A well-formed code: ICD-10 (a letter, two digits, up to three more letters or digits) or a
/// SNOMED CT concept id (6 to 18 digits, no leading zero). Takes a normalised code.
bool is_well_formed(std::string_view normalised);

struct ComplaintClass {
    bool valid = false;  ///< well formed and matched by a rule of complaints.csv
    int descriptor = 0;  ///< the reference's fallback descriptor when not valid
};
ComplaintClass classify_complaint(const Reference& ref, std::string_view raw);

/// One IDS603 record of a referral.
struct ComplaintRecord {
    ComplaintClass cls;
    std::int32_t codsig = INT32_MAX;  ///< PresCompCodSig; INT32_MAX when missing or not a number
    std::int32_t date = kNoDate;      ///< PresCompDate
    std::string_view code;            ///< raw text, only to break exact ties deterministically
};
/// The primary complaint: valid first, then the lowest PresCompCodSig, then the latest date
/// (missing last), then the smallest code text. -1 when there is none.
int select_primary(std::span<const ComplaintRecord> records);
/// Descriptor of the referral: its primary complaint's, or the fallback when it has none.
int referral_descriptor(const Reference& ref, std::span<const ComplaintRecord> records);

// ---------------------------------------------------------------- Step 3: contacts and intensity

/// One IDS201 contact with what its IDS202 activities say.
struct ContactRecord {
    bool attended = false;  ///< AttendOrDNACode in the reference's attended list
    AppClass app = AppClass::Other;
    bool low = false, high = false, employment = false;  ///< activity codes of each kind present
    /// Notes one IDS202 activity of the contact, by the intensity of its code.
    void add_activity(reference::Intensity in) {
        low |= in == reference::Intensity::Low;
        high |= in == reference::Intensity::High;
        employment |= in == reference::Intensity::Employment;
    }
};

enum class ContactKind : std::uint8_t {
    NotCounted,           ///< not attended, or an attended non-treatment contact (assessment...)
    Low,                  ///< attended treatment contact with a low and no high intensity code
    High,                 ///< attended treatment contact with a high intensity code (also with low)
    Unclassified,         ///< attended treatment contact with neither (nor employment support)
    EmploymentTreatment,  ///< attended treatment contact whose only classified activity is employment support
    EmploymentAdvice,     ///< attended AppType 10, or another attended non-treatment contact with employment support
};
ContactKind classify_contact(const ContactRecord& c);

struct ContactCounts {
    std::int64_t treatment = 0;     ///< attended treatment appointments = low + high + unclassified + employment_in_treatment
    std::int64_t low = 0, high = 0, unclassified = 0;
    std::int64_t employment = 0;    ///< employment advice contacts (treatment ones included)
    std::int64_t employment_in_treatment = 0;
};
ContactCounts count_contacts(std::span<const ContactRecord> contacts);
/// Adds one contact to the counts (count_contacts, one contact at a time, for loops that keep
/// no per-referral list).
void add_contact(ContactCounts& counts, const ContactRecord& c);

/// Discharged in the year with at least the reference's minimum of attended treatment appointments.
bool finished_course(const Reference& ref, bool discharged_in_year, const ContactCounts& counts);

// ---------------------------------------------------------------- scores and outcomes

/// One IDS606 / IDS607 record with its measure resolved (-1: not a measure of the model).
struct ScoreRecord {
    int measure = -1;
    std::int32_t date = kNoDate;
    std::optional<Hundredths> value;
    bool activity_table = false;  ///< IDS607 (false: IDS606)
};

/// First and last usable score of one measure.
struct FirstLast {
    int count = 0;  ///< usable scores (dated, in the measure's range)
    Hundredths first = 0, last = 0;
    bool paired() const { return count >= 2; }
};
/// Per measure index. Scores without a date, without a value or outside the measure's range are
/// not used. Order: date, then IDS606 before IDS607, then value; first = lowest, last = highest.
std::vector<FirstLast> first_last(const Reference& ref, std::span<const ScoreRecord> scores);
/// first_last without allocating, for the per-referral hot loop: `out` holds one entry per
/// measure of the reference (ref.measures.size()) and is overwritten.
void first_last_into(const Reference& ref, std::span<const ScoreRecord> scores, std::span<FirstLast> out);

struct Outcome {
    bool paired = false;         ///< at least one measure of the pair has a first and a last score
    int anxiety_measure = -1;    ///< the anxiety measure used (descriptor's own, else the back-up)
    bool at_caseness = false;    ///< a first score at or above its caseness cut-off
    bool not_at_caseness = false;  ///< paired and below every cut-off at the start
    bool recovered = false;      ///< at caseness, and every last score below its cut-off
    bool improved = false;       ///< a fall >= reliable change and no rise >= it on the other
    bool deteriorated = false;   ///< a rise >= reliable change and no fall >= it on the other
    bool reliably_recovered = false;  ///< recovered and improved
};
/// Pair: the depression measure (PHQ-9) with the descriptor's anxiety measure when it has a first
/// and a last score, else with the back-up (GAD-7). A measure of the pair without two scores is
/// left out; with neither, the outcome is unpaired (every flag false).
Outcome outcome(const Reference& ref, int descriptor, std::span<const FirstLast> per_measure);

// ---------------------------------------------------------------- Step 2: severity

inline constexpr int kUnknownBand = -1;
/// The first score of the descriptor's severity measure; nullopt when it has none (or no measure).
std::optional<Hundredths> severity_score(const Reference& ref, int descriptor, std::span<const FirstLast> per_measure);
/// Band index into Reference::band_labels(descriptor), or kUnknownBand when the score is missing
/// (or, for a median split, no median is known). Median split: a score equal to the median is
/// Below (index 0). One band: always 0.
int severity_band(const Reference& ref, int descriptor, std::optional<Hundredths> score, std::optional<double> median);

}  // namespace mhbench::tt
