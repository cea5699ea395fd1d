#include "jobs/dq.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include "dq/rules.hpp"
#include "jobs/pipeline.hpp"
#include "mhnrg/grouping.hpp"
#include "model/errors.hpp"
#include "reduce/accumulators.hpp"
#include "reduce/combine.hpp"
#include "stats/intervals.hpp"
#include "stats/suppression.hpp"
#include "tt/rules.hpp"

namespace mhbench::jobs {

namespace {

using dq::Class;
using dq::FieldRule;
using dq::Population;

// ---------------------------------------------------------------- accumulators

/// Records of one field at one provider in one month (index from April of the first year) of one class.
struct FieldKey {
    std::uint16_t field;
    std::int32_t provider;
    std::int16_t month;
    std::uint8_t cls;
    auto operator<=>(const FieldKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & field & provider & month & cls; }
};
/// Numerator (part 1) or denominator (part 0) of a headline measure at a provider in a year.
struct HeadKey {
    std::uint16_t measure;  // index into DqReference::headlines
    std::int32_t provider;
    std::int16_t year;
    std::uint8_t part;
    auto operator<=>(const HeadKey&) const = default;
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & measure & provider & year & part; }
};

struct DqAcc {
    reduce::KeyedMap<FieldKey, reduce::Count> fields;
    reduce::KeyedMap<HeadKey, reduce::Count> head;
    reduce::KeyedMap<std::uint16_t, reduce::Count> undated;  // by field: no date to place the record
    void merge(const DqAcc& o) {
        fields.merge(o.fields);
        head.merge(o.head);
        undated.merge(o.undated);
    }
    template <class Ar> void serialize(Ar& ar, unsigned) { ar & fields & head & undated; }
};

// ---------------------------------------------------------------- reading a data set's rows

/// Rows of one table on this rank with the provider and the fallback ("anchor") date of each:
/// the referral's received date, or for person tables the person's first referral received.
struct Rows {
    std::vector<partition::RowRange> ranges;
    std::vector<std::int32_t> provider, anchor;
};

class DatasetRows {
public:
    DatasetRows(const store::Store& s, Dataset d, const Plan& plan)
        : s_(s), d_(d), ref_(referral_table(d).name), mpi_(d == Dataset::Iapt ? "IDS001MPI" : "MHS001MPI") {
        Rows r;
        r.ranges = plan.ranges(s, d, ref_);
        r.provider = plan.provider_of_rows(s, d, ref_);
        r.anchor = s.read<std::int32_t>(d, ref_, "ReferralRequestReceivedDate", r.ranges);
        ref_person = s.read<std::uint64_t>(d, ref_, "Person_ID", r.ranges);
        // First referral received per (provider, person): sorted triples, minimum per key.
        std::vector<std::tuple<std::int32_t, std::uint64_t, std::int32_t>> first;
        for (std::size_t i = 0; i < ref_person.size(); ++i)
            if (ref_person[i] != 0 && r.anchor[i] != kMissing) first.emplace_back(r.provider[i], ref_person[i], r.anchor[i]);
        std::sort(first.begin(), first.end());
        for (const auto& t : first)
            if (first_.empty() || std::get<0>(first_.back()) != std::get<0>(t) || std::get<1>(first_.back()) != std::get<1>(t))
                first_.push_back(t);
        cache_.emplace(ref_, std::move(r));

        // Reporting period start of each submission, by (provider, submission id).
        const TableSpec& header = header_table(d);
        const auto hr = plan.ranges(s, d, header.name);
        const auto hprov = plan.provider_of_rows(s, d, header.name);
        const auto hsub = s.read<std::uint64_t>(d, header.name, header.submission, hr);
        const auto hstart = s.read<std::int32_t>(d, header.name, "ReportingPeriodStartDate", hr);
        std::vector<std::tuple<std::int32_t, std::uint64_t, std::int32_t>> periods;
        for (std::size_t i = 0; i < hsub.size(); ++i) periods.emplace_back(hprov[i], hsub[i], hstart[i]);
        std::sort(periods.begin(), periods.end());

        // A person record is placed in the month of the submission that delivered it (VODIM
        // judges the records submitted each month); the person's first referral at the provider
        // is the fallback, and what a birth date is checked against.
        Rows m;
        m.ranges = plan.ranges(s, d, mpi_);
        m.provider = plan.provider_of_rows(s, d, mpi_);
        mpi_person = s.read<std::uint64_t>(d, mpi_, "Person_ID", m.ranges);
        const auto msub = s.read<std::uint64_t>(d, mpi_, table_spec(mpi_).submission, m.ranges);
        m.anchor.resize(mpi_person.size());
        mpi_first.resize(mpi_person.size());
        for (std::size_t i = 0; i < mpi_person.size(); ++i) {
            mpi_first[i] = first_referral(m.provider[i], mpi_person[i]);
            auto it = std::lower_bound(periods.begin(), periods.end(), std::make_tuple(m.provider[i], msub[i], INT32_MIN));
            const bool found = it != periods.end() && std::get<0>(*it) == m.provider[i] && std::get<1>(*it) == msub[i];
            m.anchor[i] = found && std::get<2>(*it) != kMissing ? std::get<2>(*it) : mpi_first[i];
        }
        cache_.emplace(mpi_, std::move(m));
    }

    const std::string& referral() const { return ref_; }
    const std::string& person_table() const { return mpi_; }

    /// Day of the person's first referral at the provider; kMissing when none.
    std::int32_t first_referral(std::int32_t provider, std::uint64_t person) const {
        auto it = std::lower_bound(first_.begin(), first_.end(), std::make_tuple(provider, person, INT32_MIN));
        if (it == first_.end() || std::get<0>(*it) != provider || std::get<1>(*it) != person) return kMissing;
        return std::get<2>(*it);
    }

