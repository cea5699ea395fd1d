#pragma once
// One reference-data CSV file as text fields, shared by every domain that keeps its rules in
// src/reference/<version>/: '#' lines are comments, then a header and rows exactly as wide as it;
// fields may be double-quoted. Errors name the file, line and field.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench::reference {

struct CsvFile {
    std::string file;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines;  ///< source line of each row

    /// Index of a column; ConfigError naming the file when absent.
    std::size_t col(const std::string& name) const;
    const std::string& at(std::size_t row, const std::string& column) const { return rows[row][col(column)]; }
    [[noreturn]] void fail(std::size_t row, const std::string& field, const std::string& what) const;
    [[noreturn]] void fail(std::size_t row, const std::string& what) const;
};

/// The file `name` of a reference set (file name -> text); ConfigError when absent or malformed.
CsvFile read_csv(const std::map<std::string, std::string>& files, const std::string& name);

/// Without leading and trailing blanks.
std::string_view trim(std::string_view s);

}  // namespace mhbench::reference
