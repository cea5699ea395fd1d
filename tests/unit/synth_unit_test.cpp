// Pieces of the synthetic generator that need no MPI: streams, formatting, the organisation
// catalogue and the fault injector.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "model/dates.hpp"
#include "synth/calib.hpp"
#include "synth/catalogue.hpp"
#include "synth/emit.hpp"
#include "synth/realism_detail.hpp"
#include "synth/rng.hpp"

using namespace mhbench;
using namespace mhbench::synth;

TEST(SynthRng, streams_are_pure_functions_of_their_labels) {
    Rng a(mix({1, 2, 3})), b(mix({1, 2, 3})), c(mix({1, 2, 4}));
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x, b.next());
        EXPECT_NE(x, c.next());
    }
}

TEST(SynthRng, stochastic_rounding_tracks_the_expectation) {
    double sum = 0;
    for (std::uint64_t i = 0; i < 20000; ++i) sum += static_cast<double>(stochastic_round(0.37, mix({9, i})));
    EXPECT_NEAR(sum / 20000, 0.37, 0.015);
    EXPECT_EQ(stochastic_round(3.0, mix({1})), 3);
}

TEST(SynthText, formatting) {
    std::string s;
    append_date(s, days_from_civil(2024, 2, 29));
    EXPECT_EQ(s, "2024-02-29");
    s.clear();
    append_date(s, kMissing);
    EXPECT_EQ(s, "");
    for (auto [v, want] : {std::pair{1200, "12"}, {235, "2.35"}, {230, "2.3"}, {0, "0"}, {5, "0.05"}}) {
        s.clear();
        append_hundredths(s, v);
        EXPECT_EQ(s, want);
    }
    Rec r;
    r.id('P', 100020301, 42).str("F41.1").empty().date(days_from_civil(2023, 4, 1)).num(-3);
    EXPECT_EQ(r.text(), "P10002030142,F41.1,,2023-04-01,-3");
    EXPECT_EQ(r.fields(), 5u);
    EXPECT_EQ(r.field(2), "");
    EXPECT_EQ(r.field(4), "-3");
}

