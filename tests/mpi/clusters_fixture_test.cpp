// The clusters job on the hand-made extract tests/fixtures/clusters_small (README there works
// every number out by hand), at whatever rank count the test runs with.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "../support/mpi_temp.hpp"
#include "../support/results_csv.hpp"
#include "jobs/clusters.hpp"
#include "jobs/ingest.hpp"
#include "model/errors.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

using test::Row;
using test::read_rows;
using test::expect_row;

const fs::path kFixture = fs::path(MHBENCH_FIXTURES) / "clusters_small";

jobs::RunOptions options(const fs::path& store, const fs::path& out, const char* years) {
    jobs::RunOptions o;
    o.store = store;
    o.out = out;
    o.years = YearRange::parse(years);
    o.command_line = {"mhbench", "run", "clusters"};
    return o;
}

}  // namespace

TEST(ClustersFixture, hand_worked_numbers) {
    test::SharedTempDir dir("clusters-fixture");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    jobs::run_clusters(options(dir / "store.h5", dir / "out", "2022-23"), MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    const fs::path out = dir / "out";

    // England: 15 open (R1-R15; R16 discharged the day before the year), 14 clustered (not R14),
    // 12 reviews of which 6 on time, 1 unassessable interval (R13, cluster 9).
    auto nat = read_rows(out / "clusters_summary_national.csv", {"financial_year"});
    expect_row(nat, "2022-23", {{"org_code", "ENG"}, {"open_referrals", "15"}, {"clustered_referrals", "14"},
                                {"share_clustered", "0.9333"}, {"reviews", "12"}, {"reviews_on_time", "6"},
                                {"adherence", "0.5000"}, {"reviews_unassessable", "1"}});

    // By cluster: exactly the period adheres, one day over does not, for each period length.
    auto cl = read_rows(out / "clusters_caseload_national.csv", {"super_class", "cluster"});
    for (const char* key : {"Non-psychotic|1", "Non-psychotic|2", "Non-psychotic|3", "Non-psychotic|7",
                            "Psychotic|14"})
        expect_row(cl, key, {{"caseload", "2"}, {"reviews", "2"}, {"reviews_on_time", "1"}, {"adherence", "0.5000"}});
    expect_row(cl, "Non-psychotic|1", {{"max_review_days", "84"}});
    expect_row(cl, "Non-psychotic|2", {{"max_review_days", "105"}});
    expect_row(cl, "Non-psychotic|3", {{"max_review_days", "182"}});
    expect_row(cl, "Non-psychotic|7", {{"max_review_days", "365"}});
    expect_row(cl, "Psychotic|14", {{"max_review_days", "28"}});
    // R15: on time under 4 (119 days), then re-clustered to 12 (current).
    expect_row(cl, "Non-psychotic|4", {{"caseload", "0"}, {"reviews", "1"}, {"reviews_on_time", "1"}});
    expect_row(cl, "Psychotic|12", {{"caseload", "1"}, {"reviews", "0"}, {"adherence", ""}});
    // R11 missed its review (open at day 183); R12 discharged on day 182: none due.
    expect_row(cl, "Organic|19", {{"caseload", "2"}, {"reviews", "1"}, {"reviews_on_time", "0"}, {"adherence", "0.0000"}});
    // Super classes and the whole.
    expect_row(cl, "Non-psychotic|All", {{"caseload", "8"}, {"reviews", "9"}, {"reviews_on_time", "5"}});
    expect_row(cl, "Psychotic|All", {{"caseload", "3"}, {"reviews", "2"}, {"reviews_on_time", "1"}});
    expect_row(cl, "Organic|All", {{"caseload", "2"}, {"reviews", "1"}, {"reviews_on_time", "0"}});
    expect_row(cl, "Invalid/Unknown|Invalid/Unknown", {{"caseload", "1"}});
    expect_row(cl, "All|All", {{"caseload", "14"}, {"reviews", "12"}, {"reviews_on_time", "6"}});
    EXPECT_EQ(cl.size(), 21u + 3 + 2);  // 21 clusters, 3 super classes, Invalid/Unknown, All

    // Providers: disclosure control (0-4 suppressed, others rounded to 5; rates where n >= 5).
    auto prov = read_rows(out / "clusters_summary_provider.csv", {"org_code"});
    expect_row(prov, "AAA", {{"open_referrals", "10"}, {"clustered_referrals", "10"}, {"reviews", "10"},
                             {"reviews_on_time", "5"}, {"adherence", "0.5000"}});
    expect_row(prov, "BBB", {{"open_referrals", "5"}, {"clustered_referrals", ""}, {"share_clustered", "0.8000"},
                             {"reviews", ""}, {"adherence", ""}});
    auto region = read_rows(out / "clusters_summary_region.csv", {"org_code"});
    expect_row(region, "Y60", {{"open_referrals", "15"}, {"clustered_referrals", "15"}, {"share_clustered", "0.9333"}});
    EXPECT_EQ(read_rows(out / "clusters_summary_icb.csv", {"org_code"}).size(), 2u);
}

// 2023-24 is after clusters ended: 2022-23 is reported as before and 2023-24 has no rows.
TEST(ClustersFixture, no_rows_after_clusters_ended) {
    test::SharedTempDir dir("clusters-fixture-late");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    jobs::run_clusters(options(dir / "store.h5", dir / "out", "2022-23:2023-24"), MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    auto nat = read_rows(dir / "out" / "clusters_summary_national.csv", {"financial_year"});
    EXPECT_EQ(nat.size(), 1u);
    expect_row(nat, "2022-23", {{"open_referrals", "15"}, {"clustered_referrals", "14"}});
}
