// Orchestration of the generator: units in a fixed global order, generated in batches (ranks
// take contiguous shares of a batch, oneTBB threads take units), each table written with
// collective MPI-IO at offsets from a prefix sum of buffer sizes in global unit order. So the
// bytes depend only on the options, never on the number of ranks or threads.
//
// Meaning of truth.json (what ingest must find):
// - rows: data lines written to the table's CSV (header line excluded), faulty rows included.
// - superseded: rows whose record key appears again in a later submission (a larger submission
//   id) of the same provider: the open copy of a referral / team / hospital spell discharged in a
//   later month, and rows repeated by a month's resubmission. Injected faulty rows are never
//   superseded and never supersede anything (see below).
// - faults: extra rows, one per affected record (a record is affected with probability
//   fault_rate), placed in the submission of the record's last copy. The clean records are the
//   same at every fault rate. Kinds:
//     orphan      the record with its parent key (and its own id, if any) replaced by fresh ids
//                 that name no row;
//     duplicate   an exact copy of the record's last row, in the same submission: ingest keeps one
//                 and quarantines the other, so it counts one fault;
//     bad_date    a date field made unparseable (e.g. 2023-13-45; a non-key date where the table
//                 has one) and the own id (if any) replaced by a fresh id;
//     missing_key one key field left empty (the own id where the table has one).
//   A faulty row carries exactly one fault, so the reason precedence of ingest (unparseable,
//   then missing key, then orphan, then duplicate) does not change the counts.
// Hence stored rows = rows - superseded - sum(faults) for every table.
#include "synth/synth.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/errors.hpp"
#include "synth/gen.hpp"
#include "synth/side_inputs.hpp"

namespace mhbench::synth {

namespace {

// Expected bytes of output per referral, used only to size batches and balance ranks.
constexpr double kBytesIapt = 650, kBytesMhsds = 1000;
// Output buffered per rank per batch; bounds memory at any scale.
constexpr double kBatchBytesPerRank = 96e6;
// Referrals generated before the period (part 0) as a share of a year's referrals: the days of
// history generated (gen.hpp); only referrals still open at the start are kept, so the first
// year of a run is as any other.
constexpr double kCarryIapt = kCarryDaysIapt / 365.0, kCarryMhsds = kCarryDaysMhsds / 365.0;

bool all_ok(bool ok, MPI_Comm comm) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
    return all == 1;
}

/// Turns a failure on any rank into the same exception on every rank (no rank hangs).
void check_collective(bool ok, const std::string& what, MPI_Comm comm, bool io = true) {
    if (all_ok(ok, comm)) return;
    if (io) throw IoError(what);
    throw ConfigError(what);
}

std::string mpi_error_text(int code) {
    char buf[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(code, buf, &len);
    return std::string(buf, static_cast<std::size_t>(len));
}

std::string header_line(const TableSpec& t) {
    std::string s;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (i) s += ',';
        s += t.columns[i].name;
    }
    return s + '\n';
}

void validate(const Options& o) {
    if (o.out.empty()) throw ConfigError("synth: --out is required");
    if (!(o.scale > 0) || !std::isfinite(o.scale) || o.scale > 1000)
        throw ConfigError("synth: scale must be a number above 0 and at most 1000");
    if (o.last < o.first) throw ConfigError("synth: the last financial year is before the first");
    if (o.last.start_year - o.first.start_year >= 99) throw ConfigError("synth: at most 99 financial years");
    if (o.first.start_year < 1990 || o.last.start_year > 2200) throw ConfigError("synth: financial year out of range");
    if (!(o.fault_rate >= 0) || o.fault_rate > 0.5) throw ConfigError("synth: fault rate must be between 0 and 0.5");
    if (!(o.data_fault_rate <= 0.5)) throw ConfigError("synth: data fault rate must be at most 0.5");
    if (o.threads < 0) throw ConfigError("synth: threads must be 0 (default) or more");
}

class FileWriter {  // rank 0's small files: plain stdio, errors as IoError
public:
    explicit FileWriter(const std::filesystem::path& p) : path_(p), f_(std::fopen(p.c_str(), "wb")) {
        if (!f_) throw IoError("cannot create " + p.string() + ": " + std::strerror(errno));
    }
    ~FileWriter() {
        if (f_) std::fclose(f_);
    }
    void write(const std::string& s) {
        if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) throw IoError("cannot write " + path_.string());
    }
    void close() {
        const bool ok = std::fclose(f_) == 0;
        f_ = nullptr;
        if (!ok) throw IoError("cannot write " + path_.string());
    }

private:
    std::filesystem::path path_;
    std::FILE* f_;
};

