#include "jobs/clusters.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_clusters(const RunOptions&, MPI_Comm) { throw ConfigError("job 'clusters' is not available yet"); }

}  // namespace mhbench::jobs
