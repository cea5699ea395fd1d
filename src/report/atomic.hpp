#pragma once
// Atomic outputs: everything is written under a temporary name and renamed into place only
// when the whole run has succeeded, so a failed run never leaves results that look complete.
#include <filesystem>
#include <string>
#include <vector>

namespace mhbench::report {

/// Collects outputs for a directory. path_for("x.csv") gives a temporary path inside the
/// directory (".x.csv.partial"); commit() renames every collected file into place, the
/// manifest last. The destructor removes temporaries that were not committed.
class AtomicOutputs {
public:
    explicit AtomicOutputs(std::filesystem::path dir);  // creates dir if needed
    ~AtomicOutputs();
    AtomicOutputs(const AtomicOutputs&) = delete;
    AtomicOutputs& operator=(const AtomicOutputs&) = delete;

    /// `name` may hold sub-folders ("packs/index.html"); they are created. Asking twice for the
    /// same name gives the same path. Absolute names or ".." throw ConfigError.
    std::filesystem::path path_for(const std::string& name);
    /// Checks every registered output was written (IoError otherwise, nothing renamed), syncs
    /// them, removes a stale manifest.json from an earlier run, then renames.
    void commit();  // renames in the order registered; "manifest.json" always last
    /// The names in the order commit() renames them.
    std::vector<std::string> commit_order() const;
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::vector<std::string> names_;
    bool committed_ = false;
};

/// Starts writing a finished file's data to disk without waiting, so that commit()'s sync
/// finds little left to do (Linux sync_file_range; errors are left to that sync).
void start_writeback(const std::filesystem::path& file);

}  // namespace mhbench::report
