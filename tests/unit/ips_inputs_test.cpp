// Side inputs kept verbatim in the store: the CSV shape check and its error messages.
#include <gtest/gtest.h>

#include "model/errors.hpp"
#include "store/inputs.hpp"

using mhbench::InputError;
using mhbench::store::parse_input_table;

TEST(IpsInputs, ParsesHeaderRowsQuotesAndCrlf) {
    auto t = parse_input_table("ips_targets", "ips_targets.csv",
                               "icb_code,financial_year,target\r\nQE1,2023-24,120\r\n\"Q,X\",2023-24,\"7\"\"\"\n\n");
    ASSERT_EQ(t.columns.size(), 3u);
    EXPECT_EQ(t.column("target"), 2u);
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][0], "QE1");
    EXPECT_EQ(t.rows[1][0], "Q,X");
    EXPECT_EQ(t.rows[1][2], "7\"");
    EXPECT_EQ(mhbench::store::InputTable::line_of(1), 3);
}

TEST(IpsInputs, EmptyTrailingFieldIsAField) {
    auto t = parse_input_table("ips_targets", "f.csv", "a,b\n1,\n");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0][1], "");
}

TEST(IpsInputs, WrongWidthNamesFileAndLine) {
    try {
        parse_input_table("mhis_ledger", "mhis_ledger.csv", "a,b\n1,2\n1,2,3\n");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), "mhis_ledger.csv");
        EXPECT_EQ(e.row(), 3);
        EXPECT_NE(std::string(e.what()).find("3 fields where the header has 2"), std::string::npos) << e.what();
    }
}

TEST(IpsInputs, MalformedQuotingAndHeaderProblems) {
    EXPECT_THROW(parse_input_table("x", "x.csv", "a,b\n\"1,2\n"), InputError);
    EXPECT_THROW(parse_input_table("x", "x.csv", "a,b\n1\"x,2\n"), InputError);
    EXPECT_THROW(parse_input_table("x", "x.csv", ""), InputError);
    EXPECT_THROW(parse_input_table("x", "x.csv", "a,a\n1,2\n"), InputError);
    EXPECT_THROW(parse_input_table("x", "x.csv", "a,,b\n1,2,3\n"), InputError);
}

TEST(IpsInputs, MissingColumnNamesTheColumn) {
    auto t = parse_input_table("ips_fidelity", "ips_fidelity.csv", "org_code,score\n");
    try {
        (void)t.column("review_date");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.field(), "review_date");
        EXPECT_EQ(e.file(), "ips_fidelity.csv");
    }
}
