// Ingest of the hand-made extract tests/fixtures/ingest_small at any rank count: every bad row
// lands where SPEC section 2 says, the accounting adds up, the store is sorted with children as
// slices, and the store equals the one written by a single rank.
#include <gtest/gtest.h>

#include <map>

#include "../support/mpi_temp.hpp"
#include "ingest/rows.hpp"
#include "jobs/activity.hpp"
#include "jobs/ingest.hpp"
#include "model/dates.hpp"
#include "store/store.hpp"

using namespace mhbench;
namespace fs = std::filesystem;

namespace {

const fs::path kFixture = fs::path(MHBENCH_FIXTURES) / "ingest_small";

std::map<std::string, store::Accounting> by_table(const jobs::IngestSummary& s) {
    std::map<std::string, store::Accounting> m;
    for (const auto& [t, a] : s.tables) m[t] = a;
    return m;
}

void expect_acc(const store::Accounting& a, std::int64_t read, std::int64_t stored, std::int64_t quarantined,
                std::int64_t superseded, const std::string& table) {
    EXPECT_EQ(a.read, read) << table;
    EXPECT_EQ(a.stored, stored) << table;
    EXPECT_EQ(a.quarantined, quarantined) << table;
    EXPECT_EQ(a.superseded, superseded) << table;
}

std::vector<partition::RowRange> all_rows(const store::Store& s, const std::string& t) {
    return {{0, s.rows(Dataset::Iapt, t)}};
}

}  // namespace

TEST(IngestFixture, accounting_and_quarantine_reasons) {
    test::SharedTempDir dir("ingest-fixture");
    auto summary = jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    auto acc = by_table(summary);
    expect_acc(acc["IDS000Header"], 5, 4, 1, 0, "IDS000Header");
    expect_acc(acc["IDS001MPI"], 3, 2, 0, 1, "IDS001MPI");
    expect_acc(acc["IDS101Referral"], 10, 4, 5, 1, "IDS101Referral");
    expect_acc(acc["IDS201CareContact"], 8, 6, 2, 0, "IDS201CareContact");
    expect_acc(acc["IDS202CareActivity"], 5, 4, 1, 0, "IDS202CareActivity");
    expect_acc(acc["IDS004EmpStatus"], 2, 2, 0, 0, "IDS004EmpStatus");
    expect_acc(acc["IDS606CodedScoreAssessmentRefer"], 2, 1, 1, 0, "IDS606");
    for (const auto& [t, a] : acc) EXPECT_EQ(a.read, a.stored + a.quarantined + a.superseded) << t;

    if (test::world_rank() == 0) {
        const std::string expected =
            "table,file,line,reason,field\n"
            "IDS000Header,IDS000Header.csv,5,duplicate,UniqueSubmissionID\n"
            "IDS101Referral,IDS101Referral.csv,5,duplicate,\n"
            "IDS101Referral,IDS101Referral.csv,6,unparseable,ReferralRequestReceivedDate\n"
            "IDS101Referral,IDS101Referral.csv,7,missing_key,PathwayID\n"
            "IDS101Referral,IDS101Referral.csv,8,unknown_submission,UniqueSubmissionID\n"
            "IDS101Referral,IDS101Referral.csv,10,provider_mismatch,OrgID_Provider\n"
            "IDS201CareContact,IDS201CareContact.csv,5,orphan,PathwayID\n"
            "IDS201CareContact,IDS201CareContact.csv,6,orphan,PathwayID\n"
            "IDS202CareActivity,IDS202CareActivity.csv,5,orphan,PathwayID\n"
            "IDS606CodedScoreAssessmentRefer,IDS606CodedScoreAssessmentRefer.csv,3,unparseable,PersScore\n";
        EXPECT_EQ(test::slurp(dir / "store.h5.quarantine.csv"), expected);
        // No identifier from the input appears in the quarantine file or the store.
        const std::string store_bytes = test::slurp(dir / "store.h5");
        for (const char* id : {"PER1", "PER2", "R1,", "PathwayID,R"}) EXPECT_EQ(store_bytes.find(id), std::string::npos) << id;
    }
}