TEST(SynthCatalogue, providers_and_icbs) {
    const Catalogue& c = catalogue();
    EXPECT_EQ(c.iapt.size(), 219u);
    EXPECT_EQ(c.mhsds.size(), 300u);
    // Only the 42 ICBs of 2023-24, in 7 regions; Talking Therapies providers of the lookup's
    // 2025-26 merged ICBs sit in a predecessor (e.g. Northwick Park in North West London).
    EXPECT_EQ(c.icbs.size(), 42u);
    std::set<std::string> icbs_2023, regions_2023, iapt_icbs;
    for (const auto& icb : c.icbs) {
        icbs_2023.insert(icb.code);
        regions_2023.insert(icb.region_code);
        EXPECT_FALSE(icb.sub_icbs.empty()) << icb.code;
    }
    EXPECT_EQ(icbs_2023.size(), 42u);
    EXPECT_EQ(regions_2023, (std::set<std::string>{"Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}));
    EXPECT_TRUE(icbs_2023.count("QE1") && icbs_2023.count("QHG") && icbs_2023.count("QMJ") && !icbs_2023.count("S1Y5D"));
    std::map<std::string, std::string> iapt_icb;
    for (const auto& p : c.iapt) {
        iapt_icb[p.code] = c.icbs[static_cast<std::size_t>(p.icb)].code;
        iapt_icbs.insert(iapt_icb[p.code]);
    }
    EXPECT_EQ(iapt_icb["RV383"], "QRV");
    EXPECT_EQ(iapt_icb["RWX"], "QNQ");
    EXPECT_EQ(iapt_icb["RMY"], "QMM");
    EXPECT_EQ(iapt_icb["RX2"], "QNX");
    // Shropshire, Telford and Wrekin; Bath, Swindon and Wiltshire; Suffolk and North East Essex
    // have no Talking Therapies provider of their own in the lookup.
    EXPECT_EQ(iapt_icbs.size(), 39u);
    std::set<std::string> codes;
    double iapt = 0, mhsds = 0, trusts = 0;
    for (const auto& p : c.iapt) {
        EXPECT_TRUE(codes.insert(p.code).second);
        iapt += p.referrals;
    }
    std::vector<double> sizes;
    for (const auto& p : c.mhsds) {
        EXPECT_TRUE(codes.insert(p.code).second) << "MHSDS code reuses another provider's";
        EXPECT_TRUE((p.code[0] == 'R' && p.code.size() == 3) || (p.code[0] == 'N' && p.code.size() == 3) ||
                    (p.code[0] == '8' && p.code.size() == 5))
            << p.code;
        mhsds += p.referrals;
        if (p.code[0] == 'R') trusts += p.referrals;
        sizes.push_back(p.referrals);
    }
    EXPECT_NEAR(iapt, 1.83e6, 0.03e6);
    EXPECT_NEAR(mhsds, 5.3e6, 1);
    EXPECT_NEAR(trusts / mhsds, 0.92, 1e-9);  // trusts carry 90-95% of activity
    // Skewed sizes: the 10 largest carry far more than 10/300 of the activity.
    std::sort(sizes.rbegin(), sizes.rend());
    EXPECT_GT(std::accumulate(sizes.begin(), sizes.begin() + 10, 0.0) / mhsds, 0.2);
    std::set<int> icbs_with_big_trust;
    for (const auto& p : c.mhsds)
        if (p.big) icbs_with_big_trust.insert(p.icb);
    EXPECT_EQ(icbs_with_big_trust.size(), 42u);
    EXPECT_EQ(split_csv_line(R"(a,"b, c",,"d ""e""")"), (std::vector<std::string>{"a", "b, c", "", "d \"e\""}));
    EXPECT_EQ(csv_field("NHS Leicester, Leicestershire and Rutland"), "\"NHS Leicester, Leicestershire and Rutland\"");
}

TEST(SynthFaults, every_kind_is_one_extra_row) {
    // IDS201CareContact: PathwayID (parent key), CareContactId (own id), CareContDate, codes.
    Rec r;
    r.id('P', 100000101, 7).id('C', 100000101, 3).date(days_from_civil(2023, 5, 17)).str("02").str("5").str("01");
    std::set<std::string> seen;
    for (std::uint64_t s = 0; s < 64; ++s) {
        UnitOut out;
        Rng fr(mix({s}));
        Emitter em(out, 1.0, fr, 200000101);
        const std::uint64_t subs[] = {20230500000, 20230510000};
        em.emit(IDS201, r, subs);
        const auto& c = out.counts[IDS201];
        EXPECT_EQ(c.rows, 3);
        EXPECT_EQ(c.superseded, 1);
        int kind = -1;
        for (int f = 0; f < kFaults; ++f)
            if (c.faults[f]) kind = f;
        ASSERT_GE(kind, 0);
        const std::string& text = out.text[IDS201];
        const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
        EXPECT_EQ(last.substr(0, 12), "20230510000,");  // in the submission of the last copy
        const std::string body = last.substr(12, last.size() - 13);
        seen.insert(std::string(fault_name(kind)));
        switch (kind) {
            case Orphan: EXPECT_EQ(body.find("P1000001017,"), std::string::npos); EXPECT_EQ(body.rfind("P2", 0), 0u); break;
            case Duplicate: EXPECT_EQ(body, r.text()); break;
            case BadDate: EXPECT_FALSE(parse_iso_date(body.substr(body.find(",20") + 1, 10)).has_value()); break;
            case MissingKey: EXPECT_NE(body.find("P1000001017,,"), std::string::npos); break;
        }
    }
    EXPECT_EQ(seen.size(), 4u);
    // Tables without a date never get bad_date; top-level tables never get orphans.
    EXPECT_FALSE(tab_info()[IDS202].allowed[BadDate]);
    EXPECT_FALSE(tab_info()[IDS101].allowed[Orphan]);
}

TEST(SynthCalibration, published_figures_and_planted_truth) {
    ASSERT_EQ(calib_years().size(), 2u);
    const YearCalib& y = calib_nearest(2023);
    EXPECT_EQ(y.start_year, 2023);
    EXPECT_EQ(y.total.finished, 671648);
    EXPECT_NEAR(y.act.appts_finished / y.act.finished, 8.16, 0.01);
    EXPECT_EQ(calib_nearest(2019).start_year, 2022);
    double fin = 0;
    for (int c = 0; c < kCats; ++c) {
        const Rates& r = y.cat[c];
        fin += r.finished;
        EXPECT_GT(r.finished, r.not_caseness) << cat_key(c);
        EXPECT_GE(r.recovery, r.reliable_recovery) << cat_key(c);
        EXPECT_GE(r.improvement, r.reliable_recovery) << cat_key(c);
    }
    EXPECT_NEAR(fin, y.total.finished, 0.01 * y.total.finished);
    // Fig. 3 rows as published; unclassified = max(0, total - low - high).
    EXPECT_DOUBLE_EQ(true_means(kDepression, 0).low, 2.7);
    EXPECT_DOUBLE_EQ(true_means(kDepression, 0).high, 4.3);
    EXPECT_NEAR(true_means(kDepression, 0).total, 7.0, 1e-9);
    EXPECT_NEAR(true_means(kPtsd, 0).unclassified, 0.7, 1e-9);
    EXPECT_NEAR(true_means(kPtsd, 0).total, 12.0, 1e-9);
    EXPECT_NEAR(true_means(kBdd, 1).total, 14.1, 1e-9);  // low + high above the published 14
    EXPECT_TRUE(true_means(kBdd, 1).published);
    EXPECT_FALSE(true_means(kOtherAnxiety, 0).published);
    for (int c = 0; c < kCats; ++c)
        for (int b = 0; b < band_count(c); ++b) {
            const TrueMeans& t = true_means(c, b);
            EXPECT_NEAR(t.total, t.low + t.high + t.unclassified, 1e-9);
            EXPECT_GE(t.unclassified, 0);
        }
    // Bands: PHQ-9 / GAD-7 cut-offs; a score equal to the planted median is Below.
    EXPECT_EQ(severity_band(kDepression, 9), 0);
    EXPECT_EQ(severity_band(kDepression, 10), 1);
    EXPECT_EQ(severity_band(kGad, 15), 2);
    EXPECT_EQ(severity_band(kPtsd, measure(kPcl5).median), 0);
    EXPECT_EQ(severity_band(kPtsd, measure(kPcl5).median + 1), 1);
    EXPECT_EQ(band_label(kMixed, 1), "Above Median");
    EXPECT_EQ(band_label(kOtherMh, 0), "All");
    EXPECT_EQ(measure(kPhq9).code, "720433000");
    EXPECT_EQ(measure(kMi).per_unit, 1);
    // Every provider of the lookup with a published 2023-24 row has a mix that sums to 1.
    int published = 0;
    for (const auto& p : catalogue().iapt) {
        if (!p.tt[1].published) continue;
        ++published;
        double s = 0;
        for (double v : p.tt[1].mix) s += v;
        EXPECT_NEAR(s, 1, 1e-9) << p.code;
    }
    EXPECT_GT(published, 140);
}

// The realism report's allowance for a small sample: exact binomial tails at the 4-SE level. The
// normal approximation rejected 7 deteriorated of 17 Body Dysmorphic Disorder courses (published
// 7.82%) as 5.1 SEs off, though 7 or more happens with chance 1.7e-4 (8 or more: 1.8e-5).
TEST(SynthRealism, small_rates_are_tested_with_exact_binomial_tails) {
    using realism_detail::binomial_range;
    const auto bdd = binomial_range(17, 0.0782);
    EXPECT_EQ(bdd.lo, 0);
    EXPECT_EQ(bdd.hi, 7);
    const auto hundred = binomial_range(101, 0.0782);
    EXPECT_EQ(hundred.lo, 0);
    EXPECT_EQ(hundred.hi, 20);
    const auto half = binomial_range(30, 0.5);  // symmetric: 5 and 25
    EXPECT_EQ(half.lo, 5);
    EXPECT_EQ(half.hi, 25);
    // A variance of 100 and above keeps 4 normal SEs, which the exact range matches there.
    const auto wide = binomial_range(400, 0.5);
    EXPECT_EQ(wide.lo, 160);
    EXPECT_EQ(wide.hi, 240);

    std::ostringstream os;
    realism_detail::Printer p(os);
    p.pct("seven of seventeen", 7.82, 7, 17, 1.5);
    EXPECT_FALSE(p.failed()) << os.str();
    EXPECT_NE(os.str().find("tolerance 33.36 (exact)  OK"), std::string::npos) << os.str();
    p.pct("eight of seventeen", 7.82, 8, 17, 1.5);
    EXPECT_TRUE(p.failed()) << os.str();
    std::ostringstream large;
    realism_detail::Printer q(large);
    q.pct("large sample", 50, 5100, 10000, 1.5);  // 4 SEs = 2 points
    EXPECT_NE(large.str().find("tolerance 2.00 (4 SE)  OK"), std::string::npos) << large.str();
}
