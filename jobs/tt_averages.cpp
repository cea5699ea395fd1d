#include "jobs/tt_averages.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_tt_averages(const RunOptions&, MPI_Comm) { throw ConfigError("job 'tt-averages' is being built"); }

}  // namespace mhbench::jobs
