#include "store/store.hpp"

#include <algorithm>
#include <filesystem>

#include "model/errors.hpp"
#include "store/digests.hpp"

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

// Rows [first, first + count) of a 1-D dataset as their native bytes; sets `width` (bytes per row).
std::vector<std::byte> read_raw(hid_t dset, std::int64_t first, std::int64_t count, const std::string& where,
                                std::size_t& width) {
    h5::Handle type = h5::check(H5Dget_type(dset), "getting the type of " + where);
    h5::Handle native = h5::check(H5Tget_native_type(type, H5T_DIR_ASCEND), "getting a native type");
    width = H5Tget_size(native);
    std::vector<std::byte> bytes(static_cast<std::size_t>(count) * width);
    const std::pair<std::int64_t, std::int64_t> r{first, count};
    h5::Handle fspace = h5::select_ranges(dset, std::span(&r, 1));
    const auto n = static_cast<hsize_t>(count);
    h5::Handle mspace = h5::check(H5Screate_simple(1, &n, nullptr), "creating memory space");
    h5::check(H5Dread(dset, native, mspace, fspace, H5P_DEFAULT, bytes.data()), "reading " + where);
    return bytes;
}

// The datasets of a table that carry block digests, in the order the digests are stored: the
// schema's columns, then the children indexes.
std::vector<std::string> block_columns(const TableToWrite& t) {
    std::vector<std::string> names;
    for (const auto& cs : t.spec->columns) names.push_back(cs.name);
    for (const auto& [child, first] : t.child_first) names.push_back("children/" + child);
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ",") + n;
    return s;
}

