#pragma once
// Personalised all-to-all exchange of byte buffers (the ingest shuffle: rows travel to
// the rank that owns their provider). Handles buffers above 2 GiB.
#include <mpi.h>

#include <cstddef>
#include <vector>

namespace mhbench::partition {

/// send[r] goes to rank r; returns recv where recv[r] came from rank r.
/// Collective over comm; throws mhbench::MpiError on MPI failure.
/// send.size() must equal the size of comm (else mhbench::ConfigError, before any communication).
std::vector<std::vector<std::byte>> exchange(const std::vector<std::vector<std::byte>>& send, MPI_Comm comm);

/// As above, but no single MPI call moves more than `max_message_bytes` (clamped to
/// [1, INT_MAX]) in total on any rank: one MPI_Alltoallv when every rank's send and receive
/// totals fit, otherwise rounds of MPI_Alltoallv, each carrying up to
/// max_message_bytes / size bytes per pair. A small limit exercises the rounds path in tests.
/// Staging memory per rank is at most twice the bytes moved in one call.
std::vector<std::vector<std::byte>> exchange(const std::vector<std::vector<std::byte>>& send, MPI_Comm comm,
                                             std::size_t max_message_bytes);

}  // namespace mhbench::partition
