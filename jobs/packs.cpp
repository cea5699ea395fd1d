#include "jobs/packs.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "jobs/registry.hpp"
#include "model/errors.hpp"
#include "packs/packs.hpp"
#include "reference/reference.hpp"
#include "report/atomic.hpp"
#include "store/h5.hpp"
#include "store/store.hpp"

namespace mhbench::jobs {

namespace {

// ---- reading the other jobs' results.h5 back into tables (the layout report::write_h5 writes)

herr_t collect_group(hid_t, const char* name, const H5L_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
    return 0;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, sep)) out.push_back(item);
    return out;
}

std::vector<report::Table> read_results(const std::filesystem::path& file) {
    h5::Handle f = h5::open_file(file);
    std::vector<std::string> links;
    h5::check(H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, collect_group, &links), "listing " + file.string());
    std::sort(links.begin(), links.end());
    std::vector<report::Table> tables;
    for (const auto& path : links) {
        if (H5Aexists_by_name(f, path.c_str(), "columns", H5P_DEFAULT) <= 0) continue;
        h5::Handle g = h5::open_group(f, path);
        std::string name = path.substr(1);
        std::replace(name.begin(), name.end(), '/', '_');
        report::Table t(name, path, h5::read_attr_string(g, "description"));
        const auto rows = static_cast<std::size_t>(h5::read_attr_int(g, "rows"));
        for (const auto& col : split(h5::read_attr_string(g, "columns"), ',')) {
            h5::Handle d = h5::check(H5Dopen2(g, col.c_str(), H5P_DEFAULT), "opening " + path + "/" + col + " in " + file.string());
            const std::string desc = h5::read_attr_string(d, "description"), unit = h5::read_attr_string(d, "unit");
            h5::Handle type = h5::check(H5Dget_type(d), "type of " + path + "/" + col);
            const H5T_class_t cls = H5Tget_class(type);
            std::vector<std::uint8_t> missing(rows, 0);
            if (cls == H5T_INTEGER) {
                auto& c = t.add_int(col, desc, unit);
                c.ints = h5::read_all<std::int64_t>(d);
                for (std::size_t i = 0; i < c.ints.size(); ++i) missing[i] = c.ints[i] == std::numeric_limits<std::int64_t>::min();
                c.missing = std::move(missing);
            } else if (cls == H5T_FLOAT) {
                auto& c = t.add_real(col, desc, unit);
                c.reals = h5::read_all<double>(d);
                for (std::size_t i = 0; i < c.reals.size(); ++i) missing[i] = std::isnan(c.reals[i]);
                c.missing = std::move(missing);
            } else if (cls == H5T_STRING) {
                auto& c = t.add_text(col, desc);
                c.unit = unit;
                c.text = h5::read_strings(g, col);
                for (std::size_t i = 0; i < c.text.size(); ++i) missing[i] = c.text[i].empty();
                c.missing = std::move(missing);
            } else {
                throw ConfigError(file.string() + ": table " + path + ", column " + col + ": not an integer, real or text dataset");
            }
        }
        if (t.rows() != rows)
            throw ConfigError(file.string() + ": table " + path + " has " + std::to_string(t.rows()) + " rows, its attribute says " +
                              std::to_string(rows));
        tables.push_back(std::move(t));
    }
    return tables;
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw IoError("cannot read " + p.string());
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError("cannot create " + p.string());
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) throw IoError("cannot write " + p.string() + " (disk full?)");
}