void layout(const std::filesystem::path& tmp, const StoreContents& c) {
    h5::Handle f = h5::create_file(tmp);
    // Digests of the small objects written here; the blocks' digests are written by their ranks.
    std::vector<std::pair<std::string, Digest>> objects;
    // Created here, not as an intermediate group (which would carry timestamps: same input, same bytes).
    h5::Handle digest_root = h5::create_group(f, kDigestGroup);
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
    objects.emplace_back("/org", Digester()
                                     .strings(col(&Organisation::org_code))
                                     .strings(col(&Organisation::org_name))
                                     .strings(col(&Organisation::icb_code))
                                     .strings(col(&Organisation::icb_name))
                                     .strings(col(&Organisation::region_code))
                                     .strings(col(&Organisation::region_name))
                                     .done());

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
    objects.emplace_back("/quarantine",
                         Digester().strings(qt).strings(qf).strings(qr).strings(qd).values<std::int64_t>(ql).done());

    for (const auto& ds : c.datasets) {
        const std::string root = "/" + std::string(dataset_name(ds.dataset));
        h5::Handle g = h5::create_group(f, root);
        h5::write_strings(g, "providers", ds.providers);
        objects.emplace_back(root + "/providers", Digester().strings(ds.providers).done());
        h5::Handle digest_group = h5::create_group(f, kDigestGroup + root);
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
                objects.emplace_back(group_of(ds.dataset, t.spec->name) + "/provider_offsets",
                                     digest_of(off.data(), off.size() * sizeof(std::int64_t)));
            }
            h5::Handle dict = h5::create_group(tg, "dict");
            for (std::size_t ci = 0; ci < t.spec->columns.size(); ++ci) {
                const auto& cs = t.spec->columns[ci];
                h5::Handle d = h5::create_dataset_1d(tg, cs.name, column_type(cs.kind), rows, false);
                h5::write_attr(d, "kind", std::string(column_kind_name(cs.kind)));
                if (cs.kind == ColumnKind::Code) {
                    h5::write_strings(dict, cs.name, t.dictionaries[ci]);
                    objects.emplace_back(group_of(ds.dataset, t.spec->name) + "/dict/" + cs.name,
                                         Digester().strings(t.dictionaries[ci]).done());
                }
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
            // Two words per (provider, block column), filled by the rank owning the provider.
            const auto columns = block_columns(t);
            h5::Handle bd = h5::create_dataset_1d(digest_group, t.spec->name, H5T_NATIVE_UINT64,
                                                  static_cast<std::int64_t>(ds.providers.size() * columns.size() * 2), false);
            h5::write_attr(bd, "columns", joined(columns));
        }
    }
    std::sort(objects.begin(), objects.end());
    h5::Handle og = h5::create_group(f, std::string(kDigestGroup) + "/objects");
    std::vector<std::string> paths;
    std::vector<std::uint64_t> words;
    for (const auto& [path, digest] : objects) paths.push_back(path), words.insert(words.end(), digest.begin(), digest.end());
    h5::write_strings(og, "path", paths);
    {
        h5::Handle d = h5::create_dataset_1d(og, "digest", H5T_NATIVE_UINT64, static_cast<std::int64_t>(words.size()), false);
        if (!words.empty()) h5::write_all<std::uint64_t>(d, words);
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
                const bool has_rows = off.back() > 0;  // an empty dataset has no storage to write to
                // What this rank writes of each block column, as bytes: its providers' rows in order.
                std::vector<std::pair<const std::byte*, std::size_t>> block_data;  // data, bytes per row
                std::vector<std::vector<std::int64_t>> children_global, children_offsets;  // by child
                if (has_rows) {
                    for (std::size_t ci = 0; ci < t.spec->columns.size(); ++ci) {
                        const auto& cs = t.spec->columns[ci];
                        h5::Handle d = h5::check(H5Dopen2(f, (g + "/" + cs.name).c_str(), H5P_DEFAULT), "opening " + g);
                        const auto& v = t.columns[ci];
                        switch (cs.kind) {
                            case ColumnKind::Id:
                                h5::write_ranges<std::uint64_t>(d, ranges, v.id, xfer);
                                block_data.emplace_back(reinterpret_cast<const std::byte*>(v.id.data()), sizeof(std::uint64_t));
                                break;
                            case ColumnKind::Code:
                                h5::write_ranges<std::uint16_t>(d, ranges, v.code, xfer);
                                block_data.emplace_back(reinterpret_cast<const std::byte*>(v.code.data()), sizeof(std::uint16_t));
                                break;
                            default:
                                h5::write_ranges<std::int32_t>(d, ranges, v.num, xfer);
                                block_data.emplace_back(reinterpret_cast<const std::byte*>(v.num.data()), sizeof(std::int32_t));
                                break;
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
                        children_global.push_back(std::move(global));
                        children_offsets.push_back(std::move(coff));
                    }
                    for (const auto& gl : children_global)
                        block_data.emplace_back(reinterpret_cast<const std::byte*>(gl.data()), sizeof(std::int64_t));
                }
                // Block digests of this rank's providers, from the values in memory (no re-read).
                // (every block of an empty table is "no block": zero, but written all the same)
                const std::size_t ncols = block_columns(t).size(), nchildren = t.child_first.size();
                std::vector<std::uint64_t> words;
                Ranges digest_ranges;
                std::int64_t local = 0;
                for (int p : ds.owned) {
                    const auto up = static_cast<std::size_t>(p);
                    const std::int64_t rows = t.provider_rows[up];
                    digest_ranges.emplace_back(static_cast<std::int64_t>(up * ncols * 2), static_cast<std::int64_t>(ncols * 2));
                    for (std::size_t ci = 0; ci < ncols; ++ci) {
                        Digest dg{0, 0};  // a provider without rows has no block
                        if (rows > 0) {
                            const auto [data, width] = block_data[ci];
                            Digester dd;
                            dd.bytes(data + static_cast<std::size_t>(local) * width, static_cast<std::size_t>(rows) * width);
                            // A children index's block ends with the offset closing the provider's children.
                            if (ci >= ncols - nchildren)
                                dd.bytes(&children_offsets[ci - (ncols - nchildren)][up + 1], sizeof(std::int64_t));
                            dg = dd.done();
                        }
                        words.insert(words.end(), dg.begin(), dg.end());
                    }
                    local += rows;
                }
                h5::Handle bd = h5::check(H5Dopen2(f, block_digests_path(g).c_str(), H5P_DEFAULT), "opening the digests of " + g);
                h5::write_ranges<std::uint64_t>(bd, digest_ranges, words, xfer);
                if (on_rows_written && has_rows) on_rows_written(off.back());
            }
        }
        h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flushing the store");
    }
    MPI_Barrier(comm);
    on_root(comm, [&] { std::filesystem::rename(tmp, path); });
}

// ---------------------------------------------------------------- reading

