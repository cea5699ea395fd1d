// MPI reduction of exact accumulators: any split of a data set over any number of ranks gives
// the serial result, on the root (any root) or, with allreduce, everywhere; large archives pass.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"

using namespace mhbench;
using namespace mhbench::reduce;

namespace {

struct Key {
    std::int32_t org = 0;
    std::int16_t unit = 0;
    auto operator<=>(const Key&) const = default;
    bool operator==(const Key&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & org & unit; }
};

struct State {
    KeyedMap<Key, Moments> moments;
    KeyedMap<std::int32_t, Histogram> scores;
    DistinctSet people;
    void merge(const State& o) {
        moments.merge(o.moments);
        scores.merge(o.scores);
        people.merge(o.people);
    }
    friend bool operator==(const State&, const State&) = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & moments & scores & people; }
};

constexpr std::int64_t kItems = 20000;

std::uint64_t mix(std::uint64_t x) {  // splitmix64 finaliser: a deterministic pseudo-random item
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void add_item(State& s, std::int64_t i) {
    const std::uint64_t h = mix(static_cast<std::uint64_t>(i));
    const Key k{static_cast<std::int32_t>(h % 37), static_cast<std::int16_t>((h >> 8) % 5)};
    s.moments[k].add(static_cast<std::int64_t>((h >> 16) % 2000) - 300);
    s.scores[k.org].add(static_cast<std::int64_t>((h >> 32) % 28));
    s.people.add(mix(static_cast<std::uint64_t>(i % 5000)));
}

State serial_state() {
    State s;
    for (std::int64_t i = 0; i < kItems; ++i) add_item(s, i);
    return s;
}

int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
int world_size() {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

State strided_share() {
    State s;
    for (std::int64_t i = world_rank(); i < kItems; i += world_size()) add_item(s, i);
    return s;
}

State contiguous_share() {
    State s;
    const std::int64_t r = world_rank(), p = world_size();
    for (std::int64_t i = kItems * r / p; i < kItems * (r + 1) / p; ++i) add_item(s, i);
    return s;
}

// Lowers the piece size for one test so small and large messages both go in several pieces.
struct ChunkGuard {
    std::size_t saved = detail::chunk_bytes;
    explicit ChunkGuard(std::size_t n) { detail::chunk_bytes = n; }
    ~ChunkGuard() { detail::chunk_bytes = saved; }
};

}  // namespace

TEST(ReduceMpi, reduce_to_root_equals_serial_for_every_root) {
    const State serial = serial_state();
    for (auto share : {strided_share(), contiguous_share()}) {
        for (int root = 0; root < world_size(); ++root) {
            State got = reduce_to_root(share, MPI_COMM_WORLD, root);
            if (world_rank() == root) {
                EXPECT_TRUE(got == serial) << "root " << root;
                EXPECT_EQ(to_bytes(got), to_bytes(serial));
            } else {
                EXPECT_TRUE(got == State{}) << "non-root gets an empty value";
            }
        }
    }
}

TEST(ReduceMpi, allreduce_equals_serial_on_every_rank) {
    const State serial = serial_state();
    const auto serial_bytes = to_bytes(serial);
    for (auto share : {strided_share(), contiguous_share()}) {
        State got = allreduce(share, MPI_COMM_WORLD);
        EXPECT_TRUE(got == serial) << "rank " << world_rank();
        EXPECT_EQ(to_bytes(got), serial_bytes);
        const Moments* m = got.moments.find({5, 2});
        ASSERT_NE(m, nullptr);
        EXPECT_EQ(std::bit_cast<std::uint64_t>(m->sd()),
                  std::bit_cast<std::uint64_t>(serial.moments.find({5, 2})->sd()));
    }
}

TEST(ReduceMpi, small_pieces) {
    ChunkGuard guard(7);  // every message split into 7-byte pieces
    const State serial = serial_state();
    EXPECT_TRUE(allreduce(strided_share(), MPI_COMM_WORLD) == serial);
    const int root = world_size() - 1;
    State got = reduce_to_root(contiguous_share(), MPI_COMM_WORLD, root);
    if (world_rank() == root) {
        EXPECT_TRUE(got == serial);
    }
}

TEST(ReduceMpi, large_payload_round_trips) {
    // 10M distinct keys: an 80 MB archive, sent and broadcast in 16 MB (+3) pieces.
    constexpr std::uint64_t kKeys = 10'000'000;
    ChunkGuard guard((std::size_t{1} << 24) + 3);
    const std::uint64_t r = static_cast<std::uint64_t>(world_rank()), p = static_cast<std::uint64_t>(world_size());
    DistinctSet local;
    local.keys.reserve(kKeys / p + 1);
    std::uint64_t expect_xor = 0;
    for (std::uint64_t i = 0; i < kKeys; ++i) {
        const std::uint64_t k = mix(i);
        expect_xor ^= k;
        if (i % p == r) local.add(k);
    }
    DistinctSet all = allreduce(local, MPI_COMM_WORLD);
    ASSERT_EQ(all.size(), static_cast<std::int64_t>(kKeys));
    std::uint64_t got_xor = 0;
    for (auto k : all.keys) got_xor ^= k;
    EXPECT_EQ(got_xor, expect_xor);
    EXPECT_TRUE(std::is_sorted(all.keys.begin(), all.keys.end()));

    const int root = world_size() / 2;  // a root other than 0 once there are 2 ranks
    DistinctSet at_root = reduce_to_root(local, MPI_COMM_WORLD, root);
    if (world_rank() == root) {
        EXPECT_GT(to_bytes(at_root).size(), std::size_t{64} << 20);
        EXPECT_TRUE(at_root == all);
    }
}

TEST(ReduceMpi, merge_error_reaches_every_rank_without_hanging) {
    Moments m;
    m.add(3037000499);  // any two of these overflow the sum of squares when merged
    if (world_size() == 1) {
        EXPECT_EQ(allreduce(m, MPI_COMM_WORLD), m);
        return;
    }
    EXPECT_THROW(allreduce(m, MPI_COMM_WORLD), Error);
    const int root = world_size() - 1;
    if (world_rank() == root) {
        EXPECT_THROW(reduce_to_root(m, MPI_COMM_WORLD, root), Error);
    } else {
        try {  // ranks on the failing path throw too; the others return
            reduce_to_root(m, MPI_COMM_WORLD, root);
        } catch (const Error&) {
        }
    }
    // The communicator is still usable afterwards.
    Count c{1};
    EXPECT_EQ(allreduce(c, MPI_COMM_WORLD).n, world_size());
}

TEST(ReduceMpi, bad_root_and_caller_handler_untouched) {
    EXPECT_THROW(reduce_to_root(Count{1}, MPI_COMM_WORLD, world_size()), MpiError);
    EXPECT_THROW(reduce_to_root(Count{1}, MPI_COMM_WORLD, -1), MpiError);
    MPI_Errhandler h;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &h);
    EXPECT_EQ(h, MPI_ERRORS_ARE_FATAL);
    MPI_Errhandler_free(&h);
    EXPECT_EQ(reduce_to_root(Count{2}, MPI_COMM_WORLD, 0).n, world_rank() == 0 ? 2 * world_size() : 0);
}