TEST(IngestFixture, store_is_sorted_with_children_as_slices) {
    test::SharedTempDir dir("ingest-layout");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    store::Store s(dir / "store.h5", MPI_COMM_WORLD);
    EXPECT_EQ(s.providers(Dataset::Iapt), (std::vector<std::string>{"AAA", "BBB"}));
    EXPECT_EQ(s.provider_offsets(Dataset::Iapt, "IDS101Referral"), (std::vector<std::int64_t>{0, 2, 4}));
    EXPECT_EQ(s.provider_offsets(Dataset::Iapt, "IDS201CareContact"), (std::vector<std::int64_t>{0, 3, 6}));
    EXPECT_EQ(s.provider_offsets(Dataset::Iapt, "IDS000Header"), (std::vector<std::int64_t>{0, 2, 4}));

    auto ref = all_rows(s, "IDS101Referral");
    auto pid = s.read<std::uint64_t>(Dataset::Iapt, "IDS101Referral", "PathwayID", ref);
    auto recv = s.read<std::int32_t>(Dataset::Iapt, "IDS101Referral", "ReferralRequestReceivedDate", ref);
    auto disch = s.read<std::int32_t>(Dataset::Iapt, "IDS101Referral", "ServDischDate", ref);
    ASSERT_EQ(pid.size(), 4u);
    // Within a provider, referrals are ordered by their pseudonymised key.
    EXPECT_LT(pid[0], pid[1]);
    EXPECT_LT(pid[2], pid[3]);
    std::map<std::uint64_t, std::size_t> row;
    for (std::size_t i = 0; i < pid.size(); ++i) row[pid[i]] = i;
    const auto r1 = row.at(ingest::hash_id("R1")), r2 = row.at(ingest::hash_id("R2")), r6 = row.at(ingest::hash_id("R6")),
               r8 = row.at(ingest::hash_id("R8"));
    // The latest submission won: R1 has its discharge date; the first copy of R2 was kept.
    EXPECT_EQ(disch[r1], days_from_civil(2023, 4, 28));
    EXPECT_EQ(recv[r2], days_from_civil(2023, 4, 10));

    auto ch = s.children(Dataset::Iapt, "IDS101Referral", "IDS201CareContact", ref);
    auto cdate = s.read<std::int32_t>(Dataset::Iapt, "IDS201CareContact", "CareContDate", ch.ranges);
    auto count = [&](std::size_t r) { return ch.offsets[r + 1] - ch.offsets[r]; };
    EXPECT_EQ(count(r1), 3);
    EXPECT_EQ(count(r2), 0);
    EXPECT_EQ(count(r6), 1);
    EXPECT_EQ(count(r8), 2);
    // Siblings are ordered by date.
    EXPECT_EQ(cdate[static_cast<std::size_t>(ch.offsets[r8])], days_from_civil(2023, 4, 8));
    EXPECT_EQ(cdate[static_cast<std::size_t>(ch.offsets[r8]) + 1], days_from_civil(2024, 4, 1));

    // Grandchildren: R1's first contact (C1) carries two activities, its second (C2) one.
    auto all_contacts = all_rows(s, "IDS201CareContact");
    auto act = s.children(Dataset::Iapt, "IDS201CareContact", "IDS202CareActivity", all_contacts);
    const auto c1 = static_cast<std::size_t>(ch.offsets[r1]);
    EXPECT_EQ(act.offsets[c1 + 1] - act.offsets[c1], 2);
    EXPECT_EQ(act.offsets[c1 + 2] - act.offsets[c1 + 1], 1);
    EXPECT_EQ(act.offsets.back(), 4);

    // Codes are dictionary-encoded; unknown codes are kept as data; scores in hundredths.
    auto dict = s.dictionary(Dataset::Iapt, "IDS607CodedScoreAssessmentAct", "CodedAssToolType");
    EXPECT_EQ(dict, (std::vector<std::string>{"", "720433000", "999999"}));
    auto score = s.read<std::int32_t>(Dataset::Iapt, "IDS607CodedScoreAssessmentAct", "PersScore",
                                      all_rows(s, "IDS607CodedScoreAssessmentAct"));
    std::sort(score.begin(), score.end());
    EXPECT_EQ(score, (std::vector<std::int32_t>{235, 700}));
    auto mech = s.dictionary(Dataset::Iapt, "IDS201CareContact", "ConsMechanism");
    EXPECT_EQ(mech, (std::vector<std::string>{"", "01", "02", "11"}));
}

