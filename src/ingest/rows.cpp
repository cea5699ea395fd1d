#include "ingest/rows.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_sort.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <numeric>

#include "model/dates.hpp"
#include "model/errors.hpp"

namespace mhbench::ingest {

std::string_view reason_name(Reason r) {
    switch (r) {
        case Reason::Unparseable: return "unparseable";
        case Reason::MissingKey: return "missing_key";
        case Reason::UnknownSubmission: return "unknown_submission";
        case Reason::ProviderMismatch: return "provider_mismatch";
        case Reason::Duplicate: return "duplicate";
        case Reason::Orphan: return "orphan";
    }
    return "?";
}

namespace {
std::size_t width(ColumnKind k) {
    switch (k) {
        case ColumnKind::Id: return 8;
        case ColumnKind::Code: return 2;
        default: return 4;
    }
}
template <class T> T get(const std::byte*& p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
}
}  // namespace

RowBatch::RowBatch(const TableSpec* s) : spec(s) {
    if (!s) return;
    cols.resize(s->columns.size());
    for (std::size_t c = 0; c < cols.size(); ++c) cols[c].kind = s->columns[c].kind;
}

std::size_t RowBatch::row_bytes() const {
    std::size_t n = 4 + 4 + 8;
    for (const auto& c : cols) n += width(c.kind);
    return n;
}

std::uint64_t RowBatch::value(std::size_t c, std::size_t r) const {
    const auto& col = cols[c];
    switch (col.kind) {
        case ColumnKind::Id: return col.id[r];
        case ColumnKind::Code: return col.code[r];
        default: return static_cast<std::uint64_t>(static_cast<std::uint32_t>(col.num[r]) ^ 0x80000000u);  // order-preserving
    }
}

Key RowBatch::key(std::span<const int> key_cols, std::size_t r) const {
    Key k{};
    for (std::size_t i = 0; i < key_cols.size() && i < k.size(); ++i) k[i] = value(static_cast<std::size_t>(key_cols[i]), r);
    return k;
}

void RowBatch::append_from(const RowBatch& o, std::size_t r) {
    provider.push_back(o.provider[r]);
    seq.push_back(o.seq[r]);
    line.push_back(o.line[r]);
    for (std::size_t c = 0; c < cols.size(); ++c) {
        switch (cols[c].kind) {
            case ColumnKind::Id: cols[c].id.push_back(o.cols[c].id[r]); break;
            case ColumnKind::Code: cols[c].code.push_back(o.cols[c].code[r]); break;
            default: cols[c].num.push_back(o.cols[c].num[r]); break;
        }
    }
}

RowBatch RowBatch::take(std::span<const std::uint32_t> rows) const {
    RowBatch out(spec);
    auto gather = [&](const auto& src, auto& dst) {
        dst.resize(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) dst[i] = src[rows[i]];
    };
    // One task per column: each writes only its own destination.
    tbb::parallel_for(std::size_t{0}, cols.size() + 3, [&](std::size_t c) {
        if (c == cols.size()) return gather(provider, out.provider);
        if (c == cols.size() + 1) return gather(seq, out.seq);
        if (c == cols.size() + 2) return gather(line, out.line);
        switch (cols[c].kind) {
            case ColumnKind::Id: gather(cols[c].id, out.cols[c].id); break;
            case ColumnKind::Code: gather(cols[c].code, out.cols[c].code); break;
            default: gather(cols[c].num, out.cols[c].num); break;
        }
    });
    return out;
}

void RowBatch::pack(std::span<const std::uint32_t> rows, std::vector<std::byte>& out) const {
    const std::size_t w = row_bytes(), at = out.size();
    out.resize(at + rows.size() * w);
    // Fixed-width rows: each lands at its own offset, so the rows are packed on all threads.
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, rows.size(), std::size_t{1} << 14), [&](const auto& range) {
        for (std::size_t i = range.begin(); i < range.end(); ++i) {
            const std::size_t r = rows[i];
            std::byte* p = out.data() + at + i * w;
            auto put_at = [&p](auto v) {
                std::memcpy(p, &v, sizeof v);
                p += sizeof v;
            };
            put_at(provider[r]);
            put_at(seq[r]);
            put_at(line[r]);
            for (const auto& c : cols) {
                switch (c.kind) {
                    case ColumnKind::Id: put_at(c.id[r]); break;
                    case ColumnKind::Code: put_at(c.code[r]); break;
                    default: put_at(c.num[r]); break;
                }
            }
        }
    });
}