Store::Store(const std::filesystem::path& path, MPI_Comm comm) : path_(path), comm_(comm) {
    file_ = h5::open_file(path, comm, false);
    xfer_ = h5::transfer_props(comm != MPI_COMM_NULL);
    if (!h5::exists(file_, "schema_version") && H5Aexists(file_, "schema_version") <= 0)
        throw StoreError(path.string() + " is not an mhbench store (no schema_version attribute)");
    auto v = h5::read_attr_int(file_, "schema_version");
    if (v != kSchemaVersion)
        throw StoreError(path.string() + " has store schema version " + std::to_string(v) + "; this mhbench reads " +
                         std::to_string(kSchemaVersion) + ": ingest again");
    {
        const auto paths = h5::read_strings(file_, kObjectPaths);
        h5::Handle dd = h5::check(H5Dopen2(file_, kObjectDigests, H5P_DEFAULT), "opening the store's object digests");
        const auto words = paths.empty() ? std::vector<std::uint64_t>{} : h5::read_all<std::uint64_t>(dd);
        if (words.size() != 2 * paths.size()) throw StoreError(path.string() + ": " + kObjectDigests + " does not fit " + kObjectPaths);
        for (std::size_t i = 0; i < paths.size(); ++i) objects_[paths[i]] = {words[2 * i], words[2 * i + 1]};
    }
    for (Dataset d : {Dataset::Iapt, Dataset::Mhsds}) {
        std::string g = "/" + std::string(dataset_name(d));
        if (!h5::exists(file_, g + "/providers")) continue;
        providers_[d] = h5::read_strings(file_, g + "/providers");
        check_object(g + "/providers", Digester().strings(providers_[d]).done());
    }
    // Read here, on every rank together (metadata reads are collective), so that any rank may
    // ask for the identity later on its own.
    digest_record_ = make_digest_record();
}

void Store::check_object(const std::string& object, const Digest& digest) const {
    auto it = objects_.find(object);
    if (it == objects_.end()) throw StoreError(path_.string() + ": no digest recorded for " + object + "; ingest again");
    if (it->second != digest)
        throw StoreError(path_.string() + ": " + object + " does not match the digest ingest recorded: the store was "
                         "modified or corrupted after ingest; ingest again");
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
    check_object("/org", Digester().strings(code).strings(name).strings(icb).strings(icbn).strings(reg).strings(regn).done());
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
    check_object("/quarantine",
                 Digester().strings(table).strings(file).strings(reason).strings(field).values<std::int64_t>(line).done());
    std::vector<QuarantineRow> out(table.size());
    for (std::size_t i = 0; i < table.size(); ++i) out[i] = {table[i], file[i], line[i], reason[i], field[i]};
    return out;
}

std::string Store::table_path(Dataset d, const std::string& table) const {
    std::string g = group_of(d, table);
    if (!h5::exists(file_, g)) throw StoreError(path_.string() + " has no table " + g);
    return g;
}

const std::vector<std::int64_t>& Store::provider_offsets(Dataset d, const std::string& table) const {
    const std::string p = table_path(d, table) + "/provider_offsets";
    if (auto it = offsets_.find(p); it != offsets_.end()) return it->second;
    h5::Handle ds = h5::check(H5Dopen2(file_, p.c_str(), H5P_DEFAULT), "opening provider index of " + table);
    auto off = h5::read_all<std::int64_t>(ds);
    check_object(p, digest_of(off.data(), off.size() * sizeof(std::int64_t)));
    if (off.size() != providers(d).size() + 1) throw StoreError(path_.string() + ": " + p + " does not fit the providers");
    return offsets_.emplace(p, std::move(off)).first->second;
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
    const std::string p = table_path(d, table) + "/dict/" + column;
    auto dict = h5::read_strings(file_, p);
    check_object(p, Digester().strings(dict).done());
    return dict;
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
    auto values = h5::read_ranges<T>(ds, r, xfer_);
    agree_on_damage(comm_, check_blocks(d, table, column, ds, r, reinterpret_cast<const std::byte*>(values.data()), sizeof(T)));
    return values;
}

const Store::BlockDigests& Store::block_digests(Dataset d, const std::string& table) const {
    const std::string g = table_path(d, table);
    if (auto it = blocks_.find(g); it != blocks_.end()) return it->second;
    const std::string p = block_digests_path(g);
    h5::Handle ds = h5::check(H5Dopen2(file_, p.c_str(), H5P_DEFAULT), "opening the block digests " + p);
    BlockDigests b;
    std::string names = h5::read_attr_string(ds, "columns");
    for (std::size_t at = 0; at <= names.size();) {
        const std::size_t comma = std::min(names.find(',', at), names.size());
        b.columns.push_back(names.substr(at, comma - at));
        at = comma + 1;
    }
    b.words = h5::read_all<std::uint64_t>(ds);
    if (b.words.size() != providers(d).size() * b.columns.size() * 2)
        throw StoreError(path_.string() + ": " + p + " does not fit its providers and columns");
    return blocks_.emplace(g, std::move(b)).first->second;
}

