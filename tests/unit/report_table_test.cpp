#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "model/errors.hpp"
#include "report/table.hpp"
#include "store/h5.hpp"

namespace fs = std::filesystem;
using namespace mhbench;
using namespace mhbench::report;

namespace {

fs::path scratch(const std::string& test) {
    fs::path p = fs::temp_directory_path() / ("mhbench_report_table_" + std::to_string(::getpid()) + "_" + test);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

Table sample() {
    Table t("activity_provider", "/activity/provider", "Activity by provider");
    t.add_text("org_code", "Provider code");
    t.add_int("referrals", "Referrals received", "referrals");
    t.add_real("rate", "Recovery rate", "%", 2);
    t.add_real("mean", "Mean contacts", "contacts");
    t.push("org_code", "RX1");
    t.push("referrals", 12);
    t.push("rate", 0.375);
    t.push("mean", 0.1);
    t.push("org_code", std::string("Smith, \"Jones\""));
    t.push("referrals", std::optional<std::int64_t>{});
    t.push("rate", std::nullopt);
    t.push("mean", 1.0 / 3.0);
    t.push("org_code", "line\nbreak");
    t.push("referrals", std::int64_t{-7});
    t.push("rate", -2.5);
    t.push("mean", std::numeric_limits<double>::quiet_NaN());
    return t;
}

hid_t open_dataset(hid_t group, const std::string& name) {
    return H5Dopen2(group, name.c_str(), H5P_DEFAULT);
}

}  // namespace

TEST(ReportTable, FixedDecimalsRoundHalfAwayFromZeroOnTheExactBinaryValue) {
    EXPECT_EQ(format_real(0.375, 2), "0.38");   // exact tie, away from zero
    EXPECT_EQ(format_real(0.125, 2), "0.13");   // exact tie, away from zero (not to even)
    EXPECT_EQ(format_real(2.5, 0), "3");
    EXPECT_EQ(format_real(-2.5, 0), "-3");
    EXPECT_EQ(format_real(0.5, 0), "1");
    EXPECT_EQ(format_real(1.5, 0), "2");
    EXPECT_EQ(format_real(-0.625, 2), "-0.63");
    EXPECT_EQ(format_real(2.675, 2), "2.67");  // binary value is 2.67499999...
    EXPECT_EQ(format_real(1.005, 2), "1.00");  // binary value is 1.00499999...
    EXPECT_EQ(format_real(9.995, 2), "9.99");  // 9.99499999...
    EXPECT_EQ(format_real(9.9951, 2), "10.00");
    EXPECT_EQ(format_real(99.5, 0), "100");
    EXPECT_EQ(format_real(1.0, 3), "1.000");
    EXPECT_EQ(format_real(0.0, 2), "0.00");
    EXPECT_EQ(format_real(-0.0, 2), "0.00");
    EXPECT_EQ(format_real(-0.001, 2), "0.00");  // no "-0.00"
    EXPECT_EQ(format_real(123456789.125, 2), "123456789.13");
    EXPECT_EQ(format_real(1e300, 1).size(), 303u);
    EXPECT_EQ(format_real(5e-324, 2), "0.00");
    EXPECT_EQ(format_real(std::numeric_limits<double>::quiet_NaN(), 2), "");
    EXPECT_EQ(format_real(std::numeric_limits<double>::infinity(), 2), "inf");
    EXPECT_EQ(format_real(-std::numeric_limits<double>::infinity(), -1), "-inf");
}

TEST(ReportTable, ShortestRoundTripWhenDecimalsIsMinusOne) {
    EXPECT_EQ(format_real(0.1, -1), "0.1");
    EXPECT_EQ(format_real(1.0 / 3.0, -1), "0.3333333333333333");
    EXPECT_EQ(format_real(123456.0, -1), "123456");
    EXPECT_EQ(format_real(-2.5, -1), "-2.5");
    EXPECT_EQ(format_real(-0.0, -1), "0");
    EXPECT_EQ(format_real(1e21, -1), "1e+21");
    for (double v : {0.1, 2.0 / 3.0, 1e-300, 6.02214076e23, -123.456}) {
        EXPECT_EQ(std::stod(format_real(v, -1)), v);
    }
}

TEST(ReportTable, CsvBytes) {
    const std::string expected =
        "org_code,referrals,rate,mean\n"
        "RX1,12,0.38,0.1\n"
        "\"Smith, \"\"Jones\"\"\",,,0.3333333333333333\n"
        "\"line\nbreak\",-7,-2.50,\n";
    Table t = sample();
    EXPECT_EQ(to_csv(t), expected);
    fs::path dir = scratch("csv");
    write_csv(t, dir / "a.csv");
    write_csv(t, dir / "b.csv");
    EXPECT_EQ(slurp(dir / "a.csv"), expected);
    EXPECT_EQ(slurp(dir / "b.csv"), slurp(dir / "a.csv"));
    fs::remove_all(dir);
}

TEST(ReportTable, CsvQuotesHeaderAndCrOnlyWhenNeeded) {
    Table t("t", "/t", "");
    t.add_text("a,b", "");
    t.add_text("plain", "");
    t.push("a,b", "x\ry");
    t.push("plain", " spaced ");
    EXPECT_EQ(to_csv(t), "\"a,b\",plain\n\"x\ry\", spaced \n");
}

TEST(ReportTable, EmptyTableIsHeaderOnly) {
    Table t("t", "/t", "");
    t.add_int("n", "");
    EXPECT_EQ(t.rows(), 0u);
    EXPECT_EQ(to_csv(t), "n\n");
}

TEST(ReportTable, MismatchedColumnLengthsThrow) {
    Table t("t", "/x/t", "");
    t.add_int("a", "");
    t.add_int("b", "");
    t.push("a", 1);
    t.push("a", 2);
    t.push("b", 1);
    EXPECT_THROW(t.rows(), ConfigError);
    fs::path dir = scratch("ragged");
    EXPECT_THROW(write_csv(t, dir / "t.csv"), ConfigError);
    EXPECT_THROW(write_h5({t}, dir / "r.h5", {}), ConfigError);
    EXPECT_FALSE(fs::exists(dir / "t.csv"));
    EXPECT_FALSE(fs::exists(dir / "r.h5"));
    fs::remove_all(dir);
}

TEST(ReportTable, MisuseThrowsConfigError) {
    Table t("t", "/x/t", "");
    t.add_int("n", "");
    t.add_text("s", "");
    t.add_real("r", "");
    EXPECT_THROW(t.add_int("n", ""), ConfigError);
    EXPECT_THROW(t.add_int("a/b", ""), ConfigError);
    EXPECT_THROW(t.add_real("x", "", "", -2), ConfigError);
    EXPECT_THROW(t.column("absent"), ConfigError);
    EXPECT_THROW(t.push("n", 1.5), ConfigError);
    EXPECT_THROW(t.push("n", "text"), ConfigError);
    EXPECT_THROW(t.push("s", 1), ConfigError);
    EXPECT_THROW(t.push("n", std::numeric_limits<std::uint64_t>::max()), ConfigError);
    t.push("r", 3);  // integers may go into a Real column
    EXPECT_EQ(t.column("r").reals.at(0), 3.0);
    EXPECT_THROW(Table("t", "relative/path", ""), ConfigError);
    EXPECT_THROW(Table("t", "/", ""), ConfigError);
}

TEST(ReportTable, ColumnsFilledWholesale) {
    Table t("t", "/t", "");
    t.add_int("n", "").ints = {1, 2, 3};
    t.add_real("x", "", "", 1).reals = {0.25, 0.35, 1.0};
    t.push("n", std::nullopt);  // marking a cell missing after wholesale filling keeps flags in step
    t.column("x").reals.push_back(2.0);
    EXPECT_EQ(t.rows(), 4u);
    EXPECT_EQ(to_csv(t), "n,x\n1,0.3\n2,0.3\n3,1.0\n,2.0\n");  // 0.35 is 0.34999999999999997...
}

TEST(ReportTable, H5RoundTripOfEveryDatasetAndAttribute) {
    fs::path dir = scratch("h5");
    Table provider = sample();
    Table icb("activity_icb", "/activity/icb", "Activity by ICB");
    icb.add_text("icb_code", "ICB code");
    icb.add_int("referrals", "Referrals received", "referrals");
    icb.push("icb_code", "QWE");
    icb.push("referrals", 40);
    Table national("tt_national", "/tt/national", "National averages");
    national.add_real("mean", "Mean", "contacts");  // no rows
    const Attributes attrs{{"financial_year", "2023-24"}, {"schema_version", "1"}, {"created_utc", "2026-01-01T00:00:00Z"}};
    write_h5({provider, icb, national}, dir / "results.h5", attrs);

    h5::Handle f = h5::open_file(dir / "results.h5");
    EXPECT_EQ(h5::read_attr_string(f, "financial_year"), "2023-24");
    EXPECT_EQ(h5::read_attr_string(f, "schema_version"), "1");
    EXPECT_EQ(h5::read_attr_string(f, "created_utc"), "2026-01-01T00:00:00Z");
    EXPECT_EQ(h5::read_attr_string(f, "software_version"), MHBENCH_VERSION);

    h5::Handle g = h5::open_group(f, "/activity/provider");
    EXPECT_EQ(h5::read_attr_string(g, "description"), "Activity by provider");
    EXPECT_EQ(h5::read_attr_string(g, "columns"), "org_code,referrals,rate,mean");
    EXPECT_EQ(h5::read_attr_int(g, "rows"), 3);

    EXPECT_EQ(h5::read_strings(g, "org_code"), (std::vector<std::string>{"RX1", "Smith, \"Jones\"", "line\nbreak"}));
    {
        h5::Handle d = h5::check(open_dataset(g, "org_code"), "open");
        h5::Handle type = h5::check(H5Dget_type(d), "type");
        EXPECT_EQ(H5Tget_class(type), H5T_STRING);
        // Fixed-length: the longest value ("Smith, \"Jones\"", 14 bytes) and its NUL.
        EXPECT_EQ(H5Tis_variable_str(type), 0);
        EXPECT_EQ(H5Tget_size(type), 15u);
        EXPECT_EQ(H5Tget_strpad(type), H5T_STR_NULLTERM);
        EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8);
        EXPECT_EQ(h5::read_attr_string(d, "description"), "Provider code");
        EXPECT_EQ(h5::read_attr_string(d, "unit"), "");
        EXPECT_EQ(h5::read_attr_string(d, "missing"), "empty string = suppressed or not applicable");
    }
    {
        h5::Handle d = h5::check(open_dataset(g, "referrals"), "open");
        h5::Handle type = h5::check(H5Dget_type(d), "type");
        EXPECT_EQ(H5Tget_class(type), H5T_INTEGER);
        EXPECT_EQ(H5Tget_size(type), 8u);
        EXPECT_EQ(H5Tget_sign(type), H5T_SGN_2);
        EXPECT_EQ(h5::read_all<std::int64_t>(d),
                  (std::vector<std::int64_t>{12, std::numeric_limits<std::int64_t>::min(), -7}));
        EXPECT_EQ(h5::read_attr_string(d, "description"), "Referrals received");
        EXPECT_EQ(h5::read_attr_string(d, "unit"), "referrals");
        EXPECT_EQ(h5::read_attr_string(d, "missing"), "INT64_MIN (-9223372036854775808) = suppressed or not applicable");
    }
    {
        h5::Handle d = h5::check(open_dataset(g, "rate"), "open");
        h5::Handle type = h5::check(H5Dget_type(d), "type");
        EXPECT_EQ(H5Tget_class(type), H5T_FLOAT);
        EXPECT_EQ(H5Tget_size(type), 8u);
        auto v = h5::read_all<double>(d);
        ASSERT_EQ(v.size(), 3u);
        EXPECT_EQ(v[0], 0.375);  // full precision; decimals only shape the CSV
        EXPECT_TRUE(std::isnan(v[1]));
        EXPECT_EQ(v[2], -2.5);
        EXPECT_EQ(h5::read_attr_string(d, "description"), "Recovery rate");
        EXPECT_EQ(h5::read_attr_string(d, "unit"), "%");
        EXPECT_EQ(h5::read_attr_string(d, "missing"), "NaN = suppressed or not applicable");
    }
    {
        h5::Handle d = h5::check(open_dataset(g, "mean"), "open");
        auto v = h5::read_all<double>(d);
        ASSERT_EQ(v.size(), 3u);
        EXPECT_EQ(v[0], 0.1);
        EXPECT_EQ(v[1], 1.0 / 3.0);
        EXPECT_TRUE(std::isnan(v[2]));
        EXPECT_EQ(h5::read_attr_string(d, "unit"), "contacts");
    }

