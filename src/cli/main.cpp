// The `mhbench` command: synth, ingest, run JOB, demo. Every subcommand runs the same alone or
// under mpirun / srun; a failure on any rank ends the whole job with one clear message.
#include <dirent.h>
#include <mpi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "jobs/ingest.hpp"
#include "jobs/pipeline.hpp"
#include "jobs/registry.hpp"
#include "model/errors.hpp"
#include "report/progress.hpp"
#include "synth/realism.hpp"
#include "synth/synth.hpp"

namespace fs = std::filesystem;
using namespace mhbench;

namespace {

int g_rank = 0, g_size = 1;
MPI_Comm g_failure_comm = MPI_COMM_NULL;  // only for agreeing that every rank failed

void say(const std::string& s) {
    if (g_rank == 0) std::cout << s << std::endl;
}

struct Common {
    int threads = 0;
};

void run_synth(const fs::path& out, double scale, std::uint64_t seed, const std::string& years, double faults,
               double data_faults, int threads) {
    synth::Options o;
    o.out = out;
    o.scale = scale;
    o.seed = seed;
    auto r = YearRange::parse(years);
    o.first = r.first;
    o.last = r.last;
    o.fault_rate = faults;
    o.data_fault_rate = data_faults;
    o.threads = threads;
    auto t0 = std::chrono::steady_clock::now();
    synth::generate(o, MPI_COMM_WORLD);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    say("synth: wrote " + out.string() + " (scale " + std::to_string(scale) + ", " + r.first.label() +
        (r.first == r.last ? "" : " to " + r.last.label()) + ") in " + std::to_string(s) + " s");
}

void run_ingest(const fs::path& in, const fs::path& store, int threads) {
    auto t0 = std::chrono::steady_clock::now();
    auto summary = jobs::run_ingest({in, store, threads}, MPI_COMM_WORLD);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (g_rank != 0) return;
    std::printf("ingest: %s written in %.1f s on %d rank(s)\n", store.c_str(), s, g_size);
    std::printf("  %-32s %12s %12s %12s %12s\n", "table", "read", "stored", "quarantined", "superseded");
    for (const auto& [t, a] : summary.tables)
        std::printf("  %-32s %12lld %12lld %12lld %12lld\n", t.c_str(), static_cast<long long>(a.read),
                    static_cast<long long>(a.stored), static_cast<long long>(a.quarantined),
                    static_cast<long long>(a.superseded));
    std::printf("  quarantined rows are listed in %s.quarantine.csv\n  stages on rank 0:", store.c_str());
    for (const auto& [stage, sec] : summary.seconds) std::printf(" %s %.1f s;", stage.c_str(), sec);
    std::printf("\n");
    std::fflush(stdout);
}

void run_job(const std::string& job, jobs::RunOptions o) {
    auto t0 = std::chrono::steady_clock::now();
    const auto* entry = jobs::find_job(job);
    if (!entry) throw ConfigError("no job '" + job + "'; the jobs are: " + jobs::job_names(false));
    if (!entry->run) throw ConfigError("job '" + job + "' is not available yet; available: " + jobs::job_names(true));
    entry->run(o, MPI_COMM_WORLD);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", s);
    say("run " + job + ": results in " + o.out.string() + " (" + buf + " s)");
}

// Open MPI 4.1's PMIx client talks to mpirun over loopback TCP with Nagle's algorithm on:
// MPI_Finalize sends a few small messages in a row and the last waits for the launcher's delayed
// ACK, 40 ms at the end of every run (docs/performance.md). The process has no TCP sockets of
// its own at this point, so every one is the launcher's; sending small messages at once is safe.
void send_small_messages_at_once() {
    DIR* fds = opendir("/proc/self/fd");
    if (!fds) return;
    while (const dirent* e = readdir(fds)) {
        const int fd = std::atoi(e->d_name);
        if (fd <= 2 || fd == dirfd(fds)) continue;
        int type = 0;
        socklen_t len = sizeof type;
        sockaddr_storage addr{};
        socklen_t alen = sizeof addr;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
        if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) continue;
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    closedir(fds);
}

}  // namespace

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    send_small_messages_at_once();
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    MPI_Comm_dup(MPI_COMM_WORLD, &g_failure_comm);
    std::vector<std::string> args(argv, argv + argc);

    CLI::App app{"mhbench: national mental health currency benchmarks (NHS Talking Therapies and MHSDS)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", MHBENCH_VERSION);

    auto* synth = app.add_subcommand("synth", "Generate synthetic national extracts (one CSV per table)");
    fs::path synth_out;
    double scale = 0.01, faults = 0, data_faults = -1;
    bool realism = false;
    std::uint64_t seed = 1;
    std::string year = "2023-24", years;
    int threads = 0;
    synth->add_option("--out", synth_out, "Output directory")->required();
    synth->add_option("--scale", scale, "1 = one national year at real volume")->check(CLI::PositiveNumber);
    synth->add_option("--seed", seed, "Random seed; the same seed gives the same bytes");
    synth->add_option("--year", year, "Financial year, e.g. 2023-24");
    synth->add_option("--years", years, "Range of financial years, e.g. 2021-22:2023-24 (overrides --year)");
    synth->add_option("--faults", faults, "Share of rows given an injected data-quality fault")->check(CLI::Range(0.0, 0.5));
    synth->add_option("--data-faults", data_faults,
                      "Share of records given a data-level fault (invalid or missing code, unpaired score, "
                      "date out of range); default: the --faults share")
        ->check(CLI::Range(0.0, 0.5));
    synth->add_option("--threads", threads, "Threads per rank (0 = all cores)");
    synth->add_flag("--report", realism,
                    "After generating, print every calibrated figure against its published target and fail when "
                    "one is out of tolerance (meant for scales up to about 0.1)");

    auto* ingest = app.add_subcommand("ingest", "Ingest CSV extracts into the national HDF5 store");
    fs::path in, store;
    ingest->add_option("--in", in, "Directory of <Table>.csv files and organisations.csv")->required();
    ingest->add_option("--store", store, "Store file to write (STORE.h5)")->required();
    ingest->add_option("--threads", threads, "Threads per rank (0 = all cores)");

    auto* run = app.add_subcommand("run", "Run a job over the store");
    std::string job;
    jobs::RunOptions ro;
    std::string run_year = "2023-24";
    run->add_option("job", job, "One of: " + jobs::job_names(false))->required();
    run->add_option("--store", ro.store, "Store file (STORE.h5); required except for packs --published");
    run->add_option("--year", run_year, "Financial year, or a range 2021-22:2023-24");
    run->add_option("--out", ro.out, "Output directory")->required();
    run->add_option("--threads", ro.threads, "Threads per rank (0 = all cores)");
    run->add_option("--reference", ro.reference, "Reference-data directory replacing the built-in 2025-26 set");
    run->add_option("--results", ro.results,
                    "packs, mhis: directory holding the other jobs' results as JOB/ (default: the parent of --out)");
    run->add_option("--published", ro.published,
                    "packs: NHS England key measures CSV (nhstt_key_measures_*.csv); draws the providers' published "
                    "reliable recovery funnel instead of packs from results");

    auto* pipe = app.add_subcommand("pipeline",
                                    "Ingest, then the jobs; stages whose inputs are unchanged since their last run are skipped");
    jobs::PipelineOptions po;
    std::string pipe_year = "2023-24";
    pipe->add_option("--in", po.in, "Directory of the year's CSV extracts")->required();
    pipe->add_option("--work", po.work, "Working directory: store.h5, results/JOB/, pipeline.json")->required();
    pipe->add_option("--year", pipe_year, "Financial year");
    pipe->add_option("--jobs", po.jobs, "Jobs after ingest, comma separated (default: all; ones not built yet are skipped)")
        ->delimiter(',');
    pipe->add_option("--threads", po.threads, "Threads per rank (0 = all cores)");
    pipe->add_option("--reference", po.reference, "Reference-data directory replacing the built-in 2025-26 set");
    pipe->add_flag("--force", po.force, "Redo every stage");
    bool quiet = false;
    app.add_flag("--quiet", quiet, "No progress lines (also MHBENCH_PROGRESS=quiet)");

    auto* demo = app.add_subcommand("demo", "Generate a national sample, ingest it, run the jobs, say where the outputs are");
    fs::path demo_dir = "demo";
    double demo_scale = 0.05;
    demo->add_option("--dir", demo_dir, "Working directory for the sample, store and results");
    demo->add_option("--scale", demo_scale, "Sample size (1 = one national year)")->check(CLI::PositiveNumber);
    demo->add_option("--threads", threads, "Threads per rank (0 = all cores)");

    int code = 0;
    try {
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (g_rank == 0) code = app.exit(e);
            else code = e.get_exit_code();
            MPI_Finalize();
            return code;
        }
        if (quiet) report::set_progress_mode(report::ProgressMode::Quiet);
        if (*pipe) {
            po.years = YearRange::parse(pipe_year);
            po.command_line = args;
            jobs::run_pipeline(po, MPI_COMM_WORLD);
        }
        if (*synth) {
            run_synth(synth_out, scale, seed, years.empty() ? year : years, faults, data_faults, threads);
            if (realism) {
                int ok = 1;
                if (g_rank == 0) ok = synth::report_realism(synth_out, std::cout) ? 1 : 0;
                MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
                if (!ok) throw Error("synthetic data out of tolerance against the published figures (see above)");
            }
        }
        if (*ingest) run_ingest(in, store, threads);
        if (*run) {
            ro.years = YearRange::parse(run_year);
            ro.command_line = args;
            if (ro.store.empty() && !(job == "packs" && !ro.published.empty()))
                throw ConfigError("run " + job + ": --store is required");
            run_job(job, ro);
        }
        if (*demo) {
            demo_dir = fs::absolute(demo_dir).lexically_normal();
            say("demo: generating a synthetic national sample (scale " + std::to_string(demo_scale) + ") in " +
                (demo_dir / "data").string());
            run_synth(demo_dir / "data", demo_scale, 1, "2023-24", 0.001, -1, threads);
            // The yearly run as an operator would start it: ingest, then every job into
            // results/JOB/ (packs last, from the others' results). A rerun skips what is unchanged.
            jobs::PipelineOptions dp;
            dp.in = demo_dir / "data";
            dp.work = demo_dir;
            dp.threads = threads;
            dp.command_line = args;
            jobs::run_pipeline(dp, MPI_COMM_WORLD);
            const fs::path res = demo_dir / "results";
            say("\ndemo finished on " + std::to_string(g_size) + " rank(s). Outputs:\n  synthetic extracts  " +
                (demo_dir / "data").string() + "/ (truth.json: what the generator planted)\n  national store      " +
                (demo_dir / "store.h5").string() + "\n  main job            " + (res / "tt-averages").string() +
                "/ (tt_national.csv: average contacts to reliable recovery per currency unit; tt_units.csv, "
                "tt_region/icb/provider.csv, results.h5, manifest.json)\n  other jobs          " + res.string() +
                "/{activity,mhnrg,ips,dq,mhis,clusters}/\n  benchmark packs     " +
                (res / "packs" / "packs" / "index.html").string());
        }
    } catch (const std::exception& e) {
        // When every rank failed (bad input is seen alike by all), they meet in a barrier on a
        // communicator kept for this, and only rank 0 reports. When some rank is still working
        // (or blocked in a collective), the barrier cannot complete: this rank reports and
        // aborts the whole job, so nothing hangs.
        MPI_Request req;
        MPI_Ibarrier(g_failure_comm, &req);
        int all_failed = 0;
        for (int i = 0; i < 300 && !all_failed; ++i) {
            MPI_Test(&req, &all_failed, MPI_STATUS_IGNORE);
            if (!all_failed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (all_failed) {
            if (g_rank == 0) std::fprintf(stderr, "mhbench: error: %s\n", e.what());
            MPI_Finalize();
            return 1;
        }
        std::fprintf(stderr, "mhbench: error: %s (rank %d)\n", e.what(), g_rank);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1;
    }
    MPI_Finalize();
    return 0;
}
