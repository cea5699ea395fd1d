#include "jobs/pipeline.hpp"

#include <sys/stat.h>

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "jobs/registry.hpp"
#include "model/errors.hpp"
#include "reduce/combine.hpp"
#include "report/digest.hpp"
#include "report/manifest.hpp"
#include "store/inputs.hpp"

namespace mhbench::jobs {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

int rank_of(MPI_Comm comm) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
}

/// Rank 0's value on every rank.
template <class T> T broadcast(const T& value, MPI_Comm comm) {
    std::vector<std::byte> bytes;
    if (rank_of(comm) == 0) bytes = reduce::to_bytes(value);
    std::uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm);
    bytes.resize(n);
    MPI_Bcast(bytes.data(), static_cast<int>(n), MPI_BYTE, 0, comm);
    return reduce::from_bytes<T>(bytes);
}

/// A rank-0 computation whose result (or failure) every rank learns, so no rank waits for a
/// rank 0 that threw and every rank fails with the same message.
template <class T, class F> T on_root(MPI_Comm comm, F f) {
    std::pair<T, std::string> r;
    if (rank_of(comm) == 0) {
        try {
            r.first = f();
        } catch (const std::exception& e) {
            r.second = e.what();
            if (r.second.empty()) r.second = "unknown error";
        }
    }
    r = broadcast(r, comm);
    if (!r.second.empty()) throw Error(r.second);
    return r.first;
}

/// Digests keyed by name, spread over the ranks (file i on rank i % size). A missing file has
/// digest "". An unreadable one fails every rank with the same message.
struct Digests {
    std::map<std::string, std::string> digest;
    std::string error;
    void merge(const Digests& o) {
        digest.insert(o.digest.begin(), o.digest.end());
        if (error.empty()) error = o.error;
    }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & digest & error; }
};

using FileList = std::vector<std::pair<std::string, std::string>>;  // key, path
const std::string kStoreOutput = "out/store";  // the ingest stage's store, among its files

/// Collective: the identity of a store whose every block still matches its digest; "" when
/// it is missing, "damaged: ..." when it cannot be opened or does not match.
std::string verified_store_identity(const fs::path& store, MPI_Comm comm) {
    int exists = rank_of(comm) == 0 && fs::exists(store) ? 1 : 0;
    MPI_Bcast(&exists, 1, MPI_INT, 0, comm);
    if (!exists) return "";
    try {
        store::Store s(store, comm);
        s.verify_all();
        return store_identity(s);
    } catch (const std::exception& e) {
        return std::string("damaged: ") + e.what();
    }
}

std::map<std::string, std::string> digest_all(const FileList& files, MPI_Comm comm) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    Digests mine;
    // A store is checked block by block on every rank together rather than read whole by one.
    for (const auto& [key, path] : files)
        if (key == kStoreOutput) mine.digest[key] = verified_store_identity(path, comm);
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (static_cast<int>(i % static_cast<std::size_t>(size)) != rank) continue;
        const auto& [key, path] = files[i];
        if (key == kStoreOutput) continue;
        try {
            mine.digest[key] = fs::exists(path) ? file_digest_cached(path) : "";
        } catch (const std::exception& e) {
            if (mine.error.empty()) mine.error = e.what();
        }
    }
    Digests all = reduce::allreduce(mine, comm);
    if (!all.error.empty()) throw IoError(all.error);
    return all.digest;
}

Json read_json(const fs::path& p) {
    std::ifstream f(p);
    if (!f) return Json();
    try {
        return Json::parse(f);
    } catch (const std::exception&) {
        return Json();  // a torn or foreign file is no record: the stage is redone
    }
}

void write_json_atomically(const fs::path& p, const Json& j) {
    fs::path tmp = p;
    tmp += ".partial";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << j.dump(2) << "\n";
        f.close();
        if (!f) throw IoError("cannot write " + tmp.string() + " (disk full?)");
    }
    std::error_code ec;
    fs::rename(tmp, p, ec);
    if (ec) throw IoError("cannot move " + p.string() + " into place: " + ec.message());
}

std::string str(const Json& j, const char* a, const char* b = nullptr, const char* c = nullptr) {
    const Json* x = &j;
    for (const char* k : {a, b, c}) {
        if (!k) break;
        if (!x->is_object() || !x->contains(k)) return "";
        x = &(*x)[k];
    }
    return x->is_string() ? x->get<std::string>() : "";
}

/// What a stage's record promises: files with their digests, checked against the disk.
struct Expectation {
    std::string why_redo;  // non-empty: redo without digesting anything
    FileList files;        // key -> path
    std::map<std::string, std::string> digests;  // key -> recorded digest
    std::map<std::string, std::string> labels;   // key -> what to call it in the log
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & why_redo & files & digests & labels; }
};