    /// Collective (same table sequence on every rank): the referral table, the person table, or
    /// a direct child of either. Children of children are read through their parent by the caller.
    const Rows& rows(const std::string& table) {
        auto it = cache_.find(table);
        if (it != cache_.end()) return it->second;
        const TableSpec& spec = table_spec(table);
        if (spec.dataset != d_ || (spec.parent != ref_ && spec.parent != mpi_))
            throw ConfigError("reference data dq_fields.csv: table " + table + " is not the " + ref_ + " or " + mpi_ +
                              " table of " + std::string(dataset_name(d_)) + ", nor a child of one");
        const Rows& parent = cache_.at(spec.parent);
        auto ch = s_.children(d_, spec.parent, table, parent.ranges);
        Rows r;
        r.ranges = ch.ranges;
        const std::size_t n = ch.offsets.empty() ? 0 : static_cast<std::size_t>(ch.offsets.back());
        r.provider.resize(n);
        r.anchor.resize(n);
        for (std::size_t i = 0; i + 1 < ch.offsets.size(); ++i)
            for (auto j = ch.offsets[i]; j < ch.offsets[i + 1]; ++j) {
                r.provider[static_cast<std::size_t>(j)] = parent.provider[i];
                r.anchor[static_cast<std::size_t>(j)] = parent.anchor[i];
            }
        offsets_[table] = std::move(ch.offsets);
        return cache_.emplace(table, std::move(r)).first->second;
    }
    /// CSR offsets of a child table's rows under its parent's rows (after rows(table)).
    const std::vector<std::int64_t>& offsets(const std::string& table) const { return offsets_.at(table); }

