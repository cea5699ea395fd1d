// MHSDS side of the generator: data-quality faults written into kept rows are exactly what
// truth.json counts (by kind, table and field), the 42 ICBs of 2023-24 carry the MHSDS
// providers in organisations.csv, and several years bring people back and providers that
// start or stop submitting.
#include <gtest/gtest.h>
#include <mpi.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/mpi_temp.hpp"
#include "model/schema.hpp"
#include "synth/catalogue.hpp"
#include "synth/synth.hpp"

using namespace mhbench;

namespace {

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> f(1);
    for (char c : line) {
        if (c == ',') f.emplace_back();
        else f.back() += c;
    }
    return f;
}

/// Distinct records (by the schema's key) of a generated table, as (column → value) rows.
std::vector<std::map<std::string, std::string>> records(const std::filesystem::path& dir, const std::string& table) {
    const TableSpec& spec = table_spec(table);
    std::istringstream in(test::slurp(dir / (table + ".csv")));
    std::string line;
    std::getline(in, line);
    const auto header = split(line);
    std::map<std::string, std::map<std::string, std::string>> latest;
    while (std::getline(in, line)) {
        const auto f = split(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
        std::string key;
        for (const auto& k : spec.key) key += row[k] + '|';
        latest[key] = row;
    }
    std::vector<std::map<std::string, std::string>> out;
    for (auto& [k, r] : latest) out.push_back(std::move(r));
    return out;
}

}  // namespace

