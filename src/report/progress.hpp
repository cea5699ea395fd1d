#pragma once
// Progress of long stages on rank 0 (SPEC section 1: batch logs with progress). On a terminal one
// line is redrawn in place ("\r"); otherwise (a batch log) a plain line is written every
// `log_interval` seconds, so an operator tailing a Slurm log sees the job is alive and when it
// will end. A background thread does the printing, so the hot loops only bump atomic counters.
//
// Line format (tested):  "ingest parse: 1,234,567 rows, 45%, 410,000 rows/s, ETA 1m20s"
// Mode: set_progress_mode() (the command's --quiet), else MHBENCH_PROGRESS=auto|tty|log|quiet,
// else auto (terminal when stderr is one).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace mhbench::report {

enum class ProgressMode { Auto, Terminal, Log, Quiet };

/// Process-wide mode for reporters constructed afterwards.
void set_progress_mode(ProgressMode mode);
/// The mode in force: the one set, else MHBENCH_PROGRESS, else Auto resolved against stderr.
/// Never returns Auto.
ProgressMode progress_mode();
/// "auto", "tty", "log", "quiet" (ConfigError otherwise).
ProgressMode parse_progress_mode(const std::string& text);

/// Rate and time left from work done so far at a constant average rate.
struct Estimate {
    double rate = 0;          ///< units per second; 0 until something is done
    double eta = -1;          ///< seconds left; -1 when unknown (no total or nothing done yet)
    double fraction = -1;     ///< done / total in [0, 1]; -1 without a total
};
Estimate estimate(double done, double total, double elapsed_seconds);

/// 1234567 -> "1,234,567".
std::string format_count(std::int64_t n);
/// 42 -> "42s", 185 -> "3m05s", 7384 -> "2h03m"; negative -> "?".
std::string format_duration(double seconds);
/// The progress line (without "\r" or newline). `rows` are the rows shown; the rate is in rows
/// per second; the fraction and ETA come from the work units (bytes for parsing, rows otherwise).
std::string format_progress(const std::string& stage, std::int64_t rows, const Estimate& e, double rows_per_second);
/// The closing line: "ingest parse: 1,234,567 rows in 3m05s (6,673 rows/s)".
std::string format_done(const std::string& stage, std::int64_t rows, double elapsed_seconds);

class Progress {
public:
    using Clock = std::function<double()>;  ///< monotonic seconds
    struct Options {
        ProgressMode mode = ProgressMode::Auto;  ///< Auto = progress_mode()
        double log_interval = 10;               ///< seconds between lines in a log
        double tty_interval = 0.5;              ///< seconds between redraws on a terminal
        std::FILE* out = stderr;
        Clock clock;                            ///< empty = steady_clock
        bool background = true;                 ///< false: nothing prints unless poll() is called (tests)
    };

    /// `active` is false on every rank but 0: then nothing is printed and add() costs one branch.
    /// `total_work` <= 0 means unknown (no percentage or ETA).
    Progress(std::string stage, std::int64_t total_work, bool active, Options options);
    Progress(std::string stage, std::int64_t total_work, bool active);
    ~Progress();  // finish()
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// Thread-safe. `work` < 0 means the same as rows.
    void add(std::int64_t rows, std::int64_t work = -1) {
        if (!active_) return;
        rows_.fetch_add(rows, std::memory_order_relaxed);
        work_.fetch_add(work < 0 ? rows : work, std::memory_order_relaxed);
    }
    void set_total(std::int64_t total_work) { total_.store(total_work, std::memory_order_relaxed); }
    /// Prints a line if the interval has passed since the last one. Returns whether it printed.
    bool poll();
    /// The closing line (once), stops the background thread.
    void finish();
    /// The line poll() would print now.
    std::string line() const;
    bool active() const { return active_; }

private:
    double now() const;
    void run();

    std::string stage_;
    bool active_;
    Options opt_;
    ProgressMode mode_;
    std::atomic<std::int64_t> rows_{0}, work_{0}, total_;
    double start_, last_print_;
    bool finished_ = false;
    bool drew_ = false;  // a terminal line is on screen without its newline
    std::mutex m_;
    std::condition_variable cv_;
    std::thread ticker_;
};

}  // namespace mhbench::report
