#pragma once
// Pieces shared by the two halves of the realism report (Talking Therapies in realism.cpp,
// MHSDS in realism_mhsds.cpp): a streaming reader of generated tables and the line printer.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "model/dates.hpp"
#include "model/errors.hpp"
#include "synth/catalogue.hpp"

namespace mhbench::synth::realism_detail {

namespace fs = std::filesystem;

/// Streams a generated table: fields by header name, rows split on commas (generated tables
/// have no quoted fields).
class Table {
public:
    explicit Table(const fs::path& p) : in_(p), path_(p) {
        if (!in_) throw IoError("cannot read " + p.string());
        std::string line;
        std::getline(in_, line);
        split(line, header_);
    }
    int col(const std::string& name) const {
        for (std::size_t i = 0; i < header_.size(); ++i)
            if (header_[i] == name) return static_cast<int>(i);
        throw IoError(path_.string() + " has no column " + name);
    }
    bool next() {
        std::string line;
        while (std::getline(in_, line)) {
            split(line, row_);
            if (row_.size() == header_.size()) return true;
        }
        return false;
    }
    const std::string& operator[](int i) const { return row_[static_cast<std::size_t>(i)]; }

private:
    static void split(const std::string& line, std::vector<std::string>& out) {
        out.clear();
        out.emplace_back();
        for (char c : line) {
            if (c == ',') out.emplace_back();
            else if (c != '\r') out.back() += c;
        }
    }
    std::ifstream in_;
    fs::path path_;
    std::vector<std::string> header_, row_;
};

inline std::optional<Day> date(const std::string& s) { return s.empty() ? std::nullopt : parse_iso_date(s); }

// Sampling allowance: 4 standard errors, so a report of ~200 lines fails by chance about 1% of
// the time; means of fewer than 30 courses are shown, not tested.
constexpr double kSe = 4, kMinMeanN = 30;
// Below this binomial variance (n p (1 - p)) a percentage is tested with exact binomial tails:
// there the normal approximation understates the upper tail of a small rate many times over
// (17 courses at 7.8%: 7 or more is 5.1 normal SEs, chance 3e-7, but its exact chance is 1.7e-4).
constexpr double kExactBinomialVar = 100;

/// Counts [lo, hi] within which a binomial(n, p) count falls except with at most the chance of
/// a normal value beyond kSe standard errors on each side (3.2e-5), from exact tail sums.
struct CountRange {
    double lo = 0, hi = 0;
};
inline CountRange binomial_range(double n, double p) {
    const double tail = 0.5 * std::erfc(kSe / std::sqrt(2.0));
    const double nn = std::round(n);
    if (nn <= 0 || p <= 0) return {0, 0};
    if (p >= 1) return {nn, nn};
    // Terms beyond 12 SDs (+12) of the mean are far below `tail` for the small variances tested.
    const double sd = std::sqrt(nn * p * (1 - p));
    const double a = std::max(0.0, std::floor(nn * p - 12 * sd - 12)), b = std::min(nn, std::ceil(nn * p + 12 * sd + 12));
    auto pmf = [&](double k) {
        return std::exp(std::lgamma(nn + 1) - std::lgamma(k + 1) - std::lgamma(nn - k + 1) + k * std::log(p) +
                        (nn - k) * std::log1p(-p));
    };
    CountRange r{a, b};
    double s = 0;
    for (double k = b; k >= a; --k)
        if ((s += pmf(k)) >= tail) {
            r.hi = k;
            break;
        }
    s = 0;
    for (double k = a; k <= b; ++k)
        if ((s += pmf(k)) >= tail) {
            r.lo = k;
            break;
        }
    return r;
}

class Printer {
public:
    explicit Printer(std::ostream& os) : os_(os) {}
    /// Percentages: target and generated in %, tolerance in points, widened to 4 binomial SEs;
    /// for a small sample (binomial variance below kExactBinomialVar) to the exact binomial range
    /// of binomial_range() on the side of the generated value, marked "(exact)".
    void pct(const std::string& name, double target, double num, double den, double tol) {
        const double gen = den > 0 ? 100 * num / den : 0;
        const double p = target / 100;
        if (den > 0 && den * p * (1 - p) < kExactBinomialVar) {
            const CountRange r = binomial_range(den, p);
            const double stat = gen >= target ? 100 * r.hi / den - target : target - 100 * r.lo / den;
            line(name, target, gen, tol, std::max(stat, 0.0), "%", " (exact)");
            return;
        }
        const double se = den > 0 ? 100 * std::sqrt(std::max(p * (1 - p), 1e-6) / den) : 100;
        line(name, target, gen, tol, kSe * se, "%");
    }
    void mean(const std::string& name, double target, double sum, double sumsq, double n, double tol) {
        if (n < kMinMeanN) {  // too few to say anything about a mean
            os_ << fmt(name) << "  target " << num(target, 2) << "  n " << n << " below " << kMinMeanN << "  (not tested)\n";
            return;
        }
        const double m = sum / n, var = (sumsq - n * m * m) / (n - 1);
        line(name, target, m, tol, kSe * std::sqrt(std::max(var, 0.0) / n), "");
    }
    void at_least(const std::string& name, double target, double gen) {
        const bool ok = gen >= target;
        fail_ |= !ok;
        os_ << fmt(name) << "  target >= " << num(target, 3) << "  generated " << num(gen, 3) << "  "
            << (ok ? "OK" : "FAIL") << '\n';
    }
    /// Counts: within rel_tol of the target (a fraction), widened to 4 Poisson SEs for small targets.
    void count(const std::string& name, double target, double gen, double rel_tol) {
        line(name, target, gen, rel_tol * target, kSe * std::sqrt(std::max(target, 1.0)), "");
    }
    /// Within rel_tol (a fraction) of the target, never widened: a count the generator fixes by
    /// design (not a sample), or a figure whose tolerance already allows for sampling.
    void relative(const std::string& name, double target, double gen, double rel_tol) {
        line(name, target, gen, rel_tol * target, 0, "");
    }
    /// Within an absolute tolerance given by the caller; `widened` marks it with `why`.
    void within(const std::string& name, double target, double gen, double tol, const char* why, bool widened) {
        const bool ok = std::abs(gen - target) <= tol;
        fail_ |= !ok;
        os_ << fmt(name) << "  target " << num(target, 2) << "  generated " << num(gen, 2) << "  tolerance " << num(tol, 2)
            << (widened ? std::string(" ") + why : std::string()) << "  " << (ok ? "OK" : "FAIL") << '\n';
    }
    void exact(const std::string& name, double target, double gen) {
        const bool ok = gen == target;
        fail_ |= !ok;
        os_ << fmt(name) << "  target " << num(target, 0) << "  generated " << num(gen, 0) << "  exact  " << (ok ? "OK" : "FAIL")
            << '\n';
    }
    void info(const std::string& name, const std::string& text) { os_ << fmt(name) << "  " << text << "  (info)\n"; }
    bool failed() const { return fail_; }

private:
    void line(const std::string& name, double target, double gen, double tol, double stat, const char* unit,
              const char* widened = " (4 SE)") {
        const double use = std::max(tol, stat);
        const bool ok = std::abs(gen - target) <= use;
        fail_ |= !ok;
        os_ << fmt(name) << "  target " << num(target, 2) << unit << "  generated " << num(gen, 2) << unit << "  tolerance "
            << num(use, 2) << (use > tol ? widened : "") << "  " << (ok ? "OK" : "FAIL") << '\n';
    }
    static std::string fmt(const std::string& s) { return s.size() >= 58 ? s : s + std::string(58 - s.size(), ' '); }
    static std::string num(double v, int prec) {
        std::ostringstream s;
        s.setf(std::ios::fixed);
        s.precision(prec);
        s << v;
        return s.str();
    }
    std::ostream& os_;
    bool fail_ = false;
};

/// ICB code of every organisation in the generated organisations.csv.
inline std::map<std::string, std::string> organisation_icbs(const fs::path& dir) {
    std::map<std::string, std::string> icb_of;
    std::ifstream in(dir / "organisations.csv");
    if (!in) throw IoError("cannot read " + (dir / "organisations.csv").string());
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto f = split_csv_line(line);
        if (f.size() >= 3) icb_of[f[0]] = f[2];
    }
    return icb_of;
}

/// Providers with a submission header (table `header`, provider column `provider`) starting in [y0, y1].
inline std::set<std::string> submitters_in_year(const fs::path& header, const std::string& provider, Day y0, Day y1) {
    std::set<std::string> out;
    Table t(header);
    const int pv = t.col(provider), st = t.col("ReportingPeriodStartDate");
    while (t.next())
        if (const auto d = date(t[st]); d && *d >= y0 && *d <= y1) out.insert(t[pv]);
    return out;
}

/// MHSDS half of the report (rows appended to the same printer).
void report_mhsds(const fs::path& dir, const nlohmann::json& truth, Printer& p, std::ostream& os);

}  // namespace mhbench::synth::realism_detail
