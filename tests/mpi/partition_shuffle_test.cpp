#include <gtest/gtest.h>
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/errors.hpp"
#include "partition/shuffle.hpp"

namespace mp = mhbench::partition;

namespace {

// Deterministic payload from src to dst: some pairs (including some to self) are empty.
std::vector<std::byte> payload(int src, int dst, std::size_t scale) {
    if ((src + 2 * dst) % 3 == 1) return {};
    const std::size_t n = scale * (1 + (src * 7 + dst * 5) % 11) + static_cast<std::size_t>(src + dst);
    std::vector<std::byte> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((src * 131 + dst * 31 + i * 7 + i / 251) & 0xFF);
    return out;
}

void check_exchange(std::size_t scale, std::size_t max_message_bytes, bool use_default) {
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    std::vector<std::vector<std::byte>> send(size);
    for (int d = 0; d < size; ++d) send[d] = payload(rank, d, scale);
    const auto recv = use_default ? mp::exchange(send, MPI_COMM_WORLD)
                                  : mp::exchange(send, MPI_COMM_WORLD, max_message_bytes);
    ASSERT_EQ(recv.size(), static_cast<std::size_t>(size));
    for (int s = 0; s < size; ++s) EXPECT_EQ(recv[s], payload(s, rank, scale)) << "from rank " << s << " to " << rank;
}

}  // namespace

TEST(PartitionShuffle, SinglePathDefaultLimit) { check_exchange(100, 0, true); }

TEST(PartitionShuffle, RoundsWithSmallLimit) {
    // Up to ~2.2 kB per pair against 1000 bytes per call: several rounds at every rank count.
    check_exchange(200, 1000, false);
}

TEST(PartitionShuffle, RoundsWithLimitSmallerThanRankCount) {
    // Chunk of one byte per pair per round.
    check_exchange(3, 1, false);
}

TEST(PartitionShuffle, LargeLimitTakesSinglePath) {
    // A limit too large to force rounds still gives the same bytes.
    check_exchange(50, 1 << 20, false);
}

TEST(PartitionShuffle, AllEmpty) {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const std::vector<std::vector<std::byte>> send(size);
    for (std::size_t limit : {std::size_t{1}, std::size_t{1000}}) {
        const auto recv = mp::exchange(send, MPI_COMM_WORLD, limit);
        ASSERT_EQ(recv.size(), static_cast<std::size_t>(size));
        for (const auto& r : recv) EXPECT_TRUE(r.empty());
    }
}

TEST(PartitionShuffle, WrongBufferCountThrowsBeforeCommunicating) {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const std::vector<std::vector<std::byte>> send(size + 1);
    EXPECT_THROW(mp::exchange(send, MPI_COMM_WORLD), mhbench::ConfigError);
}

TEST(PartitionShuffle, LeavesCallersErrorHandlerAlone) {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Errhandler before = MPI_ERRHANDLER_NULL, after = MPI_ERRHANDLER_NULL;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &before);
    mp::exchange(std::vector<std::vector<std::byte>>(size), MPI_COMM_WORLD);
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &after);
    EXPECT_EQ(before, after);
    MPI_Errhandler_free(&before);
    MPI_Errhandler_free(&after);
}
