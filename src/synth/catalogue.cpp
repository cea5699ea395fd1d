#include "synth/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <sstream>
#include <string_view>

#include "model/errors.hpp"
#include "synth/embedded.hpp"
#include "synth/rng.hpp"

namespace mhbench::synth {

namespace {

// National MHSDS referrals received a year at scale 1: with the carry-in of open referrals and
// people referred more than once, this gives the published 3.79M people in contact in 2023-24
// and about 440k new referrals a month (notes: 417k-486k a month in 2024).
constexpr double kMhsdsReferrals = 5.3e6;
// Providers with no published 2023-24 row (new or suppressed) still take part, small.
constexpr double kSmallReferrals = 20, kSmallFinishedShare = 0.367;

/// Data rows of an embedded CSV (comment lines and the header skipped), each with `fields` fields.
std::vector<std::vector<std::string>> embedded_rows(std::string_view text, std::size_t fields, const char* what) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in{std::string(text)};
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (header) {
            header = false;
            continue;
        }
        auto f = split_csv_line(line);
        if (f.size() != fields) throw ConfigError(std::string("synth: malformed embedded ") + what + " row: " + line);
        rows.push_back(std::move(f));
    }
    return rows;
}

Catalogue build() {
    Catalogue c;
    // The 42 ICBs of 2023-24: every generated organisation sits in one of these.
    std::map<std::string, int> icb_index;
    int sub_icb = 0;
    for (auto& f : embedded_rows(embedded::icbs_2023_csv(), 6, "ICB")) {
        if (!icb_index.try_emplace(f[0], static_cast<int>(c.icbs.size())).second)
            throw ConfigError("synth: ICB " + f[0] + " listed twice in the embedded ICB list");
        Icb icb{f[0], f[1], f[2], f[3], {}, 0, 0, std::stod(f[4])};
        // Sub-ICB location codes: a letter and two digits, unique across ICBs (made up).
        for (int k = 0; k < std::stoi(f[5]); ++k, ++sub_icb)
            icb.sub_icbs.push_back(std::string{static_cast<char>('A' + sub_icb / 100 % 26),
                                               static_cast<char>('0' + sub_icb / 10 % 10),
                                               static_cast<char>('0' + sub_icb % 10)});
        c.icbs.push_back(std::move(icb));
    }
    if (c.icbs.size() != 42) throw ConfigError("synth: the embedded ICB list must have the 42 ICBs of 2023-24");

    // Talking Therapies providers, each in its ICB of 2023-24 (icb_2023_code: the lookup's ICB,
    // or its predecessor where the lookup already has a 2025-26 merged ICB).
    for (auto& f : embedded_rows(embedded::iapt_providers_csv(), 9, "provider")) {
        const auto it = icb_index.find(f[8]);
        if (it == icb_index.end())
            throw ConfigError("synth: provider " + f[0] + " has icb_2023_code " + f[8] + ", not one of the 42 ICBs of 2023-24");
        Provider p{f[0], f[1], it->second, kSmallReferrals, kSmallFinishedShare, false, provider_years(f[0])};
        if (!f[6].empty() && std::stod(f[6]) > 0) {
            p.referrals = std::stod(f[6]);
            const double fin = f[7].empty() ? 0 : std::stod(f[7]);
            p.finished_share = std::clamp(fin / p.referrals, 0.05, 0.9);
        }
        c.icbs[static_cast<std::size_t>(p.icb)].iapt_weight += p.referrals;
        c.iapt.push_back(std::move(p));
    }
    std::vector<int> icb_ids(c.icbs.size());
    std::iota(icb_ids.begin(), icb_ids.end(), 0);

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
    // An ICB drawn by population.
    std::vector<double> pop;
    for (int i : icb_ids) pop.push_back(c.icbs[i].population);
    auto any_icb = [&] { return icb_ids[rng.pick(std::span<const double>(pop))]; };
    // Kinds of submitter: count and share of national activity. Trusts carry ~92% (MHSDS
    // training slides: 90-95%); mental health trusts are sized by their ICB's population.
    struct Kind {
        int count;
        double share, spread;  // share of national referrals; log-normal sigma of sizes
        const char* name;
    };
    constexpr Kind kMhTrusts{55, 0.84, 0.3, "Synthetic Mental Health NHS Trust "},
        kOtherTrusts{75, 0.08, 1.0, "Synthetic Community or Acute NHS Trust "},
        kIndependent{60, 0.05, 1.2, "Synthetic Independent Provider "},
        kVoluntary{110, 0.03, 1.2, "Synthetic Voluntary Sector Provider "};
    auto add_kind = [&](const Kind& k, std::vector<Provider> v) {
        double sum = 0;
        for (const auto& p : v) sum += p.referrals;
        for (auto& p : v) {
            p.referrals *= kMhsdsReferrals * k.share / sum;
            c.mhsds.push_back(std::move(p));
        }
    };
    {
        // One trust in every ICB; the 13 more go to the most populous ICBs, which they share.
        std::vector<int> order(icb_ids);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return c.icbs[a].population > c.icbs[b].population; });
        std::vector<int> home(order);
        for (int i = 0; static_cast<int>(home.size()) < kMhTrusts.count; ++i) home.push_back(order[static_cast<std::size_t>(i)]);
        std::map<int, int> per_icb;
        for (int icb : home) ++per_icb[icb];
        std::vector<Provider> v;
        for (int icb : home) {
            auto code = unique([&] { return std::string{'R', letter(), alnum()}; });
            v.push_back({code, kMhTrusts.name + code, icb,
                         c.icbs[icb].population / per_icb[icb] * std::exp(rng.normal(0, kMhTrusts.spread)), 0, true, {}});
        }
        add_kind(kMhTrusts, std::move(v));
    }
    for (const Kind* k : {&kOtherTrusts, &kIndependent, &kVoluntary}) {
        std::vector<Provider> v;
        for (int i = 0; i < k->count; ++i) {
            auto code = unique([&]() -> std::string {
                if (k == &kOtherTrusts) return {'R', letter(), alnum()};
                if (k == &kIndependent) return {'N', letter(), alnum()};
                return {'8', alnum(), letter(), digit(), digit()};
            });
            v.push_back({code, k->name + code, any_icb(), std::exp(rng.normal(0, k->spread)), 0, false, {}});
        }
        add_kind(*k, std::move(v));
    }
    // Several years: a few small submitters start in 2022-23 or 2023-24, or stop after 2022-23.
    for (std::size_t i = c.mhsds.size() - 20; i < c.mhsds.size(); ++i) {
        if (i % 4 == 1) c.mhsds[i].first_year = 2023;
        else if (i % 4 == 3) c.mhsds[i].last_year = 2022;
        else c.mhsds[i].first_year = 2022;
    }
    for (auto& p : c.mhsds) c.icbs[p.icb].mhsds_weight += p.referrals;
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
