#pragma once
// `mhbench pipeline`: the yearly national run as one restartable batch step — ingest the
// extracts into WORK/store.h5, then run each job into WORK/results/JOB/. Every stage records its
// completion with the digests of its inputs and outputs (ingest: STORE.h5.manifest.json; jobs:
// their manifest.json). A rerun skips a stage whose recorded input digests equal the current
// ones and whose outputs still have their recorded digests, and redoes the rest, so a job that
// died (node failure, time limit) is resubmitted as it is and loses no finished work.
#include <mpi.h>

#include <filesystem>
#include <string>
#include <vector>

#include "jobs/common.hpp"
#include "jobs/ingest.hpp"

namespace mhbench::jobs {

struct PipelineOptions {
    std::filesystem::path in;    ///< directory of the year's CSV extracts
    std::filesystem::path work;  ///< store.h5 and results/JOB/ go here
    YearRange years{{2023}, {2023}};
    /// Jobs after ingest, in order. Empty = every job of SPEC section 12 in pipeline order;
    /// those not in this build yet are reported and skipped.
    std::vector<std::string> jobs;
    int threads = 0;                  ///< oneTBB threads per rank; 0 = all cores
    bool force = false;               ///< redo every stage whatever its manifest says
    std::filesystem::path reference;  ///< reference-data directory; empty = built-in
    std::vector<std::string> command_line;
};

struct StageResult {
    enum class Outcome { Done, Skipped, Unavailable };
    std::string stage;  ///< "ingest" or the job name
    Outcome outcome = Outcome::Done;
    std::string why;    ///< why it was run or skipped
    double seconds = 0;
};

/// Collective over comm. Rank 0 logs one line per stage to stdout and writes WORK/pipeline.json
/// (the stages, outcomes and timings of this run). Throws on the first failing stage; finished
/// stages stay recorded, so a rerun resumes at the failed one.
std::vector<StageResult> run_pipeline(const PipelineOptions& options, MPI_Comm comm);

/// Every job of the pipeline in order, available in this build or not.
const std::vector<std::string>& pipeline_jobs();
/// Whether this build can run the job.
bool job_available(const std::string& job);

// ---- shared with `mhbench ingest` and the jobs

/// STORE.h5 -> STORE.h5.manifest.json, the record of the ingest that wrote the store.
std::filesystem::path store_manifest_path(const std::filesystem::path& store);
/// The CSV files ingest reads from `in`: organisations.csv and each table's file present, sorted.
std::vector<std::string> ingest_input_names(const std::filesystem::path& in);
/// Rank 0, after the store and its quarantine are in place: writes the store manifest
/// atomically. `input_digests` is the store's root attribute of that name (JSON name -> digest).
void write_store_manifest(const IngestOptions& options, const IngestSummary& summary,
                          const std::string& input_digests, int ranks, int threads);
/// A file's digest, computed once per process for a given (path, inode, size, mtime): the
/// pipeline's restart check and a job's manifest share one read.
std::string file_digest_cached(const std::filesystem::path& file);
/// The store's identity: the digest of the digests ingest recorded in it (docs/store-format.md).
/// Cheap (reads the digests only); any rank.
std::string store_identity(const store::Store& s);
/// Collective: every rank checks its share of the whole store against its recorded digests
/// (Store::verify_all), then rank 0 checks the identity against the store's manifest
/// (check_store_digest); every rank throws the same StoreError on damage. For jobs that do not
/// rely on Store::read checking what they read.
void verify_store(const std::filesystem::path& store, MPI_Comm comm);
/// Rank 0: throws StoreError when `identity` differs from the one the store's manifest recorded
/// (a store other than the one ingest wrote, or digests changed). A store without a manifest passes.
void check_store_digest(const std::filesystem::path& store, const std::string& identity);

}  // namespace mhbench::jobs
