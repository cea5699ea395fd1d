#include "store/digests.hpp"

#include "model/errors.hpp"

namespace mhbench::store {

std::string block_digests_path(const std::string& table_group) { return std::string(kDigestGroup) + table_group; }

Digester::Digester() : state_(XXH3_createState()) {
    if (!state_ || XXH3_128bits_reset(state_.get()) != XXH_OK) throw StoreError("cannot set up a digest");
}

Digester& Digester::bytes(const void* data, std::size_t n) {
    if (n) XXH3_128bits_update(state_.get(), data, n);
    return *this;
}

Digester& Digester::strings(const std::vector<std::string>& v) {
    const std::uint64_t count = v.size();
    bytes(&count, sizeof count);
    for (const auto& s : v) {
        const std::uint64_t len = s.size();
        bytes(&len, sizeof len);
        bytes(s.data(), s.size());
    }
    return *this;
}

Digest Digester::done() const {
    const XXH128_hash_t h = XXH3_128bits_digest(state_.get());
    return {h.low64, h.high64};
}

Digest digest_of(const void* data, std::size_t n) {
    const XXH128_hash_t h = XXH3_128bits(data, n);
    return {h.low64, h.high64};
}

std::pair<std::int64_t, std::int64_t> block_rows(std::span<const std::int64_t> offsets, std::size_t p,
                                                 bool children_index) {
    const std::int64_t first = offsets[p], last = offsets[p + 1];
    return {first, last + (children_index && last > first ? 1 : 0)};
}

void agree_on_damage(MPI_Comm comm, std::string damage) {
    if (comm == MPI_COMM_NULL) {
        if (!damage.empty()) throw StoreError(damage);
        return;
    }
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int finder = damage.empty() ? size : rank;
    MPI_Allreduce(MPI_IN_PLACE, &finder, 1, MPI_INT, MPI_MIN, comm);
    if (finder == size) return;
    int len = static_cast<int>(damage.size());
    MPI_Bcast(&len, 1, MPI_INT, finder, comm);
    damage.resize(static_cast<std::size_t>(len));
    MPI_Bcast(damage.data(), len, MPI_CHAR, finder, comm);
    throw StoreError(damage);
}

}  // namespace mhbench::store
