#pragma once
// What the MHSDS generator draws from: service lines (team types with their referral reasons,
// diagnoses, contact pattern, inpatient and cluster likelihood), code mixes, completeness of the
// needs and complexity fields, and the values written by data-quality faults. Shares and their
// sources: docs/synthetic-data.md ("MHSDS calibration"); the realism report checks the results.
#include <array>
#include <utility>
#include <span>
#include <string_view>

#include "synth/gen.hpp"

namespace mhbench::synth::mhsds_codes {

using W = WeightedCode;

inline std::string_view pick_code(Rng& r, std::span<const W> w) { return w[r.pick(w)].code; }

// ---- volumes (scale 1) and shares
enum Band : int { kCyp, kAdult, kOlder, kBands };
/// Age band of a new person: 30.1% of people in contact in 2023-24 were under 18 (Mental
/// Health Bulletin: 1,139,355 of 3,790,826); 65 and over: generator's choice.
constexpr double kBandShare[kBands] = {0.27, 0.54, 0.19};
constexpr double kComingBack = 0.06;       // a person referred to the provider 2-24 months earlier in the period
constexpr double kReReferral = 0.547;      // a referral of a person already referred this month (another team)
constexpr double kContactScale = 1.07;     // multiplies every line's mean contacts (volume calibration)
constexpr double kLengthOfStay = 50;       // mean days of a hospital spell (geometric)
constexpr double kInpatientScale = 1.4;    // multiplies every line's share of referrals admitted
constexpr double kTransition = 0.22;       // 18-25 year olds with a CYP referral before 18 still open
constexpr double kEmbeddedIps = 0.02;      // adult CMHT / EIP / rehab referrals seen by an embedded IPS worker
constexpr double kIpsRefused = 0.04;       // IPS activity coded with the refused qualifier
constexpr double kSnomedRecorded = 0.78;   // attended contacts with a SNOMED CT activity (target 70%)
constexpr double kPresCompRecorded = 0.35; // referrals with a presenting complaint (MHS609)
// Outcome measures (MHS606): a referral with 2+ attended contacts is scored at its first attended
// contact, and of those again at its last (a pair): 55% x 70% = 38.5% paired, near the Core Data
// Pack's 40% target (generator's choice; no national figure in the notes).
constexpr double kOutcomeRecorded = 0.55, kOutcomeRepeated = 0.7;
// One item stands for each tool (SNOMED CT, as NHS Digital's and NHS England's MHSDS code use
// them): HoNOS item 1 for adults, Current View item 20 for children, EDE-Q global for eating disorders.
constexpr std::string_view kToolAdult = "979641000000103", kToolCyp = "987441000000102", kToolEating = "959611000000101";
constexpr double kClustered = 0.65;        // adult referrals of clustering services given a cluster
constexpr double kLateReview = 0.25;       // cluster reviews after the maximum review period
constexpr int kLastClusterYear = 2022;     // PbR clusters were retired after 2022-23
// Needs and complexity fields: completeness (generator's choices, see the docs).
constexpr double kLsoaRecorded = 0.95, kAccommRecorded = 0.55, kEmployRecorded = 0.55, kPatIndRecorded = 0.65;

// ---- codes
constexpr std::string_view kRefused = ":408729009=443390004";
constexpr W kIps[] = {{"772822000", 60}, {"1082621000000104", 40}};
// Procedures on attended contacts (SNOMED CT): assessment, review, therapy, risk assessment ...
constexpr W kProcedures[] = {{"225337009", 10}, {"182836005", 15}, {"390906007", 20}, {"228557008", 10},
                             {"304891004", 8},  {"443730003", 2},  {"386053000", 15}, {"1323681000000103", 5},
                             {"401277000", 8},  {"713107002", 7}};
constexpr W kSource[] = {{"A1", 30}, {"A2", 3}, {"A3", 3}, {"B1", 10}, {"B2", 3}, {"C1", 2}, {"D1", 3}, {"E1", 2},
                         {"F1", 2},  {"G1", 2}, {"H1", 8}, {"H2", 4}, {"I1", 4}, {"I2", 3}, {"M1", 3}, {"M3", 4},
                         {"M7", 2},  {"N3", 3}, {"P1", 4}, {"Q1", 3}};
// ClinRespPriorityType: 1 emergency, 2 urgent, 3 routine, 4 very urgent.
constexpr W kPrioritySpa[] = {{"1", 5}, {"2", 15}, {"3", 70}, {"4", 10}};
constexpr W kPriorityCrisis[] = {{"1", 25}, {"2", 40}, {"3", 15}, {"4", 20}};
// AttendOrDNACode: 5 attended on time, 6 late but seen, 7 late not seen, 2 / 4 cancelled, 3 DNA.
constexpr W kAttend[] = {{"5", 76}, {"6", 2}, {"3", 9}, {"2", 6}, {"4", 6}, {"7", 1}};
// ConsMechanismMH (v5+): 01 face to face, 02 telephone, 04 talk type, 05 email, 09 text message,
// 10 instant messaging, 11 video, 12 message board, 13 chat room, 98 other (06 SMS was retired in v5).
constexpr W kMech[] = {{"01", 60}, {"02", 25}, {"11", 7}, {"04", 0.5}, {"05", 2}, {"09", 2},
                       {"10", 0.5}, {"12", 0.3}, {"13", 0.7}, {"98", 2}};
constexpr W kMechCrisis[] = {{"01", 45}, {"02", 48}, {"11", 4}, {"04", 0.5}, {"98", 2.5}};
constexpr W kGender[] = {{"1", 47}, {"2", 51}, {"9", 1}, {"X", 1}};
// EthnicCategory: valid A-S, Z not stated and 99 not known (the default values).
constexpr W kEthnic[] = {{"A", 71}, {"B", 2}, {"C", 4}, {"D", 1}, {"E", 1}, {"F", 1}, {"G", 1}, {"H", 2.5},
                         {"J", 2.5}, {"K", 1}, {"L", 1}, {"M", 1.5}, {"N", 1.5}, {"P", 1}, {"R", 0.5}, {"S", 2},
                         {"Z", 6}, {"99", 4}};
constexpr W kAccomm[] = {{"01", 40}, {"02", 22}, {"03", 9}, {"04", 6}, {"05", 4}, {"06", 3}, {"07", 2},
                         {"08", 2},  {"09", 3},  {"10", 3},  {"11", 1}, {"12", 1}, {"ZZ", 4}};
// EmployStatus: 01 employed, 02-08 not employed, ZZ not stated.
constexpr W kEmploy[] = {{"01", 30}, {"02", 12}, {"03", 8}, {"04", 20}, {"05", 5}, {"06", 7}, {"07", 1},
                         {"08", 11}, {"ZZ", 6}};
// IPS referrals: mostly unemployed at referral (fidelity: at least 85%), some in work at discharge.
constexpr W kEmployIpsReferral[] = {{"01", 9}, {"02", 50}, {"03", 3}, {"04", 27}, {"05", 3}, {"06", 4}, {"07", 2}, {"ZZ", 2}};
constexpr W kEmployIpsDischarge[] = {{"01", 38}, {"02", 35}, {"03", 3}, {"04", 17}, {"05", 2}, {"06", 2}, {"07", 1}, {"ZZ", 2}};
// LDStatus / AutismStatus (MHSDS v6): 1 confirmed diagnosis; 2-4 suspected (on a diagnostic
// pathway, not on one, not known); 5 no diagnosis; Z not stated, U asked but not known.
constexpr W kLd[] = {{"1", 2}, {"2", 1}, {"3", 1}, {"4", 1}, {"5", 81}, {"Z", 10}, {"U", 4}};
constexpr W kLdTeamLd[] = {{"1", 70}, {"2", 12}, {"3", 3}, {"4", 4}, {"5", 3}, {"Z", 7}, {"U", 1}};
constexpr W kAutism[] = {{"1", 4}, {"2", 3}, {"3", 1}, {"4", 1}, {"5", 77}, {"Z", 10}, {"U", 4}};
constexpr W kAutismTeamAutism[] = {{"1", 55}, {"2", 25}, {"3", 3}, {"4", 4}, {"5", 5}, {"Z", 7}, {"U", 1}};
// Reasons of a CYP referral still open when a young adult is referred (transition).
constexpr W kCypReasons[] = {{"04", 30}, {"05", 30}, {"15", 20}, {"16", 10}, {"21", 10}};

/// Clean codes that data quality classes Default or Other (dq_codes.csv): the generated data use
/// them on their own, on top of those that default_code faults write.
constexpr bool default_or_other(std::string_view column, std::string_view code) {
    if (column == "EthnicCategory") return code == "Z" || code == "99" || code == "S";
    if (column == "ConsMechanismMH") return code == "98";
    if (column == "ServTeamTypeRefToMH") return code == "Z01" || code == "Z02";
    return code == "ZZ" || code == "Z" || code == "U" || code == "X";
}

// ---- values written by data-quality faults (never generated otherwise)
constexpr std::string_view kInvalidTeam = "X99", kInvalidReason = "99", kInvalidAttend = "8", kInvalidMech = "77",
                           kInvalidEmploy = "99", kInvalidAccomm = "99", kInvalidEthnic = "0", kInvalidStatus = "9",
                           kInvalidIcd = "F9X.Z";
// Not-known (default) values written by default_code faults; the clean data use them too.
constexpr std::string_view kDefaultEthnic = "99", kDefaultEmploy = "ZZ", kDefaultAccomm = "ZZ", kDefaultStatus = "Z",
                           kDefaultMech = "98";

// ---- reasons for referral (PrimReasonReferralMH, MHSDS v5/v6 codes: 01 first episode psychosis,
// 02 ongoing psychosis, 03 bipolar, 04 depression, 05 anxiety, 06 OCD, 07 phobias, 08 organic
// brain disorder, 09 drug and alcohol, 10 unexplained physical symptoms, 11 PTSD, 12 eating
// disorders, 13 perinatal, 14 personality disorders, 15 self harm, 16 conduct disorders, 18 in
// crisis, 19 relationships, 20 gender discomfort, 21 attachment, 22 self-care, 23 adjustment to
// health issues, 24 neurodevelopmental excluding autism, 25 suspected autism, 26 diagnosed autism,
// 27 preconception perinatal, 28 gambling, 29 perinatal partner assessment, 30 behaviours that
// challenge due to a learning disability, 31 employment support) and diagnoses (ICD-10) per service
constexpr W kRAdult[] = {{"04", 30}, {"05", 25}, {"11", 5}, {"14", 8}, {"02", 8}, {"15", 10}, {"18", 9}, {"03", 5}};
constexpr W kRPrimary[] = {{"04", 45}, {"05", 45}, {"07", 5}, {"10", 5}};
constexpr W kROrganic[] = {{"08", 100}};
constexpr W kREip[] = {{"01", 100}};
constexpr W kRCrisis[] = {{"18", 60}, {"15", 25}, {"02", 10}, {"04", 5}};
constexpr W kRPsychosis[] = {{"02", 85}, {"03", 15}};
constexpr W kRTherapy[] = {{"04", 35}, {"05", 35}, {"06", 8}, {"11", 12}, {"14", 10}};
constexpr W kRPd[] = {{"14", 100}};
constexpr W kRPerinatal[] = {{"13", 85}, {"27", 10}, {"29", 5}};
constexpr W kRSubstance[] = {{"09", 100}};
constexpr W kRIps[] = {{"31", 60}, {"02", 20}, {"04", 20}};
constexpr W kRLd[] = {{"30", 70}, {"26", 30}};
constexpr W kRAutism[] = {{"25", 70}, {"26", 30}};
constexpr W kRNeuro[] = {{"24", 70}, {"25", 30}};
constexpr W kREating[] = {{"12", 100}};
constexpr W kRCyp[] = {{"04", 25}, {"05", 30}, {"15", 20}, {"16", 10}, {"21", 10}, {"12", 5}};
constexpr W kRInjury[] = {{"23", 100}};
constexpr W kRForensic[] = {{"02", 60}, {"14", 40}};

// Diagnoses: F codes of each MHNRG population group, X60-X84 self-harm on crisis services, and
// unspecific codes (Z03.2, R45.8, F99) that group nowhere.
constexpr W kDCmht[] = {{"F32.1", 18}, {"F33.1", 14}, {"F41.1", 12}, {"F60.3", 10}, {"F20.0", 10}, {"F43.1", 8},
                        {"F31.1", 6}, {"F42.0", 4}, {"F10.2", 4}, {"F25.0", 4}, {"F61", 2}, {"F99", 4}, {"F03", 2}};
constexpr W kDPrimary[] = {{"F32.0", 30}, {"F41.1", 25}, {"F41.2", 20}, {"F43.2", 15}, {"Z03.2", 10}};
constexpr W kDOrganic[] = {{"F00.1", 35}, {"F01.9", 20}, {"F03", 35}, {"F06.7", 10}};
constexpr W kDEip[] = {{"F20.0", 35}, {"F23.9", 25}, {"F29", 25}, {"F31.2", 10}, {"F30.2", 5}};
constexpr W kDCrisis[] = {{"F32.2", 18}, {"F20.0", 12}, {"F60.3", 14}, {"F31.1", 6}, {"F43.0", 10}, {"X61", 8},
                          {"X78.9", 8}, {"X84", 6}, {"X60", 4}, {"F10.0", 4}, {"R45.8", 10}};
constexpr W kDSpa[] = {{"F32.9", 30}, {"F41.9", 30}, {"Z03.2", 20}, {"R45.8", 10}, {"F99", 10}};
constexpr W kDLiaison[] = {{"X61", 20}, {"X78.9", 15}, {"X84", 10}, {"X62", 5}, {"F32.2", 15}, {"F10.0", 10},
                           {"F05.9", 10}, {"F43.0", 10}, {"R45.8", 5}};
constexpr W kDSelfHarm[] = {{"X84", 30}, {"X61", 25}, {"X78.9", 20}, {"F43.0", 15}, {"R45.8", 10}};
constexpr W kDPsychosis[] = {{"F20.0", 60}, {"F25.0", 20}, {"F20.5", 15}, {"F31.7", 5}};
constexpr W kDPd[] = {{"F60.3", 70}, {"F60.2", 15}, {"F61", 15}};
constexpr W kDTherapy[] = {{"F32.1", 30}, {"F41.1", 25}, {"F42.0", 10}, {"F43.1", 15}, {"F60.3", 10}, {"F33.1", 10}};
constexpr W kDPerinatal[] = {{"F53.0", 50}, {"F32.1", 30}, {"F41.1", 20}};
constexpr W kDSubstance[] = {{"F10.2", 45}, {"F11.2", 25}, {"F12.2", 20}, {"F19.2", 10}};
constexpr W kDIps[] = {{"F20.0", 40}, {"F32.1", 30}, {"F31.7", 15}, {"F41.1", 15}};
constexpr W kDLd[] = {{"F70", 40}, {"F71", 30}, {"F72", 10}, {"F84.0", 20}};
constexpr W kDAutism[] = {{"F84.0", 70}, {"F84.5", 30}};
constexpr W kDNeuro[] = {{"F90.0", 60}, {"F84.0", 20}, {"F80.1", 10}, {"F95.2", 10}};
constexpr W kDEating[] = {{"F50.0", 45}, {"F50.2", 30}, {"F50.9", 20}, {"F98.2", 5}};
constexpr W kDCyp[] = {{"F32.1", 20}, {"F41.1", 20}, {"F93.0", 15}, {"F91.3", 10}, {"F43.1", 10}, {"F50.0", 5},
                       {"F92.8", 10}, {"F90.0", 5}, {"Z03.2", 5}};
constexpr W kDInjury[] = {{"F07.2", 100}};
constexpr W kDOther[] = {{"F32.9", 30}, {"F41.9", 30}, {"Z03.2", 25}, {"F99", 15}};

enum Cluster { kNoCluster, kNonPsychotic, kPsychotic, kOrganic };

struct Line {
    std::string_view team;
    std::array<double, kBands> w;       // relative weights within each age band (CYP, 18-64, 65+)
    std::span<const W> reasons, diagnoses;
    double contacts;    // mean contacts (any outcome) of a seen referral
    int gap;            // mean days between contacts
    double seen;        // share of referrals with any contact
    double diagnosed;   // share with a primary diagnosis (MHS604)
    bool crisis;        // crisis service: clinical response priority recorded
    double inpatient;   // share of referrals with a hospital spell
    Cluster cluster;
    bool embedded_ips = false;  // adult services with embedded IPS workers
};

// Every crisis team type (A02, A11, A18-A25, C05), EIP (A14), eating disorders (C10), memory
// (A17), LD / autism (E01, E04, C01, C04), IPS (D05) and the usual community teams.
constexpr Line kLines[] = {
    {"A18", {8, 20, 14}, kRCrisis, kDSpa, 1.3, 3, 0.7, 0.12, true, 0.003, kNoCluster},
    {"A06", {0, 16, 10}, kRAdult, kDCmht, 9, 14, 0.85, 0.6, false, 0.02, kNonPsychotic, true},
    {"A07", {0, 0.5, 12}, kROrganic, kDOrganic, 5, 21, 0.85, 0.65, false, 0.01, kOrganic},
    {"A05", {0, 8, 4}, kRPrimary, kDPrimary, 3, 14, 0.8, 0.4, false, 0, kNonPsychotic},
    {"A17", {0, 0.5, 35}, kROrganic, kDOrganic, 3, 30, 0.85, 0.7, false, 0.002, kOrganic},
    {"A14", {0.8, 2.5, 0}, kREip, kDEip, 22, 7, 0.9, 0.7, false, 0.04, kPsychotic, true},
    {"A02", {0.5, 5, 4}, kRCrisis, kDCrisis, 8, 1, 0.85, 0.3, true, 0.12, kPsychotic},
    {"A11", {2, 9, 12}, kRCrisis, kDLiaison, 1.5, 1, 0.9, 0.35, true, 0.04, kNoCluster},
    {"A19", {2, 4, 2}, kRCrisis, kDSelfHarm, 1.3, 1, 0.9, 0.1, true, 0, kNoCluster},
    {"A20", {0, 0.4, 0.02}, kRCrisis, kDSelfHarm, 1.2, 1, 0.95, 0.2, true, 0.05, kNoCluster},
    {"A21", {0, 0.8, 0.05}, kRCrisis, kDSelfHarm, 1.5, 2, 0.95, 0.1, true, 0, kNoCluster},
    {"A22", {0, 0.4, 0.05}, kRCrisis, kDSelfHarm, 1.2, 1, 0.95, 0.2, true, 0.02, kNoCluster},
    {"A23", {0, 0.4, 0.05}, kRCrisis, kDCrisis, 1.3, 1, 0.95, 0.3, true, 0.05, kNoCluster},
    {"A24", {0, 0.3, 0.2}, kRCrisis, kDCrisis, 6, 2, 0.9, 0.3, true, 0.01, kNoCluster},
    {"A25", {0, 0.2, 0.02}, kRCrisis, kDCrisis, 4, 1, 0.9, 0.3, true, 0, kNoCluster},
    {"A08", {0, 0.4, 0.05}, kRPsychosis, kDPsychosis, 30, 7, 0.95, 0.85, false, 0.08, kPsychotic, true},
    {"A09", {0, 0.6, 0.05}, kRPsychosis, kDPsychosis, 25, 7, 0.95, 0.85, false, 0.15, kPsychotic, true},
    {"A12", {0, 1, 0.1}, kRTherapy, kDTherapy, 12, 7, 0.8, 0.5, false, 0, kNonPsychotic},
    {"A13", {0, 3, 1}, kRTherapy, kDTherapy, 8, 7, 0.8, 0.5, false, 0, kNonPsychotic},
    {"A16", {0, 0.8, 0}, kRPd, kDPd, 15, 7, 0.85, 0.75, false, 0.02, kNonPsychotic, true},
    {"B01", {0, 0.4, 0.02}, kRForensic, kDPsychosis, 20, 7, 0.95, 0.85, false, 0.25, kPsychotic},
    {"C02", {0, 2, 0}, kRPerinatal, kDPerinatal, 8, 10, 0.85, 0.6, false, 0.02, kNonPsychotic},
    {"D01", {0.1, 2.5, 0.1}, kRSubstance, kDSubstance, 6, 14, 0.75, 0.6, false, 0.01, kNonPsychotic},
    {"D02", {0.2, 2, 0.05}, kRAdult, kDCmht, 1.5, 3, 0.9, 0.3, false, 0, kNoCluster},
    {"D05", {0, 1.0, 0}, kRIps, kDIps, 10, 14, 0.85, 0.5, false, 0, kNoCluster},
    {"E01", {1.5, 1.5, 0.3}, kRLd, kDLd, 6, 21, 0.85, 0.6, false, 0, kNoCluster},
    {"E04", {0.1, 0.3, 0}, kRLd, kDLd, 10, 7, 0.9, 0.7, false, 0.08, kNoCluster},
    {"C01", {5, 3, 0}, kRAutism, kDAutism, 3, 30, 0.8, 0.5, false, 0, kNoCluster},
    {"C04", {14, 2, 0}, kRNeuro, kDNeuro, 3, 30, 0.8, 0.55, false, 0, kNoCluster},
    {"C10", {5, 1, 0.1}, kREating, kDEating, 14, 7, 0.9, 0.75, false, 0.03, kNonPsychotic},
    {"C05", {4, 0, 0}, kRCrisis, kDSelfHarm, 1.5, 1, 0.9, 0.3, true, 0, kNoCluster},
    {"C06", {2, 0, 0}, kRCyp, kDCyp, 6, 21, 0.8, 0.35, false, 0, kNoCluster},
    {"C07", {1.5, 0, 0}, kRCyp, kDCyp, 5, 21, 0.8, 0.35, false, 0, kNoCluster},
    // Children's and young people's community teams: MHSDS has no CYP-only team type (C03 is not
    // a code), they record the all-age community team type with the team's intended age group.
    {"A06", {52, 0.5, 0}, kRCyp, kDCyp, 7, 14, 0.8, 0.45, false, 0.004, kNoCluster},
    {"D06", {4, 0, 0}, kRCyp, kDCyp, 5, 14, 0.8, 0.2, false, 0, kNoCluster},
    {"C08", {0.2, 0.3, 0.05}, kRInjury, kDInjury, 5, 21, 0.85, 0.6, false, 0, kNoCluster},
    {"Z01", {1, 2.5, 2}, kRPrimary, kDOther, 3, 14, 0.8, 0.3, false, 0, kNonPsychotic},
};
constexpr std::size_t kLineN = std::size(kLines);

/// Share of a service's referrals that become long-running care (months to years).
constexpr double long_share(std::string_view team) {
    constexpr std::pair<std::string_view, double> kLong[] = {
        {"A06", 0.25}, {"A07", 0.4}, {"A14", 0.6}, {"A08", 0.7}, {"A09", 0.7}, {"A16", 0.4}, {"A17", 0.3},
        {"B01", 0.6},  {"C10", 0.3}, {"C01", 0.2}, {"C04", 0.2}, {"D05", 0.1}, {"E01", 0.4},
        {"E04", 0.3},  {"A12", 0.2}, {"C02", 0.2}, {"C06", 0.3}};
    for (const auto& [t, share] : kLong)
        if (t == team) return share;
    return 0;
}
constexpr double kLongDays = 360;       // long-running care: lasts kLongMinDays plus this on average
constexpr double kLongMinDays = 180;    // long-running care: the part every course lasts

// Legacy clusters: caseload mix within each super class (generator's choice) and the maximum
// review period of each cluster (SPEC section 5; NHS Digital CAP measure ACC36).
constexpr W kNonPsychoticClusters[] = {{"0", 4}, {"1", 8}, {"2", 7}, {"3", 22}, {"4", 16}, {"5", 6}, {"6", 2}, {"7", 8}, {"8", 5}};
constexpr W kPsychoticClusters[] = {{"10", 12}, {"11", 25}, {"12", 25}, {"13", 8}, {"14", 5}, {"15", 3}, {"16", 6}, {"17", 6}};
constexpr W kOrganicClusters[] = {{"18", 30}, {"19", 35}, {"20", 20}, {"21", 15}};
inline int draw_cluster(Rng& r, Cluster c) {
    const std::string_view code = c == kPsychotic ? pick_code(r, kPsychoticClusters)
                                  : c == kOrganic ? pick_code(r, kOrganicClusters)
                                                  : pick_code(r, kNonPsychoticClusters);
    int v = 0;
    for (char ch : code) v = v * 10 + (ch - '0');
    return v;
}
inline int cluster_review_days(int cluster) {
    switch (cluster) {
        case 1: return 84;
        case 2: return 105;
        case 14: case 15: return 28;
        case 7: case 8: case 10: case 11: case 12: case 13: case 18: return 365;
        default: return 182;  // 0, 3-6, 16, 17, 19-21: six months
    }
}

}  // namespace mhbench::synth::mhsds_codes
