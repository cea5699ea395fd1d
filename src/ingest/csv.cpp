#include "ingest/csv.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "model/errors.hpp"

namespace mhbench::ingest {

bool split_csv(std::string_view line, CsvFields& out) {
    out.values.clear();
    out.owned.clear();
    // Unescaped copies are viewed in place, so `owned` must never reallocate.
    if (line.find('"') != std::string_view::npos) out.owned.reserve(line.size() / 2 + 1);
    std::size_t i = 0, n = line.size();
    while (true) {
        if (i < n && line[i] == '"') {
            std::size_t j = i + 1;
            bool escaped = false;
            std::size_t q;
            while (true) {
                q = line.find('"', j);
                if (q == std::string_view::npos) return false;
                if (q + 1 < n && line[q + 1] == '"') {
                    escaped = true;
                    j = q + 2;
                    continue;
                }
                break;
            }
            std::string_view raw = line.substr(i + 1, q - i - 1);
            if (escaped) {
                std::string s;
                for (std::size_t k = 0; k < raw.size(); ++k) {
                    s += raw[k];
                    if (raw[k] == '"') ++k;
                }
                out.owned.push_back(std::move(s));
                out.values.emplace_back(out.owned.back());
            } else {
                out.values.push_back(raw);
            }
            i = q + 1;
            if (i < n && line[i] != ',') return false;
        } else {
            std::size_t c = line.find(',', i);
            std::size_t end = c == std::string_view::npos ? n : c;
            std::string_view v = line.substr(i, end - i);
            if (v.find('"') != std::string_view::npos) return false;
            out.values.push_back(v);
            i = end;
        }
        if (i >= n) break;
        ++i;  // the comma
        if (i == n) {
            out.values.emplace_back();
            break;
        }
    }
    return true;
}

namespace {

struct File {
    int fd = -1;
    explicit File(const std::filesystem::path& p) : fd(::open(p.c_str(), O_RDONLY)) {
        if (fd < 0) throw IoError("cannot open " + p.string() + ": " + std::strerror(errno));
    }
    ~File() {
        if (fd >= 0) ::close(fd);
    }
    std::size_t read_at(char* buf, std::size_t n, std::int64_t off, const std::filesystem::path& p) const {
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(fd, buf + got, n - got, off + static_cast<std::int64_t>(got));
            if (r < 0) throw IoError("cannot read " + p.string() + ": " + std::strerror(errno));
            if (r == 0) break;
            got += static_cast<std::size_t>(r);
        }
        return got;
    }
};

constexpr std::size_t kBlock = 8u << 20;

// Offset just past the header line.
std::int64_t header_end(const File& f, const std::filesystem::path& p, std::int64_t size, std::string* header) {
    std::string buf;
    std::int64_t off = 0;
    std::vector<char> block(1 << 16);
    while (off < size) {
        std::size_t got = f.read_at(block.data(), block.size(), off, p);
        if (got == 0) break;
        const char* nl = static_cast<const char*>(std::memchr(block.data(), '\n', got));
        if (nl) {
            buf.append(block.data(), static_cast<std::size_t>(nl - block.data()));
            if (header) *header = buf;
            return off + (nl - block.data()) + 1;
        }
        buf.append(block.data(), got);
        off += static_cast<std::int64_t>(got);
    }
    if (header) *header = buf;
    return size;
}

}  // namespace

std::vector<std::string> read_csv_header(const std::filesystem::path& file) {
    File f(file);
    auto size = static_cast<std::int64_t>(std::filesystem::file_size(file));
    std::string line;
    header_end(f, file, size, &line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
    if (line.empty()) throw IoError("file " + file.string() + " is empty: expected a header row");
    CsvFields fields;
    if (!split_csv(line, fields)) throw IoError("file " + file.string() + ": malformed header row");
    std::vector<std::string> out;
    for (auto v : fields.values) out.emplace_back(v);
    return out;
}

std::int64_t for_each_line(const std::filesystem::path& file, int rank, int ranks,
                           const std::function<void(std::string_view, std::int64_t)>& visit) {
    File f(file);
    auto size = static_cast<std::int64_t>(std::filesystem::file_size(file));
    std::int64_t data = header_end(f, file, size, nullptr);
    std::int64_t span = size - data;
    std::int64_t lo = data + span * rank / ranks, hi = data + span * (rank + 1) / ranks;
    // A line belongs to the rank whose share holds its first byte: move lo to the next line start.
    if (lo > data) {
        char c = 0;
        f.read_at(&c, 1, lo - 1, file);
        while (c != '\n' && lo < size) {
            f.read_at(&c, 1, lo, file);
            ++lo;
        }
    }
    std::int64_t count = 0;
    std::string carry;
    std::vector<char> block(kBlock);
    std::int64_t off = lo;
    bool done = lo >= hi;
    while (!done) {
        std::size_t got = f.read_at(block.data(), block.size(), off, file);
        if (got == 0) {
            if (!carry.empty()) {
                std::string_view line(carry);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                visit(line, count++);
            }
            break;
        }
        const char* p = block.data();
        const char* end = p + got;
        while (p < end) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
            if (!nl) {
                carry.append(p, static_cast<std::size_t>(end - p));
                break;
            }
            std::string_view line;
            if (!carry.empty()) {
                carry.append(p, static_cast<std::size_t>(nl - p));
                line = carry;
            } else {
                line = std::string_view(p, static_cast<std::size_t>(nl - p));
            }
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            visit(line, count++);
            carry.clear();
            p = nl + 1;
            if (off + (p - block.data()) >= hi) {
                done = true;
                break;
            }
        }
        off += static_cast<std::int64_t>(got);
    }
    return count;
}

}  // namespace mhbench::ingest
