#pragma once
// Synthetic national extracts of the two data sets (SPEC section 10): one CSV per table of
// model/schema.hpp, the lookups of sections 6-7 and truth.json, written collectively over MPI.
#include <mpi.h>

#include <cstdint>
#include <filesystem>

#include "model/dates.hpp"

namespace mhbench::synth {

struct Options {
    std::filesystem::path out;  // created if missing
    double scale = 0.01;        // 1 = one national year at real volume
    std::uint64_t seed = 1;
    mhbench::FinancialYear first{2023}, last{2023};
    double fault_rate = 0.0;  // faulty extra rows per clean record, per non-header table
    double data_fault_rate = -1;  // data-level faults (bad values in kept rows); < 0: same as fault_rate
    int threads = 0;          // 0 = oneTBB default
};

/// Collective over comm: every rank calls it; output bytes depend only on Options (not on
/// the number of ranks or threads). Throws mhbench::IoError / ConfigError (src/model/errors.hpp).
void generate(const Options& options, MPI_Comm comm);

}  // namespace mhbench::synth