/// Submission headers, lookups and (side_inputs.cpp) MHIS / IPS inputs: small, written by rank 0.
void write_small_files(const Ctx& ctx) {
    const Catalogue& cat = *ctx.cat;
    const auto& dir = ctx.opt.out;
    for (Dataset ds : {Dataset::Iapt, Dataset::Mhsds}) {
        const TableSpec& h = header_table(ds);
        const auto& provs = ds == Dataset::Iapt ? cat.iapt : cat.mhsds;
        FileWriter f(dir / (h.name + ".csv"));
        std::string s = header_line(h);
        for (std::size_t p = 0; p < provs.size(); ++p) {
            for (int ms = ctx.first_ms; ms <= ctx.last_ms; ++ms) {
                if (!ctx.submitting(ds, static_cast<int>(p), ms)) continue;
                for (int r = 0; r < 2; ++r) {
                    if (r == 1 && !ctx.has_resub(ds, static_cast<int>(p), ms)) continue;
                    append_uint(s, Ctx::submission_id(ds, static_cast<int>(p), ms, r == 1));
                    s += ',';
                    s += provs[p].code;
                    s += ',';
                    append_date(s, month_first_day(ms));
                    s += ',';
                    append_date(s, month_first_day(ms + 1) - 1);
                    s += '\n';
                }
            }
            if (s.size() > (1u << 20)) {
                f.write(s);
                s.clear();
            }
        }
        f.write(s);
        f.close();
    }

    {
        FileWriter f(dir / "organisations.csv");
        std::string s = "org_code,org_name,icb_code,icb_name,region_code,region_name\n";
        for (const auto* provs : {&cat.iapt, &cat.mhsds})
            for (const Provider& p : *provs) {
                const Icb& icb = cat.icbs[static_cast<std::size_t>(p.icb)];
                s += csv_field(p.code) + ',' + csv_field(p.name) + ',' + csv_field(icb.code) + ',' + csv_field(icb.name) + ',' +
                     csv_field(icb.region_code) + ',' + csv_field(icb.region_name) + '\n';
            }
        f.write(s);
        f.close();
    }

    write_side_inputs(ctx);  // MHIS ledger, IPS targets and fidelity reviews
}

}  // namespace

Ctx::Ctx(const Options& o) : opt(o), cat(&catalogue()) {
    for (int y = o.first.start_year; y <= o.last.start_year; ++y) years.push_back(FinancialYear{y});
    start = o.first.first_day();
    end = o.last.last_day();
    first_ms = month_serial(start);
    last_ms = month_serial(end);
    for (std::size_t yi = 0; yi < 2; ++yi) {
        const YearCalib& yc = calib_years()[yi];
        for (int c = 0; c < kCats; ++c) national_mix[yi][static_cast<std::size_t>(c)] = yc.cat[c].finished / yc.total.finished;
    }
    // Providers: the published size of the nearest published year; one that published only in
    // the other year is not submitting (it starts or stops); one never published is small.
    for (const Provider& p : cat->iapt) {
        std::vector<TtYear> v;
        for (const FinancialYear& fy : years) {
            const std::size_t yi = fy.start_year <= calib_years().front().start_year ? 0 : 1;
            const ProvYear &py = p.tt[yi], &other = p.tt[1 - yi];
            TtYear t;
            if (py.published) {
                t.referrals = py.referrals > 0 ? py.referrals : py.finished / 0.367;
                t.finished_share = std::clamp(py.finished / t.referrals, 0.02, 0.95);
                t.mix = py.finished > 0 ? &py.mix : &national_mix[yi];
            } else if (other.published) {
                t.active = false;
            } else {
                t.referrals = p.referrals;
                t.finished_share = p.finished_share;
                t.mix = &national_mix[yi];
            }
            v.push_back(t);
        }
        tt.push_back(std::move(v));
    }
}