TEST(IngestFixture, same_store_from_any_rank_count) {
    test::SharedTempDir dir("ingest-ranks");
    jobs::run_ingest({kFixture, dir / "world.h5", 0}, MPI_COMM_WORLD);
    if (test::world_rank() == 0) jobs::run_ingest({kFixture, dir / "self.h5", 0}, MPI_COMM_SELF);
    MPI_Barrier(MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    store::Store a(dir / "world.h5", MPI_COMM_SELF), b(dir / "self.h5", MPI_COMM_SELF);
    for (const TableSpec* t : tables_of(Dataset::Iapt)) {
        auto ra = all_rows(a, t->name), rb = all_rows(b, t->name);
        ASSERT_EQ(ra[0].count, rb[0].count) << t->name;
        EXPECT_EQ(a.provider_offsets(Dataset::Iapt, t->name), b.provider_offsets(Dataset::Iapt, t->name));
        for (const auto& c : t->columns) {
            switch (c.kind) {
                case ColumnKind::Id:
                    EXPECT_EQ(a.read<std::uint64_t>(Dataset::Iapt, t->name, c.name, ra),
                              b.read<std::uint64_t>(Dataset::Iapt, t->name, c.name, rb)) << t->name << "." << c.name;
                    break;
                case ColumnKind::Code:
                    EXPECT_EQ(a.read<std::uint16_t>(Dataset::Iapt, t->name, c.name, ra),
                              b.read<std::uint16_t>(Dataset::Iapt, t->name, c.name, rb)) << t->name << "." << c.name;
                    EXPECT_EQ(a.dictionary(Dataset::Iapt, t->name, c.name), b.dictionary(Dataset::Iapt, t->name, c.name));
                    break;
                default:
                    EXPECT_EQ(a.read<std::int32_t>(Dataset::Iapt, t->name, c.name, ra),
                              b.read<std::int32_t>(Dataset::Iapt, t->name, c.name, rb)) << t->name << "." << c.name;
            }
        }
    }
    EXPECT_EQ(test::slurp(dir / "world.h5.quarantine.csv"), test::slurp(dir / "self.h5.quarantine.csv"));
}

TEST(IngestFixture, activity_national_figures_by_hand) {
    test::SharedTempDir dir("activity-fixture");
    jobs::run_ingest({kFixture, dir / "store.h5", 0}, MPI_COMM_WORLD);
    jobs::RunOptions o;
    o.store = dir / "store.h5";
    o.out = dir / "out";
    jobs::run_activity(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    // Worked by hand from the fixture (FY 2023-24): R8's discharge and its 2024-04-01 contact
    // fall in 2024-25; PER1 and PER2 each have an open referral.
    const std::string expected =
        "financial_year,dataset,org_code,org_name,measure,category,value\n"
        "2023-24,iapt,ENG,England,referrals_received,All,4\n"
        "2023-24,iapt,ENG,England,referrals_discharged,All,1\n"
        "2023-24,iapt,ENG,England,people_with_open_referral,All,2\n"
        "2023-24,iapt,ENG,England,care_contacts,3,1\n"
        "2023-24,iapt,ENG,England,care_contacts,5,2\n"
        "2023-24,iapt,ENG,England,care_contacts,6,1\n"
        "2023-24,iapt,ENG,England,care_contacts,7,1\n"
        "2023-24,iapt,ENG,England,attended_contacts,01,1\n"
        "2023-24,iapt,ENG,England,attended_contacts,02,1\n"
        "2023-24,iapt,ENG,England,attended_contacts,11,1\n";
    EXPECT_EQ(test::slurp(dir / "out" / "activity_national.csv"), expected);
    // Below England every count here is under 5, so every value is suppressed (empty).
    const std::string prov = test::slurp(dir / "out" / "activity_provider.csv");
    EXPECT_NE(prov.find("2023-24,iapt,AAA,Provider A,referrals_received,All,\n"), std::string::npos);
    EXPECT_EQ(prov.find(",1\n"), std::string::npos);
    EXPECT_EQ(prov.find(",2\n"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir / "out" / "manifest.json"));
    EXPECT_TRUE(fs::exists(dir / "out" / "results.h5"));
}
