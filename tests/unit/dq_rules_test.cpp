// Data-quality rules (src/dq): every class of every code list of the built-in reference data,
// the date rules and the reference parser's errors. Expected classes worked by hand from
// src/reference/2025-26/dq_codes.csv.
#include <gtest/gtest.h>

#include "dq/rules.hpp"
#include "model/errors.hpp"
#include "reference/reference.hpp"

namespace mhbench::dq {
namespace {

const DqReference& builtin() {
    static const DqReference r = DqReference::parse(reference::Reference::built_in().files);
    return r;
}

Class cls(const std::string& list, std::string_view code) { return builtin().list(list).classify(code); }

TEST(DqRules, AttendanceAndMechanism) {
    EXPECT_EQ(cls("attend_or_dna", "5"), Class::Valid);
    EXPECT_EQ(cls("attend_or_dna", " 3 "), Class::Valid);  // trimmed
    EXPECT_EQ(cls("attend_or_dna", "0"), Class::Default);
    EXPECT_EQ(cls("attend_or_dna", "8"), Class::Invalid);
    EXPECT_EQ(cls("attend_or_dna", ""), Class::Missing);
    EXPECT_EQ(cls("consultation_mechanism", "11"), Class::Valid);
    EXPECT_EQ(cls("consultation_mechanism", "98"), Class::Other);
    EXPECT_EQ(cls("consultation_mechanism", "09"), Class::Valid);
    EXPECT_EQ(cls("consultation_mechanism", "06"), Class::Invalid);  // SMS: retired (IAPT v2.1, MHSDS v5)
    EXPECT_EQ(cls("consultation_mechanism", "03"), Class::Invalid);  // telemedicine web camera: retired
    EXPECT_EQ(cls("consultation_mechanism", "77"), Class::Invalid);  // the generator's invalid code
    EXPECT_EQ(cls("consultation_mechanism", "1"), Class::Invalid);   // codes are two characters
    EXPECT_EQ(cls("consultation_mechanism", "   "), Class::Missing);
}

TEST(DqRules, PersonFields) {
    EXPECT_EQ(cls("ethnic_category", "A"), Class::Valid);
    EXPECT_EQ(cls("ethnic_category", "S"), Class::Other);
    EXPECT_EQ(cls("ethnic_category", "Z"), Class::Default);
    EXPECT_EQ(cls("ethnic_category", "99"), Class::Default);
    EXPECT_EQ(cls("ethnic_category", "I"), Class::Invalid);  // no I or O in the list
    EXPECT_EQ(cls("employment_status", "08"), Class::Valid);
    EXPECT_EQ(cls("employment_status", "ZZ"), Class::Default);
    EXPECT_EQ(cls("employment_status", "99"), Class::Invalid);
    EXPECT_EQ(cls("lsoa", "E01000001"), Class::Valid);
    EXPECT_EQ(cls("lsoa", "W01001958"), Class::Valid);
    EXPECT_EQ(cls("lsoa", "E0100001"), Class::Invalid);   // 5 digits
    EXPECT_EQ(cls("lsoa", "E02000001"), Class::Invalid);  // an MSOA, not an LSOA
    EXPECT_EQ(cls("accommodation_type", "24"), Class::Valid);
    EXPECT_EQ(cls("accommodation_type", "25"), Class::Invalid);
    EXPECT_EQ(cls("accommodation_type", "ZZ"), Class::Default);
    EXPECT_EQ(cls("ld_autism_status", "4"), Class::Valid);
    EXPECT_EQ(cls("ld_autism_status", "U"), Class::Default);
    EXPECT_EQ(cls("ld_autism_status", "5"), Class::Valid);  // no diagnosis
    EXPECT_EQ(cls("ld_autism_status", "X"), Class::Default);
    EXPECT_EQ(cls("ld_autism_status", "6"), Class::Invalid);
}

TEST(DqRules, ReferralFields) {
    EXPECT_EQ(cls("team_type", "A02"), Class::Valid);
    EXPECT_EQ(cls("team_type", "A25"), Class::Valid);
    EXPECT_EQ(cls("team_type", "A03"), Class::Invalid);  // retired in v5
    EXPECT_EQ(cls("team_type", "C03"), Class::Invalid);  // not a v6 code
    EXPECT_EQ(cls("team_type", "C10"), Class::Valid);
    EXPECT_EQ(cls("team_type", "F06"), Class::Valid);
    EXPECT_EQ(cls("team_type", "Z01"), Class::Other);
    EXPECT_EQ(cls("team_type", "A26"), Class::Invalid);
    EXPECT_EQ(cls("referral_reason", "01"), Class::Valid);
    EXPECT_EQ(cls("referral_reason", "17"), Class::Invalid);
    EXPECT_EQ(cls("referral_reason", "31"), Class::Valid);
    EXPECT_EQ(cls("referral_reason", "32"), Class::Invalid);
    EXPECT_EQ(cls("clinical_response_priority", "4"), Class::Valid);
    EXPECT_EQ(cls("clinical_response_priority", "5"), Class::Invalid);
    EXPECT_EQ(cls("source_of_referral", "B1"), Class::Valid);
    EXPECT_EQ(cls("source_of_referral", "M7"), Class::Valid);
    EXPECT_EQ(cls("source_of_referral", "Z9"), Class::Invalid);
    EXPECT_EQ(cls("source_of_referral", "N4"), Class::Valid);    // other Talking Therapies service
    EXPECT_EQ(cls("source_of_referral", "N5"), Class::Invalid);
}

TEST(DqRules, DiagnosesAndSnomed) {
    EXPECT_EQ(cls("diagnosis", "F32.1"), Class::Valid);
    EXPECT_EQ(cls("diagnosis", "f321"), Class::Valid);
    EXPECT_EQ(cls("diagnosis", "X60"), Class::Valid);
    EXPECT_EQ(cls("diagnosis", "X85"), Class::Other);  // assault: well formed, outside the lists
    EXPECT_EQ(cls("diagnosis", "Z63.0"), Class::Other);
    EXPECT_EQ(cls("diagnosis", "83482000"), Class::Valid);
    EXPECT_EQ(cls("diagnosis", "F4X.1"), Class::Invalid);
    EXPECT_EQ(cls("diagnosis", "XX999"), Class::Invalid);
    EXPECT_EQ(cls("diagnosis", "0"), Class::Invalid);
    EXPECT_EQ(cls("presenting_complaint_tt", "R69"), Class::Other);
    EXPECT_EQ(cls("presenting_complaint_tt", "ZZZ"), Class::Invalid);
    EXPECT_EQ(cls("snomed_activity", "304891004"), Class::Valid);
    EXPECT_EQ(cls("snomed_activity", "772822000:408729009=443390004"), Class::Valid);  // refused, still coded
    EXPECT_EQ(cls("snomed_activity", "012345678"), Class::Invalid);  // leading zero
    EXPECT_EQ(cls("snomed_activity", "12345"), Class::Invalid);      // too short
    EXPECT_EQ(cls("snomed_activity", ""), Class::Missing);
}

TEST(DqRules, Dates) {
    const DqReference& r = builtin();
    const Day referral = days_from_civil(2023, 6, 15);
    EXPECT_EQ(classify_birth_date(r, kMissing, referral), Class::Missing);
    EXPECT_EQ(classify_birth_date(r, days_from_civil(1990, 1, 1), referral), Class::Valid);
    EXPECT_EQ(classify_birth_date(r, referral, referral), Class::Valid);  // born that day: odd, not impossible
    EXPECT_EQ(classify_birth_date(r, referral + 1, referral), Class::Invalid);
    EXPECT_EQ(classify_birth_date(r, days_from_civil(1903, 6, 15), referral), Class::Valid);    // 120 exactly
    EXPECT_EQ(classify_birth_date(r, days_from_civil(1903, 6, 14), referral), Class::Invalid);  // 120 and a day
    EXPECT_EQ(classify_birth_date(r, days_from_civil(1950, 1, 1), kMissing), Class::Valid);
    EXPECT_EQ(classify_record_date(r, kMissing), Class::Missing);
    EXPECT_EQ(classify_record_date(r, days_from_civil(1900, 1, 1)), Class::Invalid);
    EXPECT_EQ(classify_record_date(r, days_from_civil(1999, 12, 31)), Class::Invalid);
    EXPECT_EQ(classify_record_date(r, days_from_civil(2000, 1, 1)), Class::Valid);
    EXPECT_EQ(month_index(days_from_civil(2023, 4, 1), 2023), 0);
    EXPECT_EQ(month_index(days_from_civil(2024, 3, 31), 2023), 11);
    EXPECT_EQ(month_index(days_from_civil(2024, 4, 1), 2023), 12);
    EXPECT_EQ(month_index(days_from_civil(2023, 3, 31), 2023), -1);
    EXPECT_EQ(month_index(kMissing, 2023), -1);
    EXPECT_EQ(month_label(0, 2023), "2023-04");
    EXPECT_EQ(month_label(11, 2023), "2024-03");
}

TEST(DqRules, BuiltInFieldsAndMeasures) {
    const DqReference& r = builtin();
    ASSERT_FALSE(r.fields.empty());
    int prom = 0, snomed = 0;
    for (const auto& f : r.fields) {
        prom += f.rule == FieldRule::PromPair;
        snomed += f.rule == FieldRule::SnomedOnAttended;
    }
    EXPECT_EQ(prom, 2);  // Talking Therapies and MHSDS
    EXPECT_EQ(snomed, 2);
    ASSERT_NE(r.headline("snomed_attended_contacts", "mhsds"), nullptr);
    EXPECT_EQ(*r.headline("snomed_attended_contacts", "mhsds")->target_percent, 70.0);
    EXPECT_EQ(*r.headline("paired_outcomes", "iapt")->target_percent, 40.0);
    EXPECT_EQ(*r.headline("paired_outcomes", "mhsds")->target_percent, 40.0);
    EXPECT_FALSE(r.headline("valid_presenting_complaint", "iapt")->target_percent.has_value());
    EXPECT_EQ(r.earliest_record_date, days_from_civil(2000, 1, 1));
    EXPECT_EQ(r.max_age_years, 120);
}

TEST(DqRules, ParseErrorsNameFileLineAndField) {
    auto files = reference::Reference::built_in().files;
    auto expect_error = [&](const std::string& file, const std::string& text, const std::string& needle) {
        auto f = files;
        f[file] = text;
        try {
            DqReference::parse(f);
            ADD_FAILURE() << "no error for " << needle;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    expect_error("dq_codes.csv", "list,match,code,class\nx,exact,1,bogus\n", "dq_codes.csv line 2 field class");
    expect_error("dq_codes.csv", "list,match,code,class\nx,icd10,F00,valid\n", "dq_codes.csv line 2 field code");
    expect_error("dq_codes.csv", "list,match,code,class\nx,regex,([,valid\n", "bad regex");
    expect_error("dq_measures.csv", "measure,dataset,target_percent,description\nm,iapt,120,d\n",
                 "dq_measures.csv line 2 field target_percent");
    expect_error("dq_parameters.csv", "key,value\nmax_age_years,-3\n", "dq_parameters.csv line 2 field value");
    auto f = files;
    f.erase("dq_fields.csv");
    EXPECT_THROW(DqReference::parse(f), ConfigError);
}

}  // namespace
}  // namespace mhbench::dq
