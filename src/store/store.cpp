#include "store/store.hpp"

#include <algorithm>
#include <filesystem>

#include "model/errors.hpp"

namespace mhbench::store {

namespace {

hid_t column_type(ColumnKind k) {
    switch (k) {
        case ColumnKind::Id: return H5T_NATIVE_UINT64;
        case ColumnKind::Code: return H5T_NATIVE_UINT16;
        default: return H5T_NATIVE_INT32;
    }
}

std::string group_of(Dataset d, const std::string& table) { return "/" + std::string(dataset_name(d)) + "/" + table; }

using Ranges = std::vector<std::pair<std::int64_t, std::int64_t>>;

Ranges to_pairs(std::span<const partition::RowRange> r) {
    Ranges out;
    out.reserve(r.size());
    for (const auto& x : r) out.emplace_back(x.begin, x.count);
    return out;
}

std::vector<std::int64_t> offsets_of(const std::vector<std::int64_t>& counts) {
    std::vector<std::int64_t> off(counts.size() + 1, 0);
    for (std::size_t p = 0; p < counts.size(); ++p) off[p + 1] = off[p] + counts[p];
    return off;
}

// Runs f on rank 0 only; every rank learns whether it succeeded, so no rank waits forever
// for a rank 0 that failed.
template <class F> void on_root(MPI_Comm comm, F f) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    int ok = 1;
    std::string message;
    if (rank == 0) {
        try {
            f();
        } catch (const std::exception& e) {
            ok = 0;
            message = e.what();
        }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (!ok) throw StoreError(rank == 0 ? message : "writing the store failed on rank 0");
}

void layout(const std::filesystem::path& tmp, const StoreContents& c) {
    h5::Handle f = h5::create_file(tmp);
    h5::write_attr(f, "schema_version", kSchemaVersion);
    for (const auto& [k, v] : c.attributes) h5::write_attr(f, k, v);

    h5::Handle org = h5::create_group(f, "/org");
    h5::write_attr(org, "description", std::string("Organisation lookup: provider -> ICB -> region"));
    auto col = [&](auto member) {
        std::vector<std::string> v;
        for (const auto& o : c.organisations) v.push_back(o.*member);
        return v;
    };
    h5::write_strings(org, "org_code", col(&Organisation::org_code));
    h5::write_strings(org, "org_name", col(&Organisation::org_name));
    h5::write_strings(org, "icb_code", col(&Organisation::icb_code));
    h5::write_strings(org, "icb_name", col(&Organisation::icb_name));
    h5::write_strings(org, "region_code", col(&Organisation::region_code));
    h5::write_strings(org, "region_name", col(&Organisation::region_name));

    h5::Handle q = h5::create_group(f, "/quarantine");
    h5::write_attr(q, "description", std::string("Input rows not stored, with the reason; no row content is kept"));
    std::vector<std::string> qt, qf, qr, qd;
    std::vector<std::int64_t> ql;
    for (const auto& r : c.quarantine) {
        qt.push_back(r.table);
        qf.push_back(r.file);
        ql.push_back(r.line);
        qr.push_back(r.reason);
        qd.push_back(r.field);
    }
    h5::write_strings(q, "table", qt);
    h5::write_strings(q, "file", qf);
    h5::write_strings(q, "reason", qr);
    h5::write_strings(q, "field", qd);
    {
        h5::Handle d = h5::create_dataset_1d(q, "line", H5T_NATIVE_INT64, static_cast<std::int64_t>(ql.size()), true);
        if (!ql.empty()) h5::write_all<std::int64_t>(d, ql);
    }

    for (const auto& ds : c.datasets) {
        const std::string root = "/" + std::string(dataset_name(ds.dataset));
        h5::Handle g = h5::create_group(f, root);
        h5::write_strings(g, "providers", ds.providers);
        for (const auto& t : ds.tables) {
            h5::Handle tg = h5::create_group(f, group_of(ds.dataset, t.spec->name));
            auto off = offsets_of(t.provider_rows);
            const std::int64_t rows = off.back();
            h5::write_attr(tg, "rows", rows);
            h5::write_attr(tg, "read", t.accounting.read);
            h5::write_attr(tg, "stored", t.accounting.stored);
            h5::write_attr(tg, "quarantined", t.accounting.quarantined);
            h5::write_attr(tg, "superseded", t.accounting.superseded);
            h5::write_attr(tg, "source_file", t.source_file);
            h5::write_attr(tg, "source_digest", t.source_digest);
            h5::write_attr(tg, "parent", t.spec->parent);
            std::string key;
            for (const auto& k : t.spec->key) key += (key.empty() ? "" : ",") + k;
            h5::write_attr(tg, "key", key);
            {
                h5::Handle d = h5::create_dataset_1d(tg, "provider_offsets", H5T_NATIVE_INT64,
                                                     static_cast<std::int64_t>(off.size()), false);
                h5::write_all<std::int64_t>(d, off);
            }
            h5::Handle dict = h5::create_group(tg, "dict");
            for (std::size_t ci = 0; ci < t.spec->columns.size(); ++ci) {
                const auto& cs = t.spec->columns[ci];
                h5::Handle d = h5::create_dataset_1d(tg, cs.name, column_type(cs.kind), rows, false);
                h5::write_attr(d, "kind", std::string(column_kind_name(cs.kind)));
                if (cs.kind == ColumnKind::Code) h5::write_strings(dict, cs.name, t.dictionaries[ci]);
            }
            h5::Handle children = h5::create_group(tg, "children");
            for (const auto& [child, first] : t.child_first) {
                const auto& ct = *std::find_if(ds.tables.begin(), ds.tables.end(),
                                               [&](const TableToWrite& x) { return x.spec->name == child; });
                std::int64_t child_rows = offsets_of(ct.provider_rows).back();
                h5::Handle d = h5::create_dataset_1d(children, child, H5T_NATIVE_INT64, rows + 1, false);
                // The closing offset is known now; ranks fill the rest.
                std::pair<std::int64_t, std::int64_t> last{rows, 1};
                h5::write_ranges<std::int64_t>(d, std::span(&last, 1), std::span(&child_rows, 1), H5P_DEFAULT);
            }
        }
    }
    // A handle closes without reporting errors; flush here so a full disk is an error now, not
    // a store that is silently short.
    h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), "writing the store layout to " + tmp.string());
}

}  // namespace

