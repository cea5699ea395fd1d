#pragma once
// CSV reading for ingest: one record per line (RFC 4180 quoting, no newlines inside fields),
// split into byte ranges so every rank parses its own share of each file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench::ingest {

/// Fields of one record. Views point into the line, or into `owned` for fields that had to be
/// unescaped ("a ""quoted"" word").
struct CsvFields {
    std::vector<std::string_view> values;
    std::vector<std::string> owned;
};

/// Splits a record into fields; false when the quoting is malformed.
bool split_csv(std::string_view line, CsvFields& out);

/// Reads the header line of a CSV file (IoError when unreadable or empty).
std::vector<std::string> read_csv_header(const std::filesystem::path& file);

/// Calls visit(line, local_index) for each data line (after the header) whose first byte lies in
/// this rank's share [size*rank/ranks, size*(rank+1)/ranks) of the data bytes, in file order;
/// every line goes to exactly one rank. Trailing '\r' is removed. Returns the number of lines.
std::int64_t for_each_line(const std::filesystem::path& file, int rank, int ranks,
                           const std::function<void(std::string_view, std::int64_t)>& visit);

}  // namespace mhbench::ingest
