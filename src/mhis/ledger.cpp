#include "mhis/ledger.hpp"

#include <algorithm>
#include <cctype>

#include "model/dates.hpp"
#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::mhis {

namespace {

using Csv = reference::CsvFile;
using reference::read_csv;

using reference::trim;

bool same_text(std::string_view a, std::string_view b) {
    a = trim(a), b = trim(b);
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

}  // namespace

std::string_view class_name(MhisClass c) {
    switch (c) {
        case MhisClass::Core: return "core";
        case MhisClass::NonCore: return "non_core";
        case MhisClass::Outside: return "outside";
    }
    return "";
}

std::string_view exclusion_name(Exclusion e) {
    switch (e) {
        case Exclusion::None: return "none";
        case Exclusion::Development: return "development";
        case Exclusion::Covid: return "covid";
    }
    return "";
}

MhisReference MhisReference::parse(const std::map<std::string, std::string>& files) {
    MhisReference r;
    {
        Csv c = read_csv(files, "mhis_categories.csv");
        const auto code = c.col("category"), name = c.col("name"), cls = c.col("mhis_class");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const auto& row = c.rows[i];
            if (trim(row[code]).empty()) c.fail(i, "category", "empty");
            if (r.category_index(row[code]) >= 0) c.fail(i, "category", "duplicate '" + row[code] + "'");
            Category cat{std::string(trim(row[code])), row[name], MhisClass::Core};
            if (row[cls] == "core") cat.mhis_class = MhisClass::Core;
            else if (row[cls] == "non_core") cat.mhis_class = MhisClass::NonCore;
            else if (row[cls] == "outside") cat.mhis_class = MhisClass::Outside;
            else c.fail(i, "mhis_class", "not core, non_core or outside: '" + row[cls] + "'");
            r.categories.push_back(std::move(cat));
        }
        if (r.categories.empty()) throw ConfigError("reference data mhis_categories.csv: no categories");
    }
    {
        Csv c = read_csv(files, "mhis_funding_sources.csv");
        const auto name = c.col("funding_source"), ex = c.col("exclusion");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const auto& row = c.rows[i];
            if (trim(row[name]).empty()) c.fail(i, "funding_source", "empty");
            if (r.source_index(row[name]) >= 0) c.fail(i, "funding_source", "duplicate '" + row[name] + "'");
            FundingSource s{std::string(trim(row[name])), Exclusion::None};
            if (row[ex] == "none") s.exclusion = Exclusion::None;
            else if (row[ex] == "development") s.exclusion = Exclusion::Development;
            else if (row[ex] == "covid") s.exclusion = Exclusion::Covid;
            else c.fail(i, "exclusion", "not none, development or covid: '" + row[ex] + "'");
            r.sources.push_back(std::move(s));
        }
        if (r.sources.empty()) throw ConfigError("reference data mhis_funding_sources.csv: no funding sources");
    }
    {
        Csv c = read_csv(files, "mhis_activity.csv");
        const auto cat = c.col("category"), act = c.col("activity"), unit = c.col("unit");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const auto& row = c.rows[i];
            const int ci = r.category_index(row[cat]);
            if (ci < 0) c.fail(i, "category", "not a category of mhis_categories.csv: '" + row[cat] + "'");
            if (trim(row[act]).empty()) c.fail(i, "activity", "empty");
            r.links.push_back({r.categories[static_cast<std::size_t>(ci)].code, std::string(trim(row[act])), row[unit]});
        }
    }
    {
        Csv c = read_csv(files, "mhis_parameters.csv");
        const auto name = c.col("name"), value = c.col("value");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            if (c.rows[i][name] != "eip_team_type") c.fail(i, "name", "unknown parameter '" + c.rows[i][name] + "'");
            if (trim(c.rows[i][value]).empty()) c.fail(i, "value", "empty");
            r.eip_team_types.insert(std::string(trim(c.rows[i][value])));
        }
    }
    return r;
}

int MhisReference::category_index(std::string_view code) const {
    for (std::size_t i = 0; i < categories.size(); ++i)
        if (same_text(categories[i].code, code)) return static_cast<int>(i);
    return -1;
}

int MhisReference::source_index(std::string_view name) const {
    for (std::size_t i = 0; i < sources.size(); ++i)
        if (same_text(sources[i].name, name)) return static_cast<int>(i);
    return -1;
}

