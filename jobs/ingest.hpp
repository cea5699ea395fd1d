#pragma once
// `mhbench ingest`: CSV extracts → the national HDF5 store, as an MPI job. Each rank parses a
// share of every file; rows travel to the rank that owns their provider (LPT by rows); each
// owner keeps the latest submission, quarantines duplicates and orphans, orders rows by
// (provider, referral) with children as slices of their parent, and the store is written
// with parallel HDF5.
#include <mpi.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace mhbench::jobs {

struct IngestOptions {
    std::filesystem::path in;     ///< directory of <Table>.csv files and organisations.csv
    std::filesystem::path store;  ///< STORE.h5 to write
    int threads = 0;              ///< 0 = oneTBB default
};

struct IngestSummary {
    // Row accounting per table (global; identical on every rank).
    std::vector<std::pair<std::string, store::Accounting>> tables;
    // Wall seconds per stage on this rank: parse, dictionaries, shuffle, validate, write.
    std::map<std::string, double> seconds;
};

IngestSummary run_ingest(const IngestOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
