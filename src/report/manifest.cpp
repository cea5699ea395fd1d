#include "report/manifest.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "model/errors.hpp"
#include "report/digest.hpp"

namespace mhbench::report {

using Json = nlohmann::json;

Manifest::Manifest() {
    j_ = Json::object();
    j_["manifest_version"] = 1;
    j_["software_version"] = MHBENCH_VERSION;
    j_["created_utc"] = utc_now();
    j_["command_line"] = Json::array();
    j_["ranks"] = 0;
    j_["threads"] = 0;
    j_["reference_data_version"] = "";
    j_["inputs"] = Json::object();
    j_["outputs"] = Json::object();
    j_["row_accounting"] = Json::object();
    j_["timings_seconds"] = Json::object();
}

std::string Manifest::utc_now() {
    std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Manifest& Manifest::set(const std::string& key, Json value) {
    if (key.empty()) throw ConfigError("manifest keys cannot be empty");
    j_[key] = std::move(value);
    return *this;
}

Manifest& Manifest::add_stage(const std::string& name, double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        throw ConfigError(fmt::format("stage {} cannot take {} seconds", name, seconds));
    Json& t = j_["timings_seconds"];
    t[name] = (t.contains(name) ? t[name].get<double>() : 0.0) + seconds;
    return *this;
}

Manifest& Manifest::add_input(const std::string& name, const std::string& path_or_digest) {
    Json entry = Json::object();
    if (is_digest(path_or_digest)) {
        entry["digest"] = path_or_digest;
    } else {
        std::filesystem::path p(path_or_digest);
        entry["digest"] = digest_file(p);  // throws IoError naming the file
        entry["path"] = path_or_digest;
        entry["bytes"] = static_cast<std::int64_t>(std::filesystem::file_size(p));
    }
    j_["inputs"][name] = std::move(entry);
    return *this;
}

Manifest& Manifest::add_output(const std::string& name, const std::filesystem::path& file) {
    return add_output(name, file, digest_file(file));
}

Manifest& Manifest::add_output(const std::string& name, const std::filesystem::path& file, const std::string& digest) {
    j_["outputs"][name] = {{"digest", digest}, {"bytes", static_cast<std::int64_t>(std::filesystem::file_size(file))}};
    return *this;
}

Manifest& Manifest::add_table_accounting(const std::string& dataset, const std::string& table, std::int64_t read,
                                         std::int64_t stored, std::int64_t quarantined, std::int64_t superseded) {
    const std::string where = dataset + " " + table;
    if (read < 0 || stored < 0 || quarantined < 0 || superseded < 0)
        throw ConfigError("row accounting for " + where + " has a negative count");
    // Compared without overflow: each part is non-negative and no larger than read.
    if (stored > read || quarantined > read - stored || superseded != read - stored - quarantined)
        throw ConfigError(fmt::format(
            "row accounting for {} does not add up: read {} != stored {} + quarantined {} + superseded {}", where,
            read, stored, quarantined, superseded));
    Json& t = j_["row_accounting"][dataset][table];
    auto add = [&t](const char* k, std::int64_t v) { t[k] = (t.contains(k) ? t[k].get<std::int64_t>() : 0) + v; };
    add("read", read);
    add("stored", stored);
    add("quarantined", quarantined);
    add("superseded", superseded);
    return *this;
}

Manifest& Manifest::set_command_line(const std::vector<std::string>& args) {
    j_["command_line"] = args;
    return *this;
}

Manifest& Manifest::set_command_line(int argc, const char* const* argv) {
    std::vector<std::string> args;
    for (int i = 0; i < argc; ++i) args.emplace_back(argv[i] ? argv[i] : "");
    return set_command_line(args);
}

Manifest& Manifest::set_parallelism(int ranks, int threads) {
    if (ranks < 1 || threads < 1)
        throw ConfigError(fmt::format("a run has at least one rank and one thread, not {} and {}", ranks, threads));
    j_["ranks"] = ranks;
    j_["threads"] = threads;
    return *this;
}

Manifest& Manifest::set_reference_version(const std::string& version) {
    j_["reference_data_version"] = version;
    return *this;
}

void Manifest::write(const std::filesystem::path& file) const {
    // nlohmann::json keeps object keys in a std::map, so dump() is sorted and deterministic.
    const std::string text = j_.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError("cannot create " + file.string());
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) throw IoError("cannot write " + file.string() + " (disk full?)");
}

}  // namespace mhbench::report