    std::vector<std::uint64_t> ref_person, mpi_person;
    std::vector<std::int32_t> mpi_first;  ///< first referral received at the provider, per person row

private:
    const store::Store& s_;
    Dataset d_;
    std::string ref_, mpi_;
    std::vector<std::tuple<std::int32_t, std::uint64_t, std::int32_t>> first_;
    std::map<std::string, Rows> cache_;
    std::map<std::string, std::vector<std::int64_t>> offsets_;
};

/// Fails on every rank together when a code column holds an index outside its dictionary
/// (a damaged store): a rank failing alone would leave the others waiting.
void check_codes(const std::vector<std::uint16_t>& codes, std::size_t dict_size, const std::string& what,
                 const std::filesystem::path& store, MPI_Comm comm) {
    int bad = 0;
    for (auto c : codes)
        if (static_cast<std::size_t>(c) >= dict_size) bad = 1;
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
    if (bad) throw StoreError(store.string() + ": " + what + " holds a code outside its dictionary");
}

/// Class of every dictionary entry of a code column through a list.
std::vector<Class> classes_of(const std::vector<std::string>& dict, const dq::CodeList& list) {
    std::vector<Class> out;
    out.reserve(dict.size());
    for (const auto& c : dict) out.push_back(list.classify(c));
    return out;
}

/// Whether each dictionary entry is in a list (its Valid codes).
std::vector<bool> member_of(const std::vector<std::string>& dict, const dq::CodeList& list) {
    std::vector<bool> out;
    for (const auto& c : dict) out.push_back(list.classify(c) == Class::Valid);
    return out;
}

struct Years {
    int first = 0, count = 1;
    int months() const { return 12 * count; }
};

/// Adds one record to its field, provider and month; records of months outside the run's years
/// belong to other runs, records with no date at all are counted as undated.
inline void tally(DqAcc& a, std::uint16_t field, std::int32_t provider, std::int32_t day, Class cls, const Years& y) {
    if (day == kMissing) {
        a.undated[field].add();
        return;
    }
    const int m = dq::month_index(day, y.first);
    if (m < 0 || m >= y.months()) return;
    a.fields[{field, provider, static_cast<std::int16_t>(m), static_cast<std::uint8_t>(cls)}].add();
}

inline int year_of(std::int32_t day, const Years& y) {
    if (day == kMissing) return -1;
    const int k = FinancialYear::of(day).start_year - y.first;
    return k >= 0 && k < y.count ? k : -1;
}

// ---------------------------------------------------------------- one data set

struct Context {
    const RunOptions& o;
    const store::Store& s;
    MPI_Comm comm;
    const dq::DqReference& dq;
    const tt::Reference& tt;
    const std::optional<mhnrg::MhnrgReference>& mhnrg;
    Years years;
};

/// Code, complaint, birth-date and record-date fields: one record of the field's table each.
void count_record_field(const Context& c, Dataset d, DatasetRows& data, std::uint16_t fi, DqAcc& acc) {
    const dq::FieldSpec& f = c.dq.fields[fi];
    const Rows& r = data.rows(f.table);
    const std::size_t n = r.provider.size();
    const TableSpec& spec = table_spec(f.table);
    const ColumnKind kind = spec.column(f.column).kind;
    const bool is_date_rule = f.rule == FieldRule::BirthDate || f.rule == FieldRule::RecordDate;
    if (is_date_rule != (kind == ColumnKind::Date) || (!is_date_rule && kind != ColumnKind::Code))
        throw ConfigError("reference data dq_fields.csv: " + f.table + "." + f.column + " is not a " +
                          (is_date_rule ? "date" : "code") + " column, as its rule needs");

    if (f.rule == FieldRule::BirthDate && f.table != data.person_table())
        throw ConfigError("reference data dq_fields.csv: the birth_date rule applies to " + data.person_table() +
                          " only, not " + f.table);
    std::vector<std::int32_t> own;
    if (!f.month_date.empty()) own = c.s.read<std::int32_t>(d, f.table, f.month_date, r.ranges);
    std::vector<bool> include_code;  // by AttendOrDNACode dictionary entry
    std::vector<std::uint16_t> att;
    if (f.population != Population::All) {
        att = c.s.read<std::uint16_t>(d, f.table, "AttendOrDNACode", r.ranges);
        const auto dict = c.s.dictionary(d, f.table, "AttendOrDNACode");
        check_codes(att, dict.size(), f.table + " AttendOrDNACode", c.o.store, c.comm);
        if (f.population == Population::Attended) include_code = member_of(dict, c.dq.list("attended"));
        else {
            include_code = member_of(dict, c.dq.list("cancelled_attendance"));
            include_code.flip();
        }
    }
    std::vector<std::uint16_t> codes;
    std::vector<Class> code_class;
    std::vector<std::int32_t> dates;
    if (is_date_rule) {
        dates = c.s.read<std::int32_t>(d, f.table, f.column, r.ranges);
    } else {
        codes = c.s.read<std::uint16_t>(d, f.table, f.column, r.ranges);
        const auto dict = c.s.dictionary(d, f.table, f.column);
        check_codes(codes, dict.size(), f.table + " " + f.column, c.o.store, c.comm);
        code_class = classes_of(dict, c.dq.list(f.list));
        if (f.rule == FieldRule::TtComplaint)  // the currency model's own list decides Valid first
            for (std::size_t k = 0; k < dict.size(); ++k)
                if (!dict[k].empty() && tt::classify_complaint(c.tt, dict[k]).valid) code_class[k] = Class::Valid;
    }
    const Years y = c.years;
    acc.merge(reduce::parallel_fold<DqAcc>(
        n,
        [&](DqAcc& a, std::size_t i) {
            if (!att.empty() && !include_code[att[i]]) return;
            Class cls;
            if (f.rule == FieldRule::BirthDate) cls = dq::classify_birth_date(c.dq, dates[i], data.mpi_first[i]);
            else if (f.rule == FieldRule::RecordDate) cls = dq::classify_record_date(c.dq, dates[i]);
            else cls = code_class[codes[i]];
            // The record's own date places it, unless it is absent or itself out of range.
            std::int32_t day = own.empty() ? kMissing : own[i];
            if (day == kMissing || day < c.dq.earliest_record_date) day = r.anchor[i];
            tally(a, fi, r.provider[i], day, cls, y);
        },
        1024));
}

/// SNOMED CT on attended contacts: one record per attended contact of the field table's parent.
void count_snomed_field(const Context& c, Dataset d, DatasetRows& data, std::uint16_t fi, DqAcc& acc) {
    const dq::FieldSpec& f = c.dq.fields[fi];
    const TableSpec& activity = table_spec(f.table);
    const std::string contact = activity.parent;
    const TableSpec& cspec = table_spec(contact);
    if (contact.empty() || cspec.column_index("AttendOrDNACode") < 0 || cspec.order_by.empty())
        throw ConfigError("reference data dq_fields.csv: " + f.table + " is not a care activity table under a contact table");
    const Rows& r = data.rows(contact);
    auto cdate = c.s.read<std::int32_t>(d, contact, cspec.order_by, r.ranges);
    auto att = c.s.read<std::uint16_t>(d, contact, "AttendOrDNACode", r.ranges);
    const auto att_dict = c.s.dictionary(d, contact, "AttendOrDNACode");
    check_codes(att, att_dict.size(), contact + " AttendOrDNACode", c.o.store, c.comm);
    const auto attended = member_of(att_dict, c.dq.list("attended"));
    auto ach = c.s.children(d, contact, f.table, r.ranges);
    auto proc = c.s.read<std::uint16_t>(d, f.table, f.column, ach.ranges);
    const auto proc_dict = c.s.dictionary(d, f.table, f.column);
    check_codes(proc, proc_dict.size(), f.table + " " + f.column, c.o.store, c.comm);
    const auto proc_class = classes_of(proc_dict, c.dq.list(f.list));
    const Years y = c.years;
    acc.merge(reduce::parallel_fold<DqAcc>(
        r.provider.size(),
        [&](DqAcc& a, std::size_t i) {
            if (!attended[att[i]]) return;
            bool valid = false, recorded = false;
            for (auto k = ach.offsets[i]; k < ach.offsets[i + 1]; ++k) {
                const Class pc = proc_class[proc[static_cast<std::size_t>(k)]];
                valid |= pc == Class::Valid;
                recorded |= pc != Class::Missing;
            }
            const Class cls = valid ? Class::Valid : recorded ? Class::Invalid : Class::Missing;
            tally(a, fi, r.provider[i], cdate[i] != kMissing ? cdate[i] : r.anchor[i], cls, y);
        },
        1024));
}

/// Talking Therapies referrals: PROM pairs of finished courses (field), and the headline
/// measures paired_outcomes and valid_presenting_complaint.
void count_tt_referrals(const Context& c, DatasetRows& data, int prom_field, int paired_measure, int complaint_measure,
                        DqAcc& acc) {
    const Dataset d = Dataset::Iapt;
    const std::string ref = data.referral(), contact = "IDS201CareContact", activity = "IDS202CareActivity",
                      complaint = "IDS603PresentingComplaints";
    const Rows& r = data.rows(ref);
    auto disch = c.s.read<std::int32_t>(d, ref, "ServDischDate", r.ranges);
    const Rows& cr = data.rows(contact);
    const auto& coff = data.offsets(contact);
    auto app = c.s.read<std::uint16_t>(d, contact, "AppType", cr.ranges);
    auto att = c.s.read<std::uint16_t>(d, contact, "AttendOrDNACode", cr.ranges);
    auto ach = c.s.children(d, contact, activity, cr.ranges);
    auto proc = c.s.read<std::uint16_t>(d, activity, "CodeProcAndProcStatus", ach.ranges);
    const Rows& pr = data.rows(complaint);
    const auto& poff = data.offsets(complaint);
    auto pc = c.s.read<std::uint16_t>(d, complaint, "PresComp", pr.ranges);
    auto pcsig = c.s.read<std::uint16_t>(d, complaint, "PresCompCodSig", pr.ranges);
    auto pcdate = c.s.read<std::int32_t>(d, complaint, "PresCompDate", pr.ranges);
    struct Scores {
        std::vector<std::int64_t> offsets;
        std::vector<std::uint16_t> tool;
        std::vector<std::int32_t> value, date;
        std::vector<int> measure;
    } sc[2];
    const std::string score_tables[2] = {"IDS606CodedScoreAssessmentRefer", "IDS607CodedScoreAssessmentAct"};
    for (int k = 0; k < 2; ++k) {
        const Rows& sr = data.rows(score_tables[k]);
        sc[k].offsets = data.offsets(score_tables[k]);
        sc[k].tool = c.s.read<std::uint16_t>(d, score_tables[k], "CodedAssToolType", sr.ranges);
        sc[k].value = c.s.read<std::int32_t>(d, score_tables[k], "PersScore", sr.ranges);
        sc[k].date = c.s.read<std::int32_t>(d, score_tables[k], "AssToolCompDate", sr.ranges);
        const auto dict = c.s.dictionary(d, score_tables[k], "CodedAssToolType");
        check_codes(sc[k].tool, dict.size(), score_tables[k] + " CodedAssToolType", c.o.store, c.comm);
        for (const auto& code : dict) sc[k].measure.push_back(c.tt.measure_by_snomed(code));
    }
    // Dictionaries resolved once through the currency model's reference data.
    const auto att_dict = c.s.dictionary(d, contact, "AttendOrDNACode");
    const auto app_dict = c.s.dictionary(d, contact, "AppType");
    const auto proc_dict = c.s.dictionary(d, activity, "CodeProcAndProcStatus");
    const auto pc_dict = c.s.dictionary(d, complaint, "PresComp");
    const auto sig_dict = c.s.dictionary(d, complaint, "PresCompCodSig");
    check_codes(att, att_dict.size(), contact + " AttendOrDNACode", c.o.store, c.comm);
    check_codes(app, app_dict.size(), contact + " AppType", c.o.store, c.comm);
    check_codes(proc, proc_dict.size(), activity + " CodeProcAndProcStatus", c.o.store, c.comm);
    check_codes(pc, pc_dict.size(), complaint + " PresComp", c.o.store, c.comm);
    check_codes(pcsig, sig_dict.size(), complaint + " PresCompCodSig", c.o.store, c.comm);
    std::vector<bool> attended;
    for (const auto& v : att_dict) attended.push_back(c.tt.attended_codes.count(v) > 0);
    std::vector<reference::AppClass> app_class;
    for (const auto& v : app_dict) {
        auto it = c.tt.app_types.find(v);
        app_class.push_back(it == c.tt.app_types.end() ? reference::AppClass::Other : it->second);
    }
    std::vector<reference::Intensity> intensity;
    for (const auto& v : proc_dict) {
        auto it = c.tt.activities.find(v);
        intensity.push_back(it == c.tt.activities.end() ? reference::Intensity::None : it->second);
    }
    std::vector<tt::ComplaintClass> pc_class;
    for (const auto& v : pc_dict)
        pc_class.push_back(v.empty() ? tt::ComplaintClass{false, c.tt.fallback_descriptor} : tt::classify_complaint(c.tt, v));
    std::vector<std::int32_t> codsig;
    for (const auto& v : sig_dict) {
        int k = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), k);
        codsig.push_back(ec == std::errc() && p == v.data() + v.size() ? k : INT32_MAX);
    }
    const int depression = c.tt.depression_measure;
    const std::size_t nmeasures = c.tt.measures.size();
    const Years y = c.years;
    acc.merge(reduce::parallel_fold<DqAcc>(
        disch.size(),
        [&](DqAcc& a, std::size_t i) {
            if (disch[i] == kMissing) return;  // every measure here is about referrals that ended
            thread_local std::vector<tt::ComplaintRecord> complaints;
            thread_local std::vector<tt::ScoreRecord> scores;
            thread_local std::vector<tt::FirstLast> fl;
            tt::ContactCounts counts;
            std::int64_t attended_contacts = 0;
            for (auto j = coff[i]; j < coff[i + 1]; ++j) {
                const auto uj = static_cast<std::size_t>(j);
                tt::ContactRecord cr{attended[att[uj]], app_class[app[uj]], false, false, false};
                for (auto k = ach.offsets[uj]; k < ach.offsets[uj + 1]; ++k)
                    cr.add_activity(intensity[proc[static_cast<std::size_t>(k)]]);
                attended_contacts += cr.attended ? 1 : 0;
                tt::add_contact(counts, cr);
            }
            scores.clear();
            for (int k = 0; k < 2; ++k)
                for (auto j = sc[k].offsets[i]; j < sc[k].offsets[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    const std::int32_t v = sc[k].value[uj];
                    scores.push_back({sc[k].measure[sc[k].tool[uj]], sc[k].date[uj],
                                      v == kMissing ? std::nullopt : std::optional<reference::Hundredths>(v), k == 1});
                }
            fl.assign(nmeasures, {});
            tt::first_last_into(c.tt, scores, fl);
            // A complete pair: PHQ-9 and at least one anxiety measure, each with a first and a last score.
            bool anxiety = false;
            for (std::size_t m = 0; m < nmeasures; ++m)
                if (static_cast<int>(m) != depression && fl[m].paired()) anxiety = true;
            const bool paired = depression >= 0 && fl[static_cast<std::size_t>(depression)].paired() && anxiety;
            const bool finished = tt::finished_course(c.tt, true, counts);
            const int yr = year_of(disch[i], y);
            const std::int32_t p = r.provider[i];
            if (prom_field >= 0 && finished)
                tally(a, static_cast<std::uint16_t>(prom_field), p, disch[i],
                      paired ? Class::Valid : scores.empty() ? Class::Missing : Class::Invalid, y);
            if (yr < 0) return;
            const auto yy = static_cast<std::int16_t>(yr);
            if (paired_measure >= 0 && attended_contacts >= 2) {
                a.head[{static_cast<std::uint16_t>(paired_measure), p, yy, 0}].add();
                if (paired) a.head[{static_cast<std::uint16_t>(paired_measure), p, yy, 1}].add();
            }
            if (complaint_measure >= 0 && finished) {
                complaints.clear();
                for (auto j = poff[i]; j < poff[i + 1]; ++j) {
                    const auto uj = static_cast<std::size_t>(j);
                    complaints.push_back({pc_class[pc[uj]], codsig[pcsig[uj]], pcdate[uj], pc_dict[pc[uj]]});
                }
                const int primary = tt::select_primary(complaints);
                a.head[{static_cast<std::uint16_t>(complaint_measure), p, yy, 0}].add();
                if (primary >= 0 && complaints[static_cast<std::size_t>(primary)].cls.valid)
                    a.head[{static_cast<std::uint16_t>(complaint_measure), p, yy, 1}].add();
            }
        },
        256));
}