TEST(SynthMhsds, data_faults_in_kept_rows_are_exactly_the_truth) {
    test::SharedTempDir dir("synth-mhsds-dq");
    synth::Options o;
    o.out = dir / "data";
    o.scale = 0.002;
    o.seed = 21;
    o.fault_rate = 0;  // no extra rows: every record appears once per key
    o.data_fault_rate = 0.03;
    synth::generate(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    const auto truth = nlohmann::json::parse(test::slurp(dir / "data" / "truth.json"));
    const auto& by_field = truth["data_faults_by_field"];
    auto expected = [&](const char* kind, const char* table, const char* field) -> long long {
        if (!by_field.contains(kind) || !by_field[kind].contains(table) || !by_field[kind][table].contains(field)) return 0;
        return by_field[kind][table][field].get<long long>();
    };
    // (table, field, value written by an invalid_code fault); clean data never hold it nor an
    // empty value, so both are counted exactly.
    const std::vector<std::tuple<const char*, const char*, const char*>> fields = {
        {"MHS102ServiceTypeReferredTo", "ServTeamTypeRefToMH", "X99"},
        {"MHS101Referral", "PrimReasonReferralMH", "99"},
        {"MHS201CareContact", "AttendOrDNACode", "8"},
        {"MHS201CareContact", "ConsMechanismMH", "77"},
        {"MHS004EmpStatus", "EmployStatus", "99"},
        {"MHS003AccommStatus", "AccommodationType", "99"},
        {"MHS001MPI", "EthnicCategory", "0"},
        {"MHS005PatInd", "LDStatus", "9"},
        {"MHS005PatInd", "AutismStatus", "9"},
        {"MHS604PrimDiag", "PrimDiag", "F9X.Z"},
        {"MHS609PresComp", "PresComp", "F9X.Z"},
    };
    long long total = 0;
    for (const auto& [table, field, invalid] : fields) {
        long long missing = 0, bad = 0;
        for (const auto& r : records(dir / "data", table)) {
            missing += r.at(field).empty();
            bad += r.at(field) == invalid;
        }
        EXPECT_EQ(bad, expected("invalid_code", table, field)) << table << "." << field;
        EXPECT_EQ(missing, expected("missing_code", table, field)) << table << "." << field;
        total += bad + missing;
    }
    EXPECT_GT(total, 100);
    // Not-known values and attended contacts stripped of their activity are also natural, so
    // the data hold at least what truth counts; the counts must be there.
    EXPECT_GT(expected("default_code", "MHS001MPI", "EthnicCategory"), 0);
    EXPECT_GT(expected("attended_without_activity", "MHS201CareContact", "AttendOrDNACode"), 0);
    long long ethnic_99 = 0;
    for (const auto& r : records(dir / "data", "MHS001MPI")) ethnic_99 += r.at("EthnicCategory") == "99";
    EXPECT_GE(ethnic_99, expected("default_code", "MHS001MPI", "EthnicCategory"));
    // Per-table totals agree with the per-field ones.
    for (auto& [kind, tables] : by_field.items())
        for (auto& [table, per_field] : tables.items()) {
            long long sum = 0;
            for (auto& [f, n] : per_field.items()) sum += n.get<long long>();
            EXPECT_EQ(sum, truth["data_faults"][kind][table].get<long long>()) << kind << " " << table;
        }
}

TEST(SynthMhsds, icbs_of_2023_and_several_years) {
    test::SharedTempDir dir("synth-mhsds-years");
    synth::Options o;
    o.out = dir / "data";
    o.scale = 0.002;
    o.seed = 22;
    o.first = FinancialYear{2021};
    o.last = FinancialYear{2023};
    synth::generate(o, MPI_COMM_WORLD);
    if (test::world_rank() != 0) return;
    // MHSDS providers (no Talking Therapies row) sit in the 42 ICBs of 2023-24.
    std::set<std::string> iapt_providers, mhsds_icbs;
    for (const auto& r : records(dir / "data", "IDS000Header")) iapt_providers.insert(r.at("OrgID_Provider"));
    std::map<std::string, std::string> icb_of;
    {
        std::istringstream in(test::slurp(dir / "data" / "organisations.csv"));
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            const auto code = line.substr(0, line.find(','));
            // ICB code: the third field; provider names with commas are quoted, ICB codes never are.
            std::string rest = line.substr(line.find(',') + 1);
            if (rest.front() == '"') rest = rest.substr(rest.find("\",") + 2);
            else rest = rest.substr(rest.find(',') + 1);
            icb_of[code] = rest.substr(0, rest.find(','));
        }
    }
    // Every organisation, Talking Therapies ones included, sits in one of the 42 ICBs of 2023-24.
    std::set<std::string> icbs_2023, org_icbs;
    for (const auto& icb : synth::catalogue().icbs) icbs_2023.insert(icb.code);
    for (const auto& [org, icb] : icb_of) org_icbs.insert(icb);
    EXPECT_EQ(org_icbs, icbs_2023);
    EXPECT_EQ(icbs_2023.size(), 42u);
    std::map<std::string, std::set<int>> years_of;  // provider -> financial years it submitted in
    for (const auto& r : records(dir / "data", "MHS000Header")) {
        const std::string& p = r.at("OrgIDProvider");
        ASSERT_TRUE(icb_of.count(p)) << p;
        mhsds_icbs.insert(icb_of[p]);
        const std::string& d = r.at("ReportingPeriodStartDate");
        const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2));
        years_of[p].insert(m >= 4 ? y : y - 1);
    }
    EXPECT_EQ(mhsds_icbs.size(), 42u);
    EXPECT_TRUE(mhsds_icbs.count("QHG") && mhsds_icbs.count("QMJ") && !mhsds_icbs.count("S1Y5D"));
    int starting = 0, stopping = 0;
    for (const auto& [p, ys] : years_of) {
        starting += !ys.count(2021) && ys.count(2023);
        stopping += ys.count(2021) && !ys.count(2023);
    }
    EXPECT_GT(starting, 0);
    EXPECT_GT(stopping, 0);
    // Referrals spanning a year boundary, people coming back with a new referral in a later
    // year, and no care cluster starting after 2022-23.
    std::map<std::string, std::set<int>> person_years;
    long long spanning = 0;
    for (const auto& r : records(dir / "data", "MHS101Referral")) {
        const std::string& rec = r.at("ReferralRequestReceivedDate");
        const std::string& dis = r.at("ServDischDate");
        const int y = std::stoi(rec.substr(0, 4)) - (std::stoi(rec.substr(5, 2)) < 4 ? 1 : 0);
        person_years[r.at("Person_ID")].insert(y);
        if (!dis.empty()) spanning += (std::stoi(dis.substr(0, 4)) - (std::stoi(dis.substr(5, 2)) < 4 ? 1 : 0)) > y;
    }
    long long returning = 0;
    for (const auto& [p, ys] : person_years) returning += ys.size() > 1;
    EXPECT_GT(spanning, 0);
    EXPECT_GT(returning, 0);
    long long late_clusters = 0, clusters = 0;
    for (const auto& r : records(dir / "data", "MHS803CareCluster")) {
        ++clusters;
        late_clusters += r.at("StartDateCareClust") >= "2023-04-01";
    }
    EXPECT_GT(clusters, 0);
    EXPECT_EQ(late_clusters, 0);
}
