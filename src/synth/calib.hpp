#pragma once
// Talking Therapies calibration: the published figures the generator reproduces (embedded
// reference data, src/synth/data) and the known truth it plants (seed 000 Fig. 3).
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench::synth {

/// Presenting-complaint categories of the published key measures (generation categories).
enum Cat : int {
    kDepression, kGad, kAgoraphobia, kSocial, kSpecific, kPanic, kMixed, kOcd, kPtsd, kHealth,
    kOtherAnxiety, kBdd, kMus, kOtherMh, kOtherRecorded, kNotStated, kCats
};
std::string_view cat_key(int c);    // key in iapt_calibration.csv ("depression", ...)
std::string_view cat_label(int c);  // readable name for reports

/// Outcome measures (SNOMED CT codes agreed with the tt-averages job). Scores are held in
/// "units": whole points, or hundredths for MI (decimal scores).
enum Measure : int { kPhq9, kGad7, kSpin, kPcl5, kOci, kPdss, kMi, kHai, kBiq, kMeasures, kNoMeasure = kMeasures };
struct MeasureSpec {
    std::string_view name, code;
    int lo, hi;      // score range, units
    int cut, rc;     // caseness (score >= cut), reliable change (change >= rc), units
    int median;      // the national median of first scores the generator plants (median-split descriptors)
    int per_unit;    // hundredths per unit: 100 for whole-point measures, 1 for MI
    bool confirmed;  // cut-off and reliable change confirmed by an official source
};
const MeasureSpec& measure(int m);

/// How the tt-averages job sees a category: Fig. 3 descriptor, severity measure and bands.
enum Bands : int { kThreeBands, kMedianSplit, kOneBand, kExcluded };
struct Descriptor {
    std::string_view label;  // Fig. 3 label ("Other ..." ones are the generator's own)
    int severity_measure;    // kNoMeasure for one-band descriptors
    int pair_measure;        // anxiety measure paired with PHQ-9 for outcomes
    Bands bands;
};
const Descriptor& descriptor(int cat);
/// Severity band index of a first score: 0 Mild / 1 Moderate / 2 Severe, or 0 Below / 1 Above
/// median, or 0 for one-band descriptors.
int severity_band(int cat, int first_units);
std::string_view band_label(int cat, int band);
int band_count(int cat);

struct Rates {  // published counts, England
    double referrals = 0, finished = 0, not_caseness = 0, recovery = 0, reliable_recovery = 0, improvement = 0,
           deterioration = 0;
};
struct Activity {  // England, appointments in the year
    double appointments = 0, attended = 0, late_seen = 0, dna = 0, cancelled_patient = 0, cancelled_provider = 0,
           late_not_seen = 0, appts_finished = 0, finished = 0, low = 0, high = 0, employment = 0;
    std::array<double, 6> media{};  // face to face, telephone, video, email, SMS, instant messaging
};
/// ConsMechanism codes of Activity::media, in order. IAPT v2.1 retired 06 (SMS): the published
/// SMS appointments are written as 09, text message (asynchronous).
constexpr std::array<std::string_view, 6> kMediaCodes = {"01", "02", "11", "05", "09", "10"};

struct YearCalib {
    int start_year = 0;
    std::array<Rates, kCats> cat;
    Rates total;
    Activity act;
};
/// Published years available (2022-23 and 2023-24); nearest() picks the closest one.
const std::vector<YearCalib>& calib_years();
const YearCalib& calib_nearest(int start_year);

/// Per provider and published year: size and finished-course mix by complaint.
struct ProvYear {
    bool published = false;
    double referrals = 0, finished = 0;
    std::array<double, kCats> mix{};  // shares of finished courses, sum 1
};
/// Indexed like calib_years(); keyed by provider code.
std::array<ProvYear, 2> provider_years(const std::string& code);

/// Provider variation of reliable recovery: real provider rates vary far more than chance alone.
/// On the arcsine-square-root scale the 2023-24 provider rows have an untrimmed DerSimonian-Laird
/// τ² of 0.00161 and the packs' Winsorised φ = 13.8 (docs/packs.md). Each Talking Therapies
/// provider has a lasting effect b ~ N(0, kProviderRrSd) on that scale, the same in every year and
/// complaint (iapt.cpp). τ = 0.04 (τ² = 0.0016) also gives a Winsorised φ of about 15 at scale 1
/// with the published sizes (simulated), close to 13.8; the packs' Winsorised τ² (0.00078)
/// understates a normal spread by about half.
constexpr double kProviderRrSd = 0.04;

/// Known truth: mean attended treatment contacts of finished, reliably recovered referrals.
struct TrueMeans {
    double total = 0, low = 0, high = 0, unclassified = 0;
    bool published = false;  // a Fig. 3 row (otherwise the generator's own choice)
};
const TrueMeans& true_means(int cat, int band);

}  // namespace mhbench::synth