void write_store(const std::filesystem::path& path, const StoreContents& c, MPI_Comm comm,
                 const std::function<void(std::int64_t)>& on_rows_written) {
    const std::filesystem::path tmp = path.string() + ".partial";
    on_root(comm, [&] {
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
        layout(tmp, c);
    });
    MPI_Barrier(comm);
    {
        h5::Handle f = h5::open_file(tmp, comm, true);
        h5::Handle xfer = h5::transfer_props(true);
        for (const auto& ds : c.datasets) {
            for (const auto& t : ds.tables) {
                auto off = offsets_of(t.provider_rows);
                auto ranges = to_pairs(partition::ranges_for(off, ds.owned));
                const std::string g = group_of(ds.dataset, t.spec->name);
                if (off.back() == 0) continue;  // an empty dataset has no storage to write to
                for (std::size_t ci = 0; ci < t.spec->columns.size(); ++ci) {
                    const auto& cs = t.spec->columns[ci];
                    h5::Handle d = h5::check(H5Dopen2(f, (g + "/" + cs.name).c_str(), H5P_DEFAULT), "opening " + g);
                    const auto& v = t.columns[ci];
                    switch (cs.kind) {
                        case ColumnKind::Id: h5::write_ranges<std::uint64_t>(d, ranges, v.id, xfer); break;
                        case ColumnKind::Code: h5::write_ranges<std::uint16_t>(d, ranges, v.code, xfer); break;
                        default: h5::write_ranges<std::int32_t>(d, ranges, v.num, xfer); break;
                    }
                }
                for (const auto& [child, first] : t.child_first) {
                    const auto& ct = *std::find_if(ds.tables.begin(), ds.tables.end(),
                                                   [&](const TableToWrite& x) { return x.spec->name == child; });
                    auto coff = offsets_of(ct.provider_rows);
                    // Local first-child indices become global ones, provider by provider.
                    std::vector<std::int64_t> global;
                    std::int64_t parent_local = 0, child_local = 0;
                    for (int p : ds.owned) {
                        auto up = static_cast<std::size_t>(p);
                        for (std::int64_t i = 0; i < t.provider_rows[up]; ++i)
                            global.push_back(coff[up] + first[static_cast<std::size_t>(parent_local + i)] - child_local);
                        parent_local += t.provider_rows[up];
                        child_local += ct.provider_rows[up];
                    }
                    h5::Handle d = h5::check(H5Dopen2(f, (g + "/children/" + child).c_str(), H5P_DEFAULT), "opening " + g);
                    h5::write_ranges<std::int64_t>(d, ranges, global, xfer);
                }
                if (on_rows_written) on_rows_written(off.back());
            }
        }
        h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flushing the store");
    }
    MPI_Barrier(comm);
    on_root(comm, [&] { std::filesystem::rename(tmp, path); });
}

