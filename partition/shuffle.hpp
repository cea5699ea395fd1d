#pragma once
// Personalised all-to-all exchange of byte buffers (the ingest shuffle: rows travel to
// the rank that owns their provider). Handles buffers above 2 GiB.
#include <mpi.h>

#include <cstddef>
#include <vector>

namespace mhbench::partition {

/// send[r] goes to rank r; returns recv where recv[r] came from rank r.
/// Collective over comm; throws mhbench::MpiError on MPI failure.
std::vector<std::vector<std::byte>> exchange(const std::vector<std::vector<std::byte>>& send, MPI_Comm comm);

}  // namespace mhbench::partition
