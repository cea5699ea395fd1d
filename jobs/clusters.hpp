#pragma once
// `mhbench run clusters`: legacy mental health clusters: caseload, share clustered, review adherence (SPEC section 5).
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, one CSV per table and manifest.json into options.out.
void run_clusters(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
