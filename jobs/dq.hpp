#pragma once
// `mhbench run dq`: data quality per provider and month: valid/other/default/invalid/missing per key field, headline measures, quarantine counts (SPEC section 8).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_dq(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
