// Truth recovered from generated data: ingest finds exactly the faults and superseded rows the
// generator says it injected (truth.json), table by table, at any rank count.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/mpi_temp.hpp"
#include "jobs/ingest.hpp"
#include "synth/synth.hpp"

using namespace mhbench;

TEST(IngestTruth, quarantine_and_supersession_match_what_synth_injected) {
    test::SharedTempDir dir("ingest-truth");
    synth::Options so;
    so.out = dir / "data";
    so.scale = 0.001;
    so.seed = 11;
    so.fault_rate = 0.02;
    synth::generate(so, MPI_COMM_WORLD);
    auto summary = jobs::run_ingest({dir / "data", dir / "store.h5", 0}, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;

    auto truth = nlohmann::json::parse(test::slurp(dir / "data" / "truth.json"));
    // Quarantined rows by (table, reason) from the quarantine file.
    std::map<std::pair<std::string, std::string>, std::int64_t> found;
    std::istringstream q(test::slurp(dir / "store.h5.quarantine.csv"));
    std::string line;
    std::getline(q, line);
    while (std::getline(q, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string x;
        while (std::getline(ls, x, ',')) f.push_back(x);
        ++found[{f.at(0), f.at(3)}];
    }
    const std::map<std::string, std::string> reason_of = {
        {"orphan", "orphan"}, {"duplicate", "duplicate"}, {"bad_date", "unparseable"}, {"missing_key", "missing_key"}};
    std::int64_t faults_total = 0;
    for (const auto& [table, acc] : summary.tables) {
        ASSERT_TRUE(truth["tables"].contains(table)) << table;
        const auto& t = truth["tables"][table];
        EXPECT_EQ(acc.read, t["rows"].get<std::int64_t>()) << table;
        EXPECT_EQ(acc.superseded, t.value("superseded", std::int64_t{0})) << table;
        std::int64_t faults = 0;
        std::map<std::string, std::int64_t> expected_by_reason;
        if (t.contains("faults"))
            for (auto& [kind, n] : t["faults"].items()) {
                expected_by_reason[reason_of.at(kind)] += n.get<std::int64_t>();
                faults += n.get<std::int64_t>();
            }
        for (const auto& [reason, n] : expected_by_reason)
            EXPECT_EQ((found[{table, reason}]), n) << table << " " << reason;
        EXPECT_EQ(acc.quarantined, faults) << table;
        faults_total += faults;
    }
    EXPECT_GT(faults_total, 0);
}