PersonRef Ctx::person_of(const Unit& u, std::uint64_t i) const {
    const auto ds = static_cast<std::uint64_t>(u.ds), pv = static_cast<std::uint64_t>(u.prov);
    auto returning = [&](const Unit& v, std::uint64_t j) {
        return v.part > 0 && unit_double(mix({opt.seed, 0x5254ull, ds, pv, static_cast<std::uint64_t>(v.year),
                                                static_cast<std::uint64_t>(v.part), j})) < 0.08;
    };
    auto own = [&](const Unit& v, std::uint64_t j) {
        Rng r(mix({opt.seed, 0x5045ull, ds, pv, static_cast<std::uint64_t>(v.year), static_cast<std::uint64_t>(v.part), j}));
        const FinancialYear fy = years[static_cast<std::size_t>(v.year)];
        const Day base = v.part == 0 ? fy.first_day() - 365 : month_first_day(fy.start_year * 12 + 3 + v.part - 1);
        const int age = 16 + static_cast<int>(74 * std::pow(r.u(), 1.7));
        return PersonRef{id_prefix(v), j, base - age * 365 - age / 4 - r.range(0, 364), true};
    };
    if (!returning(u, i)) return own(u, i);
    // Someone first referred to this provider 1 to about 24 months earlier in the period.
    Rng r(mix({opt.seed, 0x5052ull, ds, pv, static_cast<std::uint64_t>(u.year), static_cast<std::uint64_t>(u.part), i}));
    const int m = u.year * 12 + u.part - 1 - (1 + std::min(23, r.geometric(5)));
    if (m < 0) return own(u, i);
    const Unit v{u.ds, u.prov, m / 12, m % 12 + 1, 0};
    const std::int64_t n = unit_count(v);
    if (n <= 0) return own(u, i);
    const std::uint64_t j = r.next() % static_cast<std::uint64_t>(n);
    if (returning(v, j)) return own(u, i);
    PersonRef p = own(v, j);
    p.is_new = false;
    return p;
}

std::int64_t Ctx::year_count(Dataset ds, int prov, int year) const {
    const auto& provs = ds == Dataset::Iapt ? cat->iapt : cat->mhsds;
    const int fy_start = years[static_cast<std::size_t>(year)].start_year;
    if (ds == Dataset::Mhsds && !mhsds_active(prov, fy_start)) return 0;
    const double expected =
        (ds == Dataset::Iapt ? tt_year(prov, year).referrals : provs[static_cast<std::size_t>(prov)].referrals) * opt.scale;
    const std::int64_t n = stochastic_round(
        expected, mix({opt.seed, 0x4E ^ 0ull, static_cast<std::uint64_t>(ds), static_cast<std::uint64_t>(prov),
                       static_cast<std::uint64_t>(years[static_cast<std::size_t>(year)].start_year)}));
    return expected > 0 ? std::max<std::int64_t>(n, 1) : 0;
}

std::int64_t Ctx::unit_count(const Unit& u) const {
    const std::uint64_t fy = static_cast<std::uint64_t>(years[static_cast<std::size_t>(u.year)].start_year);
    const std::uint64_t ds = static_cast<std::uint64_t>(u.ds), p = static_cast<std::uint64_t>(u.prov);
    if (u.part == 0) {
        const auto& provs = u.ds == Dataset::Iapt ? cat->iapt : cat->mhsds;
        const double carry = u.ds == Dataset::Iapt ? kCarryIapt : kCarryMhsds;
        if (u.ds == Dataset::Mhsds && !mhsds_active(u.prov, static_cast<int>(fy))) return 0;
        const double size = u.ds == Dataset::Iapt ? tt_year(u.prov, u.year).referrals : provs[p].referrals;
        return stochastic_round(size * opt.scale * carry, mix({opt.seed, 0x43ull, ds, p, fy}));
    }
    // Split the year's count over months with a random phase so small providers' few
    // referrals do not all fall in the same month.
    const double n = static_cast<double>(year_count(u.ds, u.prov, u.year));
    const double phase = unit_double(mix({opt.seed, 0x46ull, ds, p, fy}));
    return static_cast<std::int64_t>(std::floor(n * u.part / 12 + phase) - std::floor(n * (u.part - 1) / 12 + phase));
}

