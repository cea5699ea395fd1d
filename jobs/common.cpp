#include "jobs/common.hpp"

#include <oneapi/tbb/info.h>

#include <algorithm>
#include <future>
#include <thread>

#include "jobs/pipeline.hpp"
#include "model/errors.hpp"
#include "report/atomic.hpp"

namespace mhbench::jobs {

std::string_view level_name(Level l) {
    switch (l) {
        case Level::Provider: return "provider";
        case Level::Icb: return "icb";
        case Level::Region: return "region";
        case Level::England: return "national";
    }
    return "?";
}

Hierarchy Hierarchy::build(const store::Store& s, Dataset d) {
    Hierarchy h;
    std::map<std::string, store::Organisation> by_code;
    for (auto& o : s.organisations()) by_code[o.org_code] = o;
    for (const auto& p : s.providers(d)) {
        h.provider_code.push_back(p);
        auto it = by_code.find(p);
        if (it == by_code.end()) {
            h.icb_code.push_back("UNKNOWN");
            h.region_code.push_back("UNKNOWN");
            h.names[p] = "";
            ++h.unmapped;
            continue;
        }
        h.icb_code.push_back(it->second.icb_code);
        h.region_code.push_back(it->second.region_code);
        h.names[p] = it->second.org_name;
        h.names[it->second.icb_code] = it->second.icb_name;
        h.names[it->second.region_code] = it->second.region_name;
    }
    h.names["UNKNOWN"] = "Not in the organisation lookup";
    h.names["ENG"] = "England";
    return h;
}

const std::string& Hierarchy::code(Level l, std::size_t p) const {
    static const std::string england = "ENG";
    switch (l) {
        case Level::Provider: return provider_code[p];
        case Level::Icb: return icb_code[p];
        case Level::Region: return region_code[p];
        case Level::England: return england;
    }
    return england;
}

Plan Plan::make(const store::Store& s, Dataset d, const std::vector<std::string>& weight_tables, int ranks, int rank) {
    const std::size_t P = s.providers(d).size();
    std::vector<std::int64_t> w(P, 0);
    for (const auto& t : weight_tables) {
        auto off = s.provider_offsets(d, t);
        for (std::size_t p = 0; p < P; ++p) w[p] += off[p + 1] - off[p];
    }
    Plan plan;
    plan.assignment = partition::lpt_assign(w, ranks);
    plan.providers = partition::units_of(plan.assignment, rank);
    return plan;
}

JobContext::JobContext(const RunOptions& o, MPI_Comm comm) {
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (o.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, o.threads);
    threads = static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

std::vector<std::int32_t> Plan::provider_of_rows(const store::Store& s, Dataset d, const std::string& table) const {
    const auto offsets = s.provider_offsets(d, table);
    std::vector<std::int32_t> out;
    for (int p : providers) {
        const auto up = static_cast<std::size_t>(p);
        out.insert(out.end(), static_cast<std::size_t>(offsets[up + 1] - offsets[up]), p);
    }
    return out;
}

std::vector<partition::RowRange> Plan::ranges(const store::Store& s, Dataset d, const std::string& table) const {
    return partition::ranges_for(s.provider_offsets(d, table), providers);
}

bool all_ranks_ok(MPI_Comm comm, bool ok) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Request request;
    MPI_Iallreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm, &request);
    for (int done = 0;;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return all == 1;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

double Stopwatch::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_).count();
}

double Stopwatch::lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - t_).count();
    t_ = now;
    return s;
}

void write_outputs(const RunOptions& o, const std::string& job, const store::Store& s,
                   const std::vector<report::Table>& tables, report::Manifest& manifest, int ranks, int threads,
                   const std::string& reference_version) {
    report::AtomicOutputs out(o.out);
    report::Attributes attrs = {
        {"job", job},
        {"financial_year", o.years.first.label() + (o.years.first == o.years.last ? "" : ":" + o.years.last.label())},
        {"software_version", MHBENCH_VERSION},
        {"reference_data_version", reference_version},
        {"store_schema_version", std::to_string(store::kSchemaVersion)},
        {"input_digests", s.attribute("input_digests")},
        {"ranks", std::to_string(ranks)},
        {"threads", std::to_string(threads)},
        {"created", report::Manifest::utc_now()},
    };
    const Stopwatch writing;
    auto h5 = out.path_for("results.h5");
    std::vector<std::filesystem::path> csvs;
    for (const auto& t : tables) csvs.push_back(out.path_for(t.name() + ".csv"));
    // Writing the outputs is serial work that no other rank can share: the CSVs are written on a
    // thread of their own meanwhile (only this thread calls HDF5). If results.h5 fails, the
    // future's destructor waits for the CSVs before the error goes on.
    auto csv_writer = std::async(std::launch::async, [&] {
        for (std::size_t i = 0; i < tables.size(); ++i) {
            report::write_csv(tables[i], csvs[i]);
            report::start_writeback(csvs[i]);
        }
    });
    report::write_h5(tables, h5, attrs);
    report::start_writeback(h5);
    csv_writer.get();
    manifest.add_output("results.h5", h5);
    for (std::size_t i = 0; i < tables.size(); ++i) manifest.add_output(tables[i].name() + ".csv", csvs[i]);
    manifest.add_stage("write", writing.elapsed());
    manifest.set("job", job);
    manifest.set("financial_year", attrs["financial_year"]);
    manifest.set_parallelism(ranks, threads);
    manifest.set_command_line(o.command_line);
    // The store's identity (its data were checked as they were read, or by verify_store); a
    // store other than the one its ingest manifest describes fails here, before anything is committed.
    const std::string store_digest = store_identity(s);
    check_store_digest(s.path(), store_digest);
    {
        nlohmann::json inputs = manifest.json()["inputs"];
        inputs["store"] = {{"digest", store_digest},
                           {"path", s.path().string()},
                           {"bytes", static_cast<std::int64_t>(std::filesystem::file_size(s.path()))}};
        manifest.set("inputs", inputs);
    }
    // Reference data overriding the built-in set: each file, so a restart sees it change.
    if (!o.reference.empty() && std::filesystem::is_directory(o.reference)) {
        std::vector<std::filesystem::path> files;
        for (const auto& f : std::filesystem::recursive_directory_iterator(o.reference))
            if (f.is_regular_file()) files.push_back(f.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files)
            manifest.add_input("reference/" + std::filesystem::relative(f, o.reference).string(), f.string());
    }
    for (Dataset d : {Dataset::Iapt, Dataset::Mhsds}) {
        if (!s.has(d)) continue;
        for (const TableSpec* t : tables_of(d)) {
            auto a = s.accounting(d, t->name);
            manifest.add_table_accounting(std::string(dataset_name(d)), t->name, a.read, a.stored, a.quarantined,
                                          a.superseded);
        }
    }
    manifest.write(out.path_for("manifest.json"));
    out.commit();
}

reference::Reference reference_set(const RunOptions& o) {
    return o.reference.empty() ? reference::Reference::built_in() : reference::Reference::load(o.reference);
}

}  // namespace mhbench::jobs