void RowBatch::unpack(std::span<const std::byte> bytes) {
    const std::size_t w = row_bytes();
    if (bytes.size() % w != 0) throw Error("internal: shuffled rows of " + spec->name + " have a partial row");
    const std::size_t n = bytes.size() / w, at = size();
    provider.resize(at + n);
    seq.resize(at + n);
    line.resize(at + n);
    for (auto& c : cols) {
        switch (c.kind) {
            case ColumnKind::Id: c.id.resize(at + n); break;
            case ColumnKind::Code: c.code.resize(at + n); break;
            default: c.num.resize(at + n); break;
        }
    }
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, std::size_t{1} << 14), [&](const auto& range) {
        for (std::size_t i = range.begin(); i < range.end(); ++i) {
            const std::byte* p = bytes.data() + i * w;
            const std::size_t r = at + i;
            provider[r] = get<std::int32_t>(p);
            seq[r] = get<std::int32_t>(p);
            line[r] = get<std::int64_t>(p);
            for (auto& c : cols) {
                switch (c.kind) {
                    case ColumnKind::Id: c.id[r] = get<std::uint64_t>(p); break;
                    case ColumnKind::Code: c.code[r] = get<std::uint16_t>(p); break;
                    default: c.num[r] = get<std::int32_t>(p); break;
                }
            }
        }
    });
}

std::vector<int> column_indices(const TableSpec& spec, std::span<const std::string> names) {
    std::vector<int> out;
    for (const auto& n : names) {
        int i = spec.column_index(n);
        if (i < 0) throw ConfigError("table " + spec.name + " has no column " + n);
        out.push_back(i);
    }
    return out;
}

std::uint64_t hash_id(std::string_view text) {
    // A fixed key: the same identifier gets the same pseudonym in every run and store.
    constexpr XXH64_hash_t kKey = 0x6d6862656e636831ULL;
    std::uint64_t h = XXH3_64bits_withSeed(text.data(), text.size(), kKey);
    return h == 0 ? 1 : h;
}

bool parse_score(std::string_view s, std::int32_t& out) {
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    auto dot = s.find('.');
    std::string_view whole = s.substr(0, dot), frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
    if (whole.empty() && frac.empty()) return false;
    if (frac.size() > 2 || (dot != std::string_view::npos && frac.empty())) return false;
    std::int64_t w = 0, f = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return false;
        w = w * 10 + (c - '0');
        if (w > 20000000) return false;
    }
    for (char c : frac) {
        if (c < '0' || c > '9') return false;
        f = f * 10 + (c - '0');
    }
    if (frac.size() == 1) f *= 10;
    std::int64_t v = w * 100 + f;
    out = static_cast<std::int32_t>(neg ? -v : v);
    return true;
}


namespace {
// body(r) for every row, on all threads, as the sorts that follow are.
template <class Body> void parallel_rows(std::size_t n, Body body) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, std::size_t{1} << 14), [&](const auto& range) {
        for (std::size_t r = range.begin(); r < range.end(); ++r) body(r);
    });
}

// Sorting row numbers through a comparator that looks up four columns per comparison is
// cache-hostile; the sorts below order compact records holding their sort key instead.
inline int compare_keys(const Key& a, const Key& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}
}  // namespace

