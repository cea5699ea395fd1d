#include "report/digest.hpp"

#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "model/errors.hpp"

namespace mhbench::report {

namespace {

std::string format(XXH128_hash_t h) {
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    static constexpr char hex[] = "0123456789abcdef";
    std::string s(digest_prefix);
    for (unsigned char b : c.digest) {
        s += hex[b >> 4];
        s += hex[b & 0xf];
    }
    return s;
}

struct StateDeleter {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
};
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string digest_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw IoError("cannot digest " + file.string() + ": it is a directory");
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(file.c_str(), "rb"));
    if (!f) throw IoError("cannot open " + file.string() + " to digest it: " + std::strerror(errno));
    std::unique_ptr<XXH3_state_t, StateDeleter> state(XXH3_createState());
    if (!state || XXH3_128bits_reset(state.get()) != XXH_OK) throw IoError("cannot set up a digest for " + file.string());
    std::vector<unsigned char> block(std::size_t{1} << 20);
    for (;;) {
        std::size_t got = std::fread(block.data(), 1, block.size(), f.get());
        if (got > 0) XXH3_128bits_update(state.get(), block.data(), got);
        if (got < block.size()) {
            if (std::ferror(f.get())) throw IoError("error reading " + file.string() + " to digest it");
            break;
        }
    }
    return format(XXH3_128bits_digest(state.get()));
}

std::string digest_bytes(std::span<const std::byte> bytes) {
    return format(XXH3_128bits(bytes.data(), bytes.size()));
}

std::string digest_string(std::string_view text) {
    return digest_bytes(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

bool is_digest(std::string_view s) {
    if (s.size() != digest_prefix.size() + 32 || s.substr(0, digest_prefix.size()) != digest_prefix) return false;
    for (char c : s.substr(digest_prefix.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace mhbench::report
