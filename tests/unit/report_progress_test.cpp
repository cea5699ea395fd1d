// Progress lines: formatting, and rate / ETA arithmetic driven by an injected clock.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "model/errors.hpp"
#include "report/progress.hpp"

using namespace mhbench::report;

namespace {

// Everything a reporter printed, read back from a temporary FILE.
std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[256];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
    return s;
}

}  // namespace

TEST(ReportProgress, EstimateIsAverageRateAndRemainingOverIt) {
    auto e = estimate(250, 1000, 10);
    EXPECT_DOUBLE_EQ(e.rate, 25);
    EXPECT_DOUBLE_EQ(e.fraction, 0.25);
    EXPECT_DOUBLE_EQ(e.eta, 30);  // 750 left at 25/s
    auto none = estimate(0, 1000, 10);
    EXPECT_EQ(none.rate, 0);
    EXPECT_EQ(none.eta, -1);  // nothing done yet: no estimate
    auto no_total = estimate(50, 0, 5);
    EXPECT_EQ(no_total.fraction, -1);
    EXPECT_EQ(no_total.eta, -1);
    auto over = estimate(1200, 1000, 12);  // a total that was an estimate (bytes share)
    EXPECT_DOUBLE_EQ(over.fraction, 1.0);
    EXPECT_DOUBLE_EQ(over.eta, 0);
}

TEST(ReportProgress, Formats) {
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1000), "1,000");
    EXPECT_EQ(format_count(1234567), "1,234,567");
    EXPECT_EQ(format_count(-12345), "-12,345");
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(42.4), "42s");
    EXPECT_EQ(format_duration(185), "3m05s");
    EXPECT_EQ(format_duration(7384), "2h03m");
    EXPECT_EQ(format_duration(-1), "?");
    EXPECT_EQ(format_progress("ingest parse", 1234567, estimate(45, 100, 40), 410000.4),
              "ingest parse: 1,234,567 rows, 45%, 410,000 rows/s, ETA 49s");
    EXPECT_EQ(format_progress("write", 10, estimate(10, 0, 1), 10), "write: 10 rows, 10 rows/s");
    EXPECT_EQ(format_done("activity group", 6000, 3), "activity group: 6,000 rows in 3s (2,000 rows/s)");
    EXPECT_EQ(parse_progress_mode("quiet"), ProgressMode::Quiet);
    EXPECT_THROW(parse_progress_mode("loud"), mhbench::ConfigError);
}

TEST(ReportProgress, LogModePrintsEveryIntervalWithRateAndEta) {
    std::FILE* out = std::tmpfile();
    double t = 100;
    Progress::Options o;
    o.mode = ProgressMode::Log;
    o.log_interval = 10;
    o.out = out;
    o.clock = [&] { return t; };
    o.background = false;
    {
        Progress p("ingest parse", 1000, true, o);
        p.add(100, 200);  // 100 rows, 200 of 1000 bytes
        t = 105;
        EXPECT_FALSE(p.poll());  // interval not yet passed
        t = 110;
        EXPECT_TRUE(p.poll());
        p.add(100, 200);
        t = 115;
        EXPECT_FALSE(p.poll());
        t = 120;
        EXPECT_TRUE(p.poll());
        p.add(300, 600);
        t = 130;
    }  // finish: the stage ran 30 s >= the interval, so a closing line
    EXPECT_EQ(contents(out),
              "ingest parse: 100 rows, 20%, 10 rows/s, ETA 40s\n"
              "ingest parse: 200 rows, 40%, 10 rows/s, ETA 30s\n"
              "ingest parse: 500 rows in 30s (17 rows/s)\n");
    std::fclose(out);
}

TEST(ReportProgress, TerminalRedrawsOneLine) {
    std::FILE* out = std::tmpfile();
    double t = 0;
    Progress::Options o;
    o.mode = ProgressMode::Terminal;
    o.out = out;
    o.clock = [&] { return t; };
    o.background = false;
    Progress p("group", 0, true, o);
    p.add(5);
    t = 1;
    EXPECT_TRUE(p.poll());
    p.finish();
    p.finish();  // once only
    const std::string s = contents(out);
    const std::string first = "\rgroup: 5 rows, 5 rows/s";
    EXPECT_EQ(s.substr(0, first.size()), first);
    EXPECT_EQ(s.find('\n'), s.size() - 1);  // one newline: the closing line
    EXPECT_NE(s.find("\rgroup: 5 rows in 1s (5 rows/s)"), std::string::npos);
    std::fclose(out);
}

TEST(ReportProgress, InactiveOrQuietPrintsNothing) {
    std::FILE* out = std::tmpfile();
    double t = 0;
    Progress::Options o;
    o.mode = ProgressMode::Log;
    o.out = out;
    o.clock = [&] { return t; };
    o.background = false;
    {
        Progress other_rank("x", 10, false, o);
        other_rank.add(10);
        t = 100;
        EXPECT_FALSE(other_rank.poll());
    }
    o.mode = ProgressMode::Quiet;
    {
        Progress quiet("x", 10, true, o);
        quiet.add(10);
        t = 200;
        EXPECT_FALSE(quiet.poll());
    }
    EXPECT_EQ(contents(out), "");
    std::fclose(out);
}

TEST(ReportProgress, BackgroundThreadStopsPromptly) {
    std::FILE* out = std::tmpfile();
    Progress::Options o;
    o.mode = ProgressMode::Log;
    o.out = out;
    Progress p("short", 10, true, o);
    p.add(10);
    p.finish();  // joins the ticker without waiting out the 10 s interval
    EXPECT_EQ(contents(out), "");
    std::fclose(out);
}
