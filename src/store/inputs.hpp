#pragma once
// Side inputs of the store: the small CSV files of SPEC sections 6 and 7 (MHIS spend ledger, IPS
// access targets, IPS fidelity reviews). Ingest keeps each one verbatim under /inputs/<name>, so a
// job reads exactly the file that was ingested (and digested) with the extracts. Only the CSV
// shape is checked here; what the values mean is each job's business.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace mhbench::store {

/// The side inputs ingest looks for in its --in directory, by name (file = name + ".csv").
const std::vector<std::string>& side_input_names();

/// A small side input (mhis_ledger.csv, ips_targets.csv, ips_fidelity.csv) kept verbatim in the
/// store under /inputs/<name>: its file name, header and rows as text. rows[i] is line i + 2.
struct InputTable {
    std::string name, file;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    /// Index of a column; throws InputError naming the file and column when absent.
    std::size_t column(const std::string& name) const;
    /// Line of rows[i] in the file (the header is line 1), for error messages.
    static std::int64_t line_of(std::size_t i) { return static_cast<std::int64_t>(i) + 2; }
};

/// Parses the verbatim text of a side input: RFC 4180 fields, one record per line, a header
/// line, every row as wide as the header. Empty lines are skipped only at the end of the file.
/// Throws InputError naming the file, line and problem otherwise.
InputTable parse_input_table(const std::string& name, const std::string& file, std::string_view text);

/// One side input to keep in the store.
struct StoredInput {
    std::string name, file, text, digest;
};

/// Adds /inputs/<name> for each input to a store file that write_store has finished. Serial:
/// call on one process only (rank 0), with no other handle open for writing.
void write_input_tables(const std::filesystem::path& store_file, const std::vector<StoredInput>& inputs);

bool has_input_table(const Store& s, const std::string& name);
/// Reads and parses /inputs/<name>. Independent: every rank may call it, any number of times.
/// Throws StoreError when the store has no such input.
InputTable read_input_table(const Store& s, const std::string& name);

}  // namespace mhbench::store
