#pragma once
// The record-level tables mhbench reads (SPEC section 2), as data: which columns each
// table needs, how each is typed in the store, its record key and its parent.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mhbench {

enum class Dataset : std::uint8_t { Iapt, Mhsds };
std::string_view dataset_name(Dataset d);  // "iapt", "mhsds" (the store's group names)

/// How a column is parsed from CSV and held in the store.
enum class ColumnKind : std::uint8_t {
    Id,     ///< identifier text; stored only as a 64-bit keyed hash, never as the text
    Code,   ///< code text (org, attendance, SNOMED CT, ICD-10...); dictionary-encoded to uint16
    Date,   ///< ISO 8601 date; int32 days since 1970-01-01, kMissing when empty
    Int,    ///< integer; int32, kMissing when empty
    Score,  ///< decimal score; int32 in fixed-point hundredths, kMissing when empty
};
std::string_view column_kind_name(ColumnKind k);

struct ColumnSpec {
    std::string name;
    ColumnKind kind;
};

struct TableSpec {
    Dataset dataset;
    std::string name;                 ///< exactly as the data set names it, e.g. "IDS101Referral"
    std::vector<ColumnSpec> columns;  ///< required columns; a CSV may have more, in any order
    std::string submission;           ///< column carrying the submission id
    std::string provider;             ///< column carrying the provider code, "" if known via the submission
    std::vector<std::string> key;     ///< record key within a provider (duplicates, supersession)
    std::string parent;               ///< parent table, "" for a top-level table
    std::vector<std::string> parent_key;  ///< columns of this table equal to the parent's key
    std::string order_by;             ///< Date column ordering siblings within a parent ("" = key only)
    bool is_header = false;           ///< the submission header table of its data set

    int column_index(std::string_view column) const;  ///< -1 when absent
    const ColumnSpec& column(std::string_view column) const;  ///< throws ConfigError when absent
    bool is_key(std::string_view column) const;
};

/// All tables, headers first, parents before their children.
std::span<const TableSpec> all_tables();
const TableSpec& table_spec(std::string_view name);  ///< throws ConfigError for an unknown name
std::vector<const TableSpec*> tables_of(Dataset d);
/// The referral table of a data set: IDS101Referral or MHS101Referral.
const TableSpec& referral_table(Dataset d);
/// The submission header table of a data set: IDS000Header or MHS000Header.
const TableSpec& header_table(Dataset d);

}  // namespace mhbench
