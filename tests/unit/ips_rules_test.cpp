// The IPS rules (src/ips) with the built-in reference data: each rule on its edges.
#include <gtest/gtest.h>

#include "ips/rules.hpp"
#include "model/errors.hpp"
#include "reference/reference.hpp"

using namespace mhbench;
using namespace mhbench::ips;

namespace {

const IpsReference& ref() {
    static const IpsReference r = IpsReference::parse(reference::Reference::built_in().files);
    return r;
}

Day day(int y, unsigned m, unsigned d) { return days_from_civil(y, m, d); }

}  // namespace

TEST(IpsRules, ActivityCodesAndTheRefusedQualifier) {
    EXPECT_EQ(classify_activity("772822000", ref()), ActivityKind::Ips);
    EXPECT_EQ(classify_activity("1082621000000104", ref()), ActivityKind::Ips);
    EXPECT_EQ(classify_activity("772822000:408729009=443390004", ref()), ActivityKind::IpsRefused);
    EXPECT_EQ(classify_activity("1082621000000104:408729009=443390004", ref()), ActivityKind::IpsRefused);
    // Another qualifier value is not a refusal.
    EXPECT_EQ(classify_activity("772822000:408729009=385658003", ref()), ActivityKind::Ips);
    EXPECT_EQ(classify_activity("182836005", ref()), ActivityKind::Other);
    EXPECT_EQ(classify_activity("7728220000", ref()), ActivityKind::Other);
    EXPECT_EQ(classify_activity("", ref()), ActivityKind::Other);
}

TEST(IpsRules, RoutesCountOnceAndNeedADirectCodedContact) {
    const Contact coded_direct{day(2023, 5, 1), true, false, true};
    const Contact coded_email{day(2023, 5, 1), false, false, true};
    EXPECT_TRUE(routes_of(false, std::vector<Contact>{coded_direct}).activity);
    EXPECT_FALSE(routes_of(false, std::vector<Contact>{coded_email}).ips());
    const Routes both = routes_of(true, std::vector<Contact>{coded_direct});
    EXPECT_TRUE(both.team && both.activity && both.ips());
    // A contact both of the IPS team and coded counts once.
    const Contact team_and_coded{day(2023, 5, 1), true, true, true};
    EXPECT_TRUE(counts_as_ips_contact(team_and_coded));
    EXPECT_FALSE(counts_as_ips_contact(Contact{day(2023, 5, 1), false, true, false}));
    EXPECT_FALSE(counts_as_ips_contact(Contact{day(2023, 5, 1), true, false, false}));
}

TEST(IpsRules, AccessIsTheFirstCountedContactOfEachYear) {
    const std::vector<Contact> c = {{day(2023, 3, 31), true, true, false},
                                    {day(2023, 4, 2), false, true, false},  // not direct
                                    {day(2023, 4, 5), true, true, false},
                                    {day(2023, 4, 1), true, false, false}};  // not IPS
    EXPECT_EQ(access_in_year(c, FinancialYear{2022}), day(2023, 3, 31));
    EXPECT_EQ(access_in_year(c, FinancialYear{2023}), day(2023, 4, 5));
    EXPECT_FALSE(access_in_year(c, FinancialYear{2024}).has_value());
}

TEST(IpsRules, EmploymentAtReferralAndDischarge) {
    EXPECT_EQ(classify_employment("01", ref()), Employment::Employed);
    EXPECT_EQ(classify_employment("08", ref()), Employment::NotEmployed);
    EXPECT_EQ(classify_employment("ZZ", ref()), Employment::Unknown);
    EXPECT_EQ(classify_employment("", ref()), Employment::Unknown);
    const std::vector<EmploymentRecord> r = {{day(2023, 6, 1), Employment::Employed},
                                             {day(2023, 1, 1), Employment::NotEmployed},
                                             {day(2023, 5, 1), Employment::NotEmployed},
                                             {kMissing, Employment::Employed}};
    // First record from receipt: 1 May (not employed).
    EXPECT_EQ(employment_at_referral(r, day(2023, 5, 1), kMissing, day(2024, 3, 31)), Employment::NotEmployed);
    // None from receipt to discharge: the latest before receipt (1 Jan, not employed).
    EXPECT_EQ(employment_at_referral(r, day(2023, 2, 1), day(2023, 4, 1), day(2024, 3, 31)), Employment::NotEmployed);
    // Received 2 May: the next record is 1 June (employed).
    EXPECT_EQ(employment_at_referral(r, day(2023, 5, 2), kMissing, day(2024, 3, 31)), Employment::Employed);
    EXPECT_EQ(employment_at_referral({}, day(2023, 5, 2), kMissing, day(2024, 3, 31)), Employment::Unknown);
    EXPECT_EQ(employment_at_discharge(r, day(2023, 6, 1)), Employment::Employed);
    EXPECT_EQ(employment_at_discharge(r, day(2023, 5, 31)), Employment::NotEmployed);
    EXPECT_EQ(employment_at_discharge(r, kMissing), Employment::Unknown);
}

TEST(IpsRules, FidelityBandEdges) {
    EXPECT_EQ(fidelity_band(25, ref()), "Not supported employment");
    EXPECT_EQ(fidelity_band(73, ref()), "Not supported employment");
    EXPECT_EQ(fidelity_band(74, ref()), "Fair");
    EXPECT_EQ(fidelity_band(99, ref()), "Fair");
    EXPECT_EQ(fidelity_band(100, ref()), "Good");
    EXPECT_EQ(fidelity_band(114, ref()), "Good");
    EXPECT_EQ(fidelity_band(115, ref()), "Exemplary");
    EXPECT_EQ(fidelity_band(125, ref()), "Exemplary");
    EXPECT_EQ(fidelity_band(126, ref()), "");
}

TEST(IpsRules, ReviewOverdueStrictlyAfterTwoYears) {
    EXPECT_FALSE(review_overdue(day(2022, 3, 31), day(2024, 3, 31), ref()));
    EXPECT_TRUE(review_overdue(day(2022, 3, 30), day(2024, 3, 31), ref()));
    // 29 February: two years on is 28 February.
    EXPECT_FALSE(review_overdue(day(2024, 2, 29), day(2026, 2, 28), ref()));
    EXPECT_TRUE(review_overdue(day(2024, 2, 29), day(2026, 3, 1), ref()));
}

TEST(IpsRules, ReferenceDataErrorsNameFileAndLine) {
    auto files = reference::Reference::built_in().files;
    EXPECT_EQ(ref().job_retention_max_share, 0.15);
    EXPECT_EQ(ref().unemployed_min_share, 0.85);
    auto bad = files;
    bad["ips_fidelity_bands.csv"] = "band,min_score,max_score\nFair,74,99\nGood,101,114\n";
    try {
        IpsReference::parse(bad);
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("ips_fidelity_bands.csv line 3 field min_score"), std::string::npos) << e.what();
    }
    bad = files;
    bad["ips_codes.csv"] = "kind,code,meaning\nteam_kind,D05,x\n";
    EXPECT_THROW(IpsReference::parse(bad), ConfigError);
    bad = files;
    bad.erase("ips_thresholds.csv");
    EXPECT_THROW(IpsReference::parse(bad), ConfigError);
}
