#pragma once
// Content digests for manifests and restart decisions: XXH3 128-bit, written "xxh128:<32 hex>"
// (the canonical big-endian form that `xxhsum -H2` prints). Fast, not cryptographic: it tells
// whether an input changed, not whether someone tampered with it.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace mhbench::report {

inline constexpr std::string_view digest_prefix = "xxh128:";

/// Digest of a file's bytes, read in 1 MiB blocks; IoError naming the file when unreadable.
std::string digest_file(const std::filesystem::path& file);
/// Digest of bytes in memory; digest_bytes(b) == digest_file(f) when f holds exactly b.
std::string digest_bytes(std::span<const std::byte> bytes);
/// Convenience for text held in memory.
std::string digest_string(std::string_view text);
/// Whether `s` has the form "xxh128:" followed by 32 lower-case hex digits.
bool is_digest(std::string_view s);

}  // namespace mhbench::report