// ---------------------------------------------------------------- reading

Store::Store(const std::filesystem::path& path, MPI_Comm comm) : path_(path) {
    file_ = h5::open_file(path, comm, false);
    xfer_ = h5::transfer_props(comm != MPI_COMM_NULL);
    if (!h5::exists(file_, "schema_version") && H5Aexists(file_, "schema_version") <= 0)
        throw StoreError(path.string() + " is not an mhbench store (no schema_version attribute)");
    auto v = h5::read_attr_int(file_, "schema_version");
    if (v != kSchemaVersion)
        throw StoreError(path.string() + " has store schema version " + std::to_string(v) + "; this mhbench reads " +
                         std::to_string(kSchemaVersion) + ": ingest again");
    for (Dataset d : {Dataset::Iapt, Dataset::Mhsds}) {
        std::string g = "/" + std::string(dataset_name(d));
        if (h5::exists(file_, g + "/providers")) providers_[d] = h5::read_strings(file_, g + "/providers");
    }
}

bool Store::has(Dataset d) const { return providers_.count(d) > 0; }

const std::vector<std::string>& Store::providers(Dataset d) const {
    auto it = providers_.find(d);
    if (it == providers_.end()) throw StoreError(path_.string() + " holds no " + std::string(dataset_name(d)) + " data");
    return it->second;
}

std::vector<Organisation> Store::organisations() const {
    auto code = h5::read_strings(file_, "/org/org_code"), name = h5::read_strings(file_, "/org/org_name"),
         icb = h5::read_strings(file_, "/org/icb_code"), icbn = h5::read_strings(file_, "/org/icb_name"),
         reg = h5::read_strings(file_, "/org/region_code"), regn = h5::read_strings(file_, "/org/region_name");
    std::vector<Organisation> out(code.size());
    for (std::size_t i = 0; i < code.size(); ++i) out[i] = {code[i], name[i], icb[i], icbn[i], reg[i], regn[i]};
    return out;
}

std::vector<QuarantineRow> Store::quarantine() const {
    auto table = h5::read_strings(file_, "/quarantine/table"), file = h5::read_strings(file_, "/quarantine/file"),
         reason = h5::read_strings(file_, "/quarantine/reason"), field = h5::read_strings(file_, "/quarantine/field");
    h5::Handle lines = h5::check(H5Dopen2(file_, "/quarantine/line", H5P_DEFAULT), "opening /quarantine/line");
    auto line = h5::read_all<std::int64_t>(lines);
    if (file.size() != table.size() || reason.size() != table.size() || field.size() != table.size() ||
        line.size() != table.size())
        throw StoreError(path_.string() + ": the columns of /quarantine differ in length");
    std::vector<QuarantineRow> out(table.size());
    for (std::size_t i = 0; i < table.size(); ++i) out[i] = {table[i], file[i], line[i], reason[i], field[i]};
    return out;
}

