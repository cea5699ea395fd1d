#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "model/errors.hpp"
#include "report/digest.hpp"
#include "report/manifest.hpp"

namespace fs = std::filesystem;
using namespace mhbench;
using namespace mhbench::report;
using nlohmann::json;

namespace {

fs::path scratch(const std::string& test) {
    fs::path p = fs::temp_directory_path() / ("mhbench_report_manifest_" + std::to_string(::getpid()) + "_" + test);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST(ReportManifest, AccountingThatDoesNotAddUpThrows) {
    Manifest m;
    EXPECT_NO_THROW(m.add_table_accounting("tt", "IDS101Referral", 10, 7, 2, 1));
    EXPECT_THROW(m.add_table_accounting("tt", "IDS201CareActivity", 10, 7, 2, 0), ConfigError);
    EXPECT_THROW(m.add_table_accounting("tt", "IDS201CareActivity", 10, 9, 2, 0), ConfigError);
    EXPECT_THROW(m.add_table_accounting("tt", "IDS201CareActivity", 10, 12, -2, 0), ConfigError);
    EXPECT_THROW(m.add_table_accounting("tt", "IDS201CareActivity", INT64_MAX, INT64_MAX, INT64_MAX, 2), ConfigError);
    EXPECT_FALSE(m.json()["row_accounting"]["tt"].contains("IDS201CareActivity"));
    // Parts add up.
    m.add_table_accounting("tt", "IDS101Referral", 5, 5, 0, 0);
    const json& r = m.json()["row_accounting"]["tt"]["IDS101Referral"];
    EXPECT_EQ(r["read"], 15);
    EXPECT_EQ(r["stored"], 12);
    EXPECT_EQ(r["quarantined"], 2);
    EXPECT_EQ(r["superseded"], 1);
}

TEST(ReportManifest, HasTheDocumentedKeys) {
    fs::path dir = scratch("keys");
    {
        std::ofstream f(dir / "in.csv", std::ios::binary);
        f << "a,b\n1,2\n";
    }
    Manifest m;
    m.set_command_line(std::vector<std::string>{"mhbench", "run", "tt-averages"});
    m.set_parallelism(4, 8);
    m.set_reference_version("2025-26.1");
    m.add_input("IDS101Referral", (dir / "in.csv").string());
    m.add_input("store", digest_string("store bytes"));
    m.add_output("tt_national.csv", dir / "in.csv");
    m.add_table_accounting("tt", "IDS101Referral", 1, 1, 0, 0);
    m.add_stage("read", 1.5);
    m.add_stage("group", 0.25);
    m.add_stage("read", 0.5);
    m.set("financial_year", "2023-24");
    EXPECT_THROW(m.add_stage("x", -1), ConfigError);
    EXPECT_THROW(m.add_input("absent", (dir / "absent.csv").string()), IoError);
    EXPECT_THROW(m.set_parallelism(0, 1), ConfigError);
    m.write(dir / "manifest.json");

    const std::string text = slurp(dir / "manifest.json");
    json j = json::parse(text);
    for (const char* key : {"manifest_version", "software_version", "created_utc", "command_line", "ranks", "threads",
                            "reference_data_version", "inputs", "outputs", "row_accounting", "timings_seconds"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["software_version"], MHBENCH_VERSION);
    EXPECT_TRUE(std::regex_match(j["created_utc"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")));
    EXPECT_EQ(j["command_line"], json({"mhbench", "run", "tt-averages"}));
    EXPECT_EQ(j["ranks"], 4);
    EXPECT_EQ(j["threads"], 8);
    EXPECT_EQ(j["reference_data_version"], "2025-26.1");
    EXPECT_EQ(j["inputs"]["IDS101Referral"]["digest"], digest_file(dir / "in.csv"));
    EXPECT_EQ(j["inputs"]["IDS101Referral"]["bytes"], 8);
    EXPECT_EQ(j["inputs"]["IDS101Referral"]["path"], (dir / "in.csv").string());
    EXPECT_EQ(j["inputs"]["store"]["digest"], digest_string("store bytes"));
    EXPECT_FALSE(j["inputs"]["store"].contains("path"));
    EXPECT_EQ(j["outputs"]["tt_national.csv"]["digest"], digest_file(dir / "in.csv"));
    EXPECT_EQ(j["row_accounting"]["tt"]["IDS101Referral"]["stored"], 1);
    EXPECT_DOUBLE_EQ(j["timings_seconds"]["read"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(j["timings_seconds"]["group"].get<double>(), 0.25);
    EXPECT_EQ(j["financial_year"], "2023-24");

    // Pretty-printed, keys sorted, newline-terminated, and stable.
    EXPECT_EQ(text, j.dump(2) + "\n");
    EXPECT_LT(text.find("\"command_line\""), text.find("\"created_utc\""));
    EXPECT_LT(text.find("\"created_utc\""), text.find("\"financial_year\""));
    m.write(dir / "again.json");
    EXPECT_EQ(slurp(dir / "again.json"), text);
    EXPECT_THROW(m.write(dir / "no" / "such" / "manifest.json"), IoError);
    fs::remove_all(dir);
}
