#pragma once
// Row assembly for one generation unit: fast text formatting, submission copies, supersession
// and fault bookkeeping. A unit's output is a text buffer per table plus exact counts.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"
#include "model/schema.hpp"
#include "synth/rng.hpp"

namespace mhbench::synth {

/// The non-header tables the units write, in file order; the headers are written separately.
enum Tab : int {
    IDS001, IDS101, IDS004, IDS201, IDS202, IDS603, IDS606, IDS607,
    MHS001, MHS003, MHS004, MHS005, MHS101, MHS102, MHS201, MHS202, MHS501, MHS603, MHS604, MHS606, MHS609,
    MHS801, MHS803,
    kTabs
};
std::string_view tab_name(int t);

enum Fault : int { Orphan, Duplicate, BadDate, MissingKey, kFaults };
std::string_view fault_name(int f);
/// Data-level faults: stored rows with a bad value (ingest keeps them; data quality counts them).
enum DataFault : int { kMissingCode, kInvalidCode, kUnpairedScore, kOutOfRangeDate, kDefaultCode, kNoActivity, kDataFaults };
/// Data faults are also counted by field (index of the field after the submission id; for
/// attended contacts without activity, the contact table's AttendOrDNACode).
constexpr int kMaxFields = 10;
std::string_view data_fault_name(int f);

/// What the fault injector needs to know about a table, derived once from the schema.
struct TabInfo {
    const TableSpec* spec = nullptr;
    int own_id = -1;      // field (0 = first after the submission id) of the record's own id, -1 if none
    int parent_id = -1;   // field of the (last) parent key column, -1 for top-level tables
    int blank_key = -1;   // key field blanked by a missing_key fault
    std::vector<int> dates;  // date fields, non-key first
    std::array<bool, kFaults> allowed{};
};
/// Checks the schema still has the columns the generators write (throws ConfigError if not).
const std::array<TabInfo, kTabs>& tab_info();

void append_uint(std::string& s, std::uint64_t v);
void append_date(std::string& s, Day d);  // empty when kMissing
/// Appends a decimal score held in hundredths ("12", "2.35").
void append_hundredths(std::string& s, int v);

/// One record's fields (without the submission id), comma-joined, with field boundaries.
class Rec {
public:
    void clear() { s_.clear(); ends_.clear(); }
    Rec& str(std::string_view v) { sep(); s_.append(v); return end(); }
    Rec& num(std::int64_t v) { sep(); if (v < 0) { s_ += '-'; v = -v; } append_uint(s_, static_cast<std::uint64_t>(v)); return end(); }
    Rec& opt_num(std::int64_t v, bool present) { return present ? num(v) : empty(); }
    Rec& date(Day d) { sep(); append_date(s_, d); return end(); }
    Rec& hundredths(int v) { sep(); append_hundredths(s_, v); return end(); }
    Rec& empty() { sep(); return end(); }
    /// An id: letter, fixed-width unit prefix and sequence number (see Unit::id).
    Rec& id(char letter, std::uint64_t prefix, std::uint64_t seq) {
        sep();
        s_ += letter;
        append_uint(s_, prefix);
        append_uint(s_, seq);
        return end();
    }
    std::string_view text() const { return s_; }
    std::size_t fields() const { return ends_.size(); }
    std::string_view field(std::size_t i) const {
        std::size_t b = i == 0 ? 0 : ends_[i - 1] + 1;
        return std::string_view(s_).substr(b, ends_[i] - b);
    }

private:
    void sep() { if (!ends_.empty()) s_ += ','; }
    Rec& end() { ends_.push_back(static_cast<std::uint32_t>(s_.size())); return *this; }
    std::string s_;
    std::vector<std::uint32_t> ends_;
};

struct TabCounts {
    std::int64_t rows = 0, superseded = 0;
    std::array<std::int64_t, kFaults> faults{};
    std::array<std::int64_t, kDataFaults> data{};
    std::array<std::array<std::int64_t, kMaxFields>, kDataFaults> data_field{};
    /// Values of the same classes the clean data hold on their own (not-known codes, empty
    /// optional fields, attended contacts without activity): a data-quality job finds these plus
    /// the injected ones.
    std::array<std::array<std::int64_t, kMaxFields>, kDataFaults> natural_field{};
};

struct UnitOut {
    std::array<std::string, kTabs> text;
    std::array<TabCounts, kTabs> counts;
};

/// Field index (after the submission id) of a column of a generated table; throws ConfigError
/// when the schema lacks it.
int field_index(Tab t, std::string_view column);
/// Counts one data-level fault of kind f in column `column` of table t.
inline void count_data_fault(UnitOut& out, Tab t, DataFault f, std::string_view column) {
    ++out.counts[t].data[f];
    ++out.counts[t].data_field[f][static_cast<std::size_t>(field_index(t, column))];
}

/// Counts one value of fault class f that the clean data hold in column `column` of table t.
inline void count_natural(UnitOut& out, Tab t, DataFault f, std::string_view column) {
    ++out.counts[t].natural_field[f][static_cast<std::size_t>(field_index(t, column))];
}

/// Writes records of one unit. A record is sent in one or more submissions (ascending ids);
/// every copy but the last is superseded. With probability fault_rate a record also gets one
/// extra faulty row placed in the submission of its last copy (see synth.cpp for the rules).
class Emitter {
public:
    Emitter(UnitOut& out, double fault_rate, Rng& fault_rng, std::uint64_t fault_prefix)
        : out_(out), rate_(fault_rate), frng_(fault_rng), fprefix_(fault_prefix) {}
    void emit(Tab t, const Rec& r, std::span<const std::uint64_t> subs);
    /// Copies of an earlier version of a record that a later emit() of the same key supersedes.
    void emit_superseded(Tab t, const Rec& r, std::span<const std::uint64_t> subs) {
        for (std::uint64_t sub : subs) row(t, sub, r.text());
        out_.counts[t].rows += static_cast<std::int64_t>(subs.size());
        out_.counts[t].superseded += static_cast<std::int64_t>(subs.size());
    }

private:
    void row(Tab t, std::uint64_t sub, std::string_view body) {
        std::string& s = out_.text[t];
        append_uint(s, sub);
        s += ',';
        s.append(body);
        s += '\n';
    }
    void inject(Tab t, const Rec& r, std::uint64_t sub);
    UnitOut& out_;
    double rate_;
    Rng& frng_;
    std::uint64_t fprefix_, fseq_ = 0;
    std::string scratch_;
};

}  // namespace mhbench::synth