std::string Store::table_path(Dataset d, const std::string& table) const {
    std::string g = group_of(d, table);
    if (!h5::exists(file_, g)) throw StoreError(path_.string() + " has no table " + g);
    return g;
}

std::vector<std::int64_t> Store::provider_offsets(Dataset d, const std::string& table) const {
    h5::Handle ds = h5::check(H5Dopen2(file_, (table_path(d, table) + "/provider_offsets").c_str(), H5P_DEFAULT),
                              "opening provider index of " + table);
    return h5::read_all<std::int64_t>(ds);
}

std::int64_t Store::rows(Dataset d, const std::string& table) const {
    h5::Handle g = h5::open_group(file_, table_path(d, table));
    return h5::read_attr_int(g, "rows");
}

Accounting Store::accounting(Dataset d, const std::string& table) const {
    h5::Handle g = h5::open_group(file_, table_path(d, table));
    return {h5::read_attr_int(g, "read"), h5::read_attr_int(g, "stored"), h5::read_attr_int(g, "quarantined"),
            h5::read_attr_int(g, "superseded")};
}

std::vector<std::string> Store::dictionary(Dataset d, const std::string& table, const std::string& column) const {
    return h5::read_strings(file_, table_path(d, table) + "/dict/" + column);
}

std::string Store::attribute(const std::string& name) const {
    if (H5Aexists(file_, name.c_str()) <= 0) return "";
    return h5::read_attr_string(file_, name);
}

template <class T>
std::vector<T> Store::read(Dataset d, const std::string& table, const std::string& column,
                           std::span<const partition::RowRange> ranges) const {
    const std::string p = table_path(d, table) + "/" + column;
    h5::Handle ds = h5::check(H5Dopen2(file_, p.c_str(), H5P_DEFAULT), "opening column " + p);
    auto r = to_pairs(ranges);
    return h5::read_ranges<T>(ds, r, xfer_);
}

template std::vector<std::uint64_t> Store::read(Dataset, const std::string&, const std::string&,
                                                std::span<const partition::RowRange>) const;
template std::vector<std::uint16_t> Store::read(Dataset, const std::string&, const std::string&,
                                                std::span<const partition::RowRange>) const;
template std::vector<std::int32_t> Store::read(Dataset, const std::string&, const std::string&,
                                               std::span<const partition::RowRange>) const;
template std::vector<std::int64_t> Store::read(Dataset, const std::string&, const std::string&,
                                               std::span<const partition::RowRange>) const;

Store::Children Store::children(Dataset d, const std::string& parent, const std::string& child,
                                std::span<const partition::RowRange> parent_ranges) const {
    // Offsets [begin, begin + count] of each parent range: one more than the rows, to close it.
    std::vector<partition::RowRange> widened;
    for (const auto& r : parent_ranges) widened.push_back({r.begin, r.count + 1});
    auto raw = read<std::int64_t>(d, parent, "children/" + child, widened);
    Children out;
    std::size_t at = 0;
    std::int64_t local = 0;
    for (const auto& r : parent_ranges) {
        const std::int64_t first = raw[at], last = raw[at + static_cast<std::size_t>(r.count)];
        for (std::int64_t i = 0; i < r.count; ++i) out.offsets.push_back(local + raw[at + static_cast<std::size_t>(i)] - first);
        if (last > first) {
            if (!out.ranges.empty() && out.ranges.back().begin + out.ranges.back().count == first)
                out.ranges.back().count += last - first;
            else
                out.ranges.push_back({first, last - first});
        }
        local += last - first;
        at += static_cast<std::size_t>(r.count) + 1;
    }
    out.offsets.push_back(local);
    return out;
}

}  // namespace mhbench::store
