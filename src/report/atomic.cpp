#include "report/atomic.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "model/errors.hpp"

namespace mhbench::report {

namespace fs = std::filesystem;

namespace {

constexpr const char* manifest_name = "manifest.json";

// Relative, inside the directory, naming a file: "x.csv" or "packs/index.html".
fs::path checked_name(const std::string& name) {
    fs::path p(name);
    bool ok = !name.empty() && p.is_relative() && p.has_filename() && name.back() != '/';
    for (const auto& part : p)
        if (part == ".." || part == ".") ok = false;
    if (!ok) throw ConfigError("output name '" + name + "' must be a relative file name inside the output directory");
    return p;
}

fs::path temporary(const fs::path& dir, const std::string& name) {
    fs::path p = checked_name(name);
    return dir / p.parent_path() / ("." + p.filename().string() + ".partial");
}

// Data reaches the disk before the rename makes it visible, so a crash cannot leave a
// complete-looking name over an empty file.
void sync_path(const fs::path& p, bool directory) {
    int fd = ::open(p.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) throw IoError("cannot open " + p.string() + " to sync it: " + std::strerror(errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    // Some file systems refuse fsync on directories; that is not a failure of the run.
    if (rc != 0 && !(directory && (err == EINVAL || err == EROFS)))
        throw IoError("cannot sync " + p.string() + ": " + std::strerror(err));
}

}  // namespace

void start_writeback(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) return;  // commit's fsync reports what is wrong
    (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    ::close(fd);
}

AtomicOutputs::AtomicOutputs(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_))
        throw IoError("cannot create output directory " + dir_.string() + (ec ? ": " + ec.message() : ""));
}

AtomicOutputs::~AtomicOutputs() {
    // Whatever was not renamed (never committed, or commit failed half-way) is removed; the
    // renamed files no longer exist under their temporary names.
    for (const auto& name : names_) {
        try {
            std::error_code ec;
            fs::remove(temporary(dir_, name), ec);
        } catch (...) {  // a destructor must not throw; a leftover ".partial" is harmless
        }
    }
}

fs::path AtomicOutputs::path_for(const std::string& name) {
    if (committed_) throw ConfigError("output " + name + " requested after the outputs were committed");
    fs::path tmp = temporary(dir_, name);
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
        std::error_code ec;
        fs::create_directories(tmp.parent_path(), ec);
        if (ec) throw IoError("cannot create directory " + tmp.parent_path().string() + ": " + ec.message());
        names_.push_back(name);
    }
    return tmp;
}

std::vector<std::string> AtomicOutputs::commit_order() const {
    std::vector<std::string> order;
    for (const auto& n : names_)
        if (n != manifest_name) order.push_back(n);
    if (std::find(names_.begin(), names_.end(), manifest_name) != names_.end()) order.push_back(manifest_name);
    return order;
}

void AtomicOutputs::commit() {
    if (committed_) throw ConfigError("outputs in " + dir_.string() + " committed twice");
    const auto order = commit_order();
    // Every output must exist before anything is renamed: a job that forgot one fails cleanly.
    for (const auto& name : order)
        if (!fs::is_regular_file(temporary(dir_, name)))
            throw IoError("output " + (dir_ / name).string() + " was never written");
    for (const auto& name : order) sync_path(temporary(dir_, name), false);
    // A manifest from an earlier run must not vouch for a directory that is half new, half old
    // while the renames happen; without one the directory does not look complete.
    if (!order.empty() && order.back() == manifest_name) {
        std::error_code ec;
        fs::remove(dir_ / manifest_name, ec);
        if (ec) throw IoError("cannot remove the old " + (dir_ / manifest_name).string() + ": " + ec.message());
    }
    for (const auto& name : order) {
        std::error_code ec;
        fs::rename(temporary(dir_, name), dir_ / name, ec);  // replaces an existing file atomically
        if (ec) throw IoError("cannot move " + (dir_ / name).string() + " into place: " + ec.message());
    }
    std::vector<fs::path> dirs{dir_};
    for (const auto& name : order) {
        fs::path parent = (dir_ / name).parent_path();
        if (std::find(dirs.begin(), dirs.end(), parent) == dirs.end()) dirs.push_back(parent);
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) sync_path(*it, true);
    committed_ = true;
}

}  // namespace mhbench::report
