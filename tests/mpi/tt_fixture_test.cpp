// The tt-averages job on the hand-made extract tests/fixtures/tt_small (README there gives every
// referral's expected outcome), at whatever rank count the test runs with: the national table
// carries exactly the hand-worked numbers, and a --reference directory replaces the built-in set.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "../support/mpi_temp.hpp"
#include "jobs/ingest.hpp"
#include "jobs/tt_averages.hpp"
#include "reference/reference.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

const fs::path kFixture = fs::path(MHBENCH_FIXTURES) / "tt_small";

// CSV rows keyed by "descriptor|severity" (and org_code when present), cells by column name.
std::map<std::string, std::map<std::string, std::string>> read_rows(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    auto split = [](const std::string& l) {
        std::vector<std::string> out(1);
        for (char c : l) {
            if (c == ',') out.emplace_back();
            else out.back().push_back(c);
        }
        return out;
    };
    const auto header = split(line);
    std::map<std::string, std::map<std::string, std::string>> rows;
    while (std::getline(in, line)) {
        const auto f = split(line);
        std::map<std::string, std::string> r;
        for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) r[header[i]] = f[i];
        rows[(r.count("org_code") ? r["org_code"] + "|" : "") + r["descriptor"] + "|" + r["severity"]] = r;
    }
    return rows;
}

jobs::RunOptions options(const fs::path& store, const fs::path& out) {
    jobs::RunOptions o;
    o.store = store;
    o.out = out;
    o.years = YearRange::parse("2023-24");
    o.command_line = {"mhbench", "run", "tt-averages"};
    return o;
}

}  // namespace

