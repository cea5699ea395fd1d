#pragma once
// What every `mhbench run JOB` shares: options, the provider → ICB → region hierarchy,
// the per-rank reading plan and the write-out of results, CSV and manifest.
#include <mpi.h>
#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/dates.hpp"
#include "partition/lpt.hpp"
#include "partition/plan.hpp"
#include "reference/reference.hpp"
#include "report/manifest.hpp"
#include "report/table.hpp"
#include "store/store.hpp"

namespace mhbench::jobs {

struct RunOptions {
    std::filesystem::path store;
    std::filesystem::path out;
    YearRange years{{2023}, {2023}};
    int threads = 0;                  ///< 0 = oneTBB default
    std::filesystem::path reference;  ///< reference-data directory; empty = the built-in set
    std::filesystem::path results;    ///< packs: the other jobs' results as JOB/...; empty = out's parent
    std::filesystem::path published;  ///< packs: NHS England key measures CSV (real-data mode; no store needed)
    std::vector<std::string> command_line;
};

/// The four reporting levels, England last. Below England, disclosure control applies.
enum class Level : std::uint8_t { Provider, Icb, Region, England };
inline constexpr Level kLevels[] = {Level::Provider, Level::Icb, Level::Region, Level::England};
std::string_view level_name(Level l);  // "provider", "icb", "region", "national"

/// Provider → ICB → region for the providers of one data set, from the store's lookup.
/// Providers absent from the lookup report under ICB and region "UNKNOWN" (and are counted).
struct Hierarchy {
    std::vector<std::string> provider_code, icb_code, region_code;  // by provider index
    std::map<std::string, std::string> names;                       // code → name
    std::int64_t unmapped = 0;
    static Hierarchy build(const store::Store& s, Dataset d);
    /// The organisation code of provider p at a level ("ENG" for England).
    const std::string& code(Level l, std::size_t p) const;
};

/// Rank, rank count and the thread limit (--threads) for the duration of a job.
struct JobContext {
    int rank = 0, size = 1, threads = 1;
    std::optional<tbb::global_control> limit;
    JobContext(const RunOptions& o, MPI_Comm comm);
};

/// This rank's providers (LPT by the rows of the given tables) and their row ranges.
struct Plan {
    partition::Assignment assignment;
    std::vector<int> providers;  ///< owned, ascending
    std::vector<partition::RowRange> ranges(const store::Store& s, Dataset d, const std::string& table) const;
    /// Provider index of each row this rank reads of `table` (rows come grouped by provider).
    std::vector<std::int32_t> provider_of_rows(const store::Store& s, Dataset d, const std::string& table) const;
    static Plan make(const store::Store& s, Dataset d, const std::vector<std::string>& weight_tables, int ranks, int rank);
};

/// The reference-data set of a run: `--reference DIR` when given, else the built-in set.
reference::Reference reference_set(const RunOptions& o);

/// Collective: whether every rank passed `ok`. It sleeps while it waits (1 ms between tests)
/// instead of polling a core, for ranks that finish before rank 0 has written the outputs.
bool all_ranks_ok(MPI_Comm comm, bool ok);

/// Wall-clock stage timer for the manifest.
class Stopwatch {
public:
    double lap();            ///< seconds since construction or the previous lap
    double elapsed() const;  ///< the same, without starting a new lap
private:
    std::chrono::steady_clock::time_point t_ = std::chrono::steady_clock::now();
};

/// On rank 0: writes results.h5, one CSV per table and manifest.json atomically into out.
/// `reference_version` is recorded on results.h5 ("" for jobs without reference data).
void write_outputs(const RunOptions& o, const std::string& job, const store::Store& s,
                   const std::vector<report::Table>& tables, report::Manifest& manifest, int ranks, int threads,
                   const std::string& reference_version = "");

}  // namespace mhbench::jobs