Versions resolve_versions(const RowBatch& in) {
    const auto kc = column_indices(*in.spec, in.spec->key);
    struct Rec {
        Key key;
        std::int64_t line;
        std::int32_t provider, seq;
        std::uint32_t row;
    };
    std::vector<Rec> recs(in.size());
    parallel_rows(in.size(), [&](std::size_t r) {
        recs[r] = {in.key(kc, r), in.line[r], in.provider[r], in.seq[r], static_cast<std::uint32_t>(r)};
    });
    tbb::parallel_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) {
        if (a.provider != b.provider) return a.provider < b.provider;
        if (int c = compare_keys(a.key, b.key)) return c < 0;
        if (a.seq != b.seq) return a.seq > b.seq;  // latest submission first
        return a.line < b.line;
    });
    Versions v;
    std::vector<std::uint32_t> keep;
    keep.reserve(recs.size());
    std::int32_t winner_seq = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const Rec& r = recs[i];
        const bool same_record = i > 0 && recs[i - 1].provider == r.provider && compare_keys(recs[i - 1].key, r.key) == 0;
        if (!same_record) {
            keep.push_back(r.row);
            winner_seq = r.seq;
            continue;
        }
        if (r.seq == winner_seq)
            v.quarantined.push_back({r.line, Reason::Duplicate, ""});
        else
            ++v.superseded;
    }
    recs = {};
    v.kept = in.take(keep);
    return v;
}

std::vector<std::int64_t> link_parents(const RowBatch& parent, const RowBatch& child) {
    const auto pk = column_indices(*parent.spec, parent.spec->key);
    const auto ck = column_indices(*child.spec, child.spec->parent_key);
    auto by_key = [](const RowBatch& b, std::span<const int> kc) {
        std::vector<std::pair<std::pair<std::int32_t, Key>, std::uint32_t>> v(b.size());
        parallel_rows(b.size(), [&](std::size_t r) { v[r] = {{b.provider[r], b.key(kc, r)}, static_cast<std::uint32_t>(r)}; });
        tbb::parallel_sort(v.begin(), v.end());
        return v;
    };
    auto ps = by_key(parent, pk);
    auto cs = by_key(child, ck);
    std::vector<std::int64_t> out(child.size(), -1);
    std::size_t j = 0;
    for (const auto& [k, r] : cs) {
        while (j < ps.size() && ps[j].first < k) ++j;
        if (j < ps.size() && ps[j].first == k) out[r] = ps[j].second;
    }
    return out;
}

std::vector<std::uint32_t> final_order(const RowBatch& rows, std::span<const std::int64_t> parent_of) {
    const auto kc = column_indices(*rows.spec, rows.spec->key);
    const int ob = rows.spec->order_by.empty() ? -1 : rows.spec->column_index(rows.spec->order_by);
    const bool child = !parent_of.empty() || !rows.spec->parent.empty();
    // Children: (parent row, order_by value, key, line); top-level rows: (provider, key, line).
    struct Rec {
        std::int64_t major;
        std::uint64_t minor;
        Key key;
        std::int64_t line;
        std::uint32_t row;
    };
    std::vector<Rec> recs(rows.size());
    parallel_rows(rows.size(), [&](std::size_t r) {
        Rec& x = recs[r];
        x.major = child ? parent_of[r] : rows.provider[r];
        x.minor = child && ob >= 0 ? rows.value(static_cast<std::size_t>(ob), r) : 0;
        x.key = rows.key(kc, r);
        x.line = rows.line[r];
        x.row = static_cast<std::uint32_t>(r);
    });
    tbb::parallel_sort(recs.begin(), recs.end(), [](const Rec& a, const Rec& b) {
        if (a.major != b.major) return a.major < b.major;
        if (a.minor != b.minor) return a.minor < b.minor;
        if (int c = compare_keys(a.key, b.key)) return c < 0;
        return a.line < b.line;
    });
    std::vector<std::uint32_t> order(recs.size());
    parallel_rows(recs.size(), [&](std::size_t i) { order[i] = recs[i].row; });
    return order;
}

}  // namespace mhbench::ingest
