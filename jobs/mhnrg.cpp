#include "jobs/mhnrg.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_mhnrg(const RunOptions&, MPI_Comm) { throw ConfigError("job 'mhnrg' is not available yet"); }

}  // namespace mhbench::jobs
