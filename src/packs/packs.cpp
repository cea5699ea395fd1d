#include "packs/packs.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "model/errors.hpp"
#include "packs/html.hpp"

namespace mhbench::packs {

// ------------------------------------------------------------------------ table access

TableView::TableView(const report::Table& t) : t_(&t), rows_(t.rows()) {
    for (std::size_t i = 0; i < t.columns().size(); ++i) index_[t.columns()[i].name] = i;
}

const report::Column* TableView::column(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &t_->columns()[it->second];
}

static bool missing_cell(const report::Column& c, std::size_t i) { return i < c.missing.size() && c.missing[i]; }

std::string TableView::text(std::size_t row, const std::string& name) const {
    const report::Column* c = column(name);
    if (!c || missing_cell(*c, row)) return "";
    switch (c->type) {
        case report::ColumnType::Text: return c->text[row];
        case report::ColumnType::Int: return std::to_string(c->ints[row]);
        case report::ColumnType::Real: return report::format_real(c->reals[row], c->decimals);
    }
    return "";
}

std::optional<double> TableView::number(std::size_t row, const std::string& name) const {
    const report::Column* c = column(name);
    if (!c || missing_cell(*c, row)) return std::nullopt;
    if (c->type == report::ColumnType::Int) return static_cast<double>(c->ints[row]);
    if (c->type == report::ColumnType::Real && !std::isnan(c->reals[row])) return c->reals[row];
    return std::nullopt;
}

const report::Table* Results::find(const std::string& job, const std::string& table_name) const {
    auto it = jobs.find(job);
    if (it == jobs.end()) return nullptr;
    for (const auto& t : it->second)
        if (t.name() == table_name) return &t;
    return nullptr;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text, const std::string& source_name) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, at_line_start = true, field_started = false;
    std::size_t line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (at_line_start && !quoted && c == '#') {  // comment line
            while (i < text.size() && text[i] != '\n') ++i;
            ++line;
            continue;
        }
        at_line_start = false;
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
                else quoted = false;
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && !field_started) {
            quoted = field_started = true;
        } else if (c == ',') {
            row.push_back(std::move(field)), field.clear(), field_started = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            row.push_back(std::move(field)), field.clear(), field_started = false;
            rows.push_back(std::move(row)), row.clear();
            at_line_start = true;
            ++line;
        } else {
            field += c, field_started = true;
        }
    }
    if (quoted) throw ConfigError(source_name + ": line " + std::to_string(line) + ": a quoted field is not closed");
    if (field_started || !row.empty()) row.push_back(std::move(field)), rows.push_back(std::move(row));
    return rows;
}

