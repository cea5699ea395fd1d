// Provider rows made on several ranks and merged by code: the order one rank would have made.
#include <gtest/gtest.h>

#include "model/errors.hpp"
#include "reduce/combine.hpp"
#include "report/org_rows.hpp"

using namespace mhbench;
using report::OrgRows;
using report::Table;

namespace {

// Two rows per organisation: its code and a row number, a count (missing on the second row)
// and a rate.
Table rows_of(const std::vector<std::string>& orgs) {
    Table t("p", "/p", "");
    t.add_text("org_code", "");
    t.add_text("row", "");
    t.add_int("n", "");
    t.add_real("rate", "");
    for (const auto& o : orgs)
        for (int r = 0; r < 2; ++r) {
            t.push("org_code", o);
            t.push("row", o + "#" + std::to_string(r));
            if (r == 0) t.push("n", static_cast<std::int64_t>(o.size()));
            else t.push("n", std::nullopt);
            t.push("rate", 0.5 * r + static_cast<double>(o.size()));
        }
    return t;
}

Table empty() {
    Table t = rows_of({});
    return t;
}

}  // namespace

TEST(ReportOrgRows, MergeInterleavesByCodeAsOneRankWould) {
    const std::vector<std::string> all = {"R1A", "R1F", "RAT", "RX2", "TAF", "Y02"};
    Table a = rows_of({"R1A", "RAT", "TAF"}), b = rows_of({"R1F", "RX2"}), c = rows_of({"Y02"});
    OrgRows ra = OrgRows::take(a, {"R1A", "RAT", "TAF"}, 2), rb = OrgRows::take(b, {"R1F", "RX2"}, 2),
            rc = OrgRows::take(c, {"Y02"}, 2);
    EXPECT_EQ(a.rows(), 0u);  // moved out
    // Through archives, as between ranks, and in two different orders.
    OrgRows x = reduce::from_bytes<OrgRows>(reduce::to_bytes(rc));
    x.merge(reduce::from_bytes<OrgRows>(reduce::to_bytes(ra)));
    x.merge(rb);
    OrgRows y = rb;
    y.merge(rc);
    y.merge(ra);
    EXPECT_EQ(x.orgs, all);
    EXPECT_EQ(y.orgs, all);
    Table tx = empty(), ty = empty();
    std::move(x).append_to(tx);
    std::move(y).append_to(ty);
    const Table one = rows_of(all);
    EXPECT_EQ(report::to_csv(tx), report::to_csv(one));
    EXPECT_EQ(report::to_csv(ty), report::to_csv(one));
}

TEST(ReportOrgRows, RejectsRowsThatDoNotFit) {
    Table t = rows_of({"A", "B"});
    EXPECT_THROW(OrgRows::take(t, {"A"}, 2), ConfigError);           // 4 rows, not 2
    EXPECT_THROW(OrgRows::take(t, {"B", "A"}, 2), ConfigError);      // not ascending
    Table u = rows_of({"A"}), v = rows_of({"A"});
    OrgRows ru = OrgRows::take(u, {"A"}, 2), rv = OrgRows::take(v, {"A"}, 2);
    EXPECT_THROW(ru.merge(rv), Error);  // one organisation from two ranks
    Table full = rows_of({"C"});
    EXPECT_THROW(std::move(rv).append_to(full), ConfigError);  // already holds rows
}
