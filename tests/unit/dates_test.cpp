#include <gtest/gtest.h>

#include "model/dates.hpp"
#include "model/errors.hpp"
#include "model/schema.hpp"

using namespace mhbench;

TEST(Dates, round_trip_and_epoch) {
    EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(*parse_iso_date("2024-02-29"), days_from_civil(2024, 2, 29));
    EXPECT_EQ(format_iso_date(*parse_iso_date("2023-04-01")), "2023-04-01");
    EXPECT_EQ(*parse_iso_date("2023-04-01T10:00:00"), days_from_civil(2023, 4, 1));
    for (Day d = -40000; d < 40000; d += 37) EXPECT_EQ(*parse_iso_date(format_iso_date(d)), d);
}

TEST(Dates, rejects_malformed) {
    for (const char* s : {"", "2023-02-29", "2023-13-01", "2023-00-10", "23-04-01", "2023/04/01", "2023-04-1x", "01/04/2023"})
        EXPECT_FALSE(parse_iso_date(s).has_value()) << s;
}

TEST(Dates, financial_year_boundaries) {
    auto fy = FinancialYear::parse("2023-24");
    EXPECT_EQ(fy.start_year, 2023);
    EXPECT_TRUE(fy.contains(days_from_civil(2023, 4, 1)));
    EXPECT_TRUE(fy.contains(days_from_civil(2024, 3, 31)));
    EXPECT_FALSE(fy.contains(days_from_civil(2023, 3, 31)));
    EXPECT_FALSE(fy.contains(days_from_civil(2024, 4, 1)));
    EXPECT_FALSE(fy.contains(kMissing));
    EXPECT_EQ(FinancialYear::of(days_from_civil(2024, 3, 31)).label(), "2023-24");
    EXPECT_EQ(FinancialYear::of(days_from_civil(2024, 4, 1)).label(), "2024-25");
    EXPECT_EQ(FinancialYear{1999}.label(), "1999-00");
    EXPECT_THROW(FinancialYear::parse("2023-25"), ConfigError);
    auto r = YearRange::parse("2021-22:2023-24");
    EXPECT_EQ(r.first.start_year, 2021);
    EXPECT_EQ(r.last.start_year, 2023);
}

TEST(Schema, every_child_names_a_parent_with_that_key) {
    for (const auto& t : all_tables()) {
        for (const auto& k : t.key) EXPECT_GE(t.column_index(k), 0) << t.name << "." << k;
        if (t.parent.empty()) continue;
        const auto& p = table_spec(t.parent);
        EXPECT_EQ(p.dataset, t.dataset);
        EXPECT_EQ(p.key, t.parent_key) << t.name;
        for (const auto& k : t.parent_key) EXPECT_GE(t.column_index(k), 0) << t.name << "." << k;
    }
}
