#pragma once
// Digests of a store's contents, recorded at ingest and checked by the readers
// (docs/store-format.md, "Digests"): one XXH3-128 per provider block of every column and
// children index, and one per small object (provider index, dictionary, provider list,
// organisation lookup, quarantine). A job checks the blocks it reads, in memory, as it reads them.
#include <mpi.h>
#include <xxhash.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mhbench::store {

/// XXH3-128 as (low, high) 64-bit words, the order the digest datasets hold them in.
using Digest = std::array<std::uint64_t, 2>;

/// Where the digests live in the file.
inline constexpr const char* kDigestGroup = "/digests";
inline constexpr const char* kObjectPaths = "/digests/objects/path";
inline constexpr const char* kObjectDigests = "/digests/objects/digest";
/// The block digests of one table: /digests/<data set>/<table>.
std::string block_digests_path(const std::string& table_group);

/// Incremental XXH3-128 over values as they are held in memory (and in the file).
class Digester {
public:
    Digester();
    Digester& bytes(const void* data, std::size_t n);
    template <class T> Digester& values(std::span<const T> v) { return bytes(v.data(), v.size_bytes()); }
    /// A list of strings, unambiguously: the count, then each length and its bytes.
    Digester& strings(const std::vector<std::string>& v);
    Digest done() const;

private:
    struct Free {
        void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
    };
    std::unique_ptr<XXH3_state_t, Free> state_;
};

Digest digest_of(const void* data, std::size_t n);

/// Rows [first, last) of provider p's block in a table with CSR `offsets`: the provider's rows,
/// and for a children index also the offset that closes them (so a block fixes its child slice).
std::pair<std::int64_t, std::int64_t> block_rows(std::span<const std::int64_t> offsets, std::size_t p,
                                                 bool children_index);

/// Collective: when any rank found damage (a non-empty message), every rank throws StoreError
/// with the message of the lowest such rank; a rank failing alone would leave the others
/// waiting in the next collective.
void agree_on_damage(MPI_Comm comm, std::string damage);

}  // namespace mhbench::store
