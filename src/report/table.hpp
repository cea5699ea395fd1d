#pragma once
// A results table: named, typed, documented columns of equal length, written identically to
// CSV (for Excel users) and to a group in results.h5 (for analysts).
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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
    Column& column(std::string_view name);  // throws ConfigError when absent

    /// Appends one cell to a column; nullopt marks it missing. Integers may go into Real
    /// columns; anything else into a column of another type throws ConfigError.
    void push(std::string_view column, std::string v);
    void push(std::string_view column, std::optional<std::int64_t> v);
    void push(std::string_view column, std::optional<double> v);
    /// Plain values and std::nullopt, so that push("n", 5), push("n", count) and
    /// push("rate", 0.5) are not ambiguous between the two optional overloads.
    void push(std::string_view column, const char* v) { push(column, std::string(v)); }
    void push(std::string_view column, double v) { push(column, std::optional<double>(v)); }
    void push(std::string_view column, std::nullopt_t);  // missing cell of any type
    template <std::integral I>
        requires(!std::same_as<I, bool>)
    void push(std::string_view column, I v) {
        if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t))
            if (v > static_cast<I>(INT64_MAX)) throw_out_of_range(column);
        push(column, std::optional<std::int64_t>(static_cast<std::int64_t>(v)));
    }

    const std::string& name() const { return name_; }
    const std::string& h5_path() const { return h5_path_; }
    const std::string& description() const { return description_; }
    const std::vector<Column>& columns() const { return columns_; }
    std::size_t rows() const;  // throws ConfigError when columns differ in length

    // Note: like std::vector, adding a column invalidates Column& references taken earlier.

private:
    [[noreturn]] static void throw_out_of_range(std::string_view column);

    std::string name_, h5_path_, description_;
    std::vector<Column> columns_;
    std::size_t next_ = 0;  // where column() looks first
};

/// Run-level attributes written on the root of results.h5 (schema version, financial year,
/// reference-data version, software version, input digests, ranks, threads, created time).
using Attributes = std::map<std::string, std::string>;

/// RFC 4180 CSV with a header row and "\n" line endings; a field is quoted only when it holds
/// a comma, a double quote, CR or LF. Numbers are formatted locale-free and deterministically:
/// Int as plain integers; Real with `decimals` fixed digits, rounded half away from zero on the
/// exact binary value of the double (0.375 -> "0.38", 2.5 -> "3", -2.5 -> "-3"; 2.675 is
/// stored as 2.67499999... so it gives "2.67"), or the shortest round-trip form when decimals
/// is -1. Missing cells and NaN are empty; infinities are "inf" / "-inf"; negative zero prints
/// as zero. Throws ConfigError for ragged tables, IoError when the file cannot be written.
void write_csv(const Table& t, const std::filesystem::path& file);

/// The CSV text of a table (what write_csv writes).
std::string to_csv(const Table& t);

/// One number as write_csv prints it ("" for NaN).
std::string format_real(double v, int decimals);

/// One HDF5 group per table (created with intermediate groups), one 1-D dataset per column
/// (int64, float64 or variable-length UTF-8 string) with attributes description, unit and
/// missing-value convention ("INT64_MIN = ...", "NaN = ...", "empty string = ..."); group
/// attributes description, columns (comma-separated, in order) and rows; `attrs` on the file
/// root, plus software_version = MHBENCH_VERSION unless `attrs` has one. Several tables may
/// share a parent group (/activity/provider, /activity/icb), but a table's group may not be
/// another's or nest inside it (ConfigError, checked before the file is created). Identical
/// tables and attributes give a byte-identical file (no object timestamps). Serial (one rank).
void write_h5(const std::vector<Table>& tables, const std::filesystem::path& file, const Attributes& attrs);

}  // namespace mhbench::report
