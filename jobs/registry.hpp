#pragma once
// Every job of SPEC section 12, in the order the yearly run needs them (packs read the others'
// results). `mhbench run`, `mhbench pipeline` and the demo look jobs up here.
#include <mpi.h>

#include <string>
#include <vector>

#include "jobs/common.hpp"

namespace mhbench::jobs {

using JobFn = void (*)(const RunOptions&, MPI_Comm);
struct JobEntry {
    const char* name;
    JobFn run;  ///< nullptr: part of the pipeline, not in this build yet
};

const std::vector<JobEntry>& job_registry();
/// nullptr when the name is not a job at all.
const JobEntry* find_job(const std::string& name);
/// "activity, tt-averages, ..." (every job, or only those this build can run).
std::string job_names(bool available_only);

}  // namespace mhbench::jobs
