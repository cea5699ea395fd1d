#pragma once
// Reading a job's CSV output in tests: rows keyed by chosen columns, and a check of some of a
// row's columns against values worked by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace mhbench::test {

using Row = std::map<std::string, std::string>;

/// Fields of one CSV line (double quotes as the report writer uses them).
inline std::vector<std::string> split_csv_line(const std::string& l) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < l.size(); ++i) {
        const char c = l[i];
        if (quoted) {
            if (c == '"' && i + 1 < l.size() && l[i + 1] == '"') out.back() += '"', ++i;
            else if (c == '"') quoted = false;
            else out.back() += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') out.emplace_back();
        else out.back() += c;
    }
    return out;
}

/// Rows of a results CSV keyed by the values of `key` columns joined with '|'.
inline std::map<std::string, Row> read_rows(const std::filesystem::path& file, const std::vector<std::string>& key) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << file;
    std::string line;
    std::getline(in, line);
    const auto header = split_csv_line(line);
    std::map<std::string, Row> rows;
    while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        Row r;
        for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) r[header[i]] = f[i];
        std::string k;
        for (const auto& c : key) k += (k.empty() ? "" : "|") + r[c];
        EXPECT_EQ(rows.count(k), 0u) << "duplicate row " << k << " in " << file;
        rows[k] = r;
    }
    return rows;
}

/// The row `key` exists and has the `want` values in those columns.
inline void expect_row(const std::map<std::string, Row>& rows, const std::string& key, const Row& want) {
    auto it = rows.find(key);
    ASSERT_NE(it, rows.end()) << "no row " << key;
    for (const auto& [k, v] : want)
        EXPECT_EQ(it->second.count(k) ? it->second.at(k) : "<absent>", v) << key << " column " << k;
}

}  // namespace mhbench::test
