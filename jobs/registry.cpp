#include "jobs/registry.hpp"

#include "jobs/activity.hpp"
#include "jobs/clusters.hpp"
#include "jobs/dq.hpp"
#include "jobs/ips.hpp"
#include "jobs/mhis.hpp"
#include "jobs/mhnrg.hpp"
#include "jobs/packs.hpp"
#include "jobs/tt_averages.hpp"

namespace mhbench::jobs {

const std::vector<JobEntry>& job_registry() {
    static const std::vector<JobEntry> jobs = {
        {"activity", run_activity}, {"tt-averages", run_tt_averages},
        {"mhnrg", run_mhnrg},       {"ips", run_ips},
        {"dq", run_dq},             {"mhis", run_mhis},
        {"clusters", run_clusters},      {"packs", run_packs},
    };
    return jobs;
}

const JobEntry* find_job(const std::string& name) {
    for (const auto& j : job_registry())
        if (name == j.name) return &j;
    return nullptr;
}

std::string job_names(bool available_only) {
    std::string s;
    for (const auto& j : job_registry()) {
        if (available_only && !j.run) continue;
        if (!s.empty()) s += ", ";
        s += j.name;
    }
    return s;
}

}  // namespace mhbench::jobs
