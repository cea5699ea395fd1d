#include "jobs/mhis.hpp"

#include "model/errors.hpp"

namespace mhbench::jobs {

void run_mhis(const RunOptions&, MPI_Comm) { throw ConfigError("job 'mhis' is not available yet"); }

}  // namespace mhbench::jobs
