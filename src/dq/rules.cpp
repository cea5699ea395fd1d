#include "dq/rules.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::dq {

std::string_view class_name(Class c) {
    switch (c) {
        case Class::Valid: return "valid";
        case Class::Other: return "other";
        case Class::Default: return "default";
        case Class::Invalid: return "invalid";
        case Class::Missing: return "missing";
    }
    return "?";
}

namespace {

using reference::trim;

using Csv = reference::CsvFile;
using reference::read_csv;

Class parse_class(const Csv& c, std::size_t r, const std::string& v) {
    if (v == "valid") return Class::Valid;
    if (v == "other") return Class::Other;
    if (v == "default") return Class::Default;
    if (v == "invalid") return Class::Invalid;
    c.fail(r, "class", "'" + v + "' is not valid, other, default or invalid");
}

}  // namespace

std::string normalise_code(std::string_view raw) {
    std::string out;
    for (char ch : trim(raw))
        if (ch != '.') out += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return out;
}

bool is_icd10(std::string_view c) {
    if (c.size() < 3 || c.size() > 5) return false;
    if (!std::isupper(static_cast<unsigned char>(c[0])) || !std::isdigit(static_cast<unsigned char>(c[1])) ||
        !std::isdigit(static_cast<unsigned char>(c[2])))
        return false;
    for (std::size_t i = 3; i < c.size(); ++i)
        if (!std::isalnum(static_cast<unsigned char>(c[i]))) return false;
    return true;
}

bool is_snomed(std::string_view c) {
    if (c.size() < 6 || c.size() > 18 || c[0] == '0') return false;
    return std::all_of(c.begin(), c.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; });
}

std::string_view snomed_focus(std::string_view raw) {
    raw = trim(raw);
    const auto colon = raw.find(':');
    return colon == std::string_view::npos ? raw : trim(raw.substr(0, colon));
}

bool CodeRule::matches(std::string_view t) const {
    switch (match) {
        case Match::Exact: return t == code;
        case Match::Prefix: return t.substr(0, code.size()) == code;
        case Match::Icd10: {
            const std::string n = normalise_code(t);
            if (!is_icd10(n)) return false;
            const std::string_view cat = std::string_view(n).substr(0, 3);
            return cat >= from && cat <= to;
        }
        case Match::Snomed: return is_snomed(normalise_code(snomed_focus(t)));
        case Match::Regex: return std::regex_match(t.begin(), t.end(), *regex);
    }
    return false;
}

Class CodeList::classify(std::string_view raw) const {
    const std::string_view t = trim(raw);
    if (t.empty()) return Class::Missing;
    for (const auto& r : rules)
        if (r.matches(t)) return r.cls;
    return Class::Invalid;
}

const CodeList& DqReference::list(const std::string& name) const {
    auto it = lists.find(name);
    if (it == lists.end()) throw ConfigError("reference data dq_codes.csv: no code list " + name);
    return it->second;
}

const Headline* DqReference::headline(std::string_view measure, std::string_view dataset) const {
    for (const auto& h : headlines)
        if (h.measure == measure && h.dataset == dataset) return &h;
    return nullptr;
}