Expectation redo(std::string why) {
    Expectation e;
    e.why_redo = std::move(why);
    return e;
}

std::string compare(const Expectation& e, const std::map<std::string, std::string>& now) {
    for (const auto& [key, path] : e.files) {
        const std::string& d = now.at(key);
        if (d.empty()) return e.labels.at(key) + " is missing";
        if (d != e.digests.at(key)) return e.labels.at(key) + " changed since the last run";
    }
    return "";
}

struct Decision {
    bool skip = false;
    std::string why;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & skip & why; }
};

/// Rank 0 reads the record, every rank digests, rank 0 compares.
template <class F> Decision decide(MPI_Comm comm, bool force, F expectation_of) {
    if (force) return {false, "--force"};
    Expectation e = on_root<Expectation>(comm, expectation_of);
    if (!e.why_redo.empty()) return {false, e.why_redo};
    auto now = digest_all(e.files, comm);
    return on_root<Decision>(comm, [&] {
        std::string why = compare(e, now);
        return why.empty() ? Decision{true, ""} : Decision{false, why};
    });
}

Expectation expect_ingest(const PipelineOptions& o, const fs::path& store) {
    Expectation e;
    const fs::path mpath = store_manifest_path(store);
    Json m = read_json(mpath);
    if (m.is_null()) return redo("no record of a finished ingest (" + mpath.filename().string() + ")");
    if (str(m, "software_version") != MHBENCH_VERSION)
        return redo("the store was written by mhbench " + str(m, "software_version"));
    std::set<std::string> recorded, current;
    if (m.contains("inputs") && m["inputs"].is_object())
        for (const auto& [k, v] : m["inputs"].items()) recorded.insert(k);
    for (const auto& n : ingest_input_names(o.in)) current.insert(n);
    for (const auto& n : current)
        if (!recorded.count(n)) return redo("new input file " + n);
    for (const auto& n : recorded)
        if (!current.count(n)) return redo("input file " + n + " is gone");
    for (const auto& n : current) {
        const std::string key = "in/" + n;
        e.files.emplace_back(key, (o.in / n).string());
        e.digests[key] = str(m, "inputs", n.c_str(), "digest");
        e.labels[key] = n;
    }
    fs::path q = store;
    q += ".quarantine.csv";
    for (const auto& [key, path] : FileList{{"store", store.string()}, {"quarantine", q.string()}}) {
        e.files.emplace_back("out/" + key, path);
        e.digests["out/" + key] = str(m, "outputs", key.c_str(), "digest");
        e.labels["out/" + key] = fs::path(path).filename().string();
    }
    return e;
}

std::vector<fs::path> reference_files(const fs::path& dir) {
    std::vector<fs::path> out;
    if (dir.empty()) return out;
    if (!fs::is_directory(dir)) throw ConfigError("reference-data directory " + dir.string() + " does not exist");
    for (const auto& f : fs::recursive_directory_iterator(dir))
        if (f.is_regular_file()) out.push_back(f.path());
    std::sort(out.begin(), out.end());
    return out;
}

Expectation expect_job(const PipelineOptions& o, const std::string& job, const fs::path& out,
                       const std::string& store_digest) {
    Expectation e;
    Json m = read_json(out / "manifest.json");
    if (m.is_null()) return redo("no finished run in " + out.string());
    if (str(m, "job") != job) return redo("the results there are of job '" + str(m, "job") + "'");
    if (str(m, "software_version") != MHBENCH_VERSION) return redo("written by mhbench " + str(m, "software_version"));
    const std::string fy = o.years.first.label() + (o.years.first == o.years.last ? "" : ":" + o.years.last.label());
    if (str(m, "financial_year") != fy) return redo("the results are for " + str(m, "financial_year"));
    if (str(m, "inputs", "store", "digest") != store_digest) return redo("the store changed");
    // Reference data: the same files with the same digests (recorded as inputs "reference/...").
    std::set<std::string> recorded, current;
    for (const auto& [k, v] : m["inputs"].items())
        if (k.rfind("reference/", 0) == 0) recorded.insert(k);
    for (const auto& f : reference_files(o.reference)) {
        const std::string key = "reference/" + fs::relative(f, o.reference).string();
        current.insert(key);
        e.files.emplace_back(key, f.string());
        e.digests[key] = str(m, "inputs", key.c_str(), "digest");
        e.labels[key] = key;
    }
    if (recorded != current) return redo("different reference data");
    if (!m.contains("outputs") || !m["outputs"].is_object() || m["outputs"].empty()) return redo("the record lists no outputs");
    for (const auto& [name, v] : m["outputs"].items()) {
        const std::string key = "out/" + name;
        e.files.emplace_back(key, (out / name).string());
        e.digests[key] = str(v, "digest");
        e.labels[key] = name;
    }
    return e;
}

