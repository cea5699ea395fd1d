#pragma once
// manifest.json (SPEC section 11): what a run read, what it kept, how it ran and how long each
// stage took. A small builder over nlohmann::json; written pretty-printed with sorted keys.
//
// Keys (all present from construction, filled by the job):
//   manifest_version        1
//   software_version        MHBENCH_VERSION
//   created_utc             "YYYY-MM-DDThh:mm:ssZ"
//   command_line            ["mhbench", "run", ...]
//   ranks, threads          integers (0 until set)
//   reference_data_version  string ("" until set)
//   inputs                  {name: {"digest": "xxh128:...", "path": ..., "bytes": ...}}
//   outputs                 {name: {"digest": ..., "bytes": ...}}
//   row_accounting          {dataset: {table: {read, stored, quarantined, superseded}}}
//   timings_seconds         {stage: seconds}
// Anything else a job wants to record goes in with set().
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mhbench::report {

class Manifest {
public:
    Manifest();  // created_utc = now, software_version = MHBENCH_VERSION

    /// Sets (or replaces) a top-level key.
    Manifest& set(const std::string& key, nlohmann::json value);
    /// Adds to a stage's time; a stage timed in several pieces sums them. Negative or non-finite
    /// seconds throw ConfigError.
    Manifest& add_stage(const std::string& name, double seconds);
    /// An input either by path (digested here; path and size recorded) or by a digest already
    /// computed ("xxh128:..."). IoError when the path cannot be read.
    Manifest& add_input(const std::string& name, const std::string& path_or_digest);
    /// An output file, digested at `file` (e.g. its temporary name before commit).
    Manifest& add_output(const std::string& name, const std::filesystem::path& file);
    /// An output whose digest was computed otherwise (a store's identity: docs/store-format.md).
    Manifest& add_output(const std::string& name, const std::filesystem::path& file, const std::string& digest);
    /// Row accounting for one table of one data set. Repeated calls for the same table add up
    /// (per file or per rank parts). Throws ConfigError unless every count is non-negative and
    /// read == stored + quarantined + superseded.
    Manifest& add_table_accounting(const std::string& dataset, const std::string& table, std::int64_t read,
                                   std::int64_t stored, std::int64_t quarantined, std::int64_t superseded);
    Manifest& set_command_line(const std::vector<std::string>& args);
    Manifest& set_command_line(int argc, const char* const* argv);
    Manifest& set_parallelism(int ranks, int threads);
    Manifest& set_reference_version(const std::string& version);

    const nlohmann::json& json() const { return j_; }
    /// Pretty-printed (2 spaces), keys sorted, trailing newline. IoError when it cannot be written.
    void write(const std::filesystem::path& file) const;

    /// Current time as "YYYY-MM-DDThh:mm:ssZ".
    static std::string utc_now();

private:
    nlohmann::json j_;
};

}  // namespace mhbench::report
