#include "synth/emit.hpp"

#include <algorithm>

#include "model/errors.hpp"

namespace mhbench::synth {

namespace {

constexpr std::string_view kTabNames[kTabs] = {
    "IDS001MPI", "IDS101Referral", "IDS004EmpStatus", "IDS201CareContact", "IDS202CareActivity",
    "IDS603PresentingComplaints", "IDS606CodedScoreAssessmentRefer", "IDS607CodedScoreAssessmentAct",
    "MHS001MPI", "MHS003AccommStatus", "MHS004EmpStatus", "MHS005PatInd", "MHS101Referral",
    "MHS102ServiceTypeReferredTo", "MHS201CareContact", "MHS202CareActivity", "MHS501HospProvSpell",
    "MHS603ProvDiag", "MHS604PrimDiag", "MHS606CodedScoreAssessmentRefer", "MHS609PresComp", "MHS801ClusterTool",
    "MHS803CareCluster"};

// Column counts the generators write after the submission id; a schema change that alters
// them must be mirrored in iapt.cpp / mhsds.cpp, so fail loudly instead of writing skewed rows.
constexpr int kFieldCounts[kTabs] = {6, 9, 3, 6, 3, 4, 4, 4, 7, 3, 3, 3, 9, 4, 6, 2, 4, 3, 3, 4, 3, 2, 4};

std::array<TabInfo, kTabs> make_info() {
    std::array<TabInfo, kTabs> info;
    for (int t = 0; t < kTabs; ++t) {
        TabInfo& ti = info[t];
        ti.spec = &table_spec(kTabNames[t]);
        const TableSpec& s = *ti.spec;
        if (static_cast<int>(s.columns.size()) != kFieldCounts[t] + 1 || s.columns[0].name != s.submission)
            throw ConfigError("synth: schema of " + s.name + " changed; update the generator");
        auto in_parent = [&](const std::string& c) {
            return std::find(s.parent_key.begin(), s.parent_key.end(), c) != s.parent_key.end();
        };
        // Fields are numbered from 0 after the submission id column.
        for (const auto& k : s.key) {
            int c = s.column_index(k) - 1;
            if (s.columns[c + 1].kind == ColumnKind::Id && !in_parent(k)) ti.own_id = c;
        }
        if (!s.parent_key.empty()) ti.parent_id = s.column_index(s.parent_key.back()) - 1;
        ti.blank_key = ti.own_id;
        for (const auto& k : s.key)
            if (ti.blank_key < 0 && !in_parent(k)) ti.blank_key = s.column_index(k) - 1;
        if (ti.blank_key < 0) ti.blank_key = s.column_index(s.key.front()) - 1;
        for (int pass = 0; pass < 2; ++pass)
            for (std::size_t c = 1; c < s.columns.size(); ++c)
                if (s.columns[c].kind == ColumnKind::Date && s.is_key(s.columns[c].name) == (pass == 1))
                    ti.dates.push_back(static_cast<int>(c) - 1);
        ti.allowed[Orphan] = ti.parent_id >= 0;
        ti.allowed[Duplicate] = true;
        ti.allowed[BadDate] = !ti.dates.empty();
        ti.allowed[MissingKey] = true;
    }
    return info;
}

}  // namespace

std::string_view tab_name(int t) { return kTabNames[t]; }

std::string_view fault_name(int f) {
    static constexpr std::string_view n[kFaults] = {"orphan", "duplicate", "bad_date", "missing_key"};
    return n[f];
}

std::string_view data_fault_name(int f) {
    static constexpr std::string_view n[kDataFaults] = {"missing_code", "invalid_code", "unpaired_score", "out_of_range_date",
                                                                     "default_code", "attended_without_activity"};
    return n[f];
}

int field_index(Tab t, std::string_view column) {
    const int i = tab_info()[t].spec->column_index(column) - 1;
    if (i < 0 || i >= kMaxFields) throw ConfigError("synth: no column " + std::string(column) + " in " + std::string(tab_name(t)));
    return i;
}

const std::array<TabInfo, kTabs>& tab_info() {
    static const std::array<TabInfo, kTabs> info = make_info();
    return info;
}

void append_uint(std::string& s, std::uint64_t v) {
    char buf[20];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) s += buf[--n];
}

void append_date(std::string& s, Day d) {
    if (d == kMissing) return;
    const Civil c = civil_from_days(d);
    char b[10] = {static_cast<char>('0' + c.year / 1000 % 10), static_cast<char>('0' + c.year / 100 % 10),
                  static_cast<char>('0' + c.year / 10 % 10),   static_cast<char>('0' + c.year % 10),
                  '-', static_cast<char>('0' + c.month / 10),  static_cast<char>('0' + c.month % 10),
                  '-', static_cast<char>('0' + c.day / 10),    static_cast<char>('0' + c.day % 10)};
    s.append(b, 10);
}

void append_hundredths(std::string& s, int v) {
    if (v < 0) {
        s += '-';
        v = -v;
    }
    append_uint(s, static_cast<std::uint64_t>(v / 100));
    if (v % 100) {
        s += '.';
        s += static_cast<char>('0' + v % 100 / 10);
        if (v % 10) s += static_cast<char>('0' + v % 10);
    }
}

void Emitter::emit(Tab t, const Rec& r, std::span<const std::uint64_t> subs) {
    for (std::uint64_t sub : subs) row(t, sub, r.text());
    TabCounts& c = out_.counts[t];
    c.rows += static_cast<std::int64_t>(subs.size());
    c.superseded += static_cast<std::int64_t>(subs.size()) - 1;
    // The coin is drawn for every record, whatever the rate, so the faulty rows chosen at a
    // higher rate include those chosen at a lower one.
    if (rate_ > 0 && frng_.u() < rate_) inject(t, r, subs.back());
}

void Emitter::inject(Tab t, const Rec& r, std::uint64_t sub) {
    const TabInfo& ti = tab_info()[t];
    int allowed[kFaults], n = 0;
    for (int f = 0; f < kFaults; ++f)
        if (ti.allowed[f]) allowed[n++] = f;
    const int kind = allowed[frng_.next() % static_cast<std::uint64_t>(n)];
    // A fault is an extra row, so the clean data are the same at every fault rate and no
    // quarantined row is ever a parent. Fresh ids use the unit's reserved fault prefix.
    auto fresh = [&](std::string& s, std::string_view old) {
        s += old.empty() ? 'X' : old.front();
        append_uint(s, fprefix_);
        append_uint(s, fseq_++);
    };
    scratch_.clear();
    for (std::size_t i = 0; i < r.fields(); ++i) {
        if (i) scratch_ += ',';
        const auto f = r.field(i);
        const int fi = static_cast<int>(i);
        if (kind == Orphan && (fi == ti.parent_id || fi == ti.own_id)) {
            fresh(scratch_, f);
        } else if (kind == BadDate && fi == ti.own_id) {
            fresh(scratch_, f);
        } else if (kind == BadDate && fi == ti.dates.front()) {
            static constexpr std::string_view kBad[] = {"-13-45", "-02-30", "-00-10", "-11-31"};
            scratch_.append(f.size() >= 4 ? f.substr(0, 4) : std::string_view("2023"));
            scratch_.append(kBad[frng_.next() % 4]);
        } else if (kind == MissingKey && fi == ti.blank_key) {
            // left empty
        } else {
            scratch_.append(f);
        }
    }
    row(t, sub, scratch_);
    out_.counts[t].rows += 1;
    out_.counts[t].faults[kind] += 1;
}

}  // namespace mhbench::synth
