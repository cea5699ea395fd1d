#include "reference/reference.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::reference {

namespace {

using Csv = reference::CsvFile;
using reference::read_csv;

double parse_double(const Csv& c, std::size_t r, const std::string& s) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) c.fail(r, "not a number: '" + s + "'");
    return v;
}

Hundredths hundredths(const Csv& c, std::size_t r, const std::string& s) {
    try {
        return parse_hundredths(s);
    } catch (const ConfigError& e) {
        c.fail(r, e.what());
    }
}

}  // namespace

Hundredths parse_hundredths(std::string_view t) {
    const std::string text(t);
    std::size_t i = 0;
    bool neg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
    std::int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits) whole = whole * 10 + (t[i] - '0');
    if (i < t.size() && t[i] == '.')
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++fdigits) frac = frac * 10 + (t[i] - '0');
    if (i != t.size() || digits == 0 || digits > 7 || fdigits > 2)
        throw ConfigError("not a score with at most 2 decimals: '" + text + "'");
    if (fdigits == 1) frac *= 10;
    const auto v = whole * 100 + frac;
    return static_cast<Hundredths>(neg ? -v : v);
}

int Reference::measure_by_snomed(std::string_view code) const {
    for (std::size_t i = 0; i < measures.size(); ++i)
        if (measures[i].snomed_ct == code) return static_cast<int>(i);
    return -1;
}

int Reference::measure_by_name(std::string_view name) const {
    for (std::size_t i = 0; i < measures.size(); ++i)
        if (measures[i].name == name) return static_cast<int>(i);
    return -1;
}

int Reference::descriptor_by_label(std::string_view label) const {
    for (std::size_t i = 0; i < descriptors.size(); ++i)
        if (descriptors[i].label == label) return static_cast<int>(i);
    return -1;
}

const Published* Reference::published(std::string_view d, std::string_view s) const {
    for (const auto& p : fig3)
        if (p.descriptor == d && p.severity == s) return &p;
    return nullptr;
}

std::vector<std::string> Reference::band_labels(int d) const {
    const Descriptor& desc = descriptors.at(static_cast<std::size_t>(d));
    switch (desc.scheme) {
        case Scheme::ThreeBands: {
            std::vector<std::string> out;
            for (const auto& b : bands.at(desc.severity_measure)) out.push_back(b.label);
            return out;
        }
        case Scheme::MedianSplit: return {"Below Median", "Above Median"};
        case Scheme::OneBand: return {"All"};
    }
    return {};
}

