// The realism report (issue 3) on a small generated sample: every calibrated Talking Therapies
// figure within tolerance, and the planted Fig. 3 truth recovered by the report's own rules.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "../support/mpi_temp.hpp"
#include "synth/realism.hpp"
#include "synth/synth.hpp"

using namespace mhbench;

namespace {

// Generates scale 0.03 with `seed` (or takes MHBENCH_REALISM_DIR) and returns the report on
// rank 0 (empty elsewhere); `ok` is whether every figure is within tolerance.
std::string report_at_small_scale(std::uint64_t seed, const char* tmp_name, bool& ok) {
    // MHBENCH_REALISM_DIR: report on an existing directory instead (manual runs at any scale).
    const char* existing = std::getenv("MHBENCH_REALISM_DIR");
    test::SharedTempDir dir(tmp_name);
    std::filesystem::path data = existing ? std::filesystem::path(existing) : dir / "data";
    if (!existing) {
        synth::Options o;
        o.out = data;
        o.scale = 0.03;  // ~55,000 referrals: the stated tolerances bind for the large figures
        o.seed = seed;
        synth::generate(o, MPI_COMM_WORLD);
    }
    ok = true;
    if (test::world_rank() != 0) return {};
    std::ostringstream s;
    ok = synth::report_realism(data, s);
    std::cout << s.str();
    return s.str();
}

}  // namespace

TEST(SynthRealism, small_sample_is_within_tolerance) {
    bool ok = false;
    const std::string s = report_at_small_scale(5, "realism", ok);
    if (test::world_rank() != 0) return;
    EXPECT_TRUE(ok) << "a figure is out of tolerance (see the report above)";
    EXPECT_NE(s.find("truth Depression / Severe: contacts"), std::string::npos);
    // The MHSDS provider count is fixed by the catalogue, not sampled: 300 ± 5% (15), never widened.
    const auto at = s.find("MHSDS providers submitting in the year");
    ASSERT_NE(at, std::string::npos);
    const std::string line = s.substr(at, s.find('\n', at) - at);
    EXPECT_NE(line.find("tolerance 15.00  OK"), std::string::npos) << line;
    EXPECT_NE(s.find("ICB codes named in the generated files                      target 42  generated 42  exact  OK"),
              std::string::npos);
}

// Seed 1 draws 7 reliably deteriorated of 17 finished Body Dysmorphic Disorder courses (published
// 7.82%): rare (chance 1.7e-4) but within exact binomial tails at the 4-SE level; the normal
// approximation called it 5.1 SEs and failed the report.
TEST(SynthRealism, a_rare_small_category_count_is_judged_by_exact_binomial_tails) {
    bool ok = false;
    const std::string s = report_at_small_scale(1, "realism-seed1", ok);
    if (test::world_rank() != 0) return;
    EXPECT_TRUE(ok) << "a figure is out of tolerance (see the report above)";
    if (std::getenv("MHBENCH_REALISM_DIR")) return;
    EXPECT_NE(s.find("Body dysmorphic disorder: reliable deterioration            target 7.82%  generated 41.18%  "
                     "tolerance 33.36 (exact)  OK"),
              std::string::npos);
}

// Several years: each year of the run matches its own published year. Contacts of courses that
// cross the boundary take the appointment and medium mix of the year they fall in (2023-24 had
// 5.7 points fewer telephone appointments than 2022-23).
TEST(SynthRealism, every_year_of_a_run_has_its_own_consultation_media) {
    test::SharedTempDir dir("realism-years");
    synth::Options o;
    o.out = dir / "data";
    o.scale = 0.015;  // ~120,000 contacts a year with a medium: 4 SE stay below the 1-point tolerance
    o.seed = 9;
    o.first = FinancialYear{2022};
    o.last = FinancialYear{2023};
    synth::generate(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    std::ostringstream s;
    synth::report_realism(o.out, s);
    int rows = 0;
    std::istringstream lines(s.str());
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("consultation medium", 0) != 0) continue;
        ++rows;
        EXPECT_TRUE(line.size() >= 3 && line.compare(line.size() - 3, 3, " OK") == 0) << line;
    }
    EXPECT_EQ(rows, 12);  // six media, 2023-24 and 2022-23
}
