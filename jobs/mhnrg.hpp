#pragma once
// `mhbench run mhnrg`: the MHNRG currency job: activity per age x population group x setting, needs and complexity fields (SPEC section 4).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_mhnrg(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