/// MHSDS referrals discharged with 2+ attended contacts: PROM pairs (field) and the headline
/// paired_outcomes. A pair is one assessment tool scored on two different dates (MHS606).
void count_mhsds_outcomes(const Context& c, DatasetRows& data, int prom_field, int paired_measure, DqAcc& acc) {
    const Dataset d = Dataset::Mhsds;
    const std::string ref = data.referral(), contact = "MHS201CareContact", scores = "MHS606CodedScoreAssessmentRefer";
    const Rows& r = data.rows(ref);
    auto disch = c.s.read<std::int32_t>(d, ref, "ServDischDate", r.ranges);
    const Rows& cr = data.rows(contact);
    const auto& coff = data.offsets(contact);
    auto att = c.s.read<std::uint16_t>(d, contact, "AttendOrDNACode", cr.ranges);
    const auto att_dict = c.s.dictionary(d, contact, "AttendOrDNACode");
    check_codes(att, att_dict.size(), contact + " AttendOrDNACode", c.o.store, c.comm);
    const auto attended = member_of(att_dict, c.dq.list("attended"));
    const Rows& sr = data.rows(scores);
    const auto& soff = data.offsets(scores);
    auto tool = c.s.read<std::uint16_t>(d, scores, "CodedAssToolType", sr.ranges);
    auto value = c.s.read<std::int32_t>(d, scores, "PersScore", sr.ranges);
    auto date = c.s.read<std::int32_t>(d, scores, "AssToolCompDate", sr.ranges);
    check_codes(tool, c.s.dictionary(d, scores, "CodedAssToolType").size(), scores + " CodedAssToolType", c.o.store,
                c.comm);
    const Years y = c.years;
    acc.merge(reduce::parallel_fold<DqAcc>(
        disch.size(),
        [&](DqAcc& a, std::size_t i) {
            if (disch[i] == kMissing) return;
            int attended_contacts = 0;
            for (auto j = coff[i]; j < coff[i + 1]; ++j) attended_contacts += attended[att[static_cast<std::size_t>(j)]] ? 1 : 0;
            if (attended_contacts < 2) return;
            // Scores with a value, as (tool, date); a pair is the same tool on two dates.
            thread_local std::vector<std::pair<std::uint16_t, std::int32_t>> sc;
            sc.clear();
            for (auto j = soff[i]; j < soff[i + 1]; ++j) {
                const auto uj = static_cast<std::size_t>(j);
                if (value[uj] != kMissing && date[uj] != kMissing) sc.emplace_back(tool[uj], date[uj]);
            }
            std::sort(sc.begin(), sc.end());
            bool paired = false;
            for (std::size_t k = 1; k < sc.size(); ++k) paired |= sc[k].first == sc[k - 1].first && sc[k].second != sc[k - 1].second;
            const std::int32_t p = r.provider[i];
            if (prom_field >= 0)
                tally(a, static_cast<std::uint16_t>(prom_field), p, disch[i],
                      paired ? Class::Valid : soff[i + 1] > soff[i] ? Class::Invalid : Class::Missing, y);
            const int yr = year_of(disch[i], y);
            if (paired_measure < 0 || yr < 0) return;
            const auto yy = static_cast<std::int16_t>(yr);
            a.head[{static_cast<std::uint16_t>(paired_measure), p, yy, 0}].add();
            if (paired) a.head[{static_cast<std::uint16_t>(paired_measure), p, yy, 1}].add();
        },
        256));
}

