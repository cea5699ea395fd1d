#include "synth/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <sstream>

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

    // The 42 ICBs of 2023-24: MHSDS providers sit only in these. Codes shared with the provider
    // lookup (ICBs not merged since) keep the lookup's entry.
    {
        std::istringstream icb_in{std::string(embedded::icbs_2023_csv())};
        bool head = true;
        int made = 0;
        while (std::getline(icb_in, line)) {
            if (line.empty() || line[0] == '#') continue;
            if (head) {
                head = false;
                continue;
            }
            auto f = split_csv_line(line);
            if (f.size() != 6) throw ConfigError("synth: malformed embedded ICB row");
            auto [it, added] = icb_index.try_emplace(f[0], static_cast<int>(c.icbs.size()));
            if (added) {
                c.icbs.push_back({f[0], f[1], f[2], f[3], {}, 0, 0});
                // Sub-ICB location codes of the ICBs new here: a letter, two digits, unique.
                for (int k = 0; k < std::stoi(f[5]); ++k, ++made)
                    c.icbs.back().sub_icbs.push_back(std::string{static_cast<char>('A' + made / 100 % 26),
                                                                 static_cast<char>('0' + made / 10 % 10),
                                                                 static_cast<char>('0' + made % 10)});
            }
            c.icbs[it->second].of_2023 = true;
            c.icbs[it->second].population = std::stod(f[4]);
        }
    }
    std::vector<int> icbs_2023;
    for (int i = 0; i < static_cast<int>(c.icbs.size()); ++i)
        if (c.icbs[i].of_2023) icbs_2023.push_back(i);
    if (icbs_2023.size() != 42) throw ConfigError("synth: the embedded ICB list must have the 42 ICBs of 2023-24");

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
    for (int i : icbs_2023) pop.push_back(c.icbs[i].population);
    auto any_icb = [&] { return icbs_2023[rng.pick(std::span<const double>(pop))]; };
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
        std::vector<int> order(icbs_2023);
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
