#include "jobs/ingest.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "jobs/common.hpp"
#include "jobs/ingest_inputs.hpp"
#include "jobs/pipeline.hpp"
#include "ingest/csv.hpp"
#include "ingest/parse.hpp"
#include "ingest/rows.hpp"
#include "model/errors.hpp"
#include "partition/lpt.hpp"
#include "partition/shuffle.hpp"
#include "reduce/combine.hpp"
#include "report/digest.hpp"
#include "report/progress.hpp"

namespace mhbench::jobs {

namespace {

using ingest::Quarantined;
using ingest::RowBatch;

/// Union of code texts across ranks (sorted, "" first as it sorts first).
struct StringUnion {
    std::set<std::string> values;
    void merge(const StringUnion& o) { values.insert(o.values.begin(), o.values.end()); }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & values; }
};

/// Quarantine rows gathered on rank 0.
struct QuarantineList {
    std::vector<store::QuarantineRow> rows;
    void merge(const QuarantineList& o) { rows.insert(rows.end(), o.rows.begin(), o.rows.end()); }
    template <class Ar> void serialize(Ar& ar, unsigned) {
        std::size_t n = rows.size();
        ar & n;
        rows.resize(n);
        for (auto& r : rows) ar & r.table & r.file & r.line & r.reason & r.field;
    }
};

std::vector<std::int64_t> sum_all(std::vector<std::int64_t> v, MPI_Comm comm) {
    std::vector<std::int64_t> out(v.size());
    MPI_Allreduce(v.data(), out.data(), static_cast<int>(v.size()), MPI_INT64_T, MPI_SUM, comm);
    return out;
}

std::vector<store::Organisation> read_organisations(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file))
        throw InputError(file.string(), "organisations", -1, "", "missing input file organisations.csv");
    auto header = ingest::read_csv_header(file);
    const std::vector<std::string> need = {"org_code", "org_name", "icb_code", "icb_name", "region_code", "region_name"};
    std::vector<std::size_t> idx;
    for (const auto& n : need) {
        auto it = std::find(header.begin(), header.end(), n);
        if (it == header.end()) throw InputError(file.string(), "organisations", 1, n, "missing required column '" + n + "'");
        idx.push_back(static_cast<std::size_t>(it - header.begin()));
    }
    std::vector<store::Organisation> out;
    ingest::CsvFields f;
    ingest::for_each_line(file, 0, 1, [&](std::string_view line, std::int64_t i) {
        if (!ingest::split_csv(line, f) || f.values.size() != header.size())
            throw InputError(file.string(), "organisations", i + 2, "", "malformed row");
        auto v = [&](std::size_t k) { return std::string(f.values[idx[k]]); };
        out.push_back({v(0), v(1), v(2), v(3), v(4), v(5)});
    });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.org_code < b.org_code; });
    return out;
}

/// Everything one rank holds of one table after the shuffle and validation.
struct Resolved {
    RowBatch rows;
    std::vector<std::int64_t> parent_of;  // final local parent index per row (children only)
    std::vector<Quarantined> quarantined;
    std::int64_t superseded = 0;
};

store::ColumnValues values_of(const ingest::ColumnData& c) { return {c.id, c.code, c.num}; }

}  // namespace

