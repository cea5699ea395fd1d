#include "jobs/dq.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_dq(const RunOptions&, MPI_Comm) { throw ConfigError("job 'dq' is not available yet"); }

}  // namespace mhbench::jobs
