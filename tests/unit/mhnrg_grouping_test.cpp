// MHNRG rules over the built-in reference data: age band with the 18-25 transition rule, the
// fixed order of the population groups, the crisis team types and A18 with each priority, the
// needs value classes, and clear errors on bad reference data.
#include <gtest/gtest.h>

#include "mhnrg/grouping.hpp"
#include "model/dates.hpp"
#include "model/errors.hpp"
#include "reference/reference.hpp"

using namespace mhbench;
using namespace mhbench::mhnrg;

namespace {

const MhnrgReference& ref() {
    static const MhnrgReference r = MhnrgReference::parse(reference::Reference::built_in().files);
    return r;
}

Group group_of(std::vector<std::string> codes, std::vector<std::string> teams = {}, std::string reason = "",
               int age = 40, bool before_18 = false, std::string priority = "") {
    ReferralFacts f;
    f.age_at_referral = age;
    f.referred_before_18 = before_18;
    f.codes = std::move(codes);
    f.team_types = std::move(teams);
    f.primary_reason = std::move(reason);
    f.clinical_response_priority = std::move(priority);
    return group_referral(ref(), f).group;
}

}  // namespace

TEST(MhnrgAge, BirthdayCountsOnTheDay) {
    const Day birth = days_from_civil(2005, 6, 10);
    EXPECT_EQ(age_on(birth, days_from_civil(2023, 6, 9)), 17);
    EXPECT_EQ(age_on(birth, days_from_civil(2023, 6, 10)), 18);
    EXPECT_EQ(age_on(birth, birth), 0);
    EXPECT_EQ(age_on(birth, birth - 1), std::nullopt);
    EXPECT_EQ(age_on(kMissing, birth), std::nullopt);
    // 29 February: the birthday falls on 1 March in common years.
    const Day leap = days_from_civil(2004, 2, 29);
    EXPECT_EQ(age_on(leap, days_from_civil(2022, 2, 28)), 17);
    EXPECT_EQ(age_on(leap, days_from_civil(2022, 3, 1)), 18);
    EXPECT_EQ(age_on(leap, days_from_civil(2024, 2, 29)), 20);
}

TEST(MhnrgAge, TransitionRule) {
    EXPECT_EQ(age_band(ref(), 17, false), AgeBand::Cyp);
    EXPECT_EQ(age_band(ref(), 18, false), AgeBand::Adult);
    EXPECT_EQ(age_band(ref(), 18, true), AgeBand::Cyp);
    EXPECT_EQ(age_band(ref(), 25, true), AgeBand::Cyp);
    EXPECT_EQ(age_band(ref(), 26, true), AgeBand::Adult);
    EXPECT_EQ(age_band(ref(), 0, false), AgeBand::Cyp);
    EXPECT_EQ(age_band(ref(), std::nullopt, true), AgeBand::Unknown);
}

TEST(MhnrgGroup, EachGroupFromCodes) {
    EXPECT_EQ(group_of({"F50.0"}), Group::EatingFeeding);
    EXPECT_EQ(group_of({"F84.0"}), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({"F70"}), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({"F98.2"}), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({"F20.0"}), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({"f31.1"}), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({"F03"}), Group::Neurocognitive);
    EXPECT_EQ(group_of({"F60.3"}), Group::Personality);
    EXPECT_EQ(group_of({"F10.2"}), Group::Addiction);
    EXPECT_EQ(group_of({"F32.1"}), Group::MoodAnxiety);
    EXPECT_EQ(group_of({"F34.0"}), Group::MoodAnxiety);  // cyclothymia stays with mood
    EXPECT_EQ(group_of({"F43.1"}), Group::MoodAnxiety);
    EXPECT_EQ(group_of({"X78.9"}), Group::Crisis);
    EXPECT_EQ(group_of({"X84"}), Group::Crisis);
    EXPECT_EQ(group_of({"X85"}), Group::Ungrouped);  // assault, not self-harm
    EXPECT_EQ(group_of({"F99"}), Group::Ungrouped);
    EXPECT_EQ(group_of({"Z03.2", "R45.8"}), Group::Ungrouped);
    EXPECT_EQ(group_of({}), Group::Ungrouped);
    EXPECT_EQ(group_of({"F9X.Z"}), Group::Ungrouped);  // malformed
}

