#include "jobs/packs.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_packs(const RunOptions&, MPI_Comm) { throw ConfigError("job 'packs' is not available yet"); }

}  // namespace mhbench::jobs