    // A second table under the same parent group.
    h5::Handle gi = h5::open_group(f, "/activity/icb");
    EXPECT_EQ(h5::read_attr_string(gi, "description"), "Activity by ICB");
    EXPECT_EQ(h5::read_attr_string(gi, "columns"), "icb_code,referrals");
    EXPECT_EQ(h5::read_attr_int(gi, "rows"), 1);
    EXPECT_EQ(h5::read_strings(gi, "icb_code"), std::vector<std::string>{"QWE"});
    {
        h5::Handle d = h5::check(open_dataset(gi, "referrals"), "open");
        EXPECT_EQ(h5::read_all<std::int64_t>(d), std::vector<std::int64_t>{40});
    }
    h5::Handle gn = h5::open_group(f, "/tt/national");
    EXPECT_EQ(h5::read_attr_int(gn, "rows"), 0);
    {
        h5::Handle d = h5::check(open_dataset(gn, "mean"), "open");
        EXPECT_EQ(h5::dataset_rows(d), 0);
    }
    fs::remove_all(dir);
}

TEST(ReportTable, H5TextIsFixedLengthUtf8AndRoundTrips) {
    fs::path dir = scratch("h5text");
    Table t("names", "/names/t", "");
    t.add_text("name", "");
    t.add_text("blank", "");
    t.push("name", std::string("Ysbyty Gwynedd \u2013 Bangor"));  // an en dash: three bytes
    t.push("name", std::nullopt);                                     // missing reads back empty
    t.push("name", std::string("RX1"));
    for (int i = 0; i < 3; ++i) t.push("blank", std::string());
    write_h5({t}, dir / "r.h5", {});
    h5::Handle f = h5::open_file(dir / "r.h5");
    h5::Handle g = h5::open_group(f, "/names/t");
    EXPECT_EQ(h5::read_strings(g, "name"), (std::vector<std::string>{"Ysbyty Gwynedd \u2013 Bangor", "", "RX1"}));
    EXPECT_EQ(h5::read_strings(g, "blank"), (std::vector<std::string>{"", "", ""}));
    h5::Handle d = h5::check(open_dataset(g, "name"), "open");
    h5::Handle type = h5::check(H5Dget_type(d), "type");
    EXPECT_EQ(H5Tget_size(type), std::string("Ysbyty Gwynedd \u2013 Bangor").size() + 1);

    Table bad("bad", "/bad/t", "");
    bad.add_text("x", "");
    bad.push("x", std::string("a\0b", 3));
    EXPECT_THROW(write_h5({bad}, dir / "bad.h5", {}), ConfigError);
    EXPECT_FALSE(fs::exists(dir / "bad.h5"));
    fs::remove_all(dir);
}