void generate(const Options& options, MPI_Comm comm) {
    int rank = 0, size = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    validate(options);
    tab_info();  // schema check before any collective work
    {
        // Every rank must generate the same data: compare the options with rank 0's.
        std::uint64_t h = mix({options.seed, static_cast<std::uint64_t>(options.first.start_year),
                               static_cast<std::uint64_t>(options.last.start_year),
                               std::bit_cast<std::uint64_t>(options.scale), std::bit_cast<std::uint64_t>(options.fault_rate),
                               std::bit_cast<std::uint64_t>(options.data_fault_rate)});
        std::uint64_t h0 = h;
        MPI_Bcast(&h0, 1, MPI_UINT64_T, 0, comm);
        check_collective(h0 == h, "synth: ranks were given different options", comm, false);
    }
    const Ctx ctx(options);

    std::string error;
    if (rank == 0) {
        std::error_code ec;
        std::filesystem::create_directories(options.out, ec);
        if (ec) error = "cannot create " + options.out.string() + ": " + ec.message();
    }
    check_collective(error.empty(), error.empty() ? "synth: rank 0 could not create the output directory" : error, comm);

    // Open every table file collectively, truncate it, and let rank 0 write the header line.
    std::array<MPI_File, kTabs> fh;
    std::array<long long, kTabs> base{};
    fh.fill(MPI_FILE_NULL);
    struct Closer {
        std::array<MPI_File, kTabs>& f;
        ~Closer() {
            for (auto& h : f)
                if (h != MPI_FILE_NULL) MPI_File_close(&h);
        }
    } closer{fh};
    for (int t = 0; t < kTabs; ++t) {
        const TableSpec& spec = *tab_info()[t].spec;
        const std::string path = (options.out / (spec.name + ".csv")).string();
        int rc = MPI_File_open(comm, path.c_str(), MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh[t]);
        if (rc != MPI_SUCCESS) {
            fh[t] = MPI_FILE_NULL;
            throw IoError("cannot open " + path + ": " + mpi_error_text(rc));  // MPI_File_open is collective: all ranks fail
        }
        rc = MPI_File_set_size(fh[t], 0);
        const std::string line = header_line(spec);
        if (rc == MPI_SUCCESS && rank == 0)
            rc = MPI_File_write_at(fh[t], 0, line.data(), static_cast<int>(line.size()), MPI_BYTE, MPI_STATUS_IGNORE);
        check_collective(rc == MPI_SUCCESS, "cannot write " + path, comm);
        base[t] = static_cast<long long>(line.size());
    }

    // Units in global order: IAPT providers, then MHSDS; per provider its years and parts.
    std::vector<Unit> units;
    for (Dataset ds : {Dataset::Iapt, Dataset::Mhsds}) {
        const auto& provs = ds == Dataset::Iapt ? ctx.cat->iapt : ctx.cat->mhsds;
        const double bytes = ds == Dataset::Iapt ? kBytesIapt : kBytesMhsds;
        for (int p = 0; p < static_cast<int>(provs.size()); ++p)
            for (int y = 0; y < static_cast<int>(ctx.years.size()); ++y)
                for (int part = y == 0 ? 0 : 1; part <= 12; ++part) {
                    Unit u{ds, p, y, part, 0};
                    u.cost = 1 + bytes * static_cast<double>(ctx.unit_count(u));
                    units.push_back(u);
                }
    }

    // Default-constructed arena = oneTBB's default concurrency.
    auto arena = options.threads > 0 ? std::make_unique<tbb::task_arena>(options.threads) : std::make_unique<tbb::task_arena>();
    std::array<TabCounts, kTabs> counts{};
    const double budget = kBatchBytesPerRank * size;
    std::size_t begin = 0;
    while (begin < units.size()) {
        // Next batch: whole units up to the budget (at least one).
        std::size_t end = begin;
        double cost = 0;
        while (end < units.size() && (end == begin || cost + units[end].cost <= budget)) cost += units[end++].cost;
        // This rank's contiguous share: units whose cost midpoint falls in its slice.
        std::size_t lo = end, hi = begin;
        double acc = 0;
        for (std::size_t i = begin; i < end; ++i) {
            const double mid = (acc + units[i].cost / 2) / cost;
            acc += units[i].cost;
            const int owner = std::min(size - 1, static_cast<int>(mid * size));
            if (owner == rank) {
                lo = std::min(lo, i);
                hi = std::max(hi, i + 1);
            }
        }
        const std::size_t mine = hi > lo ? hi - lo : 0;

        std::vector<UnitOut> outs(mine);
        bool ok = true;
        try {
            arena->execute([&] {
                tbb::parallel_for(tbb::blocked_range<std::size_t>(0, mine, 1), [&](const auto& r) {
                    for (std::size_t i = r.begin(); i != r.end(); ++i) {
                        const Unit& u = units[lo + i];
                        if (u.ds == Dataset::Iapt) generate_iapt_unit(ctx, u, outs[i]);
                        else generate_mhsds_unit(ctx, u, outs[i]);
                    }
                });
            });
        } catch (const std::exception& e) {
            ok = false;
            error = e.what();
        }
        check_collective(ok, error.empty() ? "synth: generation failed on another rank" : "synth: " + error, comm, false);

        std::array<long long, kTabs> len{}, off{}, total{}, maxlen{};
        for (const UnitOut& o : outs)
            for (int t = 0; t < kTabs; ++t) {
                len[t] += static_cast<long long>(o.text[t].size());
                counts[t].rows += o.counts[t].rows;
                counts[t].superseded += o.counts[t].superseded;
                for (int f = 0; f < kFaults; ++f) counts[t].faults[f] += o.counts[t].faults[f];
                for (int f = 0; f < kDataFaults; ++f) {
                    counts[t].data[f] += o.counts[t].data[f];
                    for (int k = 0; k < kMaxFields; ++k) {
                        counts[t].data_field[f][k] += o.counts[t].data_field[f][k];
                        counts[t].natural_field[f][k] += o.counts[t].natural_field[f][k];
                    }
                }
            }
        MPI_Exscan(len.data(), off.data(), kTabs, MPI_LONG_LONG, MPI_SUM, comm);
        if (rank == 0) off.fill(0);  // MPI_Exscan leaves rank 0's result undefined
        MPI_Allreduce(len.data(), total.data(), kTabs, MPI_LONG_LONG, MPI_SUM, comm);
        MPI_Allreduce(len.data(), maxlen.data(), kTabs, MPI_LONG_LONG, MPI_MAX, comm);

        std::string buf;
        int rc_all = MPI_SUCCESS;
        for (int t = 0; t < kTabs; ++t) {
            if (total[t] == 0) continue;
            buf.clear();
            buf.reserve(static_cast<std::size_t>(len[t]));
            for (UnitOut& o : outs) {
                buf += o.text[t];
                std::string().swap(o.text[t]);
            }
            // Collective writes in rounds of at most 1 GiB (MPI counts are int).
            constexpr long long kChunk = 1ll << 30;
            for (long long done = 0; done < maxlen[t]; done += kChunk) {
                const long long n = std::clamp(len[t] - done, 0ll, kChunk);
                const int rc = MPI_File_write_at_all(fh[t], base[t] + off[t] + done, buf.data() + std::min(done, len[t]),
                                                     static_cast<int>(n), MPI_BYTE, MPI_STATUS_IGNORE);
                if (rc != MPI_SUCCESS) rc_all = rc;
            }
            base[t] += total[t];
        }
        check_collective(rc_all == MPI_SUCCESS,
                         "cannot write the tables in " + options.out.string() +
                             (rc_all == MPI_SUCCESS ? std::string() : ": " + mpi_error_text(rc_all)),
                         comm);
        begin = end;
    }
    for (auto& h : fh) {
        const int rc = MPI_File_close(&h);
        check_collective(rc == MPI_SUCCESS, "cannot close a table file in " + options.out.string(), comm);
    }

    // Exact totals across ranks.
    std::vector<long long> flat;
    for (const TabCounts& c : counts) {
        flat.push_back(c.rows);
        flat.push_back(c.superseded);
        for (auto f : c.faults) flat.push_back(f);
        for (auto f : c.data) flat.push_back(f);
        for (const auto& per_field : c.data_field)
            for (auto f : per_field) flat.push_back(f);
        for (const auto& per_field : c.natural_field)
            for (auto f : per_field) flat.push_back(f);
    }
    std::vector<long long> sum(flat.size());
    MPI_Reduce(flat.data(), sum.data(), static_cast<int>(flat.size()), MPI_LONG_LONG, MPI_SUM, 0, comm);

    bool ok = true;
    if (rank == 0) {
        try {
            write_small_files(ctx);
            nlohmann::ordered_json j;
            j["generator"] = "mhbench synth";
            j["version"] = MHBENCH_VERSION;
            auto& o = j["options"];
            o["scale"] = options.scale;
            o["seed"] = options.seed;
            o["first_year"] = options.first.label();
            o["last_year"] = options.last.label();
            o["years"] = nlohmann::json::array();
            for (const auto& fy : ctx.years) o["years"].push_back(fy.label());
            o["fault_rate"] = options.fault_rate;
            o["data_fault_rate"] = ctx.data_fault_rate();
            auto& tables = j["tables"];
            const std::size_t per = 2 + kFaults + kDataFaults + 2 * kDataFaults * kMaxFields;
            nlohmann::ordered_json data_faults, data_faults_by_field, natural_by_field;
            for (const TableSpec& spec : all_tables()) {
                nlohmann::ordered_json e;
                std::int64_t rows = 0, sup = 0;
                std::array<std::int64_t, kFaults> faults{};
                if (spec.is_header) {
                    const auto& provs = spec.dataset == Dataset::Iapt ? ctx.cat->iapt : ctx.cat->mhsds;
                    for (std::size_t p = 0; p < provs.size(); ++p)
                        for (int ms = ctx.first_ms; ms <= ctx.last_ms; ++ms)
                            if (ctx.submitting(spec.dataset, static_cast<int>(p), ms))
                                rows += 1 + (ctx.has_resub(spec.dataset, static_cast<int>(p), ms) ? 1 : 0);
                } else {
                    int t = 0;
                    while (tab_info()[t].spec != &spec) ++t;
                    rows = sum[t * per];
                    sup = sum[t * per + 1];
                    for (int f = 0; f < kFaults; ++f) faults[f] = sum[t * per + 2 + f];
                    for (int f = 0; f < kDataFaults; ++f)
                        if (const auto n = sum[t * per + 2 + kFaults + f]) data_faults[std::string(data_fault_name(f))][spec.name] = n;
                    for (int f = 0; f < kDataFaults; ++f)
                        for (int k = 0; k < kMaxFields; ++k)
                            if (const auto n = sum[t * per + 2 + kFaults + kDataFaults + f * kMaxFields + k])
                                data_faults_by_field[std::string(data_fault_name(f))][spec.name]
                                                    [spec.columns[static_cast<std::size_t>(k + 1)].name] = n;
                    const std::size_t natural = 2 + kFaults + kDataFaults + kDataFaults * kMaxFields;
                    for (int f = 0; f < kDataFaults; ++f)
                        for (int k = 0; k < kMaxFields; ++k)
                            if (const auto n = sum[t * per + natural + f * kMaxFields + k])
                                natural_by_field[std::string(data_fault_name(f))][spec.name]
                                                [spec.columns[static_cast<std::size_t>(k + 1)].name] = n;
                }
                e["rows"] = rows;
                e["superseded"] = sup;
                for (int f = 0; f < kFaults; ++f) e["faults"][std::string(fault_name(f))] = faults[f];
                tables[spec.name] = e;
            }
            j["definitions"] = {
                {"superseded", "rows whose record key appears again in a later submission of the same provider"},
                {"faults", "extra rows, one fault each, in the submission of the record's last copy; clean data "
                           "do not depend on the fault rate; stored = rows - superseded - all faults"},
                {"duplicate", "an exact copy of a row in the same submission; one of the pair counts as the fault"},
                {"orphan", "parent key (and own id) replaced by ids that name no row"},
                {"bad_date", "one date field unparseable, own id fresh"},
                {"missing_key", "one key field empty"}};
            j["data_faults"] = data_faults;
            j["data_faults_by_field"] = data_faults_by_field;
            j["natural_by_field"] = natural_by_field;
            j["data_fault_definitions"] = {
                {"missing_code", "a non-key code left empty in a kept row: IDS001 EthnicCategory, IDS101 "
                                 "SourceOfReferralIAPT, IDS201 ConsMechanism (on a contact that had one); MHS001 "
                                 "EthnicCategory and LSOA2011, MHS003 AccommodationType, MHS004 EmployStatus, MHS005 "
                                 "LDStatus and AutismStatus, MHS101 PrimReasonReferralMH, MHS102 ServTeamTypeRefToMH, "
                                 "MHS201 AttendOrDNACode and ConsMechanismMH (clean MHSDS data never leave these empty; "
                                 "LSOA2011 is also empty for 5% of people at rate 0)"},
                {"invalid_code", "a non-key code not in its code list: IDS201 ConsMechanism 77, IDS004 EmployStatus 99, "
                                 "IDS603 PresComp of a referral that did not finish replaced by an unlisted code; MHS102 "
                                 "ServTeamTypeRefToMH X99, MHS101 PrimReasonReferralMH 99, MHS201 AttendOrDNACode 8 and "
                                 "ConsMechanismMH 77, MHS004 EmployStatus 99, MHS003 AccommodationType 99, MHS001 "
                                 "EthnicCategory 0, MHS005 LDStatus / AutismStatus 9, MHS603 ProvDiag / MHS604 PrimDiag / "
                                 "MHS609 PresComp F9X.Z (these codes are part of the record key, so never missing)"},
                {"default_code", "a valid code replaced by the field's not-known value: MHS001 EthnicCategory 99, MHS003 "
                                 "AccommodationType ZZ, MHS004 EmployStatus ZZ, MHS005 LDStatus / AutismStatus Z, MHS201 "
                                 "ConsMechanismMH 98; clean data use these values too (the injected ones are on top)"},
                {"attended_without_activity", "MHS201: an attended contact (AttendOrDNACode 5 or 6) that would have had "
                                              "SNOMED CT activities has none (no MHS202 row); counted on AttendOrDNACode. "
                                              "22% of attended contacts have none at rate 0"},
                {"unpaired_score", "IDS607: a finished course whose PHQ-9 has only its first score; MHS606: a referral "
                                   "discharged with 2+ attended contacts whose outcome measure has only its first "
                                   "score (one per referral)"},
                {"out_of_range_date", "a parseable but impossible date: IDS001 PersonBirthDate after the referral, IDS004 "
                                      "EmployStatusRecDate 1900-01-01"},
                {"by_field", "data_faults_by_field: the same counts by kind, table and column"},
                {"natural", "natural_by_field: values of the same classes that the clean data hold on their own, by "
                            "kind, table and column (not-known and other codes for default_code, empty optional fields "
                            "for missing_code, attended contacts with no activity); a data-quality job finds exactly "
                            "natural + injected"},
                {"note", "counted per affected row of the record's latest version (unpaired_score: per referral); rows "
                         "stay in the store. Calibrated rates hold at data fault rate 0: unpaired scores lower them, at "
                         "random, leaving the true means of contacts unchanged in expectation"}};
            j["true_values"] = true_values_json(ctx);
            FileWriter f(options.out / "truth.json");
            f.write(j.dump(2) + '\n');
            f.close();
        } catch (const std::exception& e) {
            ok = false;
            error = e.what();
        }
    }
    int len = rank == 0 && !ok ? static_cast<int>(error.size()) : 0;
    MPI_Bcast(&len, 1, MPI_INT, 0, comm);
    if (len > 0) {
        error.resize(static_cast<std::size_t>(len));
        MPI_Bcast(error.data(), len, MPI_CHAR, 0, comm);
        throw IoError(error);
    }
}

}  // namespace mhbench::synth
