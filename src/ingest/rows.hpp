#pragma once
// Rows of one table held column by column while they are parsed, shuffled and validated:
// the in-memory form between the CSV and the store. No MPI, no HDF5 here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/schema.hpp"

namespace mhbench::ingest {

/// Why a row was quarantined (SPEC section 2). Stored by name in the quarantine file.
enum class Reason : std::uint8_t { Unparseable, MissingKey, UnknownSubmission, ProviderMismatch, Duplicate, Orphan };
std::string_view reason_name(Reason r);

struct Quarantined {
    std::int64_t line;   ///< line number in the source file (1 = header)
    Reason reason;
    std::string field;   ///< the offending field, "" when the row as a whole
};

/// One column's values; only the vector matching `kind` is used.
struct ColumnData {
    ColumnKind kind = ColumnKind::Int;
    std::vector<std::uint64_t> id;   ///< Id: keyed hash, 0 = missing
    std::vector<std::uint16_t> code; ///< Code: dictionary index, 0 = missing
    std::vector<std::int32_t> num;   ///< Date, Int, Score: kMissing = missing
};

/// Record key of up to four columns, compared as a tuple.
using Key = std::array<std::uint64_t, 4>;

struct RowBatch {
    const TableSpec* spec = nullptr;
    std::vector<std::int32_t> provider;  ///< index into the data set's sorted provider list
    std::vector<std::int32_t> seq;       ///< submission sequence: larger is later
    std::vector<std::int64_t> line;      ///< source line number
    std::vector<ColumnData> cols;        ///< by schema column index

    explicit RowBatch(const TableSpec* s = nullptr);
    std::size_t size() const { return line.size(); }
    std::size_t row_bytes() const;  ///< packed size of one row
    /// Value of column c in row r widened to 64 bits (for keys and comparisons).
    std::uint64_t value(std::size_t c, std::size_t r) const;
    Key key(std::span<const int> key_cols, std::size_t r) const;
    /// Appends row r of `other` (same table).
    void append_from(const RowBatch& other, std::size_t r);
    /// Rows in the order given by `rows` (a permutation or a subset).
    RowBatch take(std::span<const std::uint32_t> rows) const;
    /// Fixed-width binary form of a row, for the shuffle.
    void pack(std::span<const std::uint32_t> rows, std::vector<std::byte>& out) const;  ///< appends the rows, packed
    void unpack(std::span<const std::byte> bytes);  ///< appends every packed row in bytes
};

/// Column indices of `names` in `spec`.
std::vector<int> column_indices(const TableSpec& spec, std::span<const std::string> names);

/// 64-bit keyed hash of an identifier (never 0). The store keeps only these, never the text.
std::uint64_t hash_id(std::string_view text);

/// Parses decimal score text into fixed-point hundredths; false when malformed or more than
/// two decimals.
bool parse_score(std::string_view s, std::int32_t& hundredths);

/// Result of keeping the latest submission of every record.
struct Versions {
    RowBatch kept;
    std::vector<Quarantined> quarantined;  ///< duplicates within the winning submission
    std::int64_t superseded = 0;           ///< copies from earlier submissions
};
/// For each (provider, record key): the rows of the latest submission win; further copies in
/// that same submission are duplicates (the first line is kept); rows of earlier submissions
/// are superseded. `kept` is sorted by (provider, key).
Versions resolve_versions(const RowBatch& in);

/// For each child row, the index of its parent row in `parent` (same provider, parent key equal to
/// the parent's record key), or -1 for an orphan.
std::vector<std::int64_t> link_parents(const RowBatch& parent, const RowBatch& child);

/// Final order of a table's rows: by (provider, key) for a top-level table; by (parent row,
/// order_by date, key, line) for a child, given its parent indices.
std::vector<std::uint32_t> final_order(const RowBatch& rows, std::span<const std::int64_t> parent_of);

}  // namespace mhbench::ingest
