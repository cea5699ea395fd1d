#pragma once
// Combining accumulators: thread-local into rank-local with oneTBB, rank-local into global
// with MPI (Boost.Serialization archives along a binomial tree). Any type with merge() and
// serialize() works: the accumulators, KeyedMap of them, or a user struct of several.
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mhbench::reduce {

/// Binary Boost.Serialization archive of a value, and back. Standard containers, pair, tuple,
/// optional and variant of serializable types work (reduce/serialize_std.hpp). from_bytes
/// throws mhbench::Error on a truncated archive or one with bytes left over.
template <class T> std::vector<std::byte> to_bytes(const T& value);
template <class T> T from_bytes(std::span<const std::byte> bytes);

/// Runs body(acc, i) for i in [0, n) on oneTBB threads, each thread folding into its own
/// accumulator (enumerable_thread_specific), then merges them. Exact accumulators make the
/// result independent of the thread count and of scheduling.
template <class Acc, class Body> Acc parallel_fold(std::size_t n, Body body, std::size_t grain = 1);

/// Merges every rank's value along a binomial tree; the result is on `root` (other ranks get
/// a default-constructed T). Collective; throws mhbench::MpiError on failure. If a merge or
/// decoding fails on some rank, the error travels up the tree and the root (and every rank on
/// the way) throws mhbench::Error naming that rank. Works on a private duplicate of `comm`,
/// so the caller's messages and error handler are untouched. `local` is taken by value: pass
/// it with std::move when it is not needed afterwards. When `sent` is given, the bytes of the
/// archive this rank sends are added to it.
template <class T> T reduce_to_root(T local, MPI_Comm comm, int root = 0, std::int64_t* sent = nullptr);

/// reduce_to_root, then broadcast, so every rank holds the merged value (the same bytes on
/// every rank). An error anywhere is thrown on every rank. `sent` as for reduce_to_root; the
/// root counts the broadcast once for every other rank.
template <class T> T allreduce(T local, MPI_Comm comm, std::int64_t* sent = nullptr);

}  // namespace mhbench::reduce

#include "combine_impl.hpp"
