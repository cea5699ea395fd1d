// Pack building blocks (src/packs): NHS-style number formats, HTML escaping, the CSV reader of the
// real-data mode, its funnel on a small hand-made key-measures file, and its error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "model/errors.hpp"
#include "packs/html.hpp"
#include "packs/packs.hpp"

using namespace mhbench;
using namespace mhbench::packs;

TEST(PacksRenderTest, numbers_as_nhs_publications_write_them) {
    EXPECT_EQ(format_count(1234567.0), "1,234,567");
    EXPECT_EQ(format_count(999.0), "999");
    EXPECT_EQ(format_count(std::nullopt), "*");
    EXPECT_EQ(format_number(12345.625, 2), "12,345.63");  // an exact binary half: away from zero
    EXPECT_EQ(format_number(-1234.5, 1), "-1,234.5");
    EXPECT_EQ(format_percent(47.0902), "47.1%");
    EXPECT_EQ(format_percent(NAN), "*");
    EXPECT_EQ(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
}

TEST(PacksRenderTest, csv_reader_handles_quotes_and_comments) {
    const auto rows = parse_csv("# source: test\na,b,c\n1,\"x, y\",\"he said \"\"hi\"\"\"\n2,,\r\n", "t.csv");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1][1], "x, y");
    EXPECT_EQ(rows[1][2], "he said \"hi\"");
    ASSERT_EQ(rows[2].size(), 3u);
    EXPECT_EQ(rows[2][2], "");
    EXPECT_THROW(parse_csv("a\n\"open\n", "t.csv"), ConfigError);
}

namespace {

// England 500 / 1000 at caseness; ten providers of 100 at caseness: 40..60 reliably recovered
// (P10 listed twice with the same figures, P11 with a suppressed count).
std::string key_measures() {
    std::string s =
        "financial_year,org_type,org_code,org_name,breakdown,breakdown_group,finished_course_treatment,not_at_caseness,"
        "reliable_recovery\n"
        "2023-24,England,All,All,Total,Total,1100,100,500\n"
        "2023-24,England,All,All,Depression,Depression,50,5,20\n"
        "2022-23,Provider,P01,\"ONE, LTD\",Total,Total,10,0,10\n";
    const int rr[] = {40, 42, 44, 46, 48, 52, 54, 56, 58, 60};
    for (int i = 0; i < 10; ++i)
        s += "2023-24,Provider,P" + std::to_string(i + 1) + ",\"PROVIDER " + std::to_string(i + 1) + "\",Total,Total,105,5," +
             std::to_string(rr[i]) + "\n";
    s += "2023-24,Provider,P10,PROVIDER 10 AGAIN,Total,Total,105,5,60\n";
    s += "2023-24,Provider,P11,PROVIDER 11,Total,Total,*,*,*\n";
    return s;
}

}  // namespace

TEST(PacksRenderTest, published_funnel_on_a_small_file) {
    const auto out = build_published_funnel(key_measures(), "km.csv", "2023-24");
    ASSERT_EQ(out.tables.size(), 2u);
    TableView od(out.tables[1]);
    ASSERT_EQ(od.rows(), 1u);
    EXPECT_EQ(od.number(0, "organisations"), 10.0);  // P10 once, P11 not shown, 2022-23 ignored
    EXPECT_EQ(od.number(0, "not_shown"), 1.0);
    EXPECT_DOUBLE_EQ(*od.number(0, "target"), 50.0);
    // z = 2·sqrt(100)·(asin sqrt(p) - asin sqrt(0.5)): -2.0136, -1.6069, ... symmetric; the 10th
    // centile is -2.0136 + 0.9·(2.0136 - 1.6069) = -1.6476, so the outer two are Winsorised to ±1.6476
    // and phi = mean of the squares = 1.50901; I·phi = 15.09 < chi2(0.95, 9) = 16.92: not over-dispersed.
    EXPECT_NEAR(*od.number(0, "phi"), 1.50901, 5e-5);
    EXPECT_NEAR(*od.number(0, "chi2_critical"), 16.919, 1e-3);
    EXPECT_EQ(od.number(0, "overdispersed"), 0.0);
    TableView f(out.tables[0]);
    ASSERT_EQ(f.rows(), 10u);
    EXPECT_EQ(f.text(0, "org_code"), "P1");
    EXPECT_EQ(f.text(0, "org_name"), "PROVIDER 1");
    EXPECT_DOUBLE_EQ(*f.number(0, "value"), 40.0);
    EXPECT_EQ(f.number(0, "size"), 100.0);
    // Binomial(100, 0.5): the 2.5% quantile is 40 (P(R <= 39) = 0.0176, P(R <= 40) = 0.0284), so the
    // exact lower 95% limit is just under 40% and 40 of 100 lies within; the 99.8% lower limit is ~34.6%.
    EXPECT_LT(*f.number(0, "lo95"), 40.0);
    EXPECT_GT(*f.number(0, "lo95"), 39.0);
    EXPECT_EQ(f.text(0, "position"), "within the 95% limits");
    bool page = false;
    for (const auto& [name, html] : out.files)
        if (name == "published_reliable_recovery_2023-24.html") {
            page = true;
            EXPECT_NE(html.find("Open Government Licence"), std::string::npos);
            EXPECT_NE(html.find("role=\"img\""), std::string::npos);
            EXPECT_NE(html.find("data-dots=\"10\""), std::string::npos);
        }
    EXPECT_TRUE(page);
}

TEST(PacksRenderTest, published_errors_name_file_row_and_field) {
    std::string bad = key_measures();
    bad.replace(bad.find("105,5,52"), 8, "105,x5,52");
    try {
        build_published_funnel(bad, "km.csv", "2023-24");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("km.csv"), std::string::npos) << m;
        EXPECT_NE(m.find("row 10"), std::string::npos) << m;
        EXPECT_NE(m.find("not_at_caseness"), std::string::npos) << m;
    }
    EXPECT_THROW(build_published_funnel("financial_year,org_type\n", "km.csv", "2023-24"), ConfigError);
    EXPECT_THROW(build_published_funnel(key_measures(), "km.csv", "2021-22"), ConfigError);  // no England row
    std::string twice = key_measures() + "2023-24,Provider,P1,OTHER NAME,Total,Total,105,5,41\n";
    EXPECT_THROW(build_published_funnel(twice, "km.csv", "2023-24"), ConfigError);  // same code, other figures
}
