#pragma once
// A results table: named, typed, documented columns of equal length, written identically to
// CSV (for Excel users) and to a group in results.h5 (for analysts).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mhbench::report {

enum class ColumnType { Text, Int, Real };

struct Column {
    std::string name;
    std::string description;
    std::string unit;          // "" when dimensionless; e.g. "contacts", "referrals", "%"
    ColumnType type = ColumnType::Int;
    int decimals = -1;         // Real only: fixed decimals in CSV; -1 = shortest round-trip
    std::vector<std::string> text;
    std::vector<std::int64_t> ints;
    std::vector<double> reals;
    std::vector<std::uint8_t> missing;  // 1 = suppressed / not applicable: empty CSV cell,
                                        // INT64_MIN or NaN in HDF5 (documented in attributes)
    std::size_t size() const;
};

class Table {
public:
    /// `name` is the CSV file stem ("activity_provider"); `h5_path` the results.h5 group
    /// ("/activity/provider").
    Table(std::string name, std::string h5_path, std::string description);

    Column& add_text(const std::string& name, const std::string& description);
    Column& add_int(const std::string& name, const std::string& description, const std::string& unit = "");
    Column& add_real(const std::string& name, const std::string& description, const std::string& unit = "",
                     int decimals = -1);
    Column& column(const std::string& name);  // throws ConfigError when absent

    /// Appends one cell to a column; nullopt marks it missing.
    void push(const std::string& column, std::string v);
    void push(const std::string& column, std::optional<std::int64_t> v);
    void push(const std::string& column, std::optional<double> v);

    const std::string& name() const { return name_; }
    const std::string& h5_path() const { return h5_path_; }
    const std::string& description() const { return description_; }
    const std::vector<Column>& columns() const { return columns_; }
    std::size_t rows() const;  // throws ConfigError when columns differ in length

private:
    std::string name_, h5_path_, description_;
    std::vector<Column> columns_;
};

/// Run-level attributes written on the root of results.h5 (schema version, financial year,
/// reference-data version, software version, input digests, ranks, threads, created time).
using Attributes = std::map<std::string, std::string>;

/// RFC 4180 CSV with a header row; numbers formatted deterministically (locale-free).
void write_csv(const Table& t, const std::filesystem::path& file);

/// One HDF5 group per table (created with intermediate groups), one 1-D dataset per column
/// (int64, float64 or variable-length UTF-8 string) with attributes description, unit and
/// missing-value convention; table description on the group; `attrs` on the file root.
/// Serial (called on one rank).
void write_h5(const std::vector<Table>& tables, const std::filesystem::path& file, const Attributes& attrs);

}  // namespace mhbench::report
