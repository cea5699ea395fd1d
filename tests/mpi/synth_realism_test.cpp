// The realism report (issue 3) on a small generated sample: every calibrated Talking Therapies
// figure within tolerance, and the planted Fig. 3 truth recovered by the report's own rules.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "../support/mpi_temp.hpp"
#include "synth/realism.hpp"
#include "synth/synth.hpp"

using namespace mhbench;

TEST(SynthRealism, small_sample_is_within_tolerance) {
    // MHBENCH_REALISM_DIR: report on an existing directory instead (manual runs at any scale).
    const char* existing = std::getenv("MHBENCH_REALISM_DIR");
    test::SharedTempDir dir("realism");
    std::filesystem::path data = existing ? std::filesystem::path(existing) : dir / "data";
    if (!existing) {
        synth::Options o;
        o.out = data;
        o.scale = 0.03;  // ~55,000 referrals: the stated tolerances bind for the large figures
        o.seed = 5;
        synth::generate(o, MPI_COMM_WORLD);
    }
    if (test::world_rank() != 0) return;
    std::ostringstream s;
    const bool ok = synth::report_realism(data, s);
    std::cout << s.str();
    EXPECT_TRUE(ok) << "a figure is out of tolerance (see the report above)";
    EXPECT_NE(s.str().find("truth Depression / Severe: contacts"), std::string::npos);
    // The MHSDS provider count is fixed by the catalogue, not sampled: 300 ± 5% (15), never widened.
    const auto at = s.str().find("MHSDS providers submitting in the year");
    ASSERT_NE(at, std::string::npos);
    const std::string line = s.str().substr(at, s.str().find('\n', at) - at);
    EXPECT_NE(line.find("tolerance 15.00  OK"), std::string::npos) << line;
    EXPECT_NE(s.str().find("ICB codes named in the generated files                      target 42  generated 42  exact  OK"),
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