DqReference DqReference::parse(const std::map<std::string, std::string>& files) {
    DqReference ref;
    {
        Csv c = read_csv(files, "dq_codes.csv");
        const auto li = c.col("list"), mi = c.col("match"), ci = c.col("code"), ki = c.col("class");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& row = c.rows[r];
            if (row[li].empty()) c.fail(r, "list", "empty");
            CodeRule rule;
            rule.cls = parse_class(c, r, row[ki]);
            rule.code = row[ci];
            const std::string& m = row[mi];
            if (m == "exact") rule.match = CodeRule::Match::Exact;
            else if (m == "prefix") rule.match = CodeRule::Match::Prefix;
            else if (m == "snomed") rule.match = CodeRule::Match::Snomed;
            else if (m == "icd10") {
                rule.match = CodeRule::Match::Icd10;
                const auto dash = rule.code.find('-');
                if (dash == std::string::npos) c.fail(r, "code", "an icd10 rule needs a range FROM-TO");
                rule.from = normalise_code(rule.code.substr(0, dash));
                rule.to = normalise_code(rule.code.substr(dash + 1));
                if (rule.from.size() != 3 || rule.to.size() != 3 || !is_icd10(rule.from) || !is_icd10(rule.to) ||
                    rule.from > rule.to)
                    c.fail(r, "code", "'" + rule.code + "' is not a range of ICD-10 categories such as F00-F99");
            } else if (m == "regex") {
                rule.match = CodeRule::Match::Regex;
                try {
                    rule.regex.emplace(rule.code, std::regex::ECMAScript);
                } catch (const std::regex_error& e) {
                    c.fail(r, "code", std::string("bad regex: ") + e.what());
                }
            } else
                c.fail(r, "match", "'" + m + "' is not exact, prefix, icd10, snomed or regex");
            if (rule.code.empty()) c.fail(r, "code", "empty");
            auto& l = ref.lists[row[li]];
            l.name = row[li];
            l.rules.push_back(std::move(rule));
        }
    }
    {
        Csv c = read_csv(files, "dq_fields.csv");
        const auto di = c.col("dataset"), ti = c.col("table"), coli = c.col("column"), ii = c.col("item"),
                   ri = c.col("rule"), li = c.col("list"), mi = c.col("month_date"), pi = c.col("population");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& row = c.rows[r];
            FieldSpec f{row[di], row[ti], row[coli], row[ii], FieldRule::Code, row[li], row[mi], Population::All};
            if (f.dataset != "iapt" && f.dataset != "mhsds") c.fail(r, "dataset", "'" + f.dataset + "' is not iapt or mhsds");
            if (f.table.empty() || f.column.empty() || f.item.empty()) c.fail(r, "table", "table, column and item are required");
            const std::string& rule = row[ri];
            if (rule == "code") f.rule = FieldRule::Code;
            else if (rule == "tt_complaint") f.rule = FieldRule::TtComplaint;
            else if (rule == "birth_date") f.rule = FieldRule::BirthDate;
            else if (rule == "record_date") f.rule = FieldRule::RecordDate;
            else if (rule == "snomed_on_attended") f.rule = FieldRule::SnomedOnAttended;
            else if (rule == "prom_pair") f.rule = FieldRule::PromPair;
            else c.fail(r, "rule", "'" + rule + "' is not a known rule");
            const std::string& pop = row[pi];
            if (pop == "all") f.population = Population::All;
            else if (pop == "not_cancelled") f.population = Population::NotCancelled;
            else if (pop == "attended") f.population = Population::Attended;
            else c.fail(r, "population", "'" + pop + "' is not all, not_cancelled or attended");
            const bool needs_list = f.rule == FieldRule::Code || f.rule == FieldRule::TtComplaint ||
                                    f.rule == FieldRule::SnomedOnAttended;
            if (needs_list && !ref.lists.count(f.list)) c.fail(r, "list", "no code list '" + f.list + "' in dq_codes.csv");
            ref.fields.push_back(std::move(f));
        }
    }
    {
        Csv c = read_csv(files, "dq_measures.csv");
        const auto mi = c.col("measure"), di = c.col("dataset"), ti = c.col("target_percent"), de = c.col("description");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& row = c.rows[r];
            Headline h{row[mi], row[di], row[de], std::nullopt};
            if (!row[ti].empty()) {
                double v = 0;
                auto [p, ec] = std::from_chars(row[ti].data(), row[ti].data() + row[ti].size(), v);
                if (ec != std::errc() || p != row[ti].data() + row[ti].size() || v < 0 || v > 100)
                    c.fail(r, "target_percent", "'" + row[ti] + "' is not a percentage");
                h.target_percent = v;
            }
            ref.headlines.push_back(std::move(h));
        }
    }
    {
        Csv c = read_csv(files, "dq_parameters.csv");
        const auto ki = c.col("key"), vi = c.col("value");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& key = c.rows[r][ki];
            const auto& v = c.rows[r][vi];
            if (key == "earliest_record_date") {
                auto d = parse_iso_date(v);
                if (!d) c.fail(r, "value", "'" + v + "' is not a date");
                ref.earliest_record_date = *d;
            } else if (key == "max_age_years") {
                int n = 0;
                auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
                if (ec != std::errc() || p != v.data() + v.size() || n <= 0) c.fail(r, "value", "'" + v + "' is not a positive integer");
                ref.max_age_years = n;
            } else
                c.fail(r, "key", "unknown parameter '" + key + "'");
        }
    }
    return ref;
}

Class classify_birth_date(const DqReference& ref, Day birth, Day first_referral) {
    if (birth == kMissing) return Class::Missing;
    if (first_referral == kMissing) return Class::Valid;  // nothing to compare with
    if (birth > first_referral) return Class::Invalid;
    const Civil r = civil_from_days(first_referral);
    const Day oldest = days_from_civil(r.year - ref.max_age_years, r.month, r.month == 2 && r.day == 29 ? 28 : r.day);
    return birth < oldest ? Class::Invalid : Class::Valid;
}

Class classify_record_date(const DqReference& ref, Day date) {
    if (date == kMissing) return Class::Missing;
    return date < ref.earliest_record_date ? Class::Invalid : Class::Valid;
}

int month_index(Day d, int first_year) {
    if (d == kMissing) return -1;
    const Civil c = civil_from_days(d);
    return (c.year * 12 + static_cast<int>(c.month) - 1) - (first_year * 12 + 3);
}

std::string month_label(int index, int first_year) {
    const int m = first_year * 12 + 3 + index;
    const int y = m / 12, mo = m % 12 + 1;
    std::string s = std::to_string(y) + "-";
    if (mo < 10) s += '0';
    return s + std::to_string(mo);
}

}  // namespace mhbench::dq
