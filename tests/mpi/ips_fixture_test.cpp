// The ips job on the hand-made extract tests/fixtures/ips_small (README there works every number
// out by hand), at whatever rank count the test runs with; and the side inputs as every rank reads
// them back from the store.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "../support/mpi_temp.hpp"
#include "../support/results_csv.hpp"
#include "jobs/ingest.hpp"
#include "jobs/ips.hpp"
#include "model/errors.hpp"
#include "store/inputs.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

using test::Row;
using test::read_rows;

const fs::path kFixture = fs::path(MHBENCH_FIXTURES) / "ips_small";

jobs::RunOptions options(const fs::path& store, const fs::path& out) {
    jobs::RunOptions o;
    o.store = store;
    o.out = out;
    o.years = YearRange::parse("2022-23:2023-24");
    o.command_line = {"mhbench", "run", "ips"};
    return o;
}

void expect_row(const Row& r, const Row& want, const std::string& what) {
    for (const auto& [k, v] : want) EXPECT_EQ(r.count(k) ? r.at(k) : "<absent>", v) << what << " column " << k;
}

}  // namespace

TEST(IpsFixture, hand_worked_numbers) {
    test::SharedTempDir dir("ips-fixture");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    jobs::run_ips(options(dir / "store.h5", dir / "out"), MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    const fs::path out = dir / "out";

    auto nat = read_rows(out / "ips_national.csv", {"financial_year"});
    ASSERT_EQ(nat.size(), 2u);
    // 2023-24: R1 (both routes, once), R2 (activity only), R4-R9 (team); R3 (refused only) and
    // R10 (no IPS) are not IPS. Access: R1 May, R2 Jun, R5 Apr (carried over), R6 Apr, R7 Oct
    // (re-referral of R6's person), R8 Apr, R9 Mar; R4 (email and SMS only) none.
    expect_row(nat["2023-24"],
               {{"ips_referrals", "8"}, {"via_team_only", "6"}, {"via_activity_only", "1"}, {"via_both", "1"},
                {"referrals_received", "7"}, {"referrals_discharged", "3"}, {"accessed", "7"},
                {"direct_contacts", "10"}, {"target", "14"}, {"access_vs_target", "0.5000"},
                {"received_employed_at_referral", "2"}, {"received_status_known", "5"},
                {"employed_at_referral_share", "0.4000"}, {"discharged_employed", "2"},
                {"discharged_status_known", "3"}, {"employed_at_discharge_share", "0.6667"},
                {"caseload_job_retention", "2"}, {"caseload_status_known", "6"}, {"job_retention_share", "0.3333"},
                {"job_retention_within_guidance", "no"}, {"unemployed_share", "0.6667"},
                {"unemployed_focus_for_good_fidelity", "no"}},
               "England 2023-24");
    // 2022-23: R5 alone (received Nov 2022, first contact 15 Nov 2022).
    expect_row(nat["2022-23"],
               {{"ips_referrals", "1"}, {"via_team_only", "1"}, {"via_activity_only", "0"}, {"via_both", "0"},
                {"referrals_received", "1"}, {"referrals_discharged", "0"}, {"accessed", "1"},
                {"direct_contacts", "2"}, {"target", "10"}, {"access_vs_target", "0.1000"},
                {"employed_at_discharge_share", ""}, {"caseload_job_retention", "0"}, {"caseload_status_known", "1"},
                {"job_retention_share", "0.0000"}, {"job_retention_within_guidance", "yes"},
                {"unemployed_focus_for_good_fidelity", "yes"}},
               "England 2022-23");

    // Running total from April.
    auto monthly = read_rows(out / "ips_monthly_national.csv", {"month"});
    ASSERT_EQ(monthly.size(), 24u);
    const std::map<std::string, std::pair<std::string, std::string>> want_months = {
        {"2022-10", {"0", "0"}}, {"2022-11", {"1", "1"}}, {"2023-03", {"0", "1"}}, {"2023-04", {"3", "3"}},
        {"2023-05", {"1", "4"}}, {"2023-06", {"1", "5"}}, {"2023-09", {"0", "5"}}, {"2023-10", {"1", "6"}},
        {"2024-02", {"0", "6"}}, {"2024-03", {"1", "7"}}};
    for (const auto& [m, v] : want_months) {
        EXPECT_EQ(monthly[m]["accessed"], v.first) << m;
        EXPECT_EQ(monthly[m]["running_total"], v.second) << m;
    }

    // Contacts by attendance and mechanism: email (05) and SMS (06) and the DNA do not count.
    auto contacts = read_rows(out / "ips_contacts_national.csv",
                              {"financial_year", "attend_code", "consultation_mechanism"});
    const std::map<std::string, std::pair<std::string, std::string>> want_contacts = {
        {"2023-24|5|01", {"yes", "6"}}, {"2023-24|5|02", {"yes", "1"}}, {"2023-24|5|04", {"yes", "1"}},
        {"2023-24|5|11", {"yes", "1"}}, {"2023-24|6|11", {"yes", "1"}}, {"2023-24|5|05", {"no", "2"}},
        {"2023-24|5|06", {"no", "1"}},  {"2023-24|7|01", {"no", "1"}},  {"2022-23|5|01", {"yes", "1"}},
        {"2022-23|5|02", {"yes", "1"}}};
    EXPECT_EQ(contacts.size(), want_contacts.size());
    for (const auto& [k, v] : want_contacts) {
        EXPECT_EQ(contacts[k]["direct"], v.first) << k;
        EXPECT_EQ(contacts[k]["contacts"], v.second) << k;
    }

    // Fidelity: band edges 73/74, 99/100, 114/115 and 125; overdue strictly after 2 years.
    auto teams = read_rows(out / "ips_fidelity_teams.csv", {"financial_year", "team_id"});
    const std::map<std::string, std::vector<std::string>> want_teams = {
        {"2023-24|TA1", {"2022-04-01", "74", "Fair", "no"}},
        {"2023-24|TA3", {"2022-03-31", "99", "Fair", "no"}},  // exactly 2 years on 31 March 2024
        {"2023-24|TA4", {"2022-03-30", "100", "Good", "yes"}},
        {"2023-24|TA5", {"2023-02-01", "73", "Not supported employment", "no"}},
        {"2023-24|TB1", {"2023-06-01", "114", "Good", "no"}},
        {"2023-24|TB2", {"2024-01-10", "125", "Exemplary", "no"}},
        {"2023-24|TB3", {"2023-05-05", "25", "Not supported employment", "no"}},
        {"2022-23|TB1", {"2021-01-15", "115", "Exemplary", "yes"}},
        {"2022-23|TA1", {"2022-04-01", "74", "Fair", "no"}}};
    EXPECT_EQ(teams.size(), 12u);
    for (const auto& [k, v] : want_teams) {
        EXPECT_EQ(teams[k]["latest_review"], v[0]) << k;
        EXPECT_EQ(teams[k]["score"], v[1]) << k;
        EXPECT_EQ(teams[k]["band"], v[2]) << k;
        EXPECT_EQ(teams[k]["review_overdue"], v[3]) << k;
    }
    auto bands = read_rows(out / "ips_fidelity_national.csv", {"financial_year", "band"});
    EXPECT_EQ(bands["2023-24|Not supported employment"]["teams"], "2");
    EXPECT_EQ(bands["2023-24|Fair"]["teams"], "2");
    EXPECT_EQ(bands["2023-24|Good"]["teams"], "2");
    EXPECT_EQ(bands["2023-24|Good"]["reviews_overdue"], "1");
    EXPECT_EQ(bands["2023-24|Exemplary"]["teams"], "1");
    EXPECT_EQ(bands["2023-24|All"]["teams"], "7");
    EXPECT_EQ(bands["2022-23|All"]["teams"], "5");
    EXPECT_EQ(bands["2022-23|Exemplary"]["reviews_overdue"], "1");

    // Below England: rounded to 5, 0-4 suppressed, shares only on denominators of 5 or more; the
    // access ratio from the disclosed count (none when suppressed).
    auto prov = read_rows(out / "ips_provider.csv", {"financial_year", "org_code"});
    expect_row(prov["2023-24|AAA"],
               {{"ips_referrals", "5"}, {"accessed", "5"}, {"direct_contacts", "10"}, {"caseload_job_retention", ""},
                {"caseload_status_known", "5"}, {"job_retention_share", "0.2000"}, {"target", ""}},
               "AAA 2023-24");
    expect_row(prov["2023-24|BBB"], {{"accessed", ""}, {"job_retention_share", ""}, {"job_retention_within_guidance", ""}},
               "BBB 2023-24");
    auto icb = read_rows(out / "ips_icb.csv", {"financial_year", "org_code"});
    expect_row(icb["2023-24|QAA"], {{"target", "10"}, {"access_vs_target", "0.5000"}}, "QAA 2023-24");
    expect_row(icb["2022-23|QAA"], {{"target", "8"}, {"access_vs_target", ""}}, "QAA 2022-23");
    auto region = read_rows(out / "ips_region.csv", {"financial_year", "org_code"});
    expect_row(region["2023-24|Y60"], {{"target", "14"}, {"accessed", "5"}, {"access_vs_target", "0.3571"}}, "Y60");
}

TEST(IpsFixture, side_inputs_read_back_on_every_rank) {
    test::SharedTempDir dir("ips-inputs");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    store::Store s(dir / "store.h5", MPI_COMM_WORLD);
    ASSERT_TRUE(store::has_input_table(s, "ips_targets"));
    ASSERT_TRUE(store::has_input_table(s, "ips_fidelity"));
    EXPECT_FALSE(store::has_input_table(s, "mhis_ledger"));  // absent from --in: simply absent
    auto t = store::read_input_table(s, "ips_targets");
    EXPECT_EQ(t.file, "ips_targets.csv");
    EXPECT_EQ(t.columns, (std::vector<std::string>{"icb_code", "financial_year", "target"}));
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[3], (std::vector<std::string>{"QBB", "2023-24", "4"}));
    EXPECT_EQ(test::slurp(kFixture / "ips_fidelity.csv").size(), [&] {
        auto f = store::read_input_table(s, "ips_fidelity");
        std::size_t n = 0;
        for (const auto& c : f.columns) n += c.size() + 1;
        for (const auto& r : f.rows)
            for (const auto& c : r) n += c.size() + 1;
        return n;
    }());
    EXPECT_THROW(store::read_input_table(s, "mhis_ledger"), StoreError);
    EXPECT_THROW(store::read_input_table(s, "nonsense"), StoreError);
    // The digests reach the store's record of its inputs.
    EXPECT_NE(s.attribute("input_digests").find("\"ips_targets.csv\""), std::string::npos);
}

TEST(IpsFixture, bad_target_names_file_line_and_field_on_every_rank) {
    test::SharedTempDir dir("ips-bad");
    if (test::world_rank() == 0) {
        fs::create_directories(dir / "in");
        for (const auto& e : fs::directory_iterator(kFixture)) fs::copy_file(e.path(), dir / "in" / e.path().filename());
        std::ofstream(dir / "in" / "ips_targets.csv", std::ios::app) << "QZZ,2023-24,5\n";
    }
    MPI_Barrier(MPI_COMM_WORLD);
    jobs::run_ingest({dir / "in", dir / "store.h5", 0}, MPI_COMM_WORLD);
    try {
        jobs::run_ips(options(dir / "store.h5", dir / "out"), MPI_COMM_WORLD);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), "ips_targets.csv");
        EXPECT_EQ(e.row(), 6);
        EXPECT_EQ(e.field(), "icb_code");
    }
    EXPECT_FALSE(fs::exists(dir / "out" / "manifest.json"));
}
