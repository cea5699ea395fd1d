#pragma once
// Parsing and field validation of one table's CSV lines into a RowBatch: typed values,
// pseudonymised ids, locally dictionary-encoded codes, quarantine of unusable rows.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/csv.hpp"
#include "ingest/rows.hpp"
#include "model/schema.hpp"

namespace mhbench::ingest {

/// A submission of a data set, from its header table.
struct Submission {
    std::int32_t provider;  ///< index into Submissions::providers
    std::int32_t seq;       ///< order of submissions: later reporting period, then larger id
};

/// The header table of a data set, parsed whole (it is small) on every rank.
struct Submissions {
    const TableSpec* spec = nullptr;
    std::vector<std::string> providers;  ///< provider codes, sorted: the store's provider order
    std::unordered_map<std::string, Submission> by_id;
    RowBatch rows;                       ///< valid header rows (provider column = index + 1)
    std::vector<Quarantined> quarantined;
    std::int64_t read = 0;
};
Submissions read_submissions(const TableSpec& header, const std::filesystem::path& file);

/// Parses the lines of one (non-header) table. Codes are encoded with a dictionary local to
/// this parser; remap() switches them to the global dictionaries once those are known.
class TableParser {
public:
    /// Throws InputError naming file, table and column when a required column is missing.
    TableParser(const TableSpec& spec, std::filesystem::path file, const Submissions& subs);
    void parse(std::string_view line, std::int64_t line_number);

    RowBatch& rows() { return rows_; }
    std::vector<Quarantined>& quarantined() { return quarantined_; }
    std::int64_t read() const { return read_; }
    /// Distinct code texts seen in each Code column (empty vector for other kinds); index 0 is "".
    const std::vector<std::vector<std::string>>& local_dictionaries() const { return dict_values_; }
    /// Replaces local codes by indices into `global[c]` (sorted, "" first) for each Code column c.
    void remap(const std::vector<std::vector<std::string>>& global);

private:
    std::uint16_t encode(std::size_t c, std::string_view text);

    const TableSpec& spec_;
    std::filesystem::path file_;
    const Submissions& subs_;
    std::vector<int> csv_index_;  // CSV position of each schema column
    std::size_t csv_width_ = 0;
    int provider_col_ = -1;
    std::vector<bool> required_;  // key, parent key and submission columns must be present
    // Transparent hashing: looking a code up by string_view allocates nothing.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::vector<std::unordered_map<std::string, std::uint16_t, TextHash, std::equal_to<>>> dict_;
    std::vector<std::vector<std::string>> dict_values_;
    RowBatch rows_;
    std::vector<Quarantined> quarantined_;
    std::int64_t read_ = 0;
    CsvFields fields_;
};

}  // namespace mhbench::ingest
