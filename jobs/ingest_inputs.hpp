#pragma once
// The side inputs of `mhbench ingest` (mhis_ledger.csv, ips_targets.csv, ips_fidelity.csv):
// read and shape-checked on every rank, digested on rank 0, kept verbatim in the store.
#include <mpi.h>

#include <filesystem>
#include <vector>

#include "store/inputs.hpp"

namespace mhbench::jobs {

/// The side input files present in `in` (absent ones are simply not there), each checked as CSV
/// (InputError naming file and line otherwise). Every rank reads them (they are small), so every
/// rank fails alike; only rank 0 digests them (digest "" elsewhere).
std::vector<store::StoredInput> read_side_inputs(const std::filesystem::path& in, MPI_Comm comm);

/// Collective: rank 0 adds the side inputs to the finished store file; every rank learns whether
/// it worked.
void store_side_inputs(const std::filesystem::path& store_file, const std::vector<store::StoredInput>& inputs,
                       MPI_Comm comm);

}  // namespace mhbench::jobs
