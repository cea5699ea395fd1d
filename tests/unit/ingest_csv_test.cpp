#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/csv.hpp"
#include "ingest/rows.hpp"
#include "model/errors.hpp"

using namespace mhbench;
using namespace mhbench::ingest;

namespace {
std::vector<std::string> split(std::string_view s) {
    CsvFields f;
    EXPECT_TRUE(split_csv(s, f)) << s;
    return {f.values.begin(), f.values.end()};
}
}  // namespace

TEST(Csv, splits_plain_quoted_and_empty_fields) {
    EXPECT_EQ(split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(split("a,,c,"), (std::vector<std::string>{"a", "", "c", ""}));
    EXPECT_EQ(split(""), (std::vector<std::string>{""}));
    EXPECT_EQ(split("\"x,y\",z"), (std::vector<std::string>{"x,y", "z"}));
    EXPECT_EQ(split("\"say \"\"hi\"\"\",\"\"\"\",q"), (std::vector<std::string>{"say \"hi\"", "\"", "q"}));
    EXPECT_EQ(split("\"\",1"), (std::vector<std::string>{"", "1"}));
}

TEST(Csv, rejects_malformed_quoting) {
    CsvFields f;
    EXPECT_FALSE(split_csv("\"open,b", f));
    EXPECT_FALSE(split_csv("a\"b,c", f));
    EXPECT_FALSE(split_csv("\"a\"b,c", f));
}

TEST(Csv, every_line_goes_to_exactly_one_rank) {
    auto path = std::filesystem::temp_directory_path() / "mhbench-csv-split.csv";
    {
        std::ofstream o(path);
        o << "h1,h2\r\n";
        for (int i = 0; i < 1000; ++i) o << i << ",v" << std::string(static_cast<std::size_t>(i % 17), 'x') << "\r\n";
        o << "last,no-newline";
    }
    for (int ranks : {1, 2, 3, 7, 64}) {
        std::vector<std::string> seen;
        for (int r = 0; r < ranks; ++r)
            for_each_line(path, r, ranks, [&](std::string_view line, std::int64_t) { seen.emplace_back(line); });
        ASSERT_EQ(seen.size(), 1001u) << ranks;
        for (int i = 0; i < 1000; ++i)
            EXPECT_EQ(seen[static_cast<std::size_t>(i)], std::to_string(i) + ",v" + std::string(static_cast<std::size_t>(i % 17), 'x'));
        EXPECT_EQ(seen.back(), "last,no-newline");
    }
    EXPECT_EQ(read_csv_header(path), (std::vector<std::string>{"h1", "h2"}));
    std::filesystem::remove(path);
}

TEST(Csv, missing_or_empty_file_is_a_clear_error) {
    EXPECT_THROW(read_csv_header("/nonexistent/IDS101Referral.csv"), IoError);
    auto path = std::filesystem::temp_directory_path() / "mhbench-empty.csv";
    { std::ofstream o(path); }
    EXPECT_THROW(read_csv_header(path), IoError);
    std::filesystem::remove(path);
}

TEST(Rows, scores_in_hundredths) {
    std::int32_t v = 0;
    EXPECT_TRUE(parse_score("15", v));
    EXPECT_EQ(v, 1500);
    EXPECT_TRUE(parse_score("2.35", v));
    EXPECT_EQ(v, 235);
    EXPECT_TRUE(parse_score("2.3", v));
    EXPECT_EQ(v, 230);
    EXPECT_TRUE(parse_score("0.73", v));
    EXPECT_EQ(v, 73);
    EXPECT_TRUE(parse_score("-1", v));
    EXPECT_EQ(v, -100);
    for (const char* bad : {"", "abc", "1.234", "1.", ".", "1e3", "12a"}) EXPECT_FALSE(parse_score(bad, v)) << bad;
}

TEST(Rows, id_hash_is_stable_and_never_zero) {
    EXPECT_EQ(hash_id("P000123"), hash_id("P000123"));
    EXPECT_NE(hash_id("P000123"), hash_id("P000124"));
    EXPECT_NE(hash_id(""), 0u);
}
