#include "synth/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "model/errors.hpp"
#include "synth/embedded.hpp"
#include "synth/rng.hpp"

namespace mhbench::synth {

namespace {

// National 2023-24 MHSDS referrals received a year (SPEC section 10; calibrated later).
constexpr double kMhsdsReferrals = 4.0e6;
// Providers with no published 2023-24 row (new or suppressed) still take part, small.
constexpr double kSmallReferrals = 20, kSmallFinishedShare = 0.367;

Catalogue build() {
    Catalogue c;
    std::map<std::string, int> icb_index;
    std::istringstream in{std::string(embedded::iapt_providers_csv())};
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (header) {
            header = false;
            continue;
        }
        auto f = split_csv_line(line);
        if (f.size() != 8) throw ConfigError("synth: malformed embedded provider row");
        auto [it, added] = icb_index.try_emplace(f[2], static_cast<int>(c.icbs.size()));
        if (added) c.icbs.push_back({f[2], f[3], f[4], f[5], {}, 0, 0});
        Provider p{f[0], f[1], it->second, kSmallReferrals, kSmallFinishedShare, false, provider_years(f[0])};
        if (!f[6].empty() && std::stod(f[6]) > 0) {
            p.referrals = std::stod(f[6]);
            const double fin = f[7].empty() ? 0 : std::stod(f[7]);
            p.finished_share = std::clamp(fin / p.referrals, 0.05, 0.9);
        }
        c.icbs[p.icb].iapt_weight += p.referrals;
        c.iapt.push_back(std::move(p));
    }
    // Sub-ICB location codes: two digits and a letter, unique across ICBs.
    int n = 0;
    for (auto& icb : c.icbs)
        for (int k = 0; k < 3; ++k, ++n)
            icb.sub_icbs.push_back(std::string{static_cast<char>('0' + n / 26 / 10 % 10),
                                               static_cast<char>('0' + n / 26 % 10),
                                               static_cast<char>('A' + n % 26)});

    // MHSDS submitters: a fixed stream (not the user's seed) so codes are stable.
    std::set<std::string> used;
    for (const auto& p : c.iapt) used.insert(p.code);
    Rng rng(mix({0x4D485344ull, 2024}));
    auto letter = [&] { return static_cast<char>('A' + rng.range(0, 25)); };
    auto alnum = [&] { int v = rng.range(0, 35); return static_cast<char>(v < 26 ? 'A' + v : '0' + v - 26); };
    auto digit = [&] { return static_cast<char>('0' + rng.range(0, 9)); };
    auto unique = [&](auto make) {
        for (;;) {
            std::string s = make();
            if (used.insert(s).second) return s;
        }
    };
    const int nicb = static_cast<int>(c.icbs.size());
    double total = 0;
    auto add = [&](std::string code, std::string name, int icb, double w, bool big) {
        total += w;
        c.mhsds.push_back({std::move(code), std::move(name), icb, w, 0, big, {}});
    };
    // 60 large mental health trusts (one in every ICB first), skewed sizes: they carry ~95%.
    for (int i = 0; i < 60; ++i) {
        auto code = unique([&] { return std::string{'R', letter(), alnum()}; });
        add(code, "Synthetic Mental Health NHS Trust " + code, i < nicb ? i : rng.range(0, nicb - 1),
            100.0 * std::exp(rng.normal(0, 0.7)), true);
    }
    // Other trusts (acute, community) with a little mental health activity.
    for (int i = 0; i < 120; ++i) {
        auto code = unique([&] { return std::string{'R', letter(), alnum()}; });
        add(code, "Synthetic NHS Trust " + code, rng.range(0, nicb - 1), 2.5 * std::exp(rng.normal(0, 0.8)), false);
    }
    for (int i = 0; i < 120; ++i) {
        const bool n_code = i < 90;
        auto code = unique([&] { return std::string{n_code ? 'N' : 'A', letter(), letter(), digit(), digit()}; });
        add(code, "Synthetic Independent Provider " + code, rng.range(0, nicb - 1),
            (n_code ? 1.3 : 0.6) * std::exp(rng.normal(0, 0.8)), false);
    }
    for (auto& p : c.mhsds) {
        p.referrals *= kMhsdsReferrals / total;
        c.icbs[p.icb].mhsds_weight += p.referrals;
    }
    return c;
}

}  // namespace

const Catalogue& catalogue() {
    static const Catalogue c = build();
    return c;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
            else if (ch == '"') quoted = false;
            else out.back() += ch;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            out.emplace_back();
        } else if (ch != '\r') {
            out.back() += ch;
        }
    }
    return out;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) {
        if (ch == '"') q += '"';
        q += ch;
    }
    return q + '"';
}

}  // namespace mhbench::synth
