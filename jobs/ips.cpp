#include "jobs/ips.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_ips(const RunOptions&, MPI_Comm) { throw ConfigError("job 'ips' is not available yet"); }

}  // namespace mhbench::jobs
