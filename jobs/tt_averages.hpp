#pragma once
// `mhbench run tt-averages`, the main job: the national recalculation of the NHS Talking
// Therapies currency model (average number and type of contacts to reliable recovery per
// currency unit), at England, region, ICB and provider level. SPEC sections 3, 9 and 12.
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes results.h5, tt_*.csv and manifest.json into options.out.
void run_tt_averages(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
