#pragma once
// `mhbench run mhis`: Mental Health Investment Standard totals per ICB and unit costs (SPEC section 7).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_mhis(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
