#include "report/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "model/errors.hpp"

namespace mhbench::report {

namespace {

std::atomic<ProgressMode> g_mode{ProgressMode::Auto};

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void set_progress_mode(ProgressMode mode) { g_mode = mode; }

ProgressMode parse_progress_mode(const std::string& t) {
    if (t == "auto") return ProgressMode::Auto;
    if (t == "tty") return ProgressMode::Terminal;
    if (t == "log") return ProgressMode::Log;
    if (t == "quiet" || t == "none") return ProgressMode::Quiet;
    throw ConfigError("progress mode '" + t + "' is not one of auto, tty, log, quiet");
}

ProgressMode progress_mode() {
    ProgressMode m = g_mode;
    if (m == ProgressMode::Auto)
        if (const char* env = std::getenv("MHBENCH_PROGRESS"); env && *env) m = parse_progress_mode(env);
    if (m == ProgressMode::Auto) m = ::isatty(STDERR_FILENO) ? ProgressMode::Terminal : ProgressMode::Log;
    return m;
}

Estimate estimate(double done, double total, double elapsed) {
    Estimate e;
    if (elapsed > 0 && done > 0) e.rate = done / elapsed;
    if (total > 0) {
        e.fraction = std::clamp(done / total, 0.0, 1.0);
        if (e.rate > 0) e.eta = std::max(0.0, (total - done) / e.rate);
    }
    return e;
}

std::string format_count(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string format_duration(double s) {
    if (!std::isfinite(s) || s < 0) return "?";
    auto t = static_cast<std::int64_t>(std::llround(s));
    if (t < 60) return fmt::format("{}s", t);
    if (t < 3600) return fmt::format("{}m{:02d}s", t / 60, t % 60);
    return fmt::format("{}h{:02d}m", t / 3600, (t % 3600) / 60);
}

std::string format_progress(const std::string& stage, std::int64_t rows, const Estimate& e, double rows_per_second) {
    std::string s = stage + ": " + format_count(rows) + " rows";
    if (e.fraction >= 0) s += fmt::format(", {}%", static_cast<int>(std::floor(e.fraction * 100)));
    if (rows_per_second > 0) s += ", " + format_count(std::llround(rows_per_second)) + " rows/s";
    if (e.eta >= 0) s += ", ETA " + format_duration(e.eta);
    return s;
}

std::string format_done(const std::string& stage, std::int64_t rows, double elapsed) {
    std::string s = stage + ": " + format_count(rows) + " rows in " + format_duration(elapsed);
    if (elapsed > 0) s += " (" + format_count(std::llround(static_cast<double>(rows) / elapsed)) + " rows/s)";
    return s;
}

Progress::Progress(std::string stage, std::int64_t total_work, bool active)
    : Progress(std::move(stage), total_work, active, Options{}) {}

Progress::Progress(std::string stage, std::int64_t total_work, bool active, Options options)
    : stage_(std::move(stage)), opt_(std::move(options)), total_(total_work) {
    mode_ = opt_.mode == ProgressMode::Auto ? progress_mode() : opt_.mode;
    active_ = active && mode_ != ProgressMode::Quiet;
    if (!opt_.clock) opt_.clock = steady_seconds;
    start_ = last_print_ = now();
    if (active_ && opt_.background) ticker_ = std::thread([this] { run(); });
}

Progress::~Progress() { finish(); }

double Progress::now() const { return opt_.clock(); }

std::string Progress::line() const {
    const double elapsed = now() - start_;
    const auto rows = rows_.load(std::memory_order_relaxed);
    const auto e = estimate(static_cast<double>(work_.load(std::memory_order_relaxed)),
                            static_cast<double>(total_.load(std::memory_order_relaxed)), elapsed);
    return format_progress(stage_, rows, e, elapsed > 0 ? static_cast<double>(rows) / elapsed : 0);
}

bool Progress::poll() {
    if (!active_) return false;
    std::lock_guard lock(m_);
    if (finished_) return false;
    const double t = now();
    const double interval = mode_ == ProgressMode::Terminal ? opt_.tty_interval : opt_.log_interval;
    if (t - last_print_ < interval) return false;
    last_print_ = t;
    const std::string text = line();
    if (mode_ == ProgressMode::Terminal) {
        // Pad so a shorter line fully covers the previous one.
        std::fprintf(opt_.out, "\r%-79s", text.c_str());
        drew_ = true;
    } else {
        std::fprintf(opt_.out, "%s\n", text.c_str());
    }
    std::fflush(opt_.out);
    return true;
}

void Progress::run() {
    const double interval = mode_ == ProgressMode::Terminal ? opt_.tty_interval : opt_.log_interval;
    std::unique_lock lock(m_);
    while (!finished_) {
        // Wakes early when finish() is called, so a short stage costs no wait.
        cv_.wait_for(lock, std::chrono::duration<double>(std::min(interval, 0.5)));
        if (finished_) break;
        lock.unlock();
        poll();
        lock.lock();
    }
}

void Progress::finish() {
    if (!active_) return;
    {
        std::lock_guard lock(m_);
        if (finished_) return;
        finished_ = true;
    }
    cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    const double elapsed = now() - start_;
    const std::string text = format_done(stage_, rows_.load(), elapsed);
    if (drew_) std::fprintf(opt_.out, "\r%-79s\n", text.c_str());
    // In a log, a closing line only for stages long enough to have shown progress: short ones
    // would only add noise to the batch log.
    else if (mode_ == ProgressMode::Terminal || elapsed >= opt_.log_interval) std::fprintf(opt_.out, "%s\n", text.c_str());
    std::fflush(opt_.out);
}

}  // namespace mhbench::report