IngestSummary run_ingest(const IngestOptions& opt, MPI_Comm comm) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    std::optional<tbb::global_control> threads;
    if (opt.threads > 0) threads.emplace(tbb::global_control::max_allowed_parallelism, opt.threads);

    if (!std::filesystem::is_directory(opt.in)) throw IoError("input directory " + opt.in.string() + " does not exist");
    // The manifest vouches for a finished store; from here until it is rewritten, there is none.
    if (rank == 0) std::filesystem::remove(store_manifest_path(opt.store));
    store::StoreContents contents;
    contents.organisations = read_organisations(opt.in / "organisations.csv");
    contents.attributes["organisations_digest"] = rank == 0 ? report::digest_file(opt.in / "organisations.csv") : "";
    const auto side_inputs = read_side_inputs(opt.in, comm);  // MHIS / IPS files, kept verbatim
    QuarantineList quarantine;
    IngestSummary summary;
    Stopwatch clock;

    for (Dataset ds : {Dataset::Iapt, Dataset::Mhsds}) {
        auto specs = tables_of(ds);
        // A data set is ingested when any of its files is present; then all of them are required.
        bool any = std::any_of(specs.begin(), specs.end(),
                               [&](const TableSpec* t) { return std::filesystem::exists(opt.in / (t->name + ".csv")); });
        if (!any) continue;
        for (const TableSpec* t : specs)
            if (!std::filesystem::exists(opt.in / (t->name + ".csv")))
                throw InputError((opt.in / (t->name + ".csv")).string(), t->name, -1, "",
                                 "missing input file " + t->name + ".csv");

        const TableSpec& hspec = header_table(ds);
        ingest::Submissions subs = ingest::read_submissions(hspec, opt.in / (hspec.name + ".csv"));
        const std::size_t P = subs.providers.size();

        // 1. Parse this rank's share of every table, tables in parallel.
        std::vector<const TableSpec*> data_specs;
        for (const TableSpec* t : specs)
            if (!t->is_header) data_specs.push_back(t);
        std::vector<std::unique_ptr<ingest::TableParser>> parsers(data_specs.size());
        for (std::size_t i = 0; i < data_specs.size(); ++i)
            parsers[i] = std::make_unique<ingest::TableParser>(*data_specs[i], opt.in / (data_specs[i]->name + ".csv"), subs);
        std::vector<std::int64_t> lines(data_specs.size());
        // Rank 0 parses about 1/size of the bytes; its share is the progress measure.
        std::int64_t bytes = 0;
        for (const TableSpec* t : data_specs) bytes += static_cast<std::int64_t>(std::filesystem::file_size(opt.in / (t->name + ".csv")));
        report::Progress parse_progress("ingest " + std::string(dataset_name(ds)) + " parse", bytes / size, rank == 0);
        tbb::parallel_for(std::size_t(0), data_specs.size(), [&](std::size_t i) {
            auto& p = *parsers[i];
            std::int64_t n = 0, b = 0;  // reported in batches: one atomic add per 64 Ki lines
            lines[i] = ingest::for_each_line(opt.in / (data_specs[i]->name + ".csv"), rank, size,
                                             [&](std::string_view line, std::int64_t k) {
                                                 p.parse(line, k);
                                                 b += static_cast<std::int64_t>(line.size()) + 1;
                                                 if (++n == 65536) {
                                                     parse_progress.add(n, b);
                                                     n = b = 0;
                                                 }
                                             });
            parse_progress.add(n, b);
        });
        parse_progress.finish();
        summary.seconds["parse"] += clock.lap();
        // Line numbers: this rank's lines follow those of lower ranks; line 1 is the header.
        std::vector<std::int64_t> before(data_specs.size(), 0);
        MPI_Exscan(lines.data(), before.data(), static_cast<int>(lines.size()), MPI_INT64_T, MPI_SUM, comm);
        if (rank == 0) std::fill(before.begin(), before.end(), 0);
        for (std::size_t i = 0; i < data_specs.size(); ++i) {
            for (auto& l : parsers[i]->rows().line) l += before[i] + 2;
            for (auto& q : parsers[i]->quarantined()) q.line += before[i] + 2;
        }

        // 2. Global dictionaries, the same on every rank, sorted so codes do not depend on the split.
        std::vector<std::vector<std::vector<std::string>>> dictionaries(data_specs.size());
        for (std::size_t i = 0; i < data_specs.size(); ++i) {
            const auto& local = parsers[i]->local_dictionaries();
            dictionaries[i].resize(local.size());
            for (std::size_t c = 0; c < local.size(); ++c) {
                if (data_specs[i]->columns[c].kind != ColumnKind::Code) continue;
                StringUnion u;
                u.values.insert(local[c].begin(), local[c].end());
                u = reduce::allreduce(u, comm);
                dictionaries[i][c].assign(u.values.begin(), u.values.end());
                if (dictionaries[i][c].size() > 65535)
                    throw InputError((opt.in / (data_specs[i]->name + ".csv")).string(), data_specs[i]->name, -1,
                                     data_specs[i]->columns[c].name, "more than 65,534 distinct codes");
            }
            parsers[i]->remap(dictionaries[i]);
        }

        summary.seconds["dictionaries"] += clock.lap();
        // 3. Providers to ranks by rows (LPT), then rows to their provider's rank.
        std::vector<std::int64_t> weight(P, 0);
        for (auto& p : parsers)
            for (auto prov : p->rows().provider) ++weight[static_cast<std::size_t>(prov)];
        weight = sum_all(weight, comm);
        for (std::size_t p = 0; p < P; ++p) weight[p] += 1;  // headers: every provider has some
        const auto assignment = partition::lpt_assign(weight, size);
        std::vector<int> owned = partition::units_of(assignment, rank);
        std::vector<bool> mine(P, false);
        for (int p : owned) mine[static_cast<std::size_t>(p)] = true;

        std::map<std::string, Resolved> resolved;
        // Header rows: every rank has them all; keep its own providers'.
        {
            std::vector<std::uint32_t> keep;
            for (std::size_t r = 0; r < subs.rows.size(); ++r)
                if (mine[static_cast<std::size_t>(subs.rows.provider[r])]) keep.push_back(static_cast<std::uint32_t>(r));
            RowBatch own = subs.rows.take(keep);
            auto order = ingest::final_order(own, {});
            resolved[hspec.name].rows = own.take(order);
        }

        std::int64_t local_rows = 0;
        for (auto& p : parsers) local_rows += static_cast<std::int64_t>(p->rows().size());
        report::Progress shuffle_progress("ingest " + std::string(dataset_name(ds)) + " shuffle+validate", local_rows, rank == 0);
        for (std::size_t i = 0; i < data_specs.size(); ++i) {
            const TableSpec& spec = *data_specs[i];
            RowBatch& local = parsers[i]->rows();
            const auto parsed_rows = static_cast<std::int64_t>(local.size());
            std::vector<std::vector<std::byte>> send(static_cast<std::size_t>(size));
            // Rows this rank keeps are gathered column-wise; only the others are packed.
            std::vector<std::vector<std::uint32_t>> rows_to(static_cast<std::size_t>(size));
            for (std::size_t r = 0; r < local.size(); ++r)
                rows_to[static_cast<std::size_t>(assignment.rank_of[static_cast<std::size_t>(local.provider[r])])].push_back(
                    static_cast<std::uint32_t>(r));
            for (std::size_t to = 0; to < rows_to.size(); ++to)
                if (static_cast<int>(to) != rank) local.pack(rows_to[to], send[to]);
            RowBatch mine_rows = local.take(rows_to[static_cast<std::size_t>(rank)]);
            rows_to.clear();
            local = RowBatch(&spec);  // free the parsed copy before receiving
            auto recv = partition::exchange(send, comm);
            send.clear();
            for (const auto& b : recv) mine_rows.unpack(b);
            recv.clear();
            summary.seconds["shuffle"] += clock.lap();

            // 4. Latest submission wins; duplicates and orphans quarantined.
            Resolved res;
            res.quarantined = std::move(parsers[i]->quarantined());
            auto versions = ingest::resolve_versions(mine_rows);
            res.superseded = versions.superseded;
            res.quarantined.insert(res.quarantined.end(), versions.quarantined.begin(), versions.quarantined.end());
            RowBatch kept = std::move(versions.kept);
            std::vector<std::int64_t> parent_of;
            if (!spec.parent.empty()) {
                const Resolved& parent = resolved.at(spec.parent);
                auto links = ingest::link_parents(parent.rows, kept);
                std::vector<std::uint32_t> ok;
                for (std::size_t r = 0; r < kept.size(); ++r) {
                    if (links[r] < 0) res.quarantined.push_back({kept.line[r], ingest::Reason::Orphan, spec.parent_key.front()});
                    else {
                        ok.push_back(static_cast<std::uint32_t>(r));
                        parent_of.push_back(links[r]);
                    }
                }
                kept = kept.take(ok);
            }
            auto order = ingest::final_order(kept, parent_of);
            res.rows = kept.take(order);
            if (!parent_of.empty()) {
                res.parent_of.resize(order.size());
                for (std::size_t r = 0; r < order.size(); ++r) res.parent_of[r] = parent_of[order[r]];
            }
            resolved[spec.name] = std::move(res);
            summary.seconds["validate"] += clock.lap();
            shuffle_progress.add(parsed_rows);
        }
        shuffle_progress.finish();
        parsers.clear();

        // 5. What the store needs: global rows per provider, child slices, accounting.
        store::DatasetToWrite out;
        out.dataset = ds;
        out.providers = subs.providers;
        out.owned = owned;
        for (const TableSpec* t : specs) {
            Resolved& res = resolved.at(t->name);
            store::TableToWrite tw;
            tw.spec = t;
            std::vector<std::int64_t> counts(P, 0);
            for (auto prov : res.rows.provider) ++counts[static_cast<std::size_t>(prov)];
            tw.provider_rows = sum_all(counts, comm);
            for (const auto& c : res.rows.cols) tw.columns.push_back(values_of(c));
            if (t->is_header) {
                tw.dictionaries.resize(t->columns.size());
                tw.dictionaries[static_cast<std::size_t>(t->column_index(t->provider))].push_back("");
                for (const auto& p : subs.providers)
                    tw.dictionaries[static_cast<std::size_t>(t->column_index(t->provider))].push_back(p);
            } else {
                auto at = std::find(data_specs.begin(), data_specs.end(), t) - data_specs.begin();
                tw.dictionaries = dictionaries[static_cast<std::size_t>(at)];
            }
            for (const TableSpec* c : specs) {
                if (c->parent != t->name) continue;
                const auto& child = resolved.at(c->name);
                std::vector<std::int64_t> first(res.rows.size() + 1, 0);
                for (auto p : child.parent_of) ++first[static_cast<std::size_t>(p) + 1];
                for (std::size_t r = 0; r < res.rows.size(); ++r) first[r + 1] += first[r];
                tw.child_first[c->name] = std::move(first);
            }
            tw.source_file = t->name + ".csv";
            tw.source_digest = rank == 0 ? report::digest_file(opt.in / tw.source_file) : "";
            out.tables.push_back(std::move(tw));
        }
        // Accounting: the header was read whole by every rank, so count it once.
        for (std::size_t k = 0; k < specs.size(); ++k) {
            const TableSpec* t = specs[k];
            Resolved& res = resolved.at(t->name);
            auto& tw = out.tables[k];
            std::int64_t read_local = 0;
            if (t->is_header) read_local = rank == 0 ? subs.read : 0;
            else {
                auto at = static_cast<std::size_t>(std::find(data_specs.begin(), data_specs.end(), t) - data_specs.begin());
                read_local = lines[at];
            }
            const auto& q = t->is_header ? subs.quarantined : res.quarantined;
            std::int64_t quarantined_local = t->is_header ? (rank == 0 ? static_cast<std::int64_t>(q.size()) : 0)
                                                          : static_cast<std::int64_t>(q.size());
            std::vector<std::int64_t> acc = {read_local, static_cast<std::int64_t>(res.rows.size()), quarantined_local,
                                             res.superseded};
            acc = sum_all(acc, comm);
            tw.accounting = {acc[0], acc[1], acc[2], acc[3]};
            if (acc[0] != acc[1] + acc[2] + acc[3])
                throw Error("row accounting does not add up for " + t->name + ": read " + std::to_string(acc[0]) +
                            ", stored " + std::to_string(acc[1]) + ", quarantined " + std::to_string(acc[2]) +
                            ", superseded " + std::to_string(acc[3]));
            summary.tables.emplace_back(t->name, tw.accounting);
            if (!t->is_header || rank == 0)
                for (const auto& r : q)
                    quarantine.rows.push_back({t->name, t->name + ".csv", r.line, std::string(ingest::reason_name(r.reason)), r.field});
        }
        contents.datasets.push_back(std::move(out));
    }
    if (contents.datasets.empty())
        throw InputError(opt.in.string(), "", -1, "", "no IDS*.csv or MHS*.csv tables found in the input directory");

    quarantine = reduce::reduce_to_root(quarantine, comm);
    if (rank == 0) {
        std::map<std::string, std::size_t> table_order;
        for (std::size_t i = 0; i < all_tables().size(); ++i) table_order[all_tables()[i].name] = i;
        std::sort(quarantine.rows.begin(), quarantine.rows.end(), [&](const auto& a, const auto& b) {
            if (a.table != b.table) return table_order[a.table] < table_order[b.table];
            return a.line < b.line;
        });
        contents.quarantine = quarantine.rows;
    }
    if (rank == 0) {
        // Every input file's digest, so any output can be traced to the exact extracts.
        nlohmann::json digests = {{"organisations.csv", contents.attributes["organisations_digest"]}};
        for (const auto& ds : contents.datasets)
            for (const auto& t : ds.tables) digests[t.source_file] = t.source_digest;
        for (const auto& s : side_inputs) digests[s.file] = s.digest;
        contents.attributes["input_digests"] = digests.dump();
    }
    contents.attributes["software_version"] = MHBENCH_VERSION;
    contents.attributes["ingest_ranks"] = std::to_string(size);
    summary.seconds["validate"] += clock.lap();
    {
        std::int64_t rows = 0;
        for (const auto& ds : contents.datasets)
            for (const auto& t : ds.tables)
                for (auto n : t.provider_rows) rows += n;
        report::Progress write_progress("ingest write", rows, rank == 0);
        store::write_store(opt.store, contents, comm, [&](std::int64_t n) { write_progress.add(n); });
        store_side_inputs(opt.store, side_inputs, comm);
    }
    summary.seconds["write"] += clock.lap();

    if (rank == 0) {
        // The quarantine as CSV beside the store, for the people who fix the source data.
        auto path = opt.store;
        path += ".quarantine.csv";
        auto tmp = path;
        tmp += ".partial";
        {
            std::ofstream q(tmp);
            q << "table,file,line,reason,field\n";
            for (const auto& r : contents.quarantine)
                q << r.table << ',' << r.file << ',' << r.line << ',' << r.reason << ',' << r.field << '\n';
            if (!q) throw IoError("cannot write " + tmp.string());
        }
        std::filesystem::rename(tmp, path);
        // Last: the record that the store is complete, with the digests a restart compares.
        write_store_manifest(opt, summary, contents.attributes.at("input_digests"), size,
                             static_cast<int>(tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
    }
    return summary;
}

}  // namespace mhbench::jobs
