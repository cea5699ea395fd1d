#pragma once
// The national store: one HDF5 file, a group per data set, a group per table, one dataset per
// column, rows sorted by (provider, referral) with children as contiguous slices of their
// parent. docs/store-format.md describes the layout; this is the only code that knows it.
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/schema.hpp"
#include "partition/plan.hpp"
#include "store/digests.hpp"
#include "store/h5.hpp"

namespace mhbench::store {

inline constexpr std::int64_t kSchemaVersion = 3;  ///< 2: digests of every block and object (/digests); 3: MHS606

/// Row accounting of one table: read = stored + quarantined + superseded.
struct Accounting {
    std::int64_t read = 0, stored = 0, quarantined = 0, superseded = 0;
};

/// Provider → ICB → region, one row per organisation.
struct Organisation {
    std::string org_code, org_name, icb_code, icb_name, region_code, region_name;
};

/// One quarantined input row (never the row's content: it may hold identifiers).
struct QuarantineRow {
    std::string table, file;
    std::int64_t line;
    std::string reason, field;
};

// ---------------------------------------------------------------- writing (ingest)

/// Column values of one table on this rank, in final order, grouped by owned provider ascending.
struct ColumnValues {
    std::vector<std::uint64_t> id;
    std::vector<std::uint16_t> code;
    std::vector<std::int32_t> num;
};

struct TableToWrite {
    const TableSpec* spec = nullptr;
    std::vector<ColumnValues> columns;                   ///< by schema column index
    std::vector<std::int64_t> provider_rows;             ///< rows per provider, global, same on every rank
    std::vector<std::vector<std::string>> dictionaries;  ///< per Code column, global ("" first)
    /// For each child table: per local row, the local index of its first child (size rows + 1).
    std::map<std::string, std::vector<std::int64_t>> child_first;
    Accounting accounting;                               ///< global
    std::string source_file, source_digest;
};

struct DatasetToWrite {
    Dataset dataset;
    std::vector<std::string> providers;  ///< sorted provider codes
    std::vector<int> owned;              ///< providers owned by this rank, ascending
    std::vector<TableToWrite> tables;    ///< in schema order
};

struct StoreContents {
    std::vector<DatasetToWrite> datasets;
    std::vector<Organisation> organisations;  ///< needed on rank 0 only
    std::vector<QuarantineRow> quarantine;    ///< needed on rank 0 only, sorted
    std::map<std::string, std::string> attributes;  ///< root attributes (software version, inputs...)
};

/// Collective: rank 0 lays the file out serially (metadata, dictionaries, index), then every
/// rank writes its providers' rows with collective MPI-IO. Written under a temporary name and
/// renamed into place only when complete.
/// `on_rows_written` (optional) hears each table's global row count once written (progress).
void write_store(const std::filesystem::path& path, const StoreContents& contents, MPI_Comm comm,
                 const std::function<void(std::int64_t)>& on_rows_written = {});

// ---------------------------------------------------------------- reading (jobs)

/// Opens a store for reading on every rank of comm (collective), checking its schema version.
/// Everything read is checked against the digests ingest recorded (docs/store-format.md): the
/// small objects when read, and the provider blocks of a column as `read` returns them. Damage
/// is a StoreError naming the dataset, rows and provider, on every rank together.
class Store {
public:
    Store(const std::filesystem::path& path, MPI_Comm comm);

    const std::filesystem::path& path() const { return path_; }
    bool has(Dataset d) const;
    const std::vector<std::string>& providers(Dataset d) const;
    std::vector<Organisation> organisations() const;
    /// The rows ingest quarantined (/quarantine), in stored order. Any rank may call it.
    std::vector<QuarantineRow> quarantine() const;
    /// Rows per provider as CSR offsets (providers + 1 entries); read and checked once.
    const std::vector<std::int64_t>& provider_offsets(Dataset d, const std::string& table) const;
    std::int64_t rows(Dataset d, const std::string& table) const;
    Accounting accounting(Dataset d, const std::string& table) const;
    std::vector<std::string> dictionary(Dataset d, const std::string& table, const std::string& column) const;
    std::string attribute(const std::string& name) const;  ///< root attribute, "" when absent

    /// Collective: checks every recorded digest, each rank a share of the blocks (the whole
    /// store is read once in all). Damage is the same StoreError on every rank.
    void verify_all() const;
    /// The recorded digests themselves, in a fixed order: the store's identity is their digest
    /// (cheap: a change to any block changes it, without reading the blocks). Any rank.
    const std::vector<std::byte>& digest_record() const { return digest_record_; }

    /// Column values over row ranges, concatenated. Collective: every rank calls it in the same
    /// order (ranges may differ or be empty).
    template <class T>
    std::vector<T> read(Dataset d, const std::string& table, const std::string& column,
                        std::span<const partition::RowRange> ranges) const;

    /// The children of the parent rows in `parent_ranges`: `ranges` of the child table to read,
    /// and local CSR `offsets` (one per parent row, plus one) into those rows once read.
    struct Children {
        std::vector<partition::RowRange> ranges;
        std::vector<std::int64_t> offsets;
    };
    Children children(Dataset d, const std::string& parent, const std::string& child,
                      std::span<const partition::RowRange> parent_ranges) const;

    /// A column opened on every rank together, with its table's provider index and block
    /// digests, for reads that each rank then makes on its own (read_own, children_own).
    struct Column {
        Dataset dataset;
        std::string table, column;  ///< column: a schema column or "children/CHILD"
        h5::Handle handle;
    };
    /// Collective: every rank opens the same columns in the same order.
    Column open_column(Dataset d, const std::string& table, const std::string& column) const;
    /// Column values over row ranges, read by this rank alone (independent I/O): ranks read as
    /// often as they like and never wait for each other. Damage in the blocks read goes into
    /// `damage` (the first found), not to the other ranks: the caller agrees once
    /// (agree_on_damage) before trusting anything read this way.
    template <class T>
    std::vector<T> read_own(const Column& c, std::span<const partition::RowRange> ranges, std::string& damage) const;
    /// `children` through an opened children index ("children/CHILD"), read by this rank alone.
    Children children_own(const Column& index, std::span<const partition::RowRange> parent_ranges,
                          std::string& damage) const;

private:
    std::string table_path(Dataset d, const std::string& table) const;
    /// Throws StoreError unless `digest` is the one recorded for the object at `path`.
    void check_object(const std::string& path, const Digest& digest) const;
    struct BlockDigests {
        std::vector<std::string> columns;
        std::vector<std::uint64_t> words;  ///< [provider][column][low, high]
    };
    const BlockDigests& block_digests(Dataset d, const std::string& table) const;
    std::vector<std::byte> make_digest_record() const;
    /// This rank's damage in the blocks of `column` covered by the rows read (`data`, the
    /// concatenation of `ranges`, `width` bytes per row); "" when none. A block only partly
    /// read is read whole to check it.
    std::string check_blocks(Dataset d, const std::string& table, const std::string& column, hid_t dset,
                             std::span<const std::pair<std::int64_t, std::int64_t>> ranges, const std::byte* data,
                             std::size_t width) const;
    std::filesystem::path path_;
    MPI_Comm comm_ = MPI_COMM_NULL;
    h5::Handle file_;
    h5::Handle xfer_;
    std::map<Dataset, std::vector<std::string>> providers_;
    std::map<std::string, Digest> objects_;
    mutable std::map<std::string, std::vector<std::int64_t>> offsets_;
    mutable std::map<std::string, BlockDigests> blocks_;
    std::vector<std::byte> digest_record_;
};

}  // namespace mhbench::store
