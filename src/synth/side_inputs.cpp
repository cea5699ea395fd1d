// MHIS spend ledger, IPS access targets and IPS fidelity reviews for the generated organisations.
// Magnitudes (documented in docs/synthetic-data.md and docs/ips.md):
// - MHIS: about GBP 14bn of mental health spend nationally in 2023-24 at scale 1 (the published
//   MHIS total was GBP 14.3bn; seed 003), growing 5% a year, shared by ICB by activity weight;
//   every category of seed 003 plus ADHD, with service development funding (SDF) beside the
//   baseline of the categories it usually funds and COVID-19 rows up to 2022-23.
// - IPS targets: the national ambition of 55,000 people a year by 2023-24 (NHS Long Term Plan),
//   a straight ramp from 20,000 in 2019-20 before it, shared by MHSDS activity and rounded so
//   the ICB targets add up exactly to the scaled national figure.
// - Fidelity: one to three reviews per IPS team (scores 25-125 over the 25 items of the IPS
//   fidelity scale) spread over every band, the latest sometimes more than 2 years old.
#include "synth/side_inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>

#include "model/errors.hpp"

namespace mhbench::synth {

namespace {

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (!f) throw IoError("cannot create " + p.string() + ": " + std::strerror(errno));
    const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !wrote) throw IoError("cannot write " + p.string());
}

std::string pounds(double v) {
    std::string s;
    append_uint(s, static_cast<std::uint64_t>(std::llround(std::max(0.0, v))));
    return s;
}

/// Integers proportional to weights adding up exactly to total (largest remainder; ties by index).
std::vector<std::int64_t> share_out(std::int64_t total, const std::vector<double>& weights) {
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<std::int64_t> out(weights.size(), 0);
    std::vector<std::pair<double, std::size_t>> rest;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = sum > 0 ? static_cast<double>(total) * weights[i] / sum : 0;
        out[i] = static_cast<std::int64_t>(std::floor(exact));
        given += out[i];
        rest.emplace_back(exact - std::floor(exact), i);
    }
    std::stable_sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < total && k < rest.size(); ++k, ++given) ++out[rest[k].second];
    return out;
}

void write_mhis_ledger(const Ctx& ctx) {
    const Catalogue& cat = *ctx.cat;
    double total_weight = 0;
    for (const Icb& icb : cat.icbs) total_weight += icb.iapt_weight + icb.mhsds_weight;
    // Categories of seed 003 with rough shares (%) of an ICB's mental health spend, and whether
    // service development funding usually goes there.
    struct Category {
        const char* code;
        double share;
        bool sdf;
    };
    static constexpr Category kCategories[] = {
        {"1", 8, true},      {"2", 1, true},     {"21", 1, true},  {"3", 1.5, true}, {"4", 8, true},
        {"5", 3, false},     {"6", 2, true},     {"7", 5, true},   {"8", 0.3, false}, {"9a", 22, true},
        {"9b", 2, false},    {"20", 6, false},   {"10", 1, false}, {"11", 0.3, true}, {"12", 0.2, true},
        {"13", 22, false},   {"14", 2, false},   {"16", 6, false}, {"17", 4, false}, {"18a", 3, false},
        {"18b", 0.5, false}, {"18c", 1, false},  {"19", 3, false}, {"ADHD", 0.8, false},
        {"not applicable", 0.5, false}};
    constexpr double kNational2023 = 14e9;
    std::string s = "icb_code,financial_year,category,funding_source,amount\n";
    for (std::size_t i = 0; i < cat.icbs.size(); ++i) {
        const Icb& icb = cat.icbs[i];
        for (const FinancialYear& fy : ctx.years) {
            Rng r(mix({ctx.opt.seed, 0x4D484953ull, i, static_cast<std::uint64_t>(fy.start_year)}));
            const double growth = std::pow(1.05, fy.start_year - 2023);
            const double icb_total =
                kNational2023 * growth * ctx.opt.scale * (icb.iapt_weight + icb.mhsds_weight) / total_weight;
            for (const Category& c : kCategories) {
                const double amount = icb_total * c.share / 100 * (0.85 + 0.3 * r.u());
                const double sdf = c.sdf ? amount * (0.05 + 0.1 * r.u()) : 0;
                const std::string head = icb.code + ',' + fy.label() + ',' + c.code + ',';
                s += head + "Baseline," + pounds(amount - sdf) + '\n';
                if (c.sdf) s += head + "SDF," + pounds(sdf) + '\n';
                if (fy.start_year <= 2022 && r.chance(0.2)) s += head + "COVID-19," + pounds(amount * 0.02) + '\n';
            }
        }
    }
    write_file(ctx.opt.out / "mhis_ledger.csv", s);
}

/// People to access IPS in a year nationally (the Long Term Plan ambition and the ramp to it).
double national_ips_ambition(int start_year) {
    if (start_year >= 2023) return 55000;
    if (start_year <= 2019) return 20000;
    return 20000 + (55000 - 20000) * (start_year - 2019) / 4.0;
}

void write_ips_targets(const Ctx& ctx) {
    const Catalogue& cat = *ctx.cat;
    std::vector<double> weights;
    for (const Icb& icb : cat.icbs) weights.push_back(icb.mhsds_weight);
    std::string s = "icb_code,financial_year,target\n";
    std::vector<std::vector<std::int64_t>> by_year;
    for (const FinancialYear& fy : ctx.years)
        by_year.push_back(share_out(std::llround(national_ips_ambition(fy.start_year) * ctx.opt.scale), weights));
    for (std::size_t i = 0; i < cat.icbs.size(); ++i)
        for (std::size_t y = 0; y < ctx.years.size(); ++y) {
            s += cat.icbs[i].code + ',' + ctx.years[y].label() + ',';
            append_uint(s, static_cast<std::uint64_t>(by_year[y][i]));
            s += '\n';
        }
    write_file(ctx.opt.out / "ips_targets.csv", s);
}

void write_ips_fidelity(const Ctx& ctx) {
    const Catalogue& cat = *ctx.cat;
    std::string s = "org_code,team_id,review_date,score\n";
    for (std::size_t p = 0; p < cat.mhsds.size(); ++p) {
        const Provider& prov = cat.mhsds[p];
        Rng r(mix({ctx.opt.seed, 0x495053ull, p}));
        // Every large trust runs IPS (up to three teams, as in the MHSDS generator); a third of
        // the others have a reviewed service.
        const int teams = prov.big ? r.range(1, 3) : (r.chance(1.0 / 3) ? 1 : 0);
        for (int t = 1; t <= teams; ++t) {
            std::string team = "T";
            append_uint(team, 10000 + p);
            team += "D05";
            append_uint(team, static_cast<std::uint64_t>(t));
            const int reviews = r.range(1, 3);
            // Latest review up to about 3 years before the end of the period: about a third overdue.
            Day d = ctx.end - r.range(0, 1100);
            // A team's quality drifts a little between reviews around its own level.
            const double level = r.normal(100, 15);
            for (int k = 0; k < reviews; ++k, d -= 300 + r.range(0, 250)) {
                s += prov.code + ',' + team + ',';
                append_date(s, d);
                s += ',';
                append_uint(s, static_cast<std::uint64_t>(std::clamp(std::round(level + r.normal(0, 6)), 25.0, 125.0)));
                s += '\n';
            }
        }
    }
    write_file(ctx.opt.out / "ips_fidelity.csv", s);
}

}  // namespace

void write_side_inputs(const Ctx& ctx) {
    write_mhis_ledger(ctx);
    write_ips_targets(ctx);
    write_ips_fidelity(ctx);
}

}  // namespace mhbench::synth
