// MHIS ledger rules (SPEC section 7, seed 003) with the built-in reference data: category
// classes, funding-source exclusions, amounts in pence and errors naming the row and field.
#include <gtest/gtest.h>

#include "mhis/ledger.hpp"
#include "model/errors.hpp"
#include "reference/reference.hpp"

using namespace mhbench;
using namespace mhbench::mhis;

namespace {

const MhisReference& ref() {
    static const MhisReference r = MhisReference::parse(reference::Reference::built_in().files);
    return r;
}

LedgerText ledger(std::vector<std::vector<std::string>> rows) {
    return {"mhis_ledger.csv", {"icb_code", "financial_year", "category", "funding_source", "amount"}, std::move(rows)};
}
const std::set<std::string> kIcbs = {"QAA", "QBB"};

/// The message of the InputError a one-row ledger raises (rows are lines 2, 3, ...).
std::string error_of(std::vector<std::vector<std::string>> rows) {
    try {
        parse_ledger(ledger(std::move(rows)), kIcbs, ref());
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(MhisReference, CategoriesOfSeed003AndTheirClasses) {
    EXPECT_EQ(ref().categories.size(), 25u);  // the 24 of SPEC section 7 and ADHD
    for (const char* c : {"1", "2", "21", "3", "4", "5", "6", "7", "8", "9a", "9b", "20", "10", "11", "12", "13", "14"})
        EXPECT_EQ(ref().categories[static_cast<std::size_t>(ref().category_index(c))].mhis_class, MhisClass::Core) << c;
    for (const char* c : {"16", "17"})
        EXPECT_EQ(ref().categories[static_cast<std::size_t>(ref().category_index(c))].mhis_class, MhisClass::NonCore) << c;
    for (const char* c : {"18a", "18b", "18c", "19", "ADHD", "not applicable"})
        EXPECT_EQ(ref().categories[static_cast<std::size_t>(ref().category_index(c))].mhis_class, MhisClass::Outside) << c;
    EXPECT_EQ(ref().category_index("15"), -1);  // no category 15 in seed 003
    EXPECT_EQ(ref().category_index("9"), -1);
    EXPECT_EQ(ref().category_index(" 9A "), ref().category_index("9a"));
    EXPECT_EQ(ref().category_index("Not Applicable"), ref().category_index("not applicable"));
    EXPECT_EQ(ref().sources[static_cast<std::size_t>(ref().source_index("sdf"))].exclusion, Exclusion::Development);
    EXPECT_EQ(ref().sources[static_cast<std::size_t>(ref().source_index("COVID-19"))].exclusion, Exclusion::Covid);
    EXPECT_EQ(ref().sources[static_cast<std::size_t>(ref().source_index("Baseline"))].exclusion, Exclusion::None);
    EXPECT_EQ(ref().links.size(), 5u);
    EXPECT_TRUE(ref().eip_team_types.count("A14"));
}

TEST(MhisLedger, AmountsInPence) {
    EXPECT_EQ(parse_pence("0"), 0);
    EXPECT_EQ(parse_pence("1234"), 123400);
    EXPECT_EQ(parse_pence("1234.5"), 123450);
    EXPECT_EQ(parse_pence(" 1234.56 "), 123456);
    for (const char* bad : {"", "-1", "+1", "1.234", "1.", ".5", "1e6", "12a", "1,000", "£5", "99999999999999999999"})
        EXPECT_EQ(parse_pence(bad), -1) << bad;
}

// Each amount goes to exactly one bucket; a funding-source exclusion comes before the class.
TEST(MhisLedger, CoreNonCoreOutsideAndExclusions) {
    const auto rows = parse_ledger(ledger({{"QAA", "2023-24", "4", "Baseline", "100"},
                                           {"QAA", "2023-24", "4", "SDF", "20"},
                                           {"QAA", "2023-24", "7", "COVID-19", "3.50"},
                                           {"QAA", "2023-24", "16", "Baseline", "40"},
                                           {"QAA", "2023-24", "17", "Baseline", "10"},
                                           {"QAA", "2023-24", "18b", "Baseline", "7"},
                                           {"QAA", "2023-24", "ADHD", "Baseline", "1"},
                                           {"QAA", "2023-24", "16", "Transformation funding", "2"},
                                           {"QAA", "2023-24", "19", "COVID-19", "0.25"}}),
                                   kIcbs, ref());
    ASSERT_EQ(rows.size(), 9u);
    EXPECT_EQ(rows[2].line, 4);
    Totals t;
    for (const auto& r : rows) t.add(r, ref());
    EXPECT_EQ(t.mhis, 10000);
    EXPECT_EQ(t.non_core, 5000);
    EXPECT_EQ(t.outside, 800);
    EXPECT_EQ(t.excluded_development, 2200);
    EXPECT_EQ(t.excluded_covid, 375);
    EXPECT_EQ(t.ledger(), 18375);
    EXPECT_EQ(t.rows, 9);
}

TEST(MhisLedger, BadRowsNameFileRowAndField) {
    const std::vector<std::string> ok = {"QAA", "2023-24", "4", "Baseline", "100"};
    struct Case {
        std::vector<std::string> bad;
        const char* field;
        const char* says;
    } cases[] = {
        {{"QAA", "2023-24", "15", "Baseline", "100"}, "field category", "unknown MHIS category '15'"},
        {{"QAA", "2023-24", "4", "Baseline", "-5"}, "field amount", "negative amount"},
        {{"QAA", "2023-24", "4", "Baseline", "ten"}, "field amount", "not an amount"},
        {{"QAA", "2023-24", "4", "Baseline", ""}, "field amount", "not an amount"},
        {{"QZZ", "2023-24", "4", "Baseline", "100"}, "field icb_code", "unknown ICB 'QZZ'"},
        {{"QAA", "2023-24", "4", "Lottery", "100"}, "field funding_source", "unknown funding source"},
        {{"QAA", "2023/24", "4", "Baseline", "100"}, "field financial_year", "not a financial year"},
    };
    for (const auto& c : cases) {
        const std::string m = error_of({ok, ok, c.bad});
        EXPECT_NE(m.find("file mhis_ledger.csv"), std::string::npos) << m;
        EXPECT_NE(m.find("table mhis_ledger"), std::string::npos) << m;
        EXPECT_NE(m.find("row 4"), std::string::npos) << m;  // the third data row is line 4
        EXPECT_NE(m.find(c.field), std::string::npos) << m;
        EXPECT_NE(m.find(c.says), std::string::npos) << m;
    }
    LedgerText missing = ledger({ok});
    missing.columns[4] = "value";
    EXPECT_THROW(parse_ledger(missing, kIcbs, ref()), InputError);
}
