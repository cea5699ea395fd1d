#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "model/errors.hpp"
#include "report/digest.hpp"

namespace fs = std::filesystem;
using namespace mhbench;
using namespace mhbench::report;

namespace {

fs::path scratch(const std::string& test) {
    fs::path p = fs::temp_directory_path() / ("mhbench_report_digest_" + std::to_string(::getpid()) + "_" + test);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

}  // namespace

TEST(ReportDigest, KnownValues) {
    // XXH3-128 of the empty input, as printed by `xxhsum -H2`.
    EXPECT_EQ(digest_string(""), "xxh128:99aa06d3014798d86001c324468d497f");
    EXPECT_TRUE(is_digest(digest_string("abc")));
    EXPECT_NE(digest_string("abc"), digest_string("abd"));
    EXPECT_FALSE(is_digest("xxh128:99AA06D3014798D86001C324468D497F"));
    EXPECT_FALSE(is_digest("xxh128:99aa"));
    EXPECT_FALSE(is_digest("data/file.csv"));
}

TEST(ReportDigest, FileMatchesBytesAcrossBlockBoundaries) {
    fs::path dir = scratch("blocks");
    // Just over two 1 MiB blocks, so the streaming path is exercised.
    std::string data((2u << 20) + 12345, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
    {
        std::ofstream f(dir / "x.bin", std::ios::binary);
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    EXPECT_EQ(digest_file(dir / "x.bin"), digest_string(data));
    EXPECT_EQ(digest_file(dir / "x.bin"),
              digest_bytes(std::as_bytes(std::span<const char>(data.data(), data.size()))));
    {
        std::ofstream f(dir / "empty", std::ios::binary);
    }
    EXPECT_EQ(digest_file(dir / "empty"), digest_string(""));
    fs::remove_all(dir);
}

TEST(ReportDigest, UnreadableFileIsAnIoErrorNamingIt) {
    fs::path dir = scratch("unreadable");
    try {
        digest_file(dir / "absent.csv");
        FAIL() << "no exception";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("absent.csv"), std::string::npos);
    }
    EXPECT_THROW(digest_file(dir), IoError);  // a directory
    fs::remove_all(dir);
}