void log(MPI_Comm comm, const std::string& line) {
    if (rank_of(comm) != 0) return;
    std::printf("pipeline: %s\n", line.c_str());
    std::fflush(stdout);
}

std::string seconds_text(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f s", s);
    return b;
}

}  // namespace

// ---------------------------------------------------------------- shared pieces

std::string file_digest_cached(const fs::path& file) {
    // Keyed by identity and modification, so a file rewritten in place is digested again.
    struct stat st{};
    if (::stat(file.c_str(), &st) != 0) return report::digest_file(file);  // digest_file names the error
    const std::string key = fs::absolute(file).lexically_normal().string() + "|" + std::to_string(st.st_ino) + "|" +
                            std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
                            std::to_string(st.st_mtim.tv_nsec);
    static std::mutex m;
    static std::map<std::string, std::string> cache;
    {
        std::lock_guard lock(m);
        if (auto it = cache.find(key); it != cache.end()) return it->second;
    }
    std::string d = report::digest_file(file);
    std::lock_guard lock(m);
    cache[key] = d;
    return d;
}

const std::vector<std::string>& pipeline_jobs() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& j : job_registry()) v.emplace_back(j.name);
        return v;
    }();
    return names;
}

bool job_available(const std::string& job) {
    const JobEntry* j = find_job(job);
    return j && j->run;
}

fs::path store_manifest_path(const fs::path& store) {
    fs::path p = store;
    p += ".manifest.json";
    return p;
}

std::vector<std::string> ingest_input_names(const fs::path& in) {
    std::vector<std::string> names{"organisations.csv"};
    for (const auto& t : all_tables())
        if (fs::exists(in / (t.name + ".csv"))) names.push_back(t.name + ".csv");
    for (const auto& n : store::side_input_names())
        if (fs::exists(in / (n + ".csv"))) names.push_back(n + ".csv");
    std::sort(names.begin(), names.end());
    return names;
}

void write_store_manifest(const IngestOptions& o, const IngestSummary& summary, const std::string& input_digests,
                          int ranks, int threads) {
    report::Manifest m;
    m.set("stage", "ingest");
    Json inputs = Json::object();
    const Json digests = Json::parse(input_digests);
    for (const auto& [name, digest] : digests.items()) {
        const fs::path p = o.in / name;
        inputs[name] = {{"digest", digest}, {"path", p.string()},
                        {"bytes", static_cast<std::int64_t>(fs::file_size(p))}};
    }
    m.set("inputs", inputs);
    fs::path q = o.store;
    q += ".quarantine.csv";
    m.add_output("store", o.store, store_identity(store::Store(o.store, MPI_COMM_NULL)));
    m.add_output("quarantine", q);
    for (const auto& [table, a] : summary.tables) {
        auto it = std::find_if(all_tables().begin(), all_tables().end(), [&](const TableSpec& t) { return t.name == table; });
        const std::string ds = it == all_tables().end() ? "?" : std::string(dataset_name(it->dataset));
        m.add_table_accounting(ds, table, a.read, a.stored, a.quarantined, a.superseded);
    }
    for (const auto& [stage, s] : summary.seconds) m.add_stage(stage, s);
    m.set_parallelism(ranks, std::max(threads, 1));
    m.set("in", o.in.string());
    fs::path tmp = store_manifest_path(o.store);
    tmp += ".partial";
    m.write(tmp);
    std::error_code ec;
    fs::rename(tmp, store_manifest_path(o.store), ec);
    if (ec) throw IoError("cannot move " + store_manifest_path(o.store).string() + " into place: " + ec.message());
}

std::string store_identity(const store::Store& s) { return report::digest_bytes(s.digest_record()); }

void check_store_digest(const fs::path& store, const std::string& identity) {
    const fs::path mpath = store_manifest_path(store);
    if (!fs::exists(mpath)) return;
    const std::string recorded = str(read_json(mpath), "outputs", "store", "digest");
    if (recorded.empty() || recorded == identity) return;
    throw StoreError(store.string() + " does not match the digest ingest recorded in " + mpath.string() + " (" +
                     recorded + ", now " + identity + "): it was modified or replaced after ingest; ingest again");
}

void verify_store(const fs::path& store, MPI_Comm comm) {
    store::Store s(store, comm);
    s.verify_all();
    on_root<int>(comm, [&] {
        check_store_digest(store, store_identity(s));
        return 0;
    });
}

