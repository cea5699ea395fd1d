#pragma once
// `mhbench run packs`: provider and ICB benchmark packs (self-contained HTML) from the other jobs' results (SPEC sections 9, 11).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_packs(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