TEST(TtFixture, national_rows_are_the_hand_worked_numbers) {
    test::SharedTempDir dir("tt-fixture");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    jobs::run_tt_averages(options(dir / "store.h5", dir / "out"), MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    auto rows = read_rows(dir / "out" / "tt_national.csv");
    // 12 banded descriptors (bands + Unknown + All) + 3 one-band + England All/All.
    EXPECT_EQ(rows.size(), 2u * 5 + 10u * 4 + 3u + 1u);
    struct Want {
        const char* key;
        const char *discharged, *finished, *at_caseness, *not_at_caseness, *rr, *rr_rate, *n, *mean, *low, *high, *median;
    };
    const Want want[] = {
        // R4: PHQ-9 8 -> 6 and GAD-7 6 -> 5: finished, not at caseness.
        {"Depression|Mild", "1", "1", "0", "1", "0", "", "0", "", "", "", ""},
        // R2 (F321 without the dot): PHQ-9 12 -> 4; treatment contacts 03 low, 02 neither, 05 employment support.
        {"Depression|Moderate", "1", "1", "1", "0", "1", "100.000", "1", "3.0000", "1.0000", "0.0000", "3.0"},
        // R1: PHQ-9 16 -> 8; 1 low, 2 high (one with a low code too); the DNA and the assessment do not count.
        // R3: one attended treatment contact only (the other AttendOrDNACode 7): discharged, not finished.
        {"Depression|Severe", "2", "1", "1", "0", "1", "100.000", "1", "3.0000", "1.0000", "2.0000", "3.0"},
        {"Depression|All", "4", "3", "2", "1", "2", "100.000", "2", "3.0000", "1.0000", "1.0000", "3.0"},
        // PCL-5 first scores 40, 50, 60: median 50; R6's 50 is Below. R5 40 -> 20 RR, R6 50 -> 45 not.
        {"Post-traumatic Stress|Below Median", "2", "2", "2", "0", "1", "50.000", "1", "2.0000", "0.0000", "2.0000", "2.0"},
        {"Post-traumatic Stress|Above Median", "1", "1", "1", "0", "1", "100.000", "1", "3.0000", "0.0000", "3.0000", "3.0"},
        {"Post-traumatic Stress|Unknown", "0", "0", "0", "0", "0", "", "0", "", "", "", ""},
        // R12: invalid code (significance 1) loses to F40.1; no SPIN recorded: Unknown band,
        // outcome on PHQ-9 with the GAD-7 back-up (15 -> 4, 15 -> 5).
        {"Social Phobias|Unknown", "1", "1", "1", "0", "1", "100.000", "1", "2.0000", "0.0000", "2.0000", "2.0"},
        // R10: MI 3.50 -> 2.77 falls 0.73 (reliable) but ends above 2.3: improved, not recovered.
        {"Agoraphobia|Below Median", "1", "1", "1", "0", "0", "0.000", "0", "", "", "", ""},
        // R9: no presenting complaint.
        {"Other/Unknown/Invalid|All", "1", "1", "1", "0", "1", "100.000", "1", "2.0000", "2.0000", "0.0000", "2.0"},
        // R8: G93.3 chronic fatigue: excluded from the model, counted and reported.
        {"Medically Unexplained Symptoms|All", "1", "1", "1", "0", "1", "100.000", "1", "2.0000", "2.0000", "0.0000", "2.0"},
        // R11 is discharged in 2024-25: not counted. RR 7 of 10 - 1; contacts 3+3+2+3+2+2+2 = 17.
        {"All|All", "11", "10", "9", "1", "7", "77.778", "7", "2.4286", "0.8571", "1.2857", "2.0"},
    };
    for (const Want& w : want) {
        ASSERT_TRUE(rows.count(w.key)) << w.key;
        auto& r = rows[w.key];
        EXPECT_EQ(r["discharged"], w.discharged) << w.key;
        EXPECT_EQ(r["finished"], w.finished) << w.key;
        EXPECT_EQ(r["at_caseness"], w.at_caseness) << w.key;
        EXPECT_EQ(r["not_at_caseness"], w.not_at_caseness) << w.key;
        EXPECT_EQ(r["reliably_recovered"], w.rr) << w.key;
        EXPECT_EQ(r["rr_rate"], w.rr_rate) << w.key;
        EXPECT_EQ(r["n"], w.n) << w.key;
        EXPECT_EQ(r["mean_contacts"], w.mean) << w.key;
        EXPECT_EQ(r["mean_low"], w.low) << w.key;
        EXPECT_EQ(r["mean_high"], w.high) << w.key;
        EXPECT_EQ(r["median_contacts"], w.median) << w.key;
    }
    EXPECT_EQ(rows["Medically Unexplained Symptoms|All"]["in_model"], "0");
    EXPECT_EQ(rows["Depression|Mild"]["published_mean"], "7");
    EXPECT_EQ(rows["Depression|Severe"]["published_high"], "6.4");
    EXPECT_EQ(rows["Depression|All"]["published_mean"], "");
    // R2's employment support: one AppType 10 contact and one treatment contact with only that code.
    EXPECT_EQ(rows["Depression|Moderate"]["mean_employment"], "2.0000");
    EXPECT_EQ(rows["Depression|Moderate"]["mean_unclassified"], "1.0000");

    auto med = read_rows(dir / "out" / "tt_medians.csv");
    EXPECT_EQ(med["Post-traumatic Stress|"]["median"], "50");
    EXPECT_EQ(med["Agoraphobia|"]["median"], "3.5");

    // Below England, counts 0-4 are suppressed: provider BBB's PTSD rows are all below 5.
    auto prov = read_rows(dir / "out" / "tt_provider.csv");
    ASSERT_TRUE(prov.count("BBB|Post-traumatic Stress|All"));
    EXPECT_EQ(prov["BBB|Post-traumatic Stress|All"]["finished"], "");
    EXPECT_EQ(prov["BBB|Post-traumatic Stress|All"]["mean_contacts"], "");
    EXPECT_EQ(prov["BBB|Post-traumatic Stress|All"]["p_value"], "");
    // No identifier of the input in any output.
    for (const char* f : {"tt_national.csv", "tt_provider.csv", "tt_icb.csv", "tt_region.csv", "tt_units.csv", "manifest.json"}) {
        const std::string text = test::slurp(dir / "out" / f);
        for (const char* id : {"R1,", "R12", "P1,", "PathwayID"}) EXPECT_EQ(text.find(id), std::string::npos) << f << " " << id;
    }
}

TEST(TtFixture, reference_directory_replaces_the_built_in_set) {
    test::SharedTempDir dir("tt-reference");
    if (test::world_rank() == 0) {
        fs::create_directories(dir / "ref");
        for (auto [name, text] : reference::Reference::built_in().files) {
            if (name == "reference.csv") text.replace(text.find("version,2025-26"), 15, "version,test-1");
            std::ofstream(dir / "ref" / name) << text;
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    auto o = options(dir / "store.h5", dir / "out");
    o.reference = dir / "ref";
    jobs::run_tt_averages(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    EXPECT_NE(test::slurp(dir / "out" / "manifest.json").find("\"reference_data_version\": \"test-1\""), std::string::npos);
    EXPECT_NE(test::slurp(dir / "out" / "tt_measures.csv").find("test-1,PHQ-9,720433000"), std::string::npos);
}