/// MHSDS referrals received in the year that group to a population (src/mhnrg/grouping.hpp).
void count_grouping(const Context& c, DatasetRows& data, int measure, DqAcc& acc) {
    const Dataset d = Dataset::Mhsds;
    const mhnrg::MhnrgReference& mref = *c.mhnrg;
    const std::string ref = data.referral(), mpi = data.person_table(), team = "MHS102ServiceTypeReferredTo",
                      prim = "MHS604PrimDiag", pres = "MHS609PresComp";
    const Rows& r = data.rows(ref);
    auto age = c.s.read<std::int32_t>(d, ref, "AgeServReferRecDate", r.ranges);
    auto reason = c.s.read<std::uint16_t>(d, ref, "PrimReasonReferralMH", r.ranges);
    auto priority = c.s.read<std::uint16_t>(d, ref, "ClinRespPriorityType", r.ranges);
    const auto reason_dict = c.s.dictionary(d, ref, "PrimReasonReferralMH");
    const auto priority_dict = c.s.dictionary(d, ref, "ClinRespPriorityType");
    check_codes(reason, reason_dict.size(), ref + " PrimReasonReferralMH", c.o.store, c.comm);
    check_codes(priority, priority_dict.size(), ref + " ClinRespPriorityType", c.o.store, c.comm);
    // Birth dates by (provider, person), for the age when AgeServReferRecDate is absent and the transition rule.
    const Rows& mr = data.rows(mpi);
    auto birth = c.s.read<std::int32_t>(d, mpi, "PersonBirthDate", mr.ranges);
    std::vector<std::tuple<std::int32_t, std::uint64_t, std::int32_t>> births;
    for (std::size_t i = 0; i < birth.size(); ++i) births.emplace_back(mr.provider[i], data.mpi_person[i], birth[i]);
    std::sort(births.begin(), births.end());
    auto birth_of = [&](std::int32_t p, std::uint64_t person) -> std::int32_t {
        auto it = std::lower_bound(births.begin(), births.end(), std::make_tuple(p, person, INT32_MIN));
        return it != births.end() && std::get<0>(*it) == p && std::get<1>(*it) == person ? std::get<2>(*it) : kMissing;
    };
    struct CodeChild {
        std::vector<std::int64_t> offsets;
        std::vector<std::uint16_t> codes;
        std::vector<std::string> dict;
    };
    auto read_child = [&](const std::string& table, const std::string& column) {
        CodeChild ch;
        const Rows& cr = data.rows(table);
        ch.offsets = data.offsets(table);
        ch.codes = c.s.read<std::uint16_t>(d, table, column, cr.ranges);
        ch.dict = c.s.dictionary(d, table, column);
        check_codes(ch.codes, ch.dict.size(), table + " " + column, c.o.store, c.comm);
        return ch;
    };
    const CodeChild teams = read_child(team, "ServTeamTypeRefToMH"), prims = read_child(prim, "PrimDiag"),
                    press = read_child(pres, "PresComp");
    const Years y = c.years;
    acc.merge(reduce::parallel_fold<DqAcc>(
        r.provider.size(),
        [&](DqAcc& a, std::size_t i) {
            const int yr = year_of(r.anchor[i], y);
            if (yr < 0) return;
            thread_local mhnrg::ReferralFacts facts;
            const std::int32_t p = r.provider[i];
            const std::int32_t b = data.ref_person[i] ? birth_of(p, data.ref_person[i]) : kMissing;
            facts.age_at_referral = age[i] != kMissing ? std::optional<int>(age[i]) : mhnrg::age_on(b, r.anchor[i]);
            const std::int32_t first = data.ref_person[i] ? data.first_referral(p, data.ref_person[i]) : kMissing;
            const auto age_first = mhnrg::age_on(b, first);
            facts.referred_before_18 = first != kMissing && first < r.anchor[i] && age_first && *age_first < 18;
            facts.codes.clear();
            facts.team_types.clear();
            for (const CodeChild* ch : {&prims, &press})
                for (auto j = ch->offsets[i]; j < ch->offsets[i + 1]; ++j) facts.codes.push_back(ch->dict[ch->codes[static_cast<std::size_t>(j)]]);
            for (auto j = teams.offsets[i]; j < teams.offsets[i + 1]; ++j)
                facts.team_types.push_back(teams.dict[teams.codes[static_cast<std::size_t>(j)]]);
            facts.primary_reason = reason_dict[reason[i]];
            facts.clinical_response_priority = priority_dict[priority[i]];
            const auto g = mhnrg::group_referral(mref, facts);
            const auto yy = static_cast<std::int16_t>(yr);
            a.head[{static_cast<std::uint16_t>(measure), p, yy, 0}].add();
            if (g.group != mhnrg::Group::Ungrouped) a.head[{static_cast<std::uint16_t>(measure), p, yy, 1}].add();
        },
        256));
}

