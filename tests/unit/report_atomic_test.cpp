#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "model/errors.hpp"
#include "report/atomic.hpp"

namespace fs = std::filesystem;
using namespace mhbench;
using mhbench::report::AtomicOutputs;

namespace {

fs::path scratch(const std::string& test) {
    fs::path p = fs::temp_directory_path() / ("mhbench_report_atomic_" + std::to_string(::getpid()) + "_" + test);
    fs::remove_all(p);
    return p;
}

void put(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        names.push_back(fs::relative(e.path(), dir).string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST(ReportAtomic, TemporariesLiveInTheSameDirectoryUnderHiddenNames) {
    fs::path dir = scratch("names");
    AtomicOutputs out(dir);
    EXPECT_TRUE(fs::is_directory(dir));
    EXPECT_EQ(out.path_for("x.csv"), dir / ".x.csv.partial");
    EXPECT_EQ(out.path_for("x.csv"), dir / ".x.csv.partial");  // same name, same path
    EXPECT_EQ(out.path_for("packs/index.html"), dir / "packs" / ".index.html.partial");
    EXPECT_THROW(out.path_for("../escape.csv"), ConfigError);
    EXPECT_THROW(out.path_for("/abs.csv"), ConfigError);
    EXPECT_THROW(out.path_for(""), ConfigError);
    fs::remove_all(dir);
}

TEST(ReportAtomic, UncommittedOutputsLeaveNoFinalFiles) {
    fs::path dir = scratch("uncommitted");
    {
        AtomicOutputs out(dir);
        put(out.path_for("results.h5"), "h5");
        put(out.path_for("tt_national.csv"), "csv");
        put(out.path_for("packs/index.html"), "html");
        put(out.path_for("manifest.json"), "{}");
    }  // e.g. an exception unwound the job
    EXPECT_EQ(listing(dir), std::vector<std::string>{"packs"});
    fs::remove_all(dir);
}

TEST(ReportAtomic, CommitRenamesEverythingManifestLast) {
    fs::path dir = scratch("commit");
    AtomicOutputs out(dir);
    put(out.path_for("manifest.json"), "{}");  // registered first, still renamed last
    put(out.path_for("results.h5"), "h5");
    put(out.path_for("tt_national.csv"), "csv");
    put(out.path_for("packs/index.html"), "html");
    EXPECT_EQ(out.commit_order(),
              (std::vector<std::string>{"results.h5", "tt_national.csv", "packs/index.html", "manifest.json"}));
    out.commit();
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"manifest.json", "packs", "packs/index.html", "results.h5",
                                                      "tt_national.csv"}));
    EXPECT_EQ(slurp(dir / "results.h5"), "h5");
    EXPECT_EQ(slurp(dir / "packs/index.html"), "html");
    EXPECT_THROW(out.commit(), ConfigError);
    EXPECT_THROW(out.path_for("late.csv"), ConfigError);
    fs::remove_all(dir);
}

TEST(ReportAtomic, FailureHalfWayThroughCommitLeavesNoManifest) {
    fs::path dir = scratch("halfway");
    fs::create_directories(dir / "b.csv" / "occupied");  // renaming a file over it must fail
    {
        AtomicOutputs out(dir);
        put(out.path_for("a.csv"), "a");
        put(out.path_for("manifest.json"), "{}");
        put(out.path_for("b.csv"), "b");
        EXPECT_THROW(out.commit(), IoError);
        EXPECT_TRUE(fs::exists(dir / "a.csv"));  // renames are in order; a.csv went first
        EXPECT_FALSE(fs::exists(dir / "manifest.json"));
    }
    EXPECT_FALSE(fs::exists(dir / ".b.csv.partial"));  // destructor cleaned what was left
    EXPECT_FALSE(fs::exists(dir / ".manifest.json.partial"));
    fs::remove_all(dir);
}

TEST(ReportAtomic, OutputNeverWrittenFailsBeforeAnyRename) {
    fs::path dir = scratch("missing");
    AtomicOutputs out(dir);
    put(out.path_for("a.csv"), "a");
    out.path_for("b.csv");
    EXPECT_THROW(out.commit(), IoError);
    EXPECT_FALSE(fs::exists(dir / "a.csv"));
    fs::remove_all(dir);
}

TEST(ReportAtomic, RerunReplacesExistingFilesAndRemovesNothingElse) {
    fs::path dir = scratch("rerun");
    {
        AtomicOutputs out(dir);
        put(out.path_for("a.csv"), "old a");
        put(out.path_for("manifest.json"), "old manifest");
        out.commit();
    }
    put(dir / "notes.txt", "someone else's file");
    {
        AtomicOutputs out(dir);
        put(out.path_for("a.csv"), "new a");
        put(out.path_for("manifest.json"), "new manifest");
        out.commit();
    }
    EXPECT_EQ(slurp(dir / "a.csv"), "new a");
    EXPECT_EQ(slurp(dir / "manifest.json"), "new manifest");
    EXPECT_EQ(slurp(dir / "notes.txt"), "someone else's file");
    EXPECT_EQ(listing(dir), (std::vector<std::string>{"a.csv", "manifest.json", "notes.txt"}));

    // A rerun that fails before renaming anything leaves the earlier, complete set untouched.
    {
        AtomicOutputs out(dir);
        put(out.path_for("a.csv"), "newer a");
        out.path_for("manifest.json");  // never written
        EXPECT_THROW(out.commit(), IoError);
    }
    EXPECT_EQ(slurp(dir / "a.csv"), "new a");
    EXPECT_EQ(slurp(dir / "manifest.json"), "new manifest");  // nothing was renamed
    fs::remove_all(dir);
}