TEST(MhnrgGroup, TeamTypesAndReasons) {
    EXPECT_EQ(group_of({}, {"C10"}), Group::EatingFeeding);
    EXPECT_EQ(group_of({}, {"E01"}), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({}, {"A14"}), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({}, {"A17"}), Group::Neurocognitive);
    // MHSDS v6 PrimReasonReferralMH codes (mhnrg_grouping.csv).
    EXPECT_EQ(group_of({}, {"A06"}, "12"), Group::EatingFeeding);
    EXPECT_EQ(group_of({}, {"A06"}, "26"), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({}, {"A06"}, "30"), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({}, {"A06"}, "01"), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({}, {"A06"}, "03"), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({}, {"A06"}, "08"), Group::Neurocognitive);
    EXPECT_EQ(group_of({}, {"A06"}, "14"), Group::Personality);
    EXPECT_EQ(group_of({}, {"A06"}, "09"), Group::Addiction);
    EXPECT_EQ(group_of({}, {"A06"}, "04"), Group::MoodAnxiety);
    EXPECT_EQ(group_of({}, {"A06"}, "11"), Group::MoodAnxiety);  // PTSD, F43.1
    EXPECT_EQ(group_of({}, {"A06"}, "15"), Group::Crisis);
    EXPECT_EQ(group_of({}, {"A06"}, "18"), Group::Crisis);
    EXPECT_EQ(group_of({}, {"A06"}, "17"), Group::Ungrouped);  // not an MHSDS v6 code
    EXPECT_EQ(group_of({}, {"A06"}, "31"), Group::Ungrouped);  // employment support: no condition
    EXPECT_EQ(group_of({}, {"A06"}, "99"), Group::Ungrouped);
}

TEST(MhnrgGroup, FixedOrderDecidesBetweenTwoGroups) {
    // Eating beats psychosis and CYP; neurodevelopmental beats CYP; psychosis beats mood;
    // personality beats addiction and mood; any specific group beats crisis.
    EXPECT_EQ(group_of({"F20.0", "F50.0"}), Group::EatingFeeding);
    EXPECT_EQ(group_of({"F32.1"}, {"C10"}, "", 14), Group::EatingFeeding);
    EXPECT_EQ(group_of({"F90.0", "F50.0"}), Group::EatingFeeding);
    EXPECT_EQ(group_of({"F90.0"}, {}, "", 12), Group::Neurodevelopmental);
    EXPECT_EQ(group_of({"F32.1"}, {}, "", 12), Group::Cyp);
    EXPECT_EQ(group_of({"F20.0"}, {}, "", 22, true), Group::Cyp);  // transition: CYP before psychosis
    EXPECT_EQ(group_of({"F20.0"}, {}, "", 26, true), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({"F32.1", "F20.0"}), Group::PsychosisBipolar);
    EXPECT_EQ(group_of({"F10.2", "F60.3", "F41.1"}), Group::Personality);
    EXPECT_EQ(group_of({"X61", "F32.2"}), Group::MoodAnxiety);
    EXPECT_EQ(group_of({"F03", "F20.0"}), Group::PsychosisBipolar);
}

TEST(MhnrgGroup, SeenOnlyByCrisisTeams) {
    EXPECT_EQ(group_of({}, {"A02"}), Group::Crisis);
    EXPECT_EQ(group_of({}, {"A02", "A11"}), Group::Crisis);
    EXPECT_EQ(group_of({}, {"A02", "A06"}), Group::Ungrouped);  // also seen by a community team
    EXPECT_EQ(group_of({}, {"A18"}, "", 40, false, "1"), Group::Crisis);
    EXPECT_EQ(group_of({}, {"A18"}, "", 40, false, "3"), Group::Ungrouped);
    EXPECT_EQ(group_of({"R45.8"}, {"C05"}, "", 40), Group::Crisis);
    EXPECT_EQ(group_of({}, {"C05"}, "", 10), Group::Cyp);  // CYP comes before crisis
}