// results.h5, CSV mirrors, packs/ and manifest.json, committed together.
void write_pack_outputs(const RunOptions& o, const packs::PackOutputs& po, report::Manifest& manifest, int ranks, int threads,
                        const std::string& year) {
    report::AtomicOutputs out(o.out);
    report::Attributes attrs = {{"job", "packs"},
                                {"financial_year", year},
                                {"software_version", MHBENCH_VERSION},
                                {"ranks", std::to_string(ranks)},
                                {"threads", std::to_string(threads)},
                                {"created", report::Manifest::utc_now()}};
    auto h5 = out.path_for("results.h5");
    report::write_h5(po.tables, h5, attrs);
    manifest.add_output("results.h5", h5);
    for (const auto& t : po.tables) {
        auto csv = out.path_for(t.name() + ".csv");
        report::write_csv(t, csv);
        manifest.add_output(t.name() + ".csv", csv);
    }
    for (const auto& [name, text] : po.files) {
        auto p = out.path_for("packs/" + name);
        write_file(p, text);
        manifest.add_output("packs/" + name, p);
    }
    manifest.set("job", "packs");
    manifest.set("financial_year", year);
    manifest.set("packs", static_cast<std::int64_t>(po.files.size()));
    manifest.set_parallelism(ranks, threads);
    manifest.set_command_line(o.command_line);
    manifest.write(out.path_for("manifest.json"));
    out.commit();
}

}  // namespace

void run_packs(const RunOptions& o, MPI_Comm comm) {
    JobContext ctx(o, comm);
    // Packs are small and read only published results: rank 0 does the work; the others wait so
    // that every rank leaves together and a failure on rank 0 is reported by all.
    int ok = 1;
    std::string error;
    if (ctx.rank == 0) {
        try {
            Stopwatch clock;
            report::Manifest manifest;
            const std::string year = o.years.last.label();
            packs::PackOutputs po;
            if (!o.published.empty()) {
                manifest.add_input("published", o.published.string());
                po = packs::build_published_funnel(read_text(o.published), o.published.filename().string(), year);
            } else {
                const std::filesystem::path results =
                    !o.results.empty() ? o.results : std::filesystem::absolute(o.out).lexically_normal().parent_path();
                packs::Results res;
                for (const auto& j : job_registry()) {
                    const std::string name = j.name;
                    if (name == "packs") continue;
                    const auto file = results / name / "results.h5";
                    if (!std::filesystem::exists(file)) continue;
                    res.jobs[name] = read_results(file);
                    manifest.add_input(name + "/results.h5", file.string());
                }
                if (!res.jobs.contains("tt-averages"))
                    throw ConfigError("packs: no tt-averages results in " + results.string() +
                                      " (expected tt-averages/results.h5; set --results DIR)");
                manifest.add_stage("read", clock.lap());
                // Provider -> ICB -> region from the store's organisation lookup (not its records).
                std::vector<packs::Organisation> orgs;
                if (!o.store.empty()) {
                    store::Store s(o.store, MPI_COMM_SELF);
                    std::map<std::string, packs::Organisation> icbs;
                    for (const auto& x : s.organisations()) {
                        orgs.push_back({x.org_code, x.org_name, "provider", x.icb_code, x.icb_name, x.region_code, x.region_name});
                        icbs[x.icb_code] = {x.icb_code, x.icb_name, "icb", x.icb_code, x.icb_name, x.region_code, x.region_name};
                    }
                    for (auto& [code, org] : icbs) orgs.push_back(org);
                }
                const reference::Reference ref = reference_set(o);
                packs::PackOptions popt;
                popt.year = year;
                if (ref.fallback_descriptor >= 0)
                    popt.fallback_descriptor = ref.descriptors[static_cast<std::size_t>(ref.fallback_descriptor)].label;
                po = packs::build_packs(res, orgs, popt);
                manifest.set_reference_version(ref.version);
            }
            manifest.add_stage("build", clock.lap());
            write_pack_outputs(o, po, manifest, ctx.size, ctx.threads, year);
            for (const auto& n : po.notes) std::cout << n << "\n";
            std::cout.flush();
        } catch (const std::exception& e) {
            ok = 0;
            error = e.what();
        }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (!ok) throw Error(ctx.rank == 0 ? error : "packs failed on rank 0");
}

}  // namespace mhbench::jobs
