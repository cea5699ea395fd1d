#include "partition/shuffle.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "model/errors.hpp"

namespace mhbench::partition {
namespace {

void check(int rc, const char* call) {
    if (rc == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
    throw MpiError(std::string("partition shuffle: ") + call + " failed: " +
                   (len > 0 ? std::string(text, len) : "error code " + std::to_string(rc)));
}

// A private duplicate of the caller's communicator whose errors come back as return codes
// (so they become MpiError) without changing the caller's error handler.
class ReturningComm {
public:
    explicit ReturningComm(MPI_Comm comm) {
        check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
        const int rc = MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
        if (rc != MPI_SUCCESS) {
            MPI_Comm_free(&comm_);
            check(rc, "MPI_Comm_set_errhandler");
        }
    }
    ~ReturningComm() { MPI_Comm_free(&comm_); }
    ReturningComm(const ReturningComm&) = delete;
    ReturningComm& operator=(const ReturningComm&) = delete;
    MPI_Comm get() const { return comm_; }

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
};

// One MPI_Alltoallv of byte slices [offset, offset + count) of each peer's buffer, staged
// through contiguous buffers. Callers guarantee that each side's total fits in int.
void alltoallv_slice(const std::vector<std::vector<std::byte>>& send, std::vector<std::vector<std::byte>>& recv,
                     std::uint64_t offset, std::uint64_t chunk, MPI_Comm comm) {
    const auto p = static_cast<int>(send.size());
    std::vector<int> scount(p), sdispl(p), rcount(p), rdispl(p);
    std::uint64_t stotal = 0, rtotal = 0;
    for (int r = 0; r < p; ++r) {
        const std::uint64_t ss = send[r].size(), rs = recv[r].size();
        scount[r] = static_cast<int>(ss > offset ? std::min(chunk, ss - offset) : 0);
        rcount[r] = static_cast<int>(rs > offset ? std::min(chunk, rs - offset) : 0);
        sdispl[r] = static_cast<int>(stotal);
        rdispl[r] = static_cast<int>(rtotal);
        stotal += static_cast<std::uint64_t>(scount[r]);
        rtotal += static_cast<std::uint64_t>(rcount[r]);
    }
    // Never hand MPI a null pointer, even for an all-empty round.
    std::vector<std::byte> sbuf(std::max<std::uint64_t>(stotal, 1)), rbuf(std::max<std::uint64_t>(rtotal, 1));
    for (int r = 0; r < p; ++r)
        if (scount[r] > 0) std::memcpy(sbuf.data() + sdispl[r], send[r].data() + offset, scount[r]);
    check(MPI_Alltoallv(sbuf.data(), scount.data(), sdispl.data(), MPI_BYTE, rbuf.data(), rcount.data(),
                        rdispl.data(), MPI_BYTE, comm),
          "MPI_Alltoallv");
    for (int r = 0; r < p; ++r)
        if (rcount[r] > 0) std::memcpy(recv[r].data() + offset, rbuf.data() + rdispl[r], rcount[r]);
}

}  // namespace

std::vector<std::vector<std::byte>> exchange(const std::vector<std::vector<std::byte>>& send, MPI_Comm comm) {
    return exchange(send, comm, static_cast<std::size_t>(INT_MAX));
}

std::vector<std::vector<std::byte>> exchange(const std::vector<std::vector<std::byte>>& send, MPI_Comm comm,
                                             std::size_t max_message_bytes) {
    int p = 0;
    check(MPI_Comm_size(comm, &p), "MPI_Comm_size");
    if (static_cast<int>(send.size()) != p)
        throw ConfigError("partition shuffle: " + std::to_string(send.size()) + " send buffers for a communicator of " +
                          std::to_string(p) + " ranks");
    const std::uint64_t limit = std::clamp<std::uint64_t>(max_message_bytes, 1, INT_MAX);
    ReturningComm dup(comm);

    std::vector<std::uint64_t> ssize(p), rsize(p);
    for (int r = 0; r < p; ++r) ssize[r] = send[r].size();
    check(MPI_Alltoall(ssize.data(), 1, MPI_UINT64_T, rsize.data(), 1, MPI_UINT64_T, dup.get()), "MPI_Alltoall");

    std::vector<std::vector<std::byte>> recv(p);
    for (int r = 0; r < p; ++r) recv[r].resize(rsize[r]);

    // Every rank must take the same path, so agree on the largest per-rank total and the
    // largest single pair across the communicator.
    std::uint64_t local[2] = {0, 0}, global[2] = {0, 0};
    std::uint64_t stotal = 0, rtotal = 0;
    for (int r = 0; r < p; ++r) {
        stotal += ssize[r];
        rtotal += rsize[r];
        local[1] = std::max({local[1], ssize[r], rsize[r]});
    }
    local[0] = std::max(stotal, rtotal);
    check(MPI_Allreduce(local, global, 2, MPI_UINT64_T, MPI_MAX, dup.get()), "MPI_Allreduce");

    if (global[0] <= limit) {
        alltoallv_slice(send, recv, 0, limit, dup.get());
        return recv;
    }
    // Rounds: pair slice k covers bytes [k * chunk, (k + 1) * chunk), so no rank's total in a
    // round exceeds p * chunk <= limit and every count and displacement fits in int.
    const std::uint64_t chunk = std::max<std::uint64_t>(limit / static_cast<std::uint64_t>(p), 1);
    const std::uint64_t rounds = (global[1] + chunk - 1) / chunk;
    for (std::uint64_t k = 0; k < rounds; ++k) alltoallv_slice(send, recv, k * chunk, chunk, dup.get());
    return recv;
}

}  // namespace mhbench::partition