Reference Reference::parse(const std::map<std::string, std::string>& files, const std::string& origin) {
    Reference ref;
    ref.files = files;
    ref.origin = origin;
    {
        Csv c = read_csv(files, "reference.csv");
        const auto k = c.col("key"), v = c.col("value");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            if (c.rows[r][k] == "version") ref.version = c.rows[r][v];
            if (c.rows[r][k] == "min_treatment_appointments")
                ref.min_treatment_appointments = static_cast<int>(parse_double(c, r, c.rows[r][v]));
        }
        if (ref.version.empty()) throw ConfigError("reference data reference.csv: no version");
        if (ref.min_treatment_appointments < 1) throw ConfigError("reference data reference.csv: min_treatment_appointments < 1");
    }
    {
        Csv c = read_csv(files, "measures.csv");
        const auto name = c.col("measure"), sn = c.col("snomed_ct"), lo = c.col("min"), hi = c.col("max"),
                   cut = c.col("caseness"), rc = c.col("reliable_change"), ss = c.col("snomed_status"),
                   st = c.col("status"), src = c.col("source");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            Measure m{f[name], f[sn], hundredths(c, r, f[lo]), hundredths(c, r, f[hi]), hundredths(c, r, f[cut]),
                      hundredths(c, r, f[rc]), f[ss], f[st], f[src]};
            if (m.min > m.max || m.caseness < m.min || m.caseness > m.max || m.reliable_change <= 0)
                c.fail(r, "measure " + m.name + ": need min <= caseness <= max and reliable_change > 0");
            if (ref.measure_by_snomed(m.snomed_ct) >= 0 || ref.measure_by_name(m.name) >= 0)
                c.fail(r, "measure " + m.name + " listed twice");
            ref.measures.push_back(std::move(m));
        }
    }
    auto measure_of = [&](const Csv& c, std::size_t r, const std::string& s) {
        if (s.empty()) return -1;
        const int m = ref.measure_by_name(s);
        if (m < 0) c.fail(r, "unknown measure " + s);
        return m;
    };
    {
        Csv c = read_csv(files, "reference.csv");
        const auto k = c.col("key"), v = c.col("value");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            if (c.rows[r][k] == "depression_measure") ref.depression_measure = measure_of(c, r, c.rows[r][v]);
            if (c.rows[r][k] == "backup_anxiety_measure") ref.backup_anxiety_measure = measure_of(c, r, c.rows[r][v]);
        }
        if (ref.depression_measure < 0 || ref.backup_anxiety_measure < 0)
            throw ConfigError("reference data reference.csv: needs depression_measure and backup_anxiety_measure");
    }
    {
        Csv c = read_csv(files, "severity_bands.csv");
        const auto m = c.col("measure"), b = c.col("band"), lo = c.col("min"), hi = c.col("max");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            ref.bands[measure_of(c, r, f[m])].push_back({f[b], hundredths(c, r, f[lo]), hundredths(c, r, f[hi])});
        }
        for (auto& [mi, bs] : ref.bands) {
            const Measure& ms = ref.measures[static_cast<std::size_t>(mi)];
            // Bands must cover the measure's range in order: each starts within one point after the
            // previous one ends (scores between them, decimals, belong to the lower band).
            Hundredths prev_max = ms.min - 1;
            for (std::size_t b = 0; b < bs.size(); ++b) {
                const Band& band = bs[b];
                const bool first_ok = b > 0 || band.min == ms.min;
                if (!first_ok || band.max < band.min || band.min <= prev_max || band.min > prev_max + 100)
                    throw ConfigError("reference data severity_bands.csv: bands of " + ms.name + " must cover " +
                                      "its range in order without gaps or overlaps");
                prev_max = band.max;
            }
            if (prev_max != ms.max)
                throw ConfigError("reference data severity_bands.csv: bands of " + ms.name + " do not reach its maximum");
        }
    }
    {
        Csv c = read_csv(files, "descriptors.csv");
        const auto d = c.col("descriptor"), sm = c.col("severity_measure"), pm = c.col("pair_measure"),
                   sc = c.col("scheme"), im = c.col("in_model"), fb = c.col("fallback");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            Descriptor desc{f[d], measure_of(c, r, f[sm]), measure_of(c, r, f[pm]), Scheme::OneBand, f[im] == "1"};
            if (f[sc] == "three_bands") desc.scheme = Scheme::ThreeBands;
            else if (f[sc] == "median_split") desc.scheme = Scheme::MedianSplit;
            else if (f[sc] != "one_band") c.fail(r, "scheme must be three_bands, median_split or one_band");
            if (desc.scheme != Scheme::OneBand && desc.severity_measure < 0) c.fail(r, desc.label + ": a banded scheme needs a severity measure");
            if (desc.scheme == Scheme::ThreeBands && !ref.bands.count(desc.severity_measure))
                c.fail(r, desc.label + ": no three bands for " + f[sm] + " in severity_bands.csv");
            if (desc.label == "All" || ref.descriptor_by_label(desc.label) >= 0) c.fail(r, "descriptor " + desc.label + " repeated or reserved");
            if (f[fb] == "1") {
                if (ref.fallback_descriptor >= 0) c.fail(r, "only one fallback descriptor");
                ref.fallback_descriptor = static_cast<int>(ref.descriptors.size());
            }
            ref.descriptors.push_back(std::move(desc));
        }
        if (ref.fallback_descriptor < 0) throw ConfigError("reference data descriptors.csv: no fallback descriptor");
    }
    {
        Csv c = read_csv(files, "complaints.csv");
        const auto code = c.col("code"), sys = c.col("system"), match = c.col("match"), d = c.col("descriptor");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            ComplaintRule rule{f[code], f[sys] == "SNOMEDCT", f[match] == "prefix", ref.descriptor_by_label(f[d])};
            if (f[sys] != "SNOMEDCT" && f[sys] != "ICD10") c.fail(r, "system must be ICD10 or SNOMEDCT");
            if (f[match] != "prefix" && f[match] != "exact") c.fail(r, "match must be prefix or exact");
            if (rule.descriptor < 0) c.fail(r, "unknown descriptor " + f[d]);
            if (rule.code.empty() || rule.code.find('.') != std::string::npos) c.fail(r, "codes are written without the dot");
            ref.complaint_rules.push_back(std::move(rule));
        }
    }
    {
        Csv c = read_csv(files, "activities.csv");
        const auto code = c.col("snomed_ct"), in = c.col("intensity");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            Intensity i = f[in] == "low" ? Intensity::Low : f[in] == "high" ? Intensity::High
                          : f[in] == "employment" ? Intensity::Employment : Intensity::None;
            if (i == Intensity::None) c.fail(r, "intensity must be low, high or employment");
            if (!ref.activities.emplace(f[code], i).second) c.fail(r, "code " + f[code] + " listed twice");
        }
    }
    {
        Csv c = read_csv(files, "appointments.csv");
        const auto field = c.col("field"), code = c.col("code"), cls = c.col("class");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            if (f[field] == "AttendOrDNACode" && f[cls] == "attended") ref.attended_codes.insert(f[code]);
            else if (f[field] == "AppType" && f[cls] == "treatment") ref.app_types[f[code]] = AppClass::Treatment;
            else if (f[field] == "AppType" && f[cls] == "employment") ref.app_types[f[code]] = AppClass::Employment;
            else c.fail(r, "unknown field/class " + f[field] + "/" + f[cls]);
        }
    }
    {
        Csv c = read_csv(files, "fig3_published.csv");
        const auto d = c.col("descriptor"), s = c.col("severity"), m = c.col("mean_contacts"), l = c.col("mean_low"),
                   h = c.col("mean_high");
        for (std::size_t r = 0; r < c.rows.size(); ++r) {
            const auto& f = c.rows[r];
            const int di = ref.descriptor_by_label(f[d]);
            if (di < 0) c.fail(r, "unknown descriptor " + f[d]);
            ref.fig3.push_back({f[d], f[s], parse_double(c, r, f[m]), parse_double(c, r, f[l]), parse_double(c, r, f[h])});
        }
    }
    return ref;
}

const Reference& Reference::built_in() {
    static const Reference r = parse(embedded::files(), "built-in");
    return r;
}

Reference Reference::load(const std::filesystem::path& dir) {
    if (!std::filesystem::is_directory(dir)) throw ConfigError("--reference " + dir.string() + ": not a directory");
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".csv") continue;
        std::ifstream in(e.path(), std::ios::binary);
        if (!in) throw IoError("cannot read reference data " + e.path().string());
        std::ostringstream s;
        s << in.rdbuf();
        files[e.path().filename().string()] = s.str();
    }
    return parse(files, dir.string());
}

}  // namespace mhbench::reference