namespace {

// ------------------------------------------------------------------------ helpers

constexpr std::string_view kAttribution =
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(NHS England: NHS Talking Therapies for anxiety and depression annual reports and the "
    "2025/26 mental health currency guidance, Appendix 4 Fig. 3).";

constexpr std::string_view kCaveatGeneral =
    "These are <strong>population-level benchmarks</strong>: they describe what happened across many people and are "
    "<strong>never a cap or a target</strong> for anyone's care. Differences between organisations can reflect the "
    "people they serve and how completely they record their data.";

constexpr std::string_view kCaveat =
    "Average contacts to reliable recovery are <strong>population averages</strong> over finished, reliably "
    "recovered courses. They describe what happened across many people; they are <strong>never a cap</strong> on "
    "the number of sessions anyone receives, and they are not a target for individual care.";

std::string file_stem(const std::string& code) {
    std::string s;
    for (char c : code) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

std::string pack_file(const std::string& level, const std::string& code) { return level + "_" + file_stem(code) + ".html"; }

constexpr std::string_view kNotAvailableCell = "<span class=\"muted\" title=\"not available\">\u2013</span>";

std::string opt_percent(std::optional<double> per_cent) { return per_cent ? format_percent(per_cent) : std::string(kSuppressedCell); }
// A count below England level: marked so that a scan of the pages can check every one is
// disclosure controlled.
std::string local_count(double v) { return "<span class=\"count\">" + format_count(v) + "</span>"; }
std::string opt_count(std::optional<double> v) { return v ? local_count(*v) : std::string(kSuppressedCell); }

std::string sort_attr(std::optional<double> v) { return v ? fmt::format(" data-sort=\"{}\"", *v) : " data-sort=\"\""; }

// Rows of one tt table for one year, grouped by organisation, in table order.
struct TtLevel {
    const report::Table* table = nullptr;
    std::optional<TableView> view;
    std::map<std::string, std::vector<std::size_t>> rows_of;  // org_code -> rows (year filtered)
    std::map<std::string, std::string> name_of;
    std::optional<std::size_t> row(const std::string& org, const std::string& descriptor, const std::string& severity) const {
        auto it = rows_of.find(org);
        if (it == rows_of.end()) return std::nullopt;
        for (std::size_t r : it->second)
            if (view->text(r, "descriptor") == descriptor && view->text(r, "severity") == severity) return r;
        return std::nullopt;
    }
};

TtLevel tt_level(const Results& res, const std::string& name, const std::string& year) {
    TtLevel l;
    l.table = res.find("tt-averages", name);
    if (!l.table) return l;
    l.view.emplace(*l.table);
    for (std::size_t r = 0; r < l.view->rows(); ++r) {
        if (l.view->text(r, "financial_year") != year) continue;
        const std::string org = l.view->has("org_code") ? l.view->text(r, "org_code") : "ENG";
        l.rows_of[org].push_back(r);
        l.name_of[org] = l.view->text(r, "org_name");
    }
    return l;
}

// A currency-unit row of the national table: what gets a funnel and a line in the unit table.
struct UnitRow {
    std::string descriptor, severity;
    bool in_model = true, aggregate = false, unknown = false;
    std::size_t national_row = 0;
};

std::vector<UnitRow> unit_rows(const TtLevel& nat) {
    std::vector<UnitRow> out;
    auto it = nat.rows_of.find("ENG");
    if (it == nat.rows_of.end()) return out;
    std::set<std::string> banded;
    for (std::size_t r : it->second)
        if (nat.view->text(r, "severity") != "All") banded.insert(nat.view->text(r, "descriptor"));
    for (std::size_t r : it->second) {
        UnitRow u;
        u.descriptor = nat.view->text(r, "descriptor");
        u.severity = nat.view->text(r, "severity");
        u.in_model = nat.view->number(r, "in_model").value_or(1) != 0;
        u.aggregate = u.descriptor == "All" || (u.severity == "All" && banded.contains(u.descriptor));
        u.unknown = u.severity == "Unknown";
        u.national_row = r;
        out.push_back(u);
    }
    return out;
}

std::string level_plural(const std::string& level) { return level == "icb" ? "ICBs" : "providers"; }
std::string level_title(const std::string& level) { return level == "icb" ? "ICB" : "Provider"; }

// ------------------------------------------------------------------------ funnels of one level

struct LevelFunnels {
    std::optional<FunnelSeries> rr;
    std::vector<FunnelSeries> contacts;  // All/All first, then each currency unit
    std::vector<std::string> not_drawn;  // currency units with too few organisations for a funnel
};

LevelFunnels build_level_funnels(const TtLevel& nat, const TtLevel& lvl, const std::vector<UnitRow>& units,
                                 const std::string& level) {
    LevelFunnels f;
    const auto eng = nat.row("ENG", "All", "All");
    if (!eng || !lvl.view) return f;
    const TableView& N = *nat.view;
    const TableView& L = *lvl.view;
    {
        FunnelSeries s;
        s.indicator = "reliable_recovery_rate", s.descriptor = "All", s.severity = "All";
        s.title = "Reliable recovery rate, all finished courses";
        s.x_label = "finished courses at caseness";
        s.y_label = "reliable recovery rate";
        s.level_plural = level_plural(level);
        s.percent = true;
        const auto rr = N.number(*eng, "reliably_recovered"), fin = N.number(*eng, "finished"), nac = N.number(*eng, "not_at_caseness");
        for (const auto& [org, rows] : lvl.rows_of) {
            const auto r = lvl.row(org, "All", "All");
            if (!r) continue;
            const auto rate = L.number(*r, "rr_rate"), finished = L.number(*r, "finished");
            // The denominator from the published (rounded) counts; a suppressed not_at_caseness is 0-4.
            const double den = finished.value_or(0) - L.number(*r, "not_at_caseness").value_or(0);
            if (!rate || !finished || den <= 0) {
                ++s.not_shown;
                continue;
            }
            s.dots.push_back({org, den, *rate / 100});
        }
        if (rr && fin && nac && *fin - *nac > 0) {
            const std::size_t hidden = s.not_shown;
            f.rr = make_series(std::move(s), *rr / (*fin - *nac), 0);
            if (f.rr) f.rr->not_shown = hidden;
        }
    }
    std::vector<const UnitRow*> wanted;
    for (const auto& u : units)
        if ((u.descriptor == "All") || (u.in_model && !u.aggregate && !u.unknown)) wanted.push_back(&u);
    for (const UnitRow* u : wanted) {
        FunnelSeries s;
        s.indicator = "mean_contacts", s.descriptor = u->descriptor, s.severity = u->severity;
        s.title = u->descriptor == "All" ? std::string("Average contacts to reliable recovery, all finished courses")
                                         : "Average contacts: " + u->descriptor + (u->severity == "All" ? "" : ", " + u->severity);
        s.x_label = "reliably recovered courses";
        s.y_label = "mean contacts";
        s.level_plural = level_plural(level);
        for (const auto& [org, rows] : lvl.rows_of) {
            const auto r = lvl.row(org, u->descriptor, u->severity);
            if (!r) continue;
            const auto mean = L.number(*r, "mean_contacts"), n = L.number(*r, "n");
            if (!mean || !n || *n <= 0) {
                ++s.not_shown;
                continue;
            }
            s.dots.push_back({org, *n, *mean});
        }
        const auto mean = N.number(u->national_row, "mean_contacts"), sd = N.number(u->national_row, "sd_contacts");
        if (!mean || !sd) continue;
        const std::size_t hidden = s.not_shown;
        const std::string label = u->descriptor + (u->severity == "All" ? "" : ", " + u->severity);
        if (auto made = make_series(std::move(s), *mean, *sd)) {
            made->not_shown = hidden;
            f.contacts.push_back(std::move(*made));
        } else {
            f.not_drawn.push_back(label);
        }
    }
    // England's overall average first, then the currency units in reporting order.
    std::stable_partition(f.contacts.begin(), f.contacts.end(), [](const FunnelSeries& s) { return s.descriptor == "All"; });
    return f;
}

// ------------------------------------------------------------------------ generic result sections

struct OtherJob {
    const char* job;
    const char* title;
};
constexpr OtherJob kOtherJobs[] = {
    {"mhnrg", "MHNRG activity profile (Mental Health Services Data Set)"},
    {"ips", "Individual Placement and Support"},
    {"mhis", "Mental Health Investment Standard"},
    {"dq", "Data quality (full measures)"},
    {"clusters", "Legacy mental health clusters"},
};

// Integer columns whose unit names people, referrals or events are counts; other units, and targets,
// are left as published.
bool count_like(const report::Column& c) {
    static const std::set<std::string> not_counts = {"%",     "percent", "per cent", "score points", "days", "years",
                                                     "months", "weeks",  "hours",    "minutes",      "£",    "GBP",
                                                     "pounds", "ratio",  "rate",     "index",        "points", "teams",
                                                     "organisations", "providers", "services"};
    // A target (e.g. IPS access targets per ICB) is a published planning figure, not a count of records.
    return c.type == report::ColumnType::Int && !c.unit.empty() && !not_counts.contains(c.unit) &&
           c.name.find("target") == std::string::npos;
}

// A short column label from the column's description (its first clause), the full text as a tooltip.
std::string column_label(const report::Column& c) {
    std::string d = c.description.empty() ? c.name : c.description;
    const std::size_t cut = d.find_first_of(":;(");
    if (cut != std::string::npos && cut > 8) d = d.substr(0, cut);
    while (!d.empty() && d.back() == ' ') d.pop_back();
    if (d.size() > 60) {
        const std::size_t sp = d.rfind(' ', 57);
        d = d.substr(0, sp == std::string::npos ? 57 : sp) + "\u2026";
    }
    return d;
}

constexpr std::size_t kMaxGenericRows = 200;

// A table at this level: its results.h5 group is /job/.../<level> or /job/..._<level>
// (/tt/provider, /mhnrg/units_provider).
bool at_level(const std::string& h5_path, const std::string& level) {
    const std::string last = h5_path.substr(h5_path.rfind('/') + 1);
    return last == level || (last.size() > level.size() && last.ends_with("_" + level));
}

std::string generic_section(const Results& res, const OtherJob& job, const std::string& level, const std::string& org,
                            const std::string& year, const stats::DisclosureRules& rules, std::size_t& withheld) {
    std::string o = fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", job.job, escape(job.title));
    auto it = res.jobs.find(job.job);
    if (it == res.jobs.end()) {
        return o + fmt::format("<p class=\"muted\">Not included: no <code>{}</code> results were available when this pack was "
                               "made. The section appears once <code>mhbench run {}</code> has been run.</p>\n</section>\n",
                               job.job, job.job);
    }
    bool any = false;
    for (const auto& t : it->second) {
        if (!at_level(t.h5_path(), level)) continue;
        TableView v(t);
        if (!v.has("org_code")) continue;
        std::vector<std::size_t> rows;
        for (std::size_t r = 0; r < v.rows(); ++r)
            if (v.text(r, "org_code") == org && (!v.has("financial_year") || v.text(r, "financial_year") == year)) rows.push_back(r);
        any = true;
        o += fmt::format("<h3>{}</h3>\n<p>{}</p>\n", escape(t.name()), escape(t.description()));
        if (rows.empty()) {
            o += "<p class=\"muted\">No rows for this organisation in this table.</p>\n";
            continue;
        }
        std::vector<const report::Column*> cols;
        for (const auto& c : t.columns())
            if (c.name != "org_code" && c.name != "org_name" && c.name != "financial_year") cols.push_back(&c);
        o += "<table>\n<thead><tr>";
        for (const auto* c : cols)
            o += fmt::format("<th scope=\"col\" title=\"{}\"{}>{}</th>", escape(c->description),
                             c->type == report::ColumnType::Text ? "" : " class=\"num\"", escape(column_label(*c)));
        o += "</tr></thead>\n<tbody>\n";
        for (std::size_t k = 0; k < rows.size() && k < kMaxGenericRows; ++k) {
            o += "<tr>";
            for (const auto* c : cols) {
                const std::size_t r = rows[k];
                if (missing_cell(*c, r)) {
                    o += fmt::format("<td{}>{}</td>", c->type == report::ColumnType::Text ? "" : " class=\"num\"", kSuppressedCell);
                    continue;
                }
                switch (c->type) {
                    case report::ColumnType::Text: o += "<td>" + escape(c->text[r]) + "</td>"; break;
                    case report::ColumnType::Int: {
                        const std::int64_t x = c->ints[r];
                        // Defence in depth: a count below the threshold, or not rounded, is withheld here
                        // even if the job that wrote it should have done so.
                        if (count_like(*c) && (x < rules.suppress_below || (rules.round_to > 1 && x % rules.round_to != 0))) {
                            ++withheld;
                            o += fmt::format("<td class=\"num\">{}</td>", kSuppressedCell);
                        } else {
                            const double dx = static_cast<double>(x);
                            o += "<td class=\"num\">" + (count_like(*c) ? local_count(dx) : format_count(dx)) + "</td>";
                        }
                        break;
                    }
                    case report::ColumnType::Real:
                        // At most 2 decimals: readable, and never more precise than the CSV.
                        o += "<td class=\"num\">" +
                             format_number(c->reals[r], c->decimals >= 0 && c->decimals < 2 ? c->decimals : 2) +
                             (c->unit == "%" ? "%" : "") + "</td>";
                        break;
                }
            }
            o += "</tr>\n";
        }
        o += "</tbody></table>\n";
        if (rows.size() > kMaxGenericRows)
            o += fmt::format("<p class=\"muted\">The first {} of {} rows; every row is in {}.csv.</p>\n", kMaxGenericRows, rows.size(),
                             escape(t.name()));
        o += "<details class=\"noprint\"><summary>What the columns mean</summary><dl class=\"key\">";
        for (const auto* c : cols)
            o += fmt::format("<dt>{}</dt><dd>{}{}</dd>", escape(c->name), escape(c->description),
                             c->unit.empty() ? "" : " (" + escape(c->unit) + ")");
        o += "</dl></details>\n";
    }
    if (!any)
        o += fmt::format("<p class=\"muted\">The {} results hold no table at {} level.</p>\n", job.job, level == "icb" ? "ICB" : level);
    return o + "</section>\n";
}

// ------------------------------------------------------------------------ data-quality scorecard

struct Score {
    std::string measure, why;
    std::optional<double> local, england;  // per cent
};

std::optional<double> share(std::optional<double> num, std::optional<double> den, const stats::DisclosureRules& rules, bool england) {
    if (!num || !den || *den <= 0) return std::nullopt;
    if (!england && *den < static_cast<double>(rules.min_rate_denominator)) return std::nullopt;
    return 100.0 * *num / *den;
}

std::vector<Score> scorecard(const Results& res, const TtLevel& nat, const TtLevel& lvl, const std::vector<UnitRow>& units,
                             const std::string& org, const std::string& activity_table, const std::string& fallback,
                             const std::string& year, const stats::DisclosureRules& rules) {
    std::vector<Score> out;
    auto both = [&](auto&& f, Score s) {
        s.local = f(lvl, org, false);
        s.england = f(nat, "ENG", true);
        out.push_back(std::move(s));
    };
    auto num = [](const TtLevel& l, const std::string& o, const std::string& d, const std::string& sv, const char* col) -> std::optional<double> {
        const auto r = l.row(o, d, sv);
        return r ? l.view->number(*r, col) : std::nullopt;
    };
    if (!fallback.empty())
        both([&](const TtLevel& l, const std::string& o, bool e) {
                 const auto all = num(l, o, "All", "All", "finished");
                 const auto bad = num(l, o, fallback, "All", "finished");
                 return share(all && bad ? std::optional<double>(*all - *bad) : (all && !l.row(o, fallback, "All") ? all : std::nullopt), all, rules, e);
             },
             {"Finished courses with a valid presenting complaint", "A problem descriptor needs a valid, mapped code in IDS603.", {}, {}});
    both([&](const TtLevel& l, const std::string& o, bool e) {
             double unknown = 0, all = 0;
             bool anyrow = false;
             for (const auto& u : units) {
                 if (u.descriptor == "All" || !u.in_model) continue;
                 if (u.unknown) unknown += num(l, o, u.descriptor, "Unknown", "finished").value_or(0);
                 if (u.aggregate) {
                     const auto f = num(l, o, u.descriptor, "All", "finished");
                     if (f) all += *f, anyrow = true;
                 }
             }
             return anyrow ? share(all - unknown, all, rules, e) : std::nullopt;
         },
         {"Finished courses with the severity measure recorded", "Descriptors with severity bands: the first score of the "
                                                                  "descriptor's measure decides the band; without it the band is Unknown.", {}, {}});
    both([&](const TtLevel& l, const std::string& o, bool e) {
             const auto f = num(l, o, "All", "All", "finished");
             const auto a = num(l, o, "All", "All", "at_caseness").value_or(0), n = num(l, o, "All", "All", "not_at_caseness").value_or(0);
             return share(f ? std::optional<double>(a + n) : std::nullopt, f, rules, e);
         },
         {"Finished courses with paired outcome scores", "Outcomes (recovery, reliable change) need a first and a last score.", {}, {}});
    both([&](const TtLevel& l, const std::string& o, bool) -> std::optional<double> {
             const auto mean = num(l, o, "All", "All", "mean_contacts"), unc = num(l, o, "All", "All", "mean_unclassified");
             if (!mean || !unc || *mean <= 0) return std::nullopt;
             return 100.0 * (1 - *unc / *mean);
         },
         {"Treatment contacts with a low or high intensity activity code", "Contacts of reliably recovered courses whose IDS202 "
                                                                             "activity gives their intensity (SNOMED CT).", {}, {}});
    // From the activity job (NHS Talking Therapies rows).
    const report::Table* act = res.find("activity", activity_table);
    const report::Table* act_nat = res.find("activity", "activity_national");
    if (act && act_nat) {
        auto measure_share = [&](const report::Table* t, const std::string& o, const std::string& measure, bool e) -> std::optional<double> {
            TableView v(*t);
            double all = 0, missing = 0;
            bool anyrow = false;
            for (std::size_t r = 0; r < v.rows(); ++r) {
                if (v.text(r, "financial_year") != year || v.text(r, "dataset") != "iapt" || v.text(r, "measure") != measure) continue;
                if (v.has("org_code") && v.text(r, "org_code") != o && !(e && v.text(r, "org_code") == "ENG")) continue;
                const double x = v.number(r, "value").value_or(0);
                all += x, anyrow = true;
                if (v.text(r, "category") == "Missing") missing += x;
            }
            return anyrow ? share(all - missing, all, rules, e) : std::nullopt;
        };
        out.push_back({"Care contacts with an attendance code", "AttendOrDNACode on IDS201: attendance decides what counts.",
                       measure_share(act, org, "care_contacts", false), measure_share(act_nat, "ENG", "care_contacts", true)});
        out.push_back({"Attended contacts with a consultation mechanism", "ConsMechanism on IDS201 (face to face, video, telephone ...).",
                       measure_share(act, org, "attended_contacts", false), measure_share(act_nat, "ENG", "attended_contacts", true)});
    }
    return out;
}

// ------------------------------------------------------------------------ page parts

std::string masthead(const std::string& kicker, const std::string& h1, const std::string& sub) {
    return fmt::format("<header class=\"masthead\">\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n{}</header>\n", escape(kicker),
                       escape(h1), sub);
}

std::string legend_html(const std::string& highlight_words) {
    std::string o = "<p class=\"legend\" aria-hidden=\"true\">";
    o += "<svg width=\"34\" height=\"12\" style=\"display:inline\"><line x1=\"0\" x2=\"34\" y1=\"6\" y2=\"6\" stroke=\"#212b32\" "
         "stroke-width=\"1.5\"/></svg> England &nbsp; ";
    o += "<svg width=\"34\" height=\"12\" style=\"display:inline\"><line x1=\"0\" x2=\"34\" y1=\"6\" y2=\"6\" stroke=\"#0072b2\" "
         "stroke-width=\"2\" stroke-dasharray=\"6 4\"/></svg> 95% limits (dashed) &nbsp; ";
    o += "<svg width=\"34\" height=\"12\" style=\"display:inline\"><line x1=\"0\" x2=\"34\" y1=\"6\" y2=\"6\" stroke=\"#d55e00\" "
         "stroke-width=\"2\"/></svg> 99.8% limits (solid) &nbsp; ";
    o += "<svg width=\"14\" height=\"12\" style=\"display:inline\"><circle cx=\"7\" cy=\"6\" r=\"3\" fill=\"#768692\"/></svg> "
         "other organisations &nbsp; ";
    if (!highlight_words.empty())
        o += "<svg width=\"16\" height=\"16\" style=\"display:inline\"><path d=\"M8 1L15 8L8 15L1 8Z\" fill=\"#005eb8\" stroke=\"#000\"/>"
             "</svg> " + escape(highlight_words);
    return o + "</p>\n";
}

std::string figure(const FunnelSeries& s, const std::string& id, const std::string& org, const std::string& org_name, bool small) {
    std::string o = fmt::format("<figure class=\"{}\">\n", small ? "small" : "wide");
    if (!small) o += fmt::format("<h3>{}</h3>\n", escape(s.title));
    else o += fmt::format("<h4>{}</h4>\n", escape(s.title));
    o += funnel_svg(s, id, org, org_name, small);
    std::string where;
    if (const FunnelDot* d = org.empty() ? nullptr : s.dot(org))
        where = fmt::format("{}: {} ({} {}), {}. ", org_name, s.percent ? format_percent(d->value * 100) : format_number(d->value, 2),
                            format_count(d->size), s.x_label, position_words(s, org));
    else if (!org.empty())
        where = org_name + " is not on this chart (no disclosable value). ";
    o += fmt::format("<figcaption>{}England {}. {} {} shown{}. {}</figcaption>\n</figure>\n", escape(where),
                     s.percent ? format_percent(s.funnel.target * 100) : format_number(s.funnel.target, 2), s.dots.size(),
                     s.level_plural,
                     s.not_shown ? fmt::format("; {} not shown (value suppressed: fewer than 5 cases)", s.not_shown) : "",
                     escape(overdispersion_sentence(s)));
    return o;
}

std::string short_position(stats::FunnelPosition p) {
    switch (p) {
        case stats::FunnelPosition::Below998: return "below 99.8%";
        case stats::FunnelPosition::Below95: return "below 95%";
        case stats::FunnelPosition::Within: return "within";
        case stats::FunnelPosition::Above95: return "above 95%";
        case stats::FunnelPosition::Above998: return "above 99.8%";
    }
    return "";
}

std::string flag_cell(const std::string& flag) {
    if (flag.empty()) return "<td class=\"muted\" title=\"no test: fewer than 5 courses on either side, or no variation\">\u2013</td>";
    if (flag == "similar") return "<td>similar</td>";
    return fmt::format("<td class=\"flag-{}\">{}</td>", flag == "above" ? "above" : "below", escape(flag));
}

std::string methods_section(bool with_units) {
    std::string o = "<section id=\"methods\">\n<h2>Methods and caveats</h2>\n";
    o += "<p>" + std::string(kCaveat) + "</p>\n<ul>\n";
    if (with_units) {
        o += "<li><strong>Currency units.</strong> Each finished course (discharged in the year with at least 2 attended treatment "
             "appointments) is given a problem descriptor from its primary presenting complaint and a severity band from the first "
             "score of the descriptor's measure, as the 2025/26 currency guidance sets out (Appendices 4-6). Contacts are counted over "
             "courses that ended in reliable recovery.</li>\n";
        o += "<li><strong>Intervals.</strong> Rates carry a 95% Wilson score interval; means a 95% Student-t interval.</li>\n";
        o += "<li><strong>Flags.</strong> Each local mean is compared with the rest of England by Welch's t-test; p-values are "
             "adjusted by Benjamini-Hochberg across this organisation's rows, and the flag is <em>above</em> or <em>below</em> when "
             "the adjusted p-value is under 0.05 (95%) or 0.002 (99.8%), else <em>similar</em>.</li>\n";
    }
    o += "<li><strong>Funnel plots</strong> (Spiegelhalter 2005) show every organisation of the same level against its size, with "
         "limits at 95% and 99.8% around the England value: exact binomial limits for rates, the England mean \u00b1 z\u00b7s/\u221an "
         "for average contacts. A point outside the 99.8% limits is unlikely to differ from England by chance alone. When "
         "organisations vary more than chance allows (over-dispersion: Winsorised z-scores at 10%/90% give \u03c6, a \u03c7\u00b2 "
         "test at 5% decides), the limits are widened by the DerSimonian-Laird between-organisation variance \u03c4\u00b2 "
         "(additive random effects, as NHS funnel tools do). Each chart says which limits it draws.</li>\n";
    o += "<li><strong>Sizes</strong> on the funnels are the published, rounded counts, so positions near a limit are "
         "approximate. The size axis is logarithmic.</li>\n";
    o += "<li><strong>Data quality</strong> affects every figure: a course without a valid presenting complaint or without paired "
         "scores cannot be placed in a currency unit or counted as recovered.</li>\n";
    o += "<li><strong>Source data.</strong> The figures come from the results of the jobs run on the national store. When that store "
         "holds the synthetic sample (<code>mhbench synth</code>), the organisation names are real but the figures describe no real "
         "organisation.</li>\n";
    return o + "</ul>\n</section>\n";
}

std::string disclosure_section(const stats::DisclosureRules& r, std::size_t withheld) {
    std::string o = "<section id=\"disclosure\">\n<h2>Disclosure control</h2>\n";
    o += fmt::format("<p>Figures below England level are disclosure controlled: counts from 0 to {} are suppressed "
                     "(shown as <strong>*</strong>), other counts are rounded to the nearest {}, and rates, averages and tests are "
                     "shown only where their denominator is at least {}. England figures are exact. No person or referral "
                     "identifier appears in this pack. Charts are drawn from the same controlled figures, so they are no more "
                     "precise than the published tables.</p>\n",
                     r.suppress_below - 1, r.round_to, r.min_rate_denominator);
    if (withheld)
        o += fmt::format("<p>{} cell(s) of other jobs' tables that were not disclosure controlled at source were withheld "
                         "from this pack.</p>\n",
                         withheld);
    return o + "</section>\n";
}

std::string sources_section() {
    return "<section id=\"sources\">\n<h2>Sources</h2>\n<p>Talking Therapies figures: results of <code>mhbench run "
           "tt-averages</code> and <code>mhbench run activity</code> on the national store. Published averages: NHS England, "
           "2025/26 mental health currency guidance, Appendix 4 Fig. 3.</p>\n<p>" +
           std::string(kAttribution) + "</p>\n</section>\n";
}

constexpr std::string_view kIndexScript = R"js(
(function () {
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var tbody = table.tBodies[0];
    Array.prototype.forEach.call(table.querySelectorAll('th button'), function (btn) {
      btn.addEventListener('click', function () {
        var th = btn.parentNode;
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(table.querySelectorAll('th'), function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var x = a.cells[idx].getAttribute('data-sort'), y = b.cells[idx].getAttribute('data-sort');
          if (x === null) { x = a.cells[idx].textContent; }
          if (y === null) { y = b.cells[idx].textContent; }
          if (x === '' && y === '') { return 0; }
          if (x === '') { return 1; }
          if (y === '') { return -1; }
          var nx = Number(x), ny = Number(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
  });
  var search = document.getElementById('search');
  var count = document.getElementById('shown');
  if (search) {
    search.addEventListener('input', function () {
      var q = search.value.toLowerCase(), shown = 0;
      Array.prototype.forEach.call(document.querySelectorAll('table.sortable tbody tr'), function (r) {
        var hide = q !== '' && r.textContent.toLowerCase().indexOf(q) < 0;
        r.hidden = hide;
        if (!hide) { shown += 1; }
      });
      if (count) { count.textContent = String(shown); }
    });
  }
})();
)js";

struct IndexRow {
    std::string level, code, name, icb, file, position;
    std::optional<double> finished, rate, lo, hi;
    bool talking_therapies = true;  ///< false: an MHSDS-only organisation, no Talking Therapies figures
};

std::string index_page(const std::vector<IndexRow>& rows, const std::string& year, std::optional<double> eng_rate,
                       std::optional<double> eng_finished, const std::string& extra) {
    std::string b = masthead("Mental health benchmark packs \u00b7 " + year, "Provider and ICB benchmark packs",
                             "<p>One self-contained page per provider and per ICB. England: " + format_count(eng_finished) +
                                 " finished courses, reliable recovery " + format_percent(eng_rate) + ".</p>\n");
    b += "<main>\n<div class=\"notice\"><p>" + std::string(kCaveat) + "</p></div>\n" + extra;
    b += fmt::format("<h2 id=\"list\">Organisations</h2>\n<p><label for=\"search\">Search by name, code or ICB</label><br>"
                     "<input id=\"search\" class=\"search\" type=\"search\" autocomplete=\"off\"> <span class=\"muted\"><span "
                     "id=\"shown\">{}</span> shown</span></p>\n",
                     rows.size());
    b += "<p class=\"muted noprint\">Select a column heading to sort by it.</p>\n";
    b += "<table class=\"sortable\">\n<caption>Headline figures by organisation (" + escape(year) +
         "); * suppressed</caption>\n<thead><tr>";
    for (const auto& [h, num] : std::vector<std::pair<std::string, bool>>{{"Organisation", false},
                                                                          {"Code", false},
                                                                          {"Level", false},
                                                                          {"ICB", false},
                                                                          {"Finished courses", true},
                                                                          {"Reliable recovery", true},
                                                                          {"95% interval", true},
                                                                          {"Position on the reliable recovery funnel", false}})
        b += fmt::format("<th scope=\"col\"{}><button type=\"button\">{}</button></th>", num ? " class=\"num\"" : "", h);
    b += "</tr></thead>\n<tbody>\n";
    for (const auto& r : rows) {
        b += fmt::format("<tr><td data-sort=\"{}\"><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>", escape(r.name),
                         escape(r.file), escape(r.name.empty() ? r.code : r.name), escape(r.code), level_title(r.level),
                         r.level == "icb" ? std::string(kNotAvailableCell) : escape(r.icb));
        if (!r.talking_therapies) {
            b += fmt::format("<td class=\"num\" data-sort=\"\">{0}</td><td class=\"num\" data-sort=\"\">{0}</td><td class=\"num\" "
                             "data-sort=\"\">{0}</td><td class=\"muted\">no Talking Therapies results</td></tr>\n",
                             kNotAvailableCell);
            continue;
        }
        b += fmt::format("<td class=\"num\"{}>{}</td><td class=\"num\"{}>{}</td>", sort_attr(r.finished), opt_count(r.finished),
                         sort_attr(r.rate), opt_percent(r.rate));
        b += fmt::format("<td class=\"num\"{}>{}</td><td>{}</td></tr>\n", sort_attr(r.lo),
                         r.lo && r.hi ? format_percent(r.lo) + " to " + format_percent(r.hi) : std::string(kSuppressedCell),
                         r.position.empty() ? "<span class=\"muted\">not on the funnel</span>" : escape(r.position));
    }
    b += "</tbody>\n</table>\n";
    b += "<p>" + std::string(kAttribution) + "</p>\n</main>\n";
    return page("NHS Talking Therapies benchmark packs " + year, b, std::string(kIndexScript));
}

// ------------------------------------------------------------------------ output tables

report::Table funnel_table(const std::string& level, const std::string& prefix) {
    report::Table t(prefix + "_" + level, "/" + std::string("packs/") + (prefix == "packs_funnel" ? "funnel" : "published_funnel") + "/" + level,
                    "Position of every " + (level == "icb" ? std::string("ICB") : level) +
                        " on the packs' funnel plots, computed from the disclosure-controlled published figures (sizes are "
                        "rounded counts), with the limits drawn at its size.");
    t.add_text("financial_year", "Financial year, 1 April to 31 March");
    t.add_text("org_code", "Organisation code (ODS)");
    t.add_text("org_name", "Organisation name");
    t.add_text("indicator", "reliable_recovery_rate (a proportion) or mean_contacts (average contacts to reliable recovery)");
    t.add_text("descriptor", "Problem descriptor (All for every one)");
    t.add_text("severity", "Severity band (All for every one)");
    t.add_int("size", "Size on the funnel: finished courses at caseness (rate) or reliably recovered courses (mean), from "
                      "rounded counts", "referrals");
    t.add_real("value", "The organisation's value: reliable recovery rate (per cent) or mean contacts", "", 4);
    t.add_real("z_score", "Unadjusted z-score (arcsine square-root scale for rates)", "", 3);
    t.add_real("lo95", "Lower 95% limit drawn at this size (per cent for rates)", "", 4);
    t.add_real("hi95", "Upper 95% limit drawn at this size", "", 4);
    t.add_real("lo998", "Lower 99.8% limit drawn at this size", "", 4);
    t.add_real("hi998", "Upper 99.8% limit drawn at this size", "", 4);
    t.add_text("position", "below the 99.8% limit / below the 95% limit / within the 95% limits / above the 95% limit / above "
                           "the 99.8% limit");
    return t;
}

void push_funnel_rows(report::Table& t, const FunnelSeries& s, const std::string& year,
                      const std::map<std::string, std::string>& names) {
    const double k = s.percent ? 100.0 : 1.0;
    for (const auto& d : s.dots) {
        const auto l = s.funnel.limits(d.size);
        t.push("financial_year", year);
        t.push("org_code", d.org);
        auto it = names.find(d.org);
        t.push("org_name", it == names.end() ? std::string() : it->second);
        t.push("indicator", s.indicator);
        t.push("descriptor", s.descriptor);
        t.push("severity", s.severity);
        t.push("size", static_cast<std::int64_t>(std::llround(d.size)));
        t.push("value", d.value * k);
        t.push("z_score", s.funnel.z_score(d.value, d.size));
        t.push("lo95", l.lo95 * k);
        t.push("hi95", l.hi95 * k);
        t.push("lo998", l.lo998 * k);
        t.push("hi998", l.hi998 * k);
        t.push("position", std::string(stats::position_label(s.funnel.position(d.value, d.size))));
    }
}

report::Table overdispersion_table(const std::string& name, const std::string& path) {
    report::Table t(name, path,
                    "Over-dispersion of each funnel of the packs (Spiegelhalter 2005): phi from z-scores Winsorised at the "
                    "10th/90th centiles, DerSimonian-Laird tau2, and which limits are drawn.");
    t.add_text("financial_year", "Financial year");
    t.add_text("org_code", "ENG: the funnel is England's comparison of its organisations");
    t.add_text("level", "provider or icb: the organisations on the funnel");
    t.add_text("indicator", "reliable_recovery_rate or mean_contacts");
    t.add_text("descriptor", "Problem descriptor");
    t.add_text("severity", "Severity band");
    t.add_int("organisations", "Organisations on the funnel (with a disclosable value)", "organisations");
    t.add_int("not_shown", "Organisations without a disclosable value", "organisations");
    t.add_real("target", "England value (per cent for rates)", "", 4);
    t.add_real("sd", "England standard deviation of contacts (means only)", "contacts", 4);
    t.add_real("phi", "Over-dispersion ratio: mean squared Winsorised z-score (1 = no more variation than chance)", "", 4);
    t.add_real("tau2", "DerSimonian-Laird between-organisation variance (arcsine square-root scale for rates)", "", 6);
    t.add_real("chi2_critical", "95th percentile of chi-squared with organisations - 1 degrees of freedom", "", 3);
    t.add_int("overdispersed", "1 when organisations x phi exceeds chi2_critical: additive random-effects limits drawn");
    t.add_text("limits_drawn", "The limits the chart draws");
    return t;
}

void push_overdispersion(report::Table& t, const FunnelSeries& s, const std::string& year, const std::string& level) {
    t.push("financial_year", year);
    t.push("org_code", "ENG");
    t.push("level", level);
    t.push("indicator", s.indicator);
    t.push("descriptor", s.descriptor);
    t.push("severity", s.severity);
    t.push("organisations", static_cast<std::int64_t>(s.dots.size()));
    t.push("not_shown", static_cast<std::int64_t>(s.not_shown));
    t.push("target", s.funnel.target * (s.percent ? 100.0 : 1.0));
    t.push("sd", s.percent ? std::nullopt : std::optional<double>(s.funnel.sd));
    t.push("phi", s.funnel.od.phi);
    t.push("tau2", s.funnel.od.tau2);
    t.push("chi2_critical", s.funnel.od.chi2_critical);
    t.push("overdispersed", s.funnel.od.overdispersed ? 1 : 0);
    t.push("limits_drawn", std::string(s.funnel.limits_drawn()));
}

}  // namespace

// ------------------------------------------------------------------------ the packs

PackOutputs build_packs(const Results& res, const std::vector<Organisation>& organisations, const PackOptions& opt) {
    const TtLevel nat = tt_level(res, "tt_national", opt.year);
    if (!nat.table) throw ConfigError("packs: no tt-averages results (tt_national) among the results; run tt-averages first");
    if (!nat.row("ENG", "All", "All"))
        throw ConfigError("packs: tt_national holds no England All/All row for " + opt.year + " (was tt-averages run for that year?)");
    const auto units = unit_rows(nat);
    const TableView& N = *nat.view;
    const std::size_t eng_all = *nat.row("ENG", "All", "All");
    const auto eng_rate = N.number(eng_all, "rr_rate"), eng_finished = N.number(eng_all, "finished");
    std::map<std::string, Organisation> orgs;
    for (const auto& o : organisations) orgs[o.level + ":" + o.code] = o;

    PackOutputs out;
    std::vector<IndexRow> index;
    report::Table od = overdispersion_table("packs_overdispersion_national", "/packs/overdispersion/national");
    std::vector<report::Table> funnel_tables;
    for (const std::string level : {"provider", "icb"}) {
        const TtLevel lvl = tt_level(res, "tt_" + level, opt.year);
        if (!lvl.table) {
            out.notes.push_back("packs: no tt_" + level + " table; no " + level + " packs");
            continue;
        }
        const LevelFunnels funnels = build_level_funnels(nat, lvl, units, level);
        report::Table ft = funnel_table(level, "packs_funnel");
        if (funnels.rr) push_funnel_rows(ft, *funnels.rr, opt.year, lvl.name_of), push_overdispersion(od, *funnels.rr, opt.year, level);
        for (const auto& s : funnels.contacts) push_funnel_rows(ft, s, opt.year, lvl.name_of), push_overdispersion(od, s, opt.year, level);
        funnel_tables.push_back(std::move(ft));
        const TableView& L = *lvl.view;
        // Every organisation of the level in any results table: Talking Therapies providers and,
        // from the other jobs, MHSDS providers (their packs hold the sections those jobs feed).
        std::map<std::string, std::string> codes = lvl.name_of;
        for (const auto& j : kOtherJobs) {
            auto jt = res.jobs.find(j.job);
            if (jt == res.jobs.end()) continue;
            for (const auto& t : jt->second) {
                if (!at_level(t.h5_path(), level)) continue;
                TableView v(t);
                if (!v.has("org_code")) continue;
                for (std::size_t r = 0; r < v.rows(); ++r)
                    if (!v.has("financial_year") || v.text(r, "financial_year") == opt.year)
                        codes.try_emplace(v.text(r, "org_code"), v.text(r, "org_name"));
            }
        }
        for (const auto& [code, table_name] : codes) {
            if (code == "UNKNOWN" || code.empty()) continue;  // providers missing from the lookup, not an ICB
            const bool has_tt = lvl.rows_of.contains(code);
            Organisation org;
            auto it = orgs.find(level + ":" + code);
            if (it != orgs.end()) org = it->second;
            org.code = code, org.level = level;
            if (org.name.empty()) org.name = table_name;
            const std::string display = org.name.empty() ? code : org.name;
            const std::string file = pack_file(level, code);
            std::size_t withheld = 0;

            // headline
            const auto all = lvl.row(code, "All", "All");
            const auto finished = all ? L.number(*all, "finished") : std::nullopt;
            const auto rate = all ? L.number(*all, "rr_rate") : std::nullopt;
            const auto lo = all ? L.number(*all, "rr_lo") : std::nullopt, hi = all ? L.number(*all, "rr_hi") : std::nullopt;
            const std::string position = funnels.rr ? position_words(*funnels.rr, code) : "";
            index.push_back({level, code, org.name, org.icb_name.empty() ? org.icb_code : org.icb_name, file, position, finished,
                             rate, lo, hi, has_tt});

            std::string sub;
            if (level == "provider" && !org.icb_code.empty())
                sub += "<p>ICB: " + escape(org.icb_name.empty() ? org.icb_code : org.icb_name + " (" + org.icb_code + ")") +
                       (org.region_name.empty() ? "" : " \u00b7 Region: " + escape(org.region_name)) + "</p>\n";
            if (level == "icb" && !org.region_name.empty()) sub += "<p>Region: " + escape(org.region_name) + "</p>\n";
            sub += "<p>Organisation code " + escape(code) + " \u00b7 <a href=\"index.html\">All packs</a></p>\n";
            std::string b = masthead(std::string(has_tt ? "NHS Talking Therapies" : "Mental health") + " benchmark pack \u00b7 " +
                                         opt.year + " \u00b7 " + level_title(level),
                                     display, sub);
            b += "<nav class=\"contents\" aria-label=\"Contents\"><ol>";
            if (has_tt)
                b += "<li><a href=\"#headline\">Headline</a></li><li><a href=\"#units\">Currency units</a></li><li><a "
                     "href=\"#funnels\">Funnel plots</a></li><li><a href=\"#scorecard\">Data-quality scorecard</a></li>";
            else
                b += "<li><a href=\"#talking-therapies\">NHS Talking Therapies</a></li>";
            for (const auto& j : kOtherJobs) b += fmt::format("<li><a href=\"#{}\">{}</a></li>", j.job, escape(j.title));
            b += "<li><a href=\"#methods\">Methods and caveats</a></li><li><a href=\"#disclosure\">Disclosure control</a></li><li><a "
                 "href=\"#sources\">Sources</a></li></ol></nav>\n<main>\n";
            b += "<div class=\"notice\"><p>" + std::string(has_tt ? kCaveat : kCaveatGeneral) + "</p></div>\n";

            if (has_tt) {
                b += "<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"headline\">\n";
                b += fmt::format("<div><span class=\"figure\">{}</span>finished courses (England {})</div>\n", opt_count(finished),
                                 format_count(eng_finished));
                b += fmt::format("<div><span class=\"figure\">{}</span>reliable recovery rate{}; England {}</div>\n", opt_percent(rate),
                                 lo && hi ? " (95% interval " + format_percent(lo) + " to " + format_percent(hi) + ")" : "",
                                 format_percent(eng_rate));
                b += fmt::format("<div><span class=\"figure\" style=\"font-size:1.2rem\">{}</span>position on the reliable recovery "
                                 "funnel of all {}</div>\n</div>\n",
                                 position.empty() ? "not on the funnel" : escape(position), level_plural(level));
                if (!rate) b += "<p>The reliable recovery rate is suppressed: fewer than 5 finished courses at caseness.</p>\n";
                b += "</section>\n";

                // currency-unit table
                b += "<section id=\"units\">\n<h2>Average contacts to reliable recovery by currency unit</h2>\n";
                b += "<p>Local average contacts per finished, reliably recovered course against the England average recalculated from "
                     "the same year's data and the published 2025/26 national average (Fig. 3). Bold rows are totals. * suppressed "
                     "(fewer than 5 courses).</p>\n";
                b += "<table>\n<caption>Currency units, " + escape(display) + ", " + escape(opt.year) + "</caption>\n<thead><tr>";
                for (const auto& [h, num] : std::vector<std::pair<std::string, bool>>{{"Problem descriptor", false},
                                                                                      {"Severity", false},
                                                                                      {"Courses (n)", true},
                                                                                      {"Local mean and 95% interval", true},
                                                                                      {"England mean and 95% interval", true},
                                                                                      {"Published Fig. 3", true},
                                                                                      {"Local minus England", true},
                                                                                      {"Adjusted p", true},
                                                                                      {"Flag 95%", false},
                                                                                      {"Flag 99.8%", false},
                                                                                      {"Funnel position (limits)", false}})
                    b += fmt::format("<th scope=\"col\"{}>{}</th>", num ? " class=\"num\"" : "", h);
                b += "</tr></thead>\n<tbody>\n";
                for (const auto& u : units) {
                    const auto r = lvl.row(code, u.descriptor, u.severity);
                    auto val = [&](const char* col) { return r ? L.number(*r, col) : std::nullopt; };
                    const auto nr = u.national_row;
                    const auto mean = val("mean_contacts");
                    auto interval = [](std::optional<double> m, std::optional<double> a, std::optional<double> z, bool england) {
                        if (!m) return std::string(england ? kNotAvailableCell : kSuppressedCell);
                        return format_number(m, 2) +
                               (a && z ? "<span class=\"ci\">" + format_number(a, 2) + " to " + format_number(z, 2) + "</span>" : "");
                    };
                    std::string fpos;
                    for (const auto& s : funnels.contacts)
                        if (s.descriptor == u.descriptor && s.severity == u.severity)
                            if (const FunnelDot* d = s.dot(code)) fpos = short_position(s.funnel.position(d->value, d->size));
                    b += fmt::format("<tr{}><th scope=\"row\">{}{}</th><td>{}</td>", u.aggregate ? " class=\"allrow\"" : "",
                                     escape(u.descriptor == "All" ? "All descriptors" : u.descriptor),
                                     u.in_model ? "" : " <span class=\"muted\">(not a currency unit)</span>", escape(u.severity));
                    b += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                     opt_count(val("n")), interval(mean, val("ci_lo"), val("ci_hi"), false),
                                     interval(N.number(nr, "mean_contacts"), N.number(nr, "ci_lo"), N.number(nr, "ci_hi"), true),
                                     N.number(nr, "published_mean") ? format_number(N.number(nr, "published_mean"), 1)
                                                                    : std::string(kNotAvailableCell));
                    const auto diff = val("diff");
                    b += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                     diff ? (*diff > 0 ? "+" : "") + format_number(diff, 2) : std::string(kSuppressedCell),
                                     val("p_adjusted") ? fmt::format("{:.3g}", *val("p_adjusted")) : std::string(kSuppressedCell));
                    b += flag_cell(r ? L.text(*r, "flag_95") : "") + flag_cell(r ? L.text(*r, "flag_998") : "");
                    b += "<td>" + (fpos.empty() ? std::string("<span class=\"muted\">\u2013</span>") : escape(fpos)) + "</td></tr>\n";
                }
                b += "</tbody>\n</table>\n<p class=\"muted\">Flags: \u25B2 above / \u25BC below England after Benjamini-Hochberg "
                     "adjustment; \u2013 no test (fewer than 5 courses on either side, or no variation).</p>\n</section>\n";

                // funnels
                b += "<section id=\"funnels\">\n<h2>Funnel plots</h2>\n";
                b += "<p>Each chart compares all " + level_plural(level) + " with England. " + escape(display) +
                     " is the blue diamond. Points outside the 99.8% limits are unlikely to differ from England by chance.</p>\n";
                b += legend_html(display);
                if (funnels.rr) b += figure(*funnels.rr, "f-rr", code, display, false);
                if (!funnels.contacts.empty()) b += figure(funnels.contacts.front(), "f-all", code, display, false);
                b += "<h3>Average contacts by descriptor and severity</h3>\n<div class=\"charts\">\n";
                for (std::size_t i = 1; i < funnels.contacts.size(); ++i)
                    b += figure(funnels.contacts[i], fmt::format("f-u{}", i), code, display, true);
                b += "</div>\n";
                if (!funnels.not_drawn.empty()) {
                    std::string list;
                    for (const auto& n : funnels.not_drawn) list += (list.empty() ? "" : "; ") + n;
                    b += fmt::format("<p>No funnel for {} (fewer than {} {} with a disclosable value).</p>\n", escape(list),
                                     kMinFunnelOrganisations, level_plural(level));
                }
                b += "</section>\n";

                // scorecard
                b += "<section id=\"scorecard\">\n<h2>Data-quality scorecard</h2>\n<table>\n<caption>Completeness of the fields the "
                     "currency model needs</caption>\n<thead><tr><th scope=\"col\">Measure</th><th scope=\"col\" class=\"num\">" +
                     escape(display) + "</th><th scope=\"col\" class=\"num\">England</th><th scope=\"col\">Why it matters</th></tr></thead>\n<tbody>\n";
                for (const auto& s : scorecard(res, nat, lvl, units, code, "activity_" + level, opt.fallback_descriptor, opt.year, opt.rules))
                    b += fmt::format("<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                                     escape(s.measure), opt_percent(s.local), opt_percent(s.england), escape(s.why));
                b += "</tbody>\n</table>\n<p class=\"muted\">Local shares are worked out from the rounded published counts.</p>\n</section>\n";

            } else {
                b += "<section id=\"talking-therapies\">\n<h2>NHS Talking Therapies</h2>\n<p>No NHS Talking Therapies results "
                     "for this organisation in the tt-averages results. Its other results follow.</p>\n</section>\n";
            }
            for (const auto& j : kOtherJobs) b += generic_section(res, j, level, code, opt.year, opt.rules, withheld);
            b += methods_section(has_tt) + disclosure_section(opt.rules, withheld) + sources_section() + "</main>\n";
            out.files.emplace_back(file, page(display + " \u2013 NHS Talking Therapies benchmark pack " + opt.year, b));
            if (withheld) out.notes.push_back(fmt::format("packs: {} withheld {} cell(s) not disclosure controlled at source", file, withheld));
        }
    }
    std::sort(index.begin(), index.end(), [](const IndexRow& a, const IndexRow& b) {
        return std::tie(a.level, a.name, a.code) < std::tie(b.level, b.name, b.code);
    });
    out.files.emplace_back("index.html", index_page(index, opt.year, eng_rate, eng_finished, ""));
    for (auto& t : funnel_tables) out.tables.push_back(std::move(t));
    out.tables.push_back(std::move(od));
    return out;
}

// ------------------------------------------------------------------------ real data: published key measures

PackOutputs build_published_funnel(const std::string& csv_text, const std::string& source_name, const std::string& year) {
    const auto rows = parse_csv(csv_text, source_name);
    if (rows.empty()) throw ConfigError(source_name + ": empty file");
    const auto& header = rows.front();
    auto col = [&](const std::string& name) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw ConfigError(source_name + ": missing column " + name);
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t c_year = col("financial_year"), c_type = col("org_type"), c_code = col("org_code"), c_name = col("org_name"),
                      c_break = col("breakdown"), c_group = col("breakdown_group"), c_fin = col("finished_course_treatment"),
                      c_nac = col("not_at_caseness"), c_rr = col("reliable_recovery");
    // "*" and empty are suppressed; NULL not published.
    auto count = [&](const std::vector<std::string>& r, std::size_t c, std::size_t line) -> std::optional<double> {
        const std::string& v = r[c];
        if (v.empty() || v == "*" || v == "NULL") return std::nullopt;
        std::size_t used = 0;
        double x = 0;
        try {
            x = std::stod(v, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != v.size() || x < 0)
            throw ConfigError(fmt::format("{}: row {}: field {}: '{}' is not a count", source_name, line, header[c], v));
        return x;
    };
    std::optional<double> eng_rr, eng_den;
    FunnelSeries s;
    s.indicator = "reliable_recovery_rate", s.descriptor = "All", s.severity = "All";
    s.title = "Reliable recovery rate by NHS Talking Therapies provider, " + year + " (published figures)";
    s.x_label = "finished courses at caseness";
    s.y_label = "reliable recovery rate";
    s.level_plural = "providers";
    s.percent = true;
    std::map<std::string, std::string> names;
    std::map<std::string, std::pair<double, double>> seen;  // code -> (rr, den): duplicates must agree
    std::vector<std::string> skipped;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (r.size() == 1 && r[0].empty()) continue;
        if (r.size() != header.size())
            throw ConfigError(fmt::format("{}: row {}: {} fields, the header has {}", source_name, i + 1, r.size(), header.size()));
        if (r[c_year] != year || r[c_break] != "Total" || r[c_group] != "Total") continue;
        const auto fin = count(r, c_fin, i + 1), nac = count(r, c_nac, i + 1), rr = count(r, c_rr, i + 1);
        if (r[c_type] == "England") {
            if (fin && nac && rr) eng_rr = rr, eng_den = *fin - *nac;
            continue;
        }
        if (r[c_type] != "Provider") continue;
        const std::string& code = r[c_code];
        // A suppressed not_at_caseness is a small count (under 5 before rounding): taken as 0.
        const double den = fin.value_or(0) - nac.value_or(0);
        if (!fin || !rr || den <= 0 || *rr > den) {
            skipped.push_back(code);
            continue;
        }
        if (auto it = seen.find(code); it != seen.end()) {
            if (it->second != std::make_pair(*rr, den))
                throw ConfigError(fmt::format("{}: row {}: provider {} appears twice with different figures", source_name, i + 1, code));
            continue;  // the same provider listed twice under two names
        }
        seen[code] = {*rr, den};
        names[code] = r[c_name];
        s.dots.push_back({code, den, *rr / den});
    }
    if (!eng_rr || !eng_den || *eng_den <= 0)
        throw ConfigError(source_name + ": no England Total row with finished_course_treatment, not_at_caseness and "
                                        "reliable_recovery for " + year);
    s.not_shown = skipped.size();
    auto made = make_series(std::move(s), *eng_rr / *eng_den, 0);
    if (!made) throw ConfigError(source_name + ": no provider rows for " + year);
    FunnelSeries& f = *made;

    PackOutputs out;
    report::Table ft = funnel_table("provider", "packs_published_funnel");
    push_funnel_rows(ft, f, year, names);
    report::Table od = overdispersion_table("packs_published_overdispersion_national", "/packs/published_overdispersion/national");
    push_overdispersion(od, f, year, "provider");

    std::vector<std::pair<std::string, std::string>> outliers;  // position, code
    std::string rows_html;
    for (const auto& d : f.dots) {
        const auto pos = f.funnel.position(d.value, d.size);
        if (pos != stats::FunnelPosition::Within) outliers.emplace_back(std::string(stats::position_label(pos)), d.org);
    }
    std::string b = masthead("NHS Talking Therapies \u00b7 published figures \u00b7 " + year,
                             "Reliable recovery by provider: funnel plot",
                             "<p>From NHS England's published key measures (" + escape(source_name) + "), provider rows.</p>\n");
    b += "<main>\n<section id=\"funnel\">\n<h2>Funnel plot</h2>\n";
    b += fmt::format("<p>England: {} reliably recovered of {} finished courses at caseness ({}). Provider counts are published "
                     "rounded to the nearest 5 with small counts suppressed; {} provider(s) without the counts needed are not "
                     "shown.</p>\n",
                     format_count(eng_rr), format_count(eng_den), format_percent(100 * *eng_rr / *eng_den), f.not_shown);
    b += legend_html("");
    b += figure(f, "f-pub", "", "", false);
    b += "</section>\n<section id=\"outliers\">\n<h2>Providers outside the 95% limits</h2>\n";
    b += "<table class=\"sortable\">\n<caption>Providers outside the limits drawn</caption>\n<thead><tr><th scope=\"col\"><button "
         "type=\"button\">Provider</button></th><th scope=\"col\"><button type=\"button\">Code</button></th><th scope=\"col\" "
         "class=\"num\"><button type=\"button\">Courses at caseness</button></th><th scope=\"col\" class=\"num\"><button "
         "type=\"button\">Reliable recovery</button></th><th scope=\"col\"><button type=\"button\">Position</button></th></tr></thead>\n<tbody>\n";
    for (const auto& [pos, code] : outliers) {
        const FunnelDot* d = f.dot(code);
        b += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\" data-sort=\"{}\">{}</td><td class=\"num\" data-sort=\"{}\">{}</td>"
                         "<td>{}</td></tr>\n",
                         escape(names[code]), escape(code), d->size, local_count(d->size), d->value, format_percent(d->value * 100),
                         escape(pos));
    }
    b += "</tbody>\n</table>\n</section>\n";
    b += methods_section(false);
    b += "<section id=\"sources\">\n<h2>Sources</h2>\n<p>NHS England, \u201cNHS Talking Therapies for anxiety and depression\u201d "
         "annual reports (key measures), as tidied by the public R package nhstt. " + std::string(kAttribution) + "</p>\n</section>\n</main>\n";
    const std::string file = "published_reliable_recovery_" + year + ".html";
    out.files.emplace_back(file, page("Reliable recovery by provider, " + year + " (published figures)", b, std::string(kIndexScript)));
    std::string idx = masthead("NHS Talking Therapies \u00b7 published figures \u00b7 " + year, "Benchmark packs from published figures", "");
    idx += "<main>\n<p><a href=\"" + escape(file) + "\">Reliable recovery by provider: funnel plot and outlying providers</a></p>\n";
    idx += "<p>" + escape(overdispersion_sentence(f)) + "</p>\n<p>" + std::string(kAttribution) + "</p>\n</main>\n";
    out.files.emplace_back("index.html", page("Published figures " + year, idx));
    out.tables.push_back(std::move(ft));
    out.tables.push_back(std::move(od));
    out.notes.push_back(fmt::format("packs: published {} providers {}; England {}; phi {:.3f}; tau2 {:.6f}; {}; {} outside the 95% limits",
                                    year, f.dots.size(), format_percent(100 * *eng_rr / *eng_den, 2), f.funnel.od.phi,
                                    f.funnel.od.tau2, f.funnel.limits_drawn(), outliers.size()));
    for (const auto& [pos, code] : outliers) {
        const FunnelDot* d = f.dot(code);
        out.notes.push_back(fmt::format("  {} {}: {} of {} finished courses at caseness, {}", code, names[code],
                                        format_percent(d->value * 100), format_count(d->size), pos));
    }
    return out;
}

}  // namespace mhbench::packs
