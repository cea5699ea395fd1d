#include <gtest/gtest.h>

#include <cstdio>

#include "model/errors.hpp"
#include "report/digest.hpp"
#include "store/digests.hpp"

using namespace mhbench;
using namespace mhbench::store;

namespace {

// The canonical text of a digest's words (high word first), as report::digest_* print it.
std::string canonical(const Digest& d) {
    char b[40];
    std::snprintf(b, sizeof b, "xxh128:%016llx%016llx", static_cast<unsigned long long>(d[1]),
                  static_cast<unsigned long long>(d[0]));
    return b;
}

}  // namespace

TEST(StoreDigests, WordsAreTheXxh128OfTheBytes) {
    EXPECT_EQ(canonical(digest_of("", 0)), "xxh128:99aa06d3014798d86001c324468d497f");
    EXPECT_EQ(canonical(digest_of("abc", 3)), report::digest_string("abc"));
    // Incremental over pieces equals the digest of the whole (a children block is digested as
    // its rows, then its closing offset).
    EXPECT_EQ(Digester().bytes("ab", 2).bytes("c", 1).done(), digest_of("abc", 3));
}

TEST(StoreDigests, StringListsAreUnambiguous) {
    const std::vector<std::string> a{"ab", "c"}, b{"a", "bc"}, c{"abc"}, none{};
    EXPECT_NE(Digester().strings(a).done(), Digester().strings(b).done());
    EXPECT_NE(Digester().strings(a).done(), Digester().strings(c).done());
    // Count 0 as one little-endian uint64, nothing else.
    const std::uint64_t zero = 0;
    EXPECT_EQ(Digester().strings(none).done(), digest_of(&zero, sizeof zero));
}

TEST(StoreDigests, BlockRowsPerProviderWithTheClosingOffsetOfAChildrenIndex) {
    const std::vector<std::int64_t> off{0, 3, 3, 7};
    using R = std::pair<std::int64_t, std::int64_t>;
    EXPECT_EQ(block_rows(off, 0, false), (R{0, 3}));
    EXPECT_EQ(block_rows(off, 1, false), (R{3, 3}));  // no rows: no block
    EXPECT_EQ(block_rows(off, 2, false), (R{3, 7}));
    EXPECT_EQ(block_rows(off, 0, true), (R{0, 4}));
    EXPECT_EQ(block_rows(off, 1, true), (R{3, 3}));
    EXPECT_EQ(block_rows(off, 2, true), (R{3, 8}));
}

TEST(StoreDigests, DamageWithoutACommunicatorIsThrownAsItIs) {
    EXPECT_NO_THROW(agree_on_damage(MPI_COMM_NULL, ""));
    try {
        agree_on_damage(MPI_COMM_NULL, "S: /iapt/T/C rows 0-2 (provider P) does not match");
        FAIL() << "no StoreError";
    } catch (const StoreError& e) {
        EXPECT_STREQ(e.what(), "S: /iapt/T/C rows 0-2 (provider P) does not match");
    }
}