// ---------------------------------------------------------------- the pipeline

std::vector<StageResult> run_pipeline(const PipelineOptions& o, MPI_Comm comm) {
    const int rank = rank_of(comm);
    int size = 1;
    MPI_Comm_size(comm, &size);
    std::vector<std::string> jobs = o.jobs.empty() ? pipeline_jobs() : o.jobs;
    for (const auto& j : jobs)
        if (!find_job(j)) throw ConfigError("job '" + j + "' is not a pipeline job; the jobs are: " + job_names(false));
    if (!fs::is_directory(o.in)) throw IoError("input directory " + o.in.string() + " does not exist");
    const fs::path store = o.work / "store.h5";
    const fs::path summary_file = o.work / "pipeline.json";
    on_root<int>(comm, [&] {
        fs::create_directories(o.work / "results");
        fs::remove(summary_file);  // only a finished pipeline leaves one
        return 0;
    });
    const auto started = report::Manifest::utc_now();
    std::vector<StageResult> results;
    auto clock = [] { return std::chrono::steady_clock::now(); };
    auto since = [](auto t0) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    log(comm, o.years.first.label() + ": " + o.in.string() + " -> " + o.work.string() + " on " + std::to_string(size) +
                  " rank(s)");

    // 1. ingest
    {
        StageResult r;
        r.stage = "ingest";
        auto t0 = clock();
        Decision d = decide(comm, o.force, [&] { return expect_ingest(o, store); });
        if (d.skip) {
            r.outcome = StageResult::Outcome::Skipped;
            r.why = "inputs unchanged and the store verified";
            log(comm, "ingest: skipped (" + r.why + ")");
        } else {
            r.why = d.why;
            log(comm, "ingest: running (" + d.why + ")");
            run_ingest({o.in, store, o.threads}, comm);
            log(comm, "ingest: done in " + seconds_text(since(t0)));
        }
        r.seconds = since(t0);
        results.push_back(r);
    }
    const std::string store_digest =
        on_root<std::string>(comm, [&] { return str(read_json(store_manifest_path(store)), "outputs", "store", "digest"); });

    // 2. jobs
    for (const auto& job : jobs) {
        StageResult r;
        r.stage = job;
        const JobEntry* entry = find_job(job);
        if (!entry->run) {
            r.outcome = StageResult::Outcome::Unavailable;
            r.why = "not in this build yet";
            log(comm, job + ": skipped (" + r.why + ")");
            results.push_back(r);
            continue;
        }
        const fs::path out = o.work / "results" / job;
        auto t0 = clock();
        Decision d = decide(comm, o.force, [&] { return expect_job(o, job, out, store_digest); });
        if (d.skip) {
            r.outcome = StageResult::Outcome::Skipped;
            r.why = "store and reference data unchanged and the results verified";
            log(comm, job + ": skipped (" + r.why + ")");
        } else {
            r.why = d.why;
            log(comm, job + ": running (" + d.why + ")");
            // Results of other inputs must not look current while this run is under way.
            on_root<int>(comm, [&] {
                fs::remove(out / "manifest.json");
                return 0;
            });
            RunOptions ro;
            ro.store = store;
            ro.out = out;
            ro.years = o.years;
            ro.threads = o.threads;
            ro.reference = o.reference;
            ro.command_line = o.command_line;
            entry->run(ro, comm);
            log(comm, job + ": done in " + seconds_text(since(t0)));
        }
        r.seconds = since(t0);
        results.push_back(r);
    }

    on_root<int>(comm, [&] {
        Json stages = Json::array();
        int ran = 0, skipped = 0;
        for (const auto& r : results) {
            const char* outcome = r.outcome == StageResult::Outcome::Done      ? "done"
                                  : r.outcome == StageResult::Outcome::Skipped ? "skipped"
                                                                               : "unavailable";
            (r.outcome == StageResult::Outcome::Done ? ran : skipped) += 1;
            stages.push_back({{"stage", r.stage}, {"outcome", outcome}, {"why", r.why}, {"seconds", r.seconds}});
        }
        Json j = {{"software_version", MHBENCH_VERSION},
                  {"financial_year", o.years.first.label()},
                  {"in", o.in.string()},
                  {"started_utc", started},
                  {"finished_utc", report::Manifest::utc_now()},
                  {"ranks", size},
                  {"command_line", o.command_line},
                  {"stages", stages}};
        write_json_atomically(summary_file, j);
        std::printf("pipeline: finished: %d stage(s) run, %d skipped; results in %s\n", ran, skipped,
                    (o.work / "results").c_str());
        std::fflush(stdout);
        return 0;
    });
    (void)rank;
    return results;
}

}  // namespace mhbench::jobs