int headline_index(const dq::DqReference& ref, std::string_view measure, std::string_view dataset) {
    for (std::size_t k = 0; k < ref.headlines.size(); ++k)
        if (ref.headlines[k].measure == measure && ref.headlines[k].dataset == dataset) return static_cast<int>(k);
    return -1;
}

// ---------------------------------------------------------------- output

using Counts5 = std::array<std::int64_t, dq::kClassCount>;

std::string org_name(const Hierarchy& h, const std::string& code) {
    auto it = h.names.find(code);
    return it == h.names.end() ? "" : it->second;
}

void add_field_columns(report::Table& t) {
    t.add_text("dataset", "iapt (NHS Talking Therapies) or mhsds (Mental Health Services Data Set)");
    t.add_text("table", "Table of the data set holding the field (for SNOMED CT on attended contacts: the care "
                        "activity table; for PROM pairs: the score table)");
    t.add_text("field", "Column judged");
    t.add_text("item", "Key field of SPEC section 8 it measures");
    t.add_int("records", "Records judged: rows of the table (attended contacts, contacts not cancelled or finished "
                         "courses where the field's population says so) dated in the period",
              "records");
    for (int k = 0; k < dq::kClassCount; ++k) {
        const std::string n(dq::class_name(static_cast<Class>(k)));
        t.add_int(n, "Records whose value is " + n + " (docs/dq.md gives each field's rule)", "records");
    }
    t.add_real("valid_percent", "valid / records x 100; shown below England only when records >= 5", "%", 1);
}

void push_field_row(report::Table& t, const dq::FieldSpec& f, const Counts5& n, bool england) {
    std::int64_t total = 0;
    for (auto v : n) total += v;
    t.push("dataset", f.dataset);
    t.push("table", f.table);
    t.push("field", f.column);
    t.push("item", f.item);
    t.push("records", stats::disclose_count(total, england));
    for (int k = 0; k < dq::kClassCount; ++k)
        t.push(std::string(dq::class_name(static_cast<Class>(k))), stats::disclose_count(n[static_cast<std::size_t>(k)], england));
    if (total > 0 && stats::rate_disclosable(total, england)) t.push("valid_percent", 100.0 * static_cast<double>(n[0]) / static_cast<double>(total));
    else t.push("valid_percent", std::nullopt);
}

}  // namespace