TEST(ReportTable, H5LargeColumnsReadBack) {
    fs::path dir = scratch("h5big");
    Table t("big", "/big/t", "");
    auto& n = t.add_int("n", "");
    for (std::int64_t i = 0; i < 100000; ++i) n.ints.push_back(i % 97);
    write_h5({t}, dir / "r.h5", {});
    h5::Handle f = h5::open_file(dir / "r.h5");
    h5::Handle d = h5::check(open_dataset(f, "/big/t/n"), "open");
    auto v = h5::read_all<std::int64_t>(d);
    ASSERT_EQ(v.size(), 100000u);
    for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(v[i], static_cast<std::int64_t>(i % 97)) << "row " << i;
    fs::remove_all(dir);
}

TEST(ReportTable, H5IsByteIdenticalForIdenticalTables) {
    fs::path dir = scratch("h5det");
    const Attributes attrs{{"financial_year", "2023-24"}};
    Table big("big", "/big/t", "");
    auto& x = big.add_real("x", "");
    for (int i = 0; i < 5000; ++i) x.reals.push_back(i * 0.5);
    write_h5({sample(), big}, dir / "a.h5", attrs);
    // Object headers would carry a timestamp to the second unless turned off.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    write_h5({sample(), big}, dir / "b.h5", attrs);
    const std::string a = slurp(dir / "a.h5"), b = slurp(dir / "b.h5");
    EXPECT_EQ(a.size(), b.size());
    EXPECT_TRUE(a == b) << "results.h5 differs between identical runs";
    fs::remove_all(dir);
}

TEST(ReportTable, H5ClashingGroupsAndReservedValuesThrow) {
    fs::path dir = scratch("h5clash");
    Table a("a", "/tt/national", "");
    Table b("b", "/tt/national", "");
    Table c("c", "/tt", "");
    EXPECT_THROW(write_h5({a, b}, dir / "r.h5", {}), ConfigError);
    EXPECT_THROW(write_h5({c, a}, dir / "r.h5", {}), ConfigError);
    EXPECT_THROW(write_h5({a, c}, dir / "r.h5", {}), ConfigError);
    Table r("r", "/r", "");
    r.add_int("n", "").ints = {std::numeric_limits<std::int64_t>::min()};
    EXPECT_THROW(write_h5({r}, dir / "r.h5", {}), ConfigError);
    EXPECT_FALSE(fs::exists(dir / "r.h5"));
    EXPECT_THROW(write_h5({a}, dir / "no" / "such" / "dir" / "r.h5", {}), StoreError);
    fs::remove_all(dir);
}