TEST(MhnrgSetting, EveryCrisisTeamAndA18ByPriority) {
    for (const char* t : {"A02", "A11", "A19", "A20", "A21", "A22", "A23", "A24", "A25", "C05"}) {
        EXPECT_TRUE(is_crisis_team(ref(), t, "")) << t;
        EXPECT_TRUE(is_crisis_team(ref(), t, "3")) << t;
    }
    for (const char* t : {"A06", "A14", "A17", "C10", "D05", "", "X99"}) EXPECT_FALSE(is_crisis_team(ref(), t, "1")) << t;
    EXPECT_TRUE(is_crisis_team(ref(), "A18", "1"));   // emergency
    EXPECT_TRUE(is_crisis_team(ref(), "A18", "2"));   // urgent / serious
    EXPECT_TRUE(is_crisis_team(ref(), "A18", "4"));   // very urgent
    EXPECT_FALSE(is_crisis_team(ref(), "A18", "3"));  // routine
    EXPECT_FALSE(is_crisis_team(ref(), "A18", ""));
    EXPECT_FALSE(is_crisis_team(ref(), "A18", "9"));
    EXPECT_TRUE(is_crisis_team(ref(), " A18 ", " 4"));
}

TEST(MhnrgNeeds, ValueClasses) {
    const int ld = 5, autism = 6, ethnicity = 4, housing = 0;
    ASSERT_EQ(kNeedsFactors[ld], "learning_disability");
    for (const char* c : {"1", "2", "3", "4"}) {
        EXPECT_EQ(ref().classify_value(ld, c), ValueClass::Need) << c;
        EXPECT_EQ(ref().classify_value(autism, c), ValueClass::Need) << c;
    }
    EXPECT_EQ(ref().classify_value(ld, "5"), ValueClass::Valid);
    EXPECT_EQ(ref().classify_value(ld, "Z"), ValueClass::Default);
    EXPECT_EQ(ref().classify_value(ld, "9"), ValueClass::Invalid);
    EXPECT_EQ(ref().classify_value(ld, " "), ValueClass::Missing);
    EXPECT_EQ(ref().classify_value(ethnicity, "A"), ValueClass::Valid);
    EXPECT_EQ(ref().classify_value(ethnicity, "99"), ValueClass::Default);
    EXPECT_EQ(ref().classify_value(ethnicity, "0"), ValueClass::Invalid);
    EXPECT_EQ(ref().classify_value(housing, "ZZ"), ValueClass::Default);
}

TEST(MhnrgReference, BadFilesNameFileLineAndField) {
    auto files = reference::Reference::built_in().files;
    auto broken = files;
    broken["mhnrg_grouping.csv"] = "group,field,from,to,meaning,status\npsychosis,icd10,F20,F29,x,spec\n";
    try {
        MhnrgReference::parse(broken);
        FAIL() << "accepted an unknown group";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("mhnrg_grouping.csv line 2 field group"), std::string::npos) << e.what();
    }
    broken = files;
    broken["mhnrg_grouping.csv"] = "group,field,from,to,meaning,status\ncrisis,icd10,X84,X60,x,spec\n";
    EXPECT_THROW(MhnrgReference::parse(broken), ConfigError);
    broken = files;
    broken.erase("mhnrg_setting.csv");
    EXPECT_THROW(MhnrgReference::parse(broken), ConfigError);
    broken = files;
    broken["mhnrg_parameters.csv"] = "name,value\ncyp_age_limit,eighteen\n";
    EXPECT_THROW(MhnrgReference::parse(broken), ConfigError);
}

TEST(MhnrgReference, ReplacementMapChangesTheGrouping) {
    auto files = reference::Reference::built_in().files;
    files["mhnrg_grouping.csv"] = "group,field,from,to,meaning,status\nmood_anxiety,icd10,F20,F20,x,test\n"
                                  "mood_anxiety,snomed_ct,35489007,35489007,Depressive disorder,test\n";
    const MhnrgReference r = MhnrgReference::parse(files);
    ReferralFacts f;
    f.age_at_referral = 40;
    f.codes = {"F20.0"};
    EXPECT_EQ(group_referral(r, f).group, Group::MoodAnxiety);
    f.codes = {"35489007"};
    EXPECT_EQ(group_referral(r, f).group, Group::MoodAnxiety);
    f.codes = {"F50.0"};
    EXPECT_EQ(group_referral(r, f).group, Group::Ungrouped);
}
