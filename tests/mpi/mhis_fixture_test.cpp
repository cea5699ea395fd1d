// The mhis job on the hand-made ledger tests/fixtures/mhis_small (README there works every number
// out by hand), with stand-in results of the other jobs for the unit costs, at whatever rank count
// the test runs with.
#include <gtest/gtest.h>
#include <mpi.h>

#include <fstream>
#include <map>

#include "../support/mpi_temp.hpp"
#include "../support/results_csv.hpp"
#include "jobs/ingest.hpp"
#include "jobs/mhis.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

using test::Row;
using test::read_rows;
using test::expect_row;

const fs::path kFixture = fs::path(MHBENCH_FIXTURES) / "mhis_small";

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

}  // namespace

TEST(MhisFixture, hand_worked_numbers) {
    test::SharedTempDir dir("mhis-fixture");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    // Stand-ins for the other jobs' results at ICB level; none at region or England level.
    if (test::world_rank() == 0) {
        write(dir / "results/tt-averages/tt_icb.csv",
              "financial_year,org_code,org_name,descriptor,severity,finished\n"
              "2023-24,QAA,NHS Test ICB A,All,All,10\n"
              "2023-24,QAA,NHS Test ICB A,Depression,All,7\n"
              "2022-23,QAA,NHS Test ICB A,All,All,99\n");
        write(dir / "results/activity/activity_icb.csv",
              "financial_year,dataset,org_code,org_name,measure,category,value\n"
              "2023-24,iapt,QAA,NHS Test ICB A,attended_contacts,01,100\n"
              "2023-24,iapt,QAA,NHS Test ICB A,attended_contacts,02,\n"
              "2023-24,mhsds,QAA,NHS Test ICB A,attended_contacts,01,1000\n"
              "2023-24,iapt,QAA,NHS Test ICB A,care_contacts,5,500\n");
    }
    MPI_Barrier(MPI_COMM_WORLD);
    jobs::RunOptions o;
    o.store = dir / "store.h5";
    o.out = dir / "out";
    o.results = dir / "results";
    o.years = YearRange::parse("2023-24");
    o.command_line = {"mhbench", "run", "mhis"};
    jobs::run_mhis(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    const fs::path out = dir / "out";

    auto icb = read_rows(out / "mhis_totals_icb.csv", {"org_code"});
    expect_row(icb, "QAA", {{"financial_year", "2023-24"}, {"mhis_total", "4600.50"}, {"non_core", "500.00"},
                            {"mhis_and_non_core", "5100.50"}, {"outside_mhis", "105.00"},
                            {"excluded_development", "230.00"}, {"excluded_covid", "50.25"},
                            {"ledger_total", "5485.75"}, {"ledger_rows", "10"}});  // 12 rows, rounded
    expect_row(icb, "QBB", {{"mhis_total", "4000.00"}, {"non_core", "0.00"}, {"ledger_total", "4000.00"},
                            {"ledger_rows", ""}});  // 3 rows, suppressed
    auto nat = read_rows(out / "mhis_totals_national.csv", {"org_code"});
    expect_row(nat, "ENG", {{"mhis_total", "8600.50"}, {"mhis_and_non_core", "9100.50"}, {"outside_mhis", "105.00"},
                            {"excluded_development", "230.00"}, {"excluded_covid", "50.25"},
                            {"ledger_total", "9485.75"}, {"ledger_rows", "15"}});
    auto region = read_rows(out / "mhis_totals_region.csv", {"org_code"});
    expect_row(region, "Y60", {{"mhis_total", "8600.50"}, {"ledger_rows", "15"}});

    auto cat = read_rows(out / "mhis_categories_icb.csv", {"org_code", "category", "funding_source"});
    expect_row(cat, "QAA|19|SDF", {{"mhis_class", "outside"}, {"counted_as", "excluded_development"}, {"amount", "10.00"}});
    expect_row(cat, "QAA|6|Baseline", {{"counted_as", "mhis"}, {"amount", "600.00"}});
    expect_row(cat, "QBB|7|Baseline", {{"amount", "1500.00"}});
    expect_row(cat, "QAA|16|Baseline", {{"mhis_class", "non_core"}, {"counted_as", "non_core"}});
    EXPECT_EQ(cat.count("QAA|4|Baseline") ? cat["QAA|4|Baseline"]["amount"] : "", "3000.00");  // not 2022-23's 999

    auto unit = read_rows(out / "mhis_unit_costs_icb.csv", {"org_code", "activity"});
    expect_row(unit, "QAA|eip_referrals", {{"category", "6"}, {"spend", "600.00"}, {"activity_count", "5"},
                                           {"unit_cost", "120.00"}, {"activity_source", "store"},
                                           {"status", "available"}});
    expect_row(unit, "QBB|eip_referrals", {{"activity_count", ""}, {"unit_cost", ""}, {"status", "suppressed"}});
    expect_row(unit, "QAA|tt_finished_courses", {{"spend", "3000.00"}, {"activity_count", "10"}, {"unit_cost", "300.00"},
                                                 {"activity_source", "tt-averages/tt_icb.csv"}, {"status", "available"}});
    expect_row(unit, "QAA|tt_attended_contacts", {{"activity_count", "100"}, {"unit_cost", "30.00"}, {"status", "partial"}});
    expect_row(unit, "QBB|tt_finished_courses", {{"activity_count", "0"}, {"unit_cost", ""}});
    expect_row(unit, "QBB|crisis_attended_contacts", {{"spend", "1500.00"}, {"activity_count", ""}, {"unit_cost", ""}});
    EXPECT_EQ(unit["QBB|crisis_attended_contacts"]["status"].rfind("absent: no mhnrg/mhnrg_units_icb.csv", 0), 0u)
        << unit["QBB|crisis_attended_contacts"]["status"];
    EXPECT_NE(unit["QAA|eip_referrals"]["caveat"].find("Approximate"), std::string::npos);

    auto unit_nat = read_rows(out / "mhis_unit_costs_national.csv", {"activity"});
    expect_row(unit_nat, "eip_referrals", {{"activity_count", "7"}, {"unit_cost", "85.71"}});
    EXPECT_EQ(unit_nat["tt_finished_courses"]["status"].rfind("absent:", 0), 0u);
}
