#pragma once
// `mhbench run ips`: Individual Placement and Support access, employment outcomes and fidelity (SPEC section 6).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_ips(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
