#pragma once
// `mhbench run activity`: for each financial year and every provider, ICB, region and England,
// in both data sets: referrals received and discharged, distinct people with a referral open in
// the year, care contacts by attendance code and attended contacts by consultation mechanism.
#include <mpi.h>

#include "jobs/common.hpp"

namespace mhbench::jobs {

/// Collective. Rank 0 writes the outputs into options.out.
void run_activity(const RunOptions& options, MPI_Comm comm);

}  // namespace mhbench::jobs