std::int64_t parse_pence(std::string_view text) {
    text = trim(text);
    if (text.empty()) return -1;
    std::int64_t pounds = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] != '.'; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        if (pounds > 100'000'000'000'000) return -1;  // a ledger amount over GBP 1e14 is not real
        pounds = pounds * 10 + (text[i] - '0');
    }
    if (i == 0) return -1;  // no whole pounds ("" or ".5")
    std::int64_t pence = 0;
    if (i < text.size()) {
        const std::string_view frac = text.substr(i + 1);
        if (frac.empty() || frac.size() > 2) return -1;
        for (char ch : frac) {
            if (ch < '0' || ch > '9') return -1;
            pence = pence * 10 + (ch - '0');
        }
        if (frac.size() == 1) pence *= 10;
    }
    return pounds * 100 + pence;
}

std::vector<LedgerRow> parse_ledger(const LedgerText& ledger, const std::set<std::string>& icbs,
                                    const MhisReference& ref) {
    auto col = [&](const std::string& c) {
        auto it = std::find(ledger.columns.begin(), ledger.columns.end(), c);
        if (it == ledger.columns.end())
            throw InputError(ledger.file, "mhis_ledger", 1, c, "required column missing");
        return static_cast<std::size_t>(it - ledger.columns.begin());
    };
    const auto icb = col("icb_code"), year = col("financial_year"), category = col("category"),
               source = col("funding_source"), amount = col("amount");
    std::vector<LedgerRow> out;
    out.reserve(ledger.rows.size());
    for (std::size_t i = 0; i < ledger.rows.size(); ++i) {
        const auto& row = ledger.rows[i];
        const auto line = static_cast<std::int64_t>(i) + 2;
        auto fail = [&](const std::string& field, const std::string& what) {
            throw InputError(ledger.file, "mhis_ledger", line, field, what);
        };
        LedgerRow r;
        r.line = line;
        r.icb = std::string(trim(row[icb]));
        if (r.icb.empty()) fail("icb_code", "empty");
        if (!icbs.count(r.icb)) fail("icb_code", "unknown ICB '" + r.icb + "' (not in the organisation lookup)");
        try {
            r.start_year = FinancialYear::parse(trim(row[year])).start_year;
        } catch (const Error&) {
            fail("financial_year", "not a financial year like 2023-24: '" + row[year] + "'");
        }
        const int ci = ref.category_index(row[category]);
        if (ci < 0) fail("category", "unknown MHIS category '" + row[category] + "'");
        r.category = ci;
        const int si = ref.source_index(row[source]);
        if (si < 0) fail("funding_source", "unknown funding source '" + row[source] + "'");
        r.source = si;
        const std::string_view a = trim(row[amount]);
        if (!a.empty() && a.front() == '-') fail("amount", "negative amount '" + row[amount] + "'");
        r.pence = parse_pence(a);
        if (r.pence < 0) fail("amount", "not an amount in pounds (digits, at most two decimals): '" + row[amount] + "'");
        out.push_back(std::move(r));
    }
    return out;
}

Bucket bucket_of(const LedgerRow& row, const MhisReference& ref) {
    switch (ref.sources.at(static_cast<std::size_t>(row.source)).exclusion) {
        case Exclusion::Development: return Bucket::ExcludedDevelopment;
        case Exclusion::Covid: return Bucket::ExcludedCovid;
        case Exclusion::None: break;
    }
    switch (ref.categories.at(static_cast<std::size_t>(row.category)).mhis_class) {
        case MhisClass::Core: return Bucket::Mhis;
        case MhisClass::NonCore: return Bucket::NonCore;
        case MhisClass::Outside: return Bucket::Outside;
    }
    return Bucket::Outside;
}

void Totals::add(const LedgerRow& row, const MhisReference& ref) {
    ++rows;
    switch (bucket_of(row, ref)) {
        case Bucket::Mhis: mhis += row.pence; break;
        case Bucket::NonCore: non_core += row.pence; break;
        case Bucket::Outside: outside += row.pence; break;
        case Bucket::ExcludedDevelopment: excluded_development += row.pence; break;
        case Bucket::ExcludedCovid: excluded_covid += row.pence; break;
    }
}

}  // namespace mhbench::mhis