std::string Store::check_blocks(Dataset d, const std::string& table, const std::string& column, hid_t dset,
                                std::span<const std::pair<std::int64_t, std::int64_t>> ranges, const std::byte* data,
                                std::size_t width) const {
    const BlockDigests& b = block_digests(d, table);
    const auto col = std::find(b.columns.begin(), b.columns.end(), column);
    const std::string where = table_path(d, table) + "/" + column;
    if (col == b.columns.end()) return path_.string() + ": no digest recorded for " + where + "; ingest again";
    const auto ci = static_cast<std::size_t>(col - b.columns.begin());
    const bool children_index = column.rfind("children/", 0) == 0;
    const auto& off = provider_offsets(d, table);
    const std::size_t P = off.size() - 1;
    std::size_t at = 0;  // rows of `data` before this range
    for (const auto& [begin, count] : ranges) {
        if (count <= 0) continue;
        // A children index is read one row past its parents' rows, to close them.
        const std::int64_t end = begin + count, rows_end = end - (children_index ? 1 : 0);
        auto p = static_cast<std::size_t>(std::upper_bound(off.begin(), off.end(), begin) - off.begin()) - 1;
        for (; p < P && off[p] < rows_end; ++p) {
            const auto [first, last] = block_rows(off, p, children_index);
            if (last <= first) continue;
            Digest now;
            if (first >= begin && last <= end) {
                now = digest_of(data + (at + static_cast<std::size_t>(first - begin)) * width,
                                static_cast<std::size_t>(last - first) * width);
            } else {  // the rest of a block this read covers only in part
                std::size_t w = 0;
                const auto whole = read_raw(dset, first, last - first, where, w);
                now = digest_of(whole.data(), whole.size());
            }
            const std::size_t w = (p * b.columns.size() + ci) * 2;
            if (now[0] != b.words[w] || now[1] != b.words[w + 1])
                return path_.string() + ": " + where + " rows " + std::to_string(first) + "-" + std::to_string(last - 1) +
                       " (provider " + providers(d)[p] + ") does not match the digest ingest recorded: the store was "
                       "modified or corrupted after ingest; ingest again";
        }
        at += static_cast<std::size_t>(count);
    }
    return "";
}

void Store::verify_all() const {
    int rank = 0, size = 1;
    if (comm_ != MPI_COMM_NULL) {
        MPI_Comm_rank(comm_, &rank);
        MPI_Comm_size(comm_, &size);
    }
    // Metadata reads are collective (h5::open_file): every rank opens every object in the same
    // order and keeps going after damage, so that no rank is left waiting in one.
    std::string damage;
    auto note = [&](auto check) {
        try {
            check();
        } catch (const StoreError& e) {
            if (damage.empty()) damage = e.what();
        }
    };
    // The small objects, on every rank.
    for (const auto& [object, digest] : objects_)
        note([&, &object = object] {
            if (object == "/org") (void)organisations();
            else if (object == "/quarantine") (void)quarantine();
            else if (!object.ends_with("/provider_offsets") && !object.ends_with("/providers"))  // checked on opening
                check_object(object, Digester().strings(h5::read_strings(file_, object)).done());
        });
    // The blocks: each rank a contiguous share of the providers of every block column.
    for (const auto& [d, providers] : providers_) {
        const std::size_t P = providers.size();
        const std::size_t p0 = P * static_cast<std::size_t>(rank) / static_cast<std::size_t>(size),
                          p1 = P * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(size);
        for (const TableSpec* t : tables_of(d)) {
            const std::string g = group_of(d, t->name);
            if (!h5::exists(file_, g)) continue;
            const auto& off = provider_offsets(d, t->name);
            for (const auto& column : block_digests(d, t->name).columns)
                note([&, &column = column] {
                    const std::string where = g + "/" + column;
                    h5::Handle ds = h5::check(H5Dopen2(file_, where.c_str(), H5P_DEFAULT), "opening " + where);
                    if (!damage.empty() || off[p1] == off[p0]) return;
                    const std::int64_t closing = column.rfind("children/", 0) == 0 ? 1 : 0;
                    const std::pair<std::int64_t, std::int64_t> r{off[p0], off[p1] - off[p0] + closing};
                    std::size_t width = 0;
                    const auto bytes = read_raw(ds, r.first, r.second, where, width);
                    damage = check_blocks(d, t->name, column, ds, std::span(&r, 1), bytes.data(), width);
                });
        }
    }
    agree_on_damage(comm_, damage);
}