void run_dq(const RunOptions& o, MPI_Comm comm) {
    JobContext jc(o, comm);
    const int rank = jc.rank, size = jc.size, threads = jc.threads;
    Stopwatch clock;
    report::Manifest manifest;
    const tt::Reference ttref = reference_set(o);
    const dq::DqReference dqref = dq::DqReference::parse(ttref.files);
    std::optional<mhnrg::MhnrgReference> mref;
    if (headline_index(dqref, "grouped_to_population", "mhsds") >= 0) mref = mhnrg::MhnrgReference::parse(ttref.files);
    store::Store s(o.store, comm);
    verify_store(o.store, comm);
    const Years years{o.years.first.start_year, o.years.last.start_year - o.years.first.start_year + 1};
    Context ctx{o, s, comm, dqref, ttref, mref, years};

    DqAcc local;
    for (Dataset d : {Dataset::Iapt, Dataset::Mhsds}) {
        if (!s.has(d)) continue;
        const std::string ds(dataset_name(d));
        const std::string contact = d == Dataset::Iapt ? "IDS201CareContact" : "MHS201CareContact";
        Plan plan = Plan::make(s, d, {referral_table(d).name, contact}, size, rank);
        DatasetRows data(s, d, plan);
        int prom_field = -1;
        for (std::size_t fi = 0; fi < dqref.fields.size(); ++fi) {
            const auto& f = dqref.fields[fi];
            if (f.dataset != ds) continue;
            const auto idx = static_cast<std::uint16_t>(fi);
            switch (f.rule) {
                case FieldRule::SnomedOnAttended: count_snomed_field(ctx, d, data, idx, local); break;
                case FieldRule::PromPair: prom_field = static_cast<int>(fi); break;
                default: count_record_field(ctx, d, data, idx, local);
            }
        }
        if (d == Dataset::Iapt) {
            const int paired = headline_index(dqref, "paired_outcomes", ds),
                      complaint = headline_index(dqref, "valid_presenting_complaint", ds);
            if (prom_field >= 0 || paired >= 0 || complaint >= 0)
                count_tt_referrals(ctx, data, prom_field, paired, complaint, local);
        } else {
            const int grouped = headline_index(dqref, "grouped_to_population", ds),
                      paired = headline_index(dqref, "paired_outcomes", ds);
            if (grouped >= 0) count_grouping(ctx, data, grouped, local);
            if (prom_field >= 0 || paired >= 0) count_mhsds_outcomes(ctx, data, prom_field, paired, local);
        }
    }
    manifest.add_stage("read_and_group", clock.lap());
    DqAcc total = reduce::reduce_to_root(local, comm);
    manifest.add_stage("reduce", clock.lap());
    if (rank != 0) return;

    // ---- finalize
    // SNOMED CT headline: from the field's own counts (valid / all attended contacts).
    for (std::size_t fi = 0; fi < dqref.fields.size(); ++fi) {
        const auto& f = dqref.fields[fi];
        if (f.rule != FieldRule::SnomedOnAttended) continue;
        const int m = headline_index(dqref, "snomed_attended_contacts", f.dataset);
        if (m < 0) continue;
        for (const auto& [k, v] : total.fields.items) {
            if (k.field != fi) continue;
            const auto yy = static_cast<std::int16_t>(k.month / 12);
            total.head[{static_cast<std::uint16_t>(m), k.provider, yy, 0}].add(v.n);
            if (k.cls == static_cast<std::uint8_t>(Class::Valid)) total.head[{static_cast<std::uint16_t>(m), k.provider, yy, 1}].add(v.n);
        }
    }

    std::map<std::string, Hierarchy> hier;
    for (Dataset d : {Dataset::Iapt, Dataset::Mhsds})
        if (s.has(d)) hier.emplace(std::string(dataset_name(d)), Hierarchy::build(s, d));

    std::vector<report::Table> tables;
    // Fields per organisation and year.
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        const bool england = level == Level::England;
        report::Table t("dq_fields_" + ln, "/dq/fields/" + ln,
                        "Key fields (SPEC section 8) by financial year and " + ln +
                            " organisation: records judged valid, other, default, invalid and missing (VODIM). "
                            "Below England, counts 0-4 are suppressed (empty) and others rounded to the nearest 5.");
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("org_code", "Organisation code (ODS); ENG for England");
        t.add_text("org_name", "Organisation name");
        add_field_columns(t);
        for (int yi = 0; yi < years.count; ++yi) {
            const std::string fy = FinancialYear{years.first + yi}.label();
            for (std::size_t fi = 0; fi < dqref.fields.size(); ++fi) {
                const auto& f = dqref.fields[fi];
                auto hit = hier.find(f.dataset);
                if (hit == hier.end()) continue;
                const Hierarchy& h = hit->second;
                std::map<std::string, Counts5> by_org;
                for (std::size_t p = 0; p < h.provider_code.size(); ++p) by_org[h.code(level, p)];
                // Keys are ordered by field then provider: visit only this field's range.
                for (auto it = total.fields.items.lower_bound({static_cast<std::uint16_t>(fi), INT32_MIN, 0, 0});
                     it != total.fields.items.end() && it->first.field == fi; ++it)
                    if (it->first.month / 12 == yi)
                        by_org[h.code(level, static_cast<std::size_t>(it->first.provider))][it->first.cls] += it->second.n;
                for (const auto& [org, n] : by_org) {
                    t.push("financial_year", fy);
                    t.push("org_code", org);
                    t.push("org_name", org_name(h, org));
                    push_field_row(t, f, n, england);
                }
            }
        }
        tables.push_back(std::move(t));
    }
    // Fields per provider and month (only months with records).
    {
        report::Table t("dq_fields_provider_month", "/dq/fields/provider_month",
                        "Key fields by provider and calendar month of the record's own date (docs/dq.md): only "
                        "months in which the provider has records of the field. Counts 0-4 suppressed (empty), "
                        "others rounded to the nearest 5.");
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("month", "Calendar month, YYYY-MM");
        t.add_text("org_code", "Provider code (ODS)");
        t.add_text("org_name", "Provider name");
        add_field_columns(t);
        std::map<std::tuple<std::uint16_t, std::string, std::int16_t>, Counts5> rows;  // field, provider code, month
        for (const auto& [k, v] : total.fields.items) {
            const auto& h = hier.at(dqref.fields[k.field].dataset);
            rows[{k.field, h.provider_code[static_cast<std::size_t>(k.provider)], k.month}][k.cls] += v.n;
        }
        // Ordered by month, then field (report order), then provider.
        std::vector<std::tuple<std::int16_t, std::uint16_t, std::string>> order;
        for (const auto& [key, n] : rows) order.emplace_back(std::get<2>(key), std::get<0>(key), std::get<1>(key));
        std::sort(order.begin(), order.end());
        for (const auto& [m, fi, prov] : order) {
            const auto& f = dqref.fields[fi];
            t.push("financial_year", FinancialYear{years.first + m / 12}.label());
            t.push("month", dq::month_label(m, years.first));
            t.push("org_code", prov);
            t.push("org_name", org_name(hier.at(f.dataset), prov));
            push_field_row(t, f, rows.at({fi, prov, m}), false);
        }
        tables.push_back(std::move(t));
    }
    // Headline measures per organisation and year.
    for (Level level : kLevels) {
        const std::string ln(level_name(level));
        const bool england = level == Level::England;
        report::Table t("dq_headline_" + ln, "/dq/headline/" + ln,
                        "Headline data-quality measures against their targets, by financial year and " + ln +
                            " organisation. Below England, counts 0-4 are suppressed and others rounded to the "
                            "nearest 5; percentages only where the denominator is at least 5.");
        t.add_text("financial_year", "Financial year, 1 April to 31 March");
        t.add_text("org_code", "Organisation code (ODS); ENG for England");
        t.add_text("org_name", "Organisation name");
        t.add_text("dataset", "iapt or mhsds");
        t.add_text("measure", "snomed_attended_contacts, paired_outcomes, valid_presenting_complaint, grouped_to_population");
        t.add_text("description", "What is counted (numerator / denominator)");
        t.add_int("numerator", "Records meeting the measure", "records");
        t.add_int("denominator", "Records the measure is taken over", "records");
        t.add_real("percent", "numerator / denominator x 100", "%", 1);
        t.add_real("ci_lo", "Wilson score 95% interval, lower end", "%", 1);
        t.add_real("ci_hi", "Wilson score 95% interval, upper end", "%", 1);
        t.add_real("target_percent", "Target (NHS England MH Core Data Pack); empty where none is published", "%", 1);
        t.add_text("meets_target", "yes / no when a target and the percentage are shown, else empty");
        for (int yi = 0; yi < years.count; ++yi) {
            const std::string fy = FinancialYear{years.first + yi}.label();
            for (std::size_t mi = 0; mi < dqref.headlines.size(); ++mi) {
                const auto& hl = dqref.headlines[mi];
                auto hit = hier.find(hl.dataset);
                if (hit == hier.end()) continue;
                const Hierarchy& h = hit->second;
                std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_org;  // numerator, denominator
                for (std::size_t p = 0; p < h.provider_code.size(); ++p) by_org[h.code(level, p)];
                for (const auto& [k, v] : total.head.items)
                    if (k.measure == mi && k.year == yi) {
                        auto& nd = by_org[h.code(level, static_cast<std::size_t>(k.provider))];
                        (k.part ? nd.first : nd.second) += v.n;
                    }
                for (const auto& [org, nd] : by_org) {
                    const auto [num, den] = nd;
                    t.push("financial_year", fy);
                    t.push("org_code", org);
                    t.push("org_name", org_name(h, org));
                    t.push("dataset", hl.dataset);
                    t.push("measure", hl.measure);
                    t.push("description", hl.description);
                    t.push("numerator", stats::disclose_count(num, england));
                    t.push("denominator", stats::disclose_count(den, england));
                    const bool shown = den > 0 && stats::rate_disclosable(den, england);
                    if (shown) {
                        const double pct = 100.0 * static_cast<double>(num) / static_cast<double>(den);
                        const auto ci = stats::wilson_interval(num, den);
                        t.push("percent", pct);
                        t.push("ci_lo", 100.0 * ci.lo);
                        t.push("ci_hi", 100.0 * ci.hi);
                    } else {
                        t.push("percent", std::nullopt);
                        t.push("ci_lo", std::nullopt);
                        t.push("ci_hi", std::nullopt);
                    }
                    if (hl.target_percent) t.push("target_percent", *hl.target_percent);
                    else t.push("target_percent", std::nullopt);
                    // Compared on the exact counts: num / den >= target / 100.
                    const bool meets = hl.target_percent &&
                                       static_cast<long double>(num) * 100.0L >= static_cast<long double>(*hl.target_percent) * den;
                    t.push("meets_target", shown && hl.target_percent ? (meets ? "yes" : "no") : "");
                }
            }
        }
        tables.push_back(std::move(t));
    }
    // Quarantine and row accounting from ingest (England: rows cannot be placed at a provider).
    {
        const std::string fy = o.years.first.label() + (o.years.first == o.years.last ? "" : ":" + o.years.last.label());
        report::Table t("dq_quarantine", "/dq/quarantine",
                        "Ingest row accounting per table (read = stored + quarantined + superseded) and quarantined "
                        "rows by reason and field, for the whole store (every year it holds). England only: a "
                        "quarantined row may have no usable provider. Exact counts.");
        t.add_text("financial_year", "The run's financial year(s); the counts cover the whole store");
        t.add_text("org_code", "ENG (England)");
        t.add_text("dataset", "iapt or mhsds");
        t.add_text("table", "Input table");
        t.add_text("kind", "accounting (rows read, stored, superseded, quarantined) or quarantine_reason");
        t.add_text("name", "read, stored, superseded, quarantined; or the quarantine reason (docs/store-format.md)");
        t.add_text("field", "For a reason: the field it names (empty when none)");
        t.add_int("rows", "Input rows", "rows");
        std::map<std::string, std::map<std::pair<std::string, std::string>, std::int64_t>> reasons;  // table -> (reason, field)
        for (const auto& q : s.quarantine()) ++reasons[q.table][{q.reason, q.field}];
        auto row = [&](const std::string& ds, const std::string& table, const char* kind, const std::string& name,
                       const std::string& field, std::int64_t n) {
            t.push("financial_year", fy);
            t.push("org_code", "ENG");
            t.push("dataset", ds);
            t.push("table", table);
            t.push("kind", kind);
            t.push("name", name);
            t.push("field", field);
            t.push("rows", n);
        };
        std::set<std::string> seen;
        for (Dataset d : {Dataset::Iapt, Dataset::Mhsds}) {
            if (!s.has(d)) continue;
            const std::string ds(dataset_name(d));
            for (const TableSpec* spec : tables_of(d)) {
                const auto a = s.accounting(d, spec->name);
                row(ds, spec->name, "accounting", "read", "", a.read);
                row(ds, spec->name, "accounting", "stored", "", a.stored);
                row(ds, spec->name, "accounting", "superseded", "", a.superseded);
                row(ds, spec->name, "accounting", "quarantined", "", a.quarantined);
                seen.insert(spec->name);
                for (const auto& [rf, n] : reasons[spec->name]) row(ds, spec->name, "quarantine_reason", rf.first, rf.second, n);
            }
        }
        for (const auto& [table, rs] : reasons)  // tables outside the schema (should not happen): still reported
            if (!seen.count(table))
                for (const auto& [rf, n] : rs) row("", table, "quarantine_reason", rf.first, rf.second, n);
        tables.push_back(std::move(t));
    }
    {
        nlohmann::json undated = nlohmann::json::object();
        for (const auto& [fi, v] : total.undated.items) {
            const auto& f = dqref.fields[fi];
            undated[f.dataset + "." + f.table + "." + f.column] = v.n;
        }
        manifest.set("dq_undated_records", undated);
    }
    manifest.add_stage("finalize", clock.lap());
    write_outputs(o, "dq", s, tables, manifest, size, threads, ttref.version);
}

}  // namespace mhbench::jobs
