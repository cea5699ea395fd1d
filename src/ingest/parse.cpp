#include "ingest/parse.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "model/dates.hpp"
#include "model/errors.hpp"

namespace mhbench::ingest {

namespace {

std::vector<int> map_columns(const TableSpec& spec, const std::filesystem::path& file, std::size_t& width) {
    auto header = read_csv_header(file);
    width = header.size();
    std::vector<int> idx;
    for (const auto& c : spec.columns) {
        auto it = std::find(header.begin(), header.end(), c.name);
        if (it == header.end())
            throw InputError(file.string(), spec.name, 1, c.name, "missing required column '" + c.name + "'");
        idx.push_back(static_cast<int>(it - header.begin()));
    }
    return idx;
}

// Numeric-aware comparison of submission ids: "99" before "100"; otherwise text order.
bool id_less(const std::string& a, const std::string& b) {
    bool na = !a.empty() && std::all_of(a.begin(), a.end(), ::isdigit);
    bool nb = !b.empty() && std::all_of(b.begin(), b.end(), ::isdigit);
    if (na && nb && a.size() != b.size()) return a.size() < b.size();
    return a < b;
}

bool parse_int(std::string_view s, std::int32_t& out) {
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Submissions read_submissions(const TableSpec& spec, const std::filesystem::path& file) {
    Submissions subs;
    subs.spec = &spec;
    std::size_t width = 0;
    auto idx = map_columns(spec, file, width);
    const int c_id = spec.column_index(spec.submission), c_prov = spec.column_index(spec.provider);
    const int c_start = spec.column_index("ReportingPeriodStartDate"), c_end = spec.column_index("ReportingPeriodEndDate");
    struct Raw {
        std::string id, provider;
        Day start, end;
        std::int64_t line;
    };
    std::vector<Raw> raw;
    CsvFields f;
    subs.read = for_each_line(file, 0, 1, [&](std::string_view line, std::int64_t i) {
        const std::int64_t ln = i + 2;
        if (!split_csv(line, f) || f.values.size() != width) {
            subs.quarantined.push_back({ln, Reason::Unparseable, ""});
            return;
        }
        auto field = [&](int c) { return f.values[static_cast<std::size_t>(idx[static_cast<std::size_t>(c)])]; };
        if (field(c_id).empty()) return subs.quarantined.push_back({ln, Reason::MissingKey, spec.submission});
        if (field(c_prov).empty()) return subs.quarantined.push_back({ln, Reason::MissingKey, spec.provider});
        auto s = parse_iso_date(field(c_start)), e = parse_iso_date(field(c_end));
        if (!s) return subs.quarantined.push_back({ln, Reason::Unparseable, "ReportingPeriodStartDate"});
        if (!e) return subs.quarantined.push_back({ln, Reason::Unparseable, "ReportingPeriodEndDate"});
        raw.push_back({std::string(field(c_id)), std::string(field(c_prov)), *s, *e, ln});
    });
    // A submission id seen twice: the first line is kept, the others are duplicates.
    std::set<std::string> seen;
    std::vector<Raw> ok;
    for (auto& r : raw) {
        if (!seen.insert(r.id).second) subs.quarantined.push_back({r.line, Reason::Duplicate, spec.submission});
        else ok.push_back(std::move(r));
    }
    std::set<std::string> provs;
    for (const auto& r : ok) provs.insert(r.provider);
    subs.providers.assign(provs.begin(), provs.end());
    std::vector<std::size_t> order(ok.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (ok[a].end != ok[b].end) return ok[a].end < ok[b].end;
        return id_less(ok[a].id, ok[b].id);
    });
    subs.rows = RowBatch(&spec);
    for (std::size_t s = 0; s < order.size(); ++s) {
        const Raw& r = ok[order[s]];
        auto p = static_cast<std::int32_t>(std::lower_bound(subs.providers.begin(), subs.providers.end(), r.provider) -
                                           subs.providers.begin());
        subs.by_id[r.id] = {p, static_cast<std::int32_t>(s)};
        subs.rows.provider.push_back(p);
        subs.rows.seq.push_back(static_cast<std::int32_t>(s));
        subs.rows.line.push_back(r.line);
        subs.rows.cols[static_cast<std::size_t>(c_id)].id.push_back(hash_id(r.id));
        subs.rows.cols[static_cast<std::size_t>(c_prov)].code.push_back(static_cast<std::uint16_t>(p + 1));
        subs.rows.cols[static_cast<std::size_t>(c_start)].num.push_back(r.start);
        subs.rows.cols[static_cast<std::size_t>(c_end)].num.push_back(r.end);
    }
    if (subs.providers.size() >= 65535) throw InputError(file.string(), spec.name, -1, spec.provider, "too many providers");
    std::sort(subs.quarantined.begin(), subs.quarantined.end(),
              [](const Quarantined& a, const Quarantined& b) { return a.line < b.line; });
    return subs;
}

TableParser::TableParser(const TableSpec& spec, std::filesystem::path file, const Submissions& subs)
    : spec_(spec), file_(std::move(file)), subs_(subs), rows_(&spec) {
    csv_index_ = map_columns(spec, file_, csv_width_);
    provider_col_ = spec.provider.empty() ? -1 : spec.column_index(spec.provider);
    required_.assign(spec.columns.size(), false);
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
        const auto& n = spec.columns[c].name;
        required_[c] = n == spec.submission || spec.is_key(n) ||
                       std::find(spec.parent_key.begin(), spec.parent_key.end(), n) != spec.parent_key.end();
    }
    dict_.resize(spec.columns.size());
    dict_values_.resize(spec.columns.size());
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        if (spec.columns[c].kind == ColumnKind::Code) {
            dict_[c].emplace("", 0);
            dict_values_[c].push_back("");
        }
}

std::uint16_t TableParser::encode(std::size_t c, std::string_view text) {
    auto& d = dict_[c];
    auto it = d.find(text);
    if (it != d.end()) return it->second;
    if (dict_values_[c].size() >= 65535)
        throw InputError(file_.string(), spec_.name, -1, spec_.columns[c].name, "more than 65,534 distinct codes");
    auto code = static_cast<std::uint16_t>(dict_values_[c].size());
    d.emplace(std::string(text), code);
    dict_values_[c].emplace_back(text);
    return code;
}

void TableParser::parse(std::string_view line, std::int64_t ln) {
    ++read_;
    if (!split_csv(line, fields_) || fields_.values.size() != csv_width_) {
        quarantined_.push_back({ln, Reason::Unparseable, ""});
        return;
    }
    const std::size_t nc = spec_.columns.size();
    // Validate first, so a quarantined row leaves no partial values behind.
    for (std::size_t c = 0; c < nc; ++c) {
        std::string_view v = fields_.values[static_cast<std::size_t>(csv_index_[c])];
        const auto& col = spec_.columns[c];
        if (v.empty()) {
            if (required_[c]) return quarantined_.push_back({ln, Reason::MissingKey, col.name});
            continue;
        }
        std::int32_t tmp;
        bool ok = true;
        switch (col.kind) {
            case ColumnKind::Date: ok = parse_iso_date(v).has_value(); break;
            case ColumnKind::Int: ok = parse_int(v, tmp); break;
            case ColumnKind::Score: ok = parse_score(v, tmp); break;
            default: break;
        }
        if (!ok) return quarantined_.push_back({ln, Reason::Unparseable, col.name});
    }
    const std::string sub(fields_.values[static_cast<std::size_t>(csv_index_[static_cast<std::size_t>(
        spec_.column_index(spec_.submission))])]);
    auto s = subs_.by_id.find(sub);
    if (s == subs_.by_id.end()) return quarantined_.push_back({ln, Reason::UnknownSubmission, spec_.submission});
    if (provider_col_ >= 0) {
        std::string_view p = fields_.values[static_cast<std::size_t>(csv_index_[static_cast<std::size_t>(provider_col_)])];
        if (!p.empty() && p != subs_.providers[static_cast<std::size_t>(s->second.provider)])
            return quarantined_.push_back({ln, Reason::ProviderMismatch, spec_.provider});
    }
    rows_.provider.push_back(s->second.provider);
    rows_.seq.push_back(s->second.seq);
    rows_.line.push_back(ln);
    for (std::size_t c = 0; c < nc; ++c) {
        std::string_view v = fields_.values[static_cast<std::size_t>(csv_index_[c])];
        auto& col = rows_.cols[c];
        switch (col.kind) {
            case ColumnKind::Id: col.id.push_back(v.empty() ? 0 : hash_id(v)); break;
            case ColumnKind::Code: col.code.push_back(encode(c, v)); break;
            case ColumnKind::Date: col.num.push_back(v.empty() ? kMissing : *parse_iso_date(v)); break;
            case ColumnKind::Int: {
                std::int32_t x = kMissing;
                if (!v.empty()) parse_int(v, x);
                col.num.push_back(x);
                break;
            }
            case ColumnKind::Score: {
                std::int32_t x = kMissing;
                if (!v.empty()) parse_score(v, x);
                col.num.push_back(x);
                break;
            }
        }
    }
}

void TableParser::remap(const std::vector<std::vector<std::string>>& global) {
    for (std::size_t c = 0; c < spec_.columns.size(); ++c) {
        if (spec_.columns[c].kind != ColumnKind::Code) continue;
        const auto& g = global[c];
        std::vector<std::uint16_t> to(dict_values_[c].size());
        for (std::size_t i = 0; i < to.size(); ++i) {
            auto it = std::lower_bound(g.begin(), g.end(), dict_values_[c][i]);
            if (it == g.end() || *it != dict_values_[c][i]) throw Error("internal: code missing from global dictionary");
            to[i] = static_cast<std::uint16_t>(it - g.begin());
        }
        for (auto& v : rows_.cols[c].code) v = to[v];
    }
}

}  // namespace mhbench::ingest