std::vector<std::byte> Store::make_digest_record() const {
    std::vector<std::byte> out;
    auto add = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        out.insert(out.end(), b, b + n);
    };
    for (const auto& [object, digest] : objects_) {
        add(object.data(), object.size() + 1);  // with its terminating zero: unambiguous
        add(digest.data(), sizeof digest);
    }
    for (const auto& [d, providers] : providers_)
        for (const TableSpec* t : tables_of(d)) {
            const std::string g = group_of(d, t->name);
            if (!h5::exists(file_, g)) continue;
            const BlockDigests& b = block_digests(d, t->name);
            add(g.data(), g.size() + 1);
            for (const auto& c : b.columns) add(c.data(), c.size() + 1);
            add(b.words.data(), b.words.size() * sizeof(std::uint64_t));
        }
    // The digests of the files ingested, side inputs (/inputs) included: a store ingested from
    // other inputs is another store even where its blocks are equal.
    const std::string inputs = attribute("input_digests");
    add(inputs.data(), inputs.size() + 1);
    return out;
}

template std::vector<std::uint64_t> Store::read(Dataset, const std::string&, const std::string&,
                                                std::span<const partition::RowRange>) const;
template std::vector<std::uint16_t> Store::read(Dataset, const std::string&, const std::string&,
                                                std::span<const partition::RowRange>) const;
template std::vector<std::int32_t> Store::read(Dataset, const std::string&, const std::string&,
                                               std::span<const partition::RowRange>) const;
template std::vector<std::int64_t> Store::read(Dataset, const std::string&, const std::string&,
                                               std::span<const partition::RowRange>) const;

namespace {

// Parent rows' CSR offsets into the children read, and the child ranges to read, from the
// children index read over each parent range widened by one row (to close it).
Store::Children children_from(const std::vector<std::int64_t>& raw, std::span<const partition::RowRange> parent_ranges) {
    Store::Children out;
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

std::vector<partition::RowRange> widened(std::span<const partition::RowRange> parent_ranges) {
    std::vector<partition::RowRange> w;
    for (const auto& r : parent_ranges) w.push_back({r.begin, r.count + 1});
    return w;
}

}  // namespace

Store::Children Store::children(Dataset d, const std::string& parent, const std::string& child,
                                std::span<const partition::RowRange> parent_ranges) const {
    return children_from(read<std::int64_t>(d, parent, "children/" + child, widened(parent_ranges)), parent_ranges);
}

Store::Column Store::open_column(Dataset d, const std::string& table, const std::string& column) const {
    const std::string p = table_path(d, table) + "/" + column;
    Column c{d, table, column, h5::check(H5Dopen2(file_, p.c_str(), H5P_DEFAULT), "opening column " + p)};
    // Read now, together: what checking a block needs, so that read_own reads only the rows.
    (void)provider_offsets(d, table);
    (void)block_digests(d, table);
    return c;
}

template <class T>
std::vector<T> Store::read_own(const Column& c, std::span<const partition::RowRange> ranges, std::string& damage) const {
    auto r = to_pairs(ranges);
    auto values = h5::read_ranges<T>(c.handle, r, H5P_DEFAULT);
    if (damage.empty())
        damage = check_blocks(c.dataset, c.table, c.column, c.handle, r, reinterpret_cast<const std::byte*>(values.data()), sizeof(T));
    return values;
}

template std::vector<std::uint16_t> Store::read_own(const Column&, std::span<const partition::RowRange>, std::string&) const;
template std::vector<std::int32_t> Store::read_own(const Column&, std::span<const partition::RowRange>, std::string&) const;
template std::vector<std::int64_t> Store::read_own(const Column&, std::span<const partition::RowRange>, std::string&) const;

Store::Children Store::children_own(const Column& index, std::span<const partition::RowRange> parent_ranges,
                                    std::string& damage) const {
    return children_from(read_own<std::int64_t>(index, widened(parent_ranges), damage), parent_ranges);
}

}  // namespace mhbench::store
