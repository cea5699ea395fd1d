// The generated side inputs (src/synth/side_inputs.cpp): deterministic, complete and at the
// documented magnitudes; read back through the same shape check ingest applies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ips/rules.hpp"
#include "reference/reference.hpp"
#include "store/inputs.hpp"
#include "synth/side_inputs.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Generated {
    fs::path dir;
    store::InputTable targets, fidelity, ledger;
};

Generated generate(const std::string& tag) {
    synth::Options o;
    o.out = fs::temp_directory_path() / ("mhbench-ips-side-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(o.out);
    fs::create_directories(o.out);
    o.scale = 0.01;
    o.seed = 11;
    o.first = FinancialYear{2021};
    o.last = FinancialYear{2023};
    synth::Ctx ctx(o);
    synth::write_side_inputs(ctx);
    auto read = [&](const std::string& n) { return store::parse_input_table(n, n + ".csv", slurp(o.out / (n + ".csv"))); };
    return {o.out, read("ips_targets"), read("ips_fidelity"), read("mhis_ledger")};
}

}  // namespace

TEST(IpsSideInputs, DeterministicAndComplete) {
    Generated a = generate("a"), b = generate("b");
    for (const char* f : {"ips_targets.csv", "ips_fidelity.csv", "mhis_ledger.csv"})
        EXPECT_EQ(slurp(a.dir / f), slurp(b.dir / f)) << f;

    // Targets: every ICB every year, adding up exactly to the scaled ambition of the year.
    std::set<std::string> icbs;
    for (const auto& icb : synth::catalogue().icbs) icbs.insert(icb.code);
    std::map<std::string, std::int64_t> sum;
    std::map<std::string, std::set<std::string>> icbs_of_year;
    for (const auto& r : a.targets.rows) {
        sum[r[1]] += std::stoll(r[2]);
        icbs_of_year[r[1]].insert(r[0]);
    }
    EXPECT_EQ(sum["2023-24"], 550);  // 55,000 x 0.01
    EXPECT_EQ(sum["2022-23"], 463);  // 46,250 x 0.01, rounded
    EXPECT_EQ(sum["2021-22"], 375);
    for (const auto& [y, set] : icbs_of_year) EXPECT_EQ(set, icbs) << y;

    // Fidelity: scores in range; the latest reviews at the end of 2023-24 fall in every band and
    // some are overdue.
    const auto ref = ips::IpsReference::parse(reference::Reference::built_in().files);
    std::map<std::pair<std::string, std::string>, std::pair<Day, int>> latest;
    for (const auto& r : a.fidelity.rows) {
        const int score = std::stoi(r[3]);
        ASSERT_GE(score, 25);
        ASSERT_LE(score, 125);
        const Day d = *parse_iso_date(r[2]);
        auto& l = latest[{r[0], r[1]}];
        if (d >= l.first) l = {d, score};
    }
    std::map<std::string, int> bands;
    int overdue = 0;
    const Day end = FinancialYear{2023}.last_day();
    for (const auto& [team, l] : latest) {
        ++bands[ips::fidelity_band(l.second, ref)];
        overdue += ips::review_overdue(l.first, end, ref) ? 1 : 0;
    }
    for (const auto& b : ref.bands) EXPECT_GT(bands[b.label], 0) << b.label;
    EXPECT_GT(overdue, 0);
    EXPECT_LT(overdue, static_cast<int>(latest.size()));

    // MHIS ledger: every seed 003 category and ADHD, the three funding sources, COVID-19 only up to
    // 2022-23, about GBP 14bn x scale in 2023-24.
    std::set<std::string> cats, sources, covid_years;
    double total_2023 = 0;
    for (const auto& r : a.ledger.rows) {
        cats.insert(r[2]);
        sources.insert(r[3]);
        if (r[3] == "COVID-19") covid_years.insert(r[1]);
        if (r[1] == "2023-24") total_2023 += std::stod(r[4]);
        EXPECT_EQ(r[4].find_first_not_of("0123456789"), std::string::npos) << r[4];
    }
    const std::set<std::string> want = {"1",  "2",  "21", "3",  "4",  "5",   "6",   "7",   "8",  "9a",   "9b",
                                        "20", "10", "11", "12", "13", "14",  "16",  "17",  "18a", "18b", "18c",
                                        "19", "ADHD", "not applicable"};
    EXPECT_EQ(cats, want);
    EXPECT_EQ(sources, (std::set<std::string>{"Baseline", "COVID-19", "SDF"}));
    EXPECT_EQ(covid_years, (std::set<std::string>{"2021-22", "2022-23"}));
    EXPECT_NEAR(total_2023, 14e9 * 0.01, 14e9 * 0.01 * 0.1);
    fs::remove_all(a.dir);
    fs::remove_all(b.dir);
}
