#include "tt/rules.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace mhbench::tt {

std::string normalise_code(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (c == '.' || std::isspace(static_cast<unsigned char>(c))) continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_well_formed(std::string_view c) {
    auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
    auto alnum = [&](char ch) { return digit(ch) || (ch >= 'A' && ch <= 'Z'); };
    if (c.size() >= 3 && c.size() <= 6 && c[0] >= 'A' && c[0] <= 'Z' && digit(c[1]) && digit(c[2]))
        return std::all_of(c.begin() + 3, c.end(), alnum);
    return c.size() >= 6 && c.size() <= 18 && c[0] != '0' && std::all_of(c.begin(), c.end(), digit);
}

ComplaintClass classify_complaint(const Reference& ref, std::string_view raw) {
    const std::string code = normalise_code(raw);
    if (!is_well_formed(code)) return {false, ref.fallback_descriptor};
    const bool snomed = code[0] >= '0' && code[0] <= '9';
    for (const auto& r : ref.complaint_rules) {
        if (r.snomed != snomed) continue;
        const bool hit = r.prefix ? code.starts_with(r.code) : code == r.code;
        if (hit) return {true, r.descriptor};
    }
    return {false, ref.fallback_descriptor};
}

int select_primary(std::span<const ComplaintRecord> rs) {
    int best = -1;
    // Smaller key is better: valid first, lowest significance, latest date (missing last), code.
    auto key = [](const ComplaintRecord& r) {
        return std::tuple(!r.cls.valid, r.codsig, r.date == kNoDate ? INT32_MAX : -static_cast<std::int64_t>(r.date), r.code);
    };
    for (std::size_t i = 0; i < rs.size(); ++i)
        if (best < 0 || key(rs[i]) < key(rs[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
    return best;
}

int referral_descriptor(const Reference& ref, std::span<const ComplaintRecord> rs) {
    const int i = select_primary(rs);
    return i < 0 ? ref.fallback_descriptor : rs[static_cast<std::size_t>(i)].cls.descriptor;
}

ContactKind classify_contact(const ContactRecord& c) {
    if (!c.attended) return ContactKind::NotCounted;
    if (c.app == AppClass::Employment) return ContactKind::EmploymentAdvice;
    if (c.app != AppClass::Treatment) return c.employment ? ContactKind::EmploymentAdvice : ContactKind::NotCounted;
    if (c.high) return ContactKind::High;
    if (c.low) return ContactKind::Low;
    if (c.employment) return ContactKind::EmploymentTreatment;
    return ContactKind::Unclassified;
}

void add_contact(ContactCounts& n, const ContactRecord& c) {
    switch (classify_contact(c)) {
        case ContactKind::NotCounted: break;
        case ContactKind::Low: ++n.treatment, ++n.low; break;
        case ContactKind::High: ++n.treatment, ++n.high; break;
        case ContactKind::Unclassified: ++n.treatment, ++n.unclassified; break;
        case ContactKind::EmploymentTreatment: ++n.treatment, ++n.employment, ++n.employment_in_treatment; break;
        case ContactKind::EmploymentAdvice: ++n.employment; break;
    }
}

ContactCounts count_contacts(std::span<const ContactRecord> cs) {
    ContactCounts n;
    for (const auto& c : cs) add_contact(n, c);
    return n;
}

bool finished_course(const Reference& ref, bool discharged_in_year, const ContactCounts& n) {
    return discharged_in_year && n.treatment >= ref.min_treatment_appointments;
}

std::vector<FirstLast> first_last(const Reference& ref, std::span<const ScoreRecord> scores) {
    std::vector<FirstLast> out(ref.measures.size());
    first_last_into(ref, scores, out);
    return out;
}

void first_last_into(const Reference& ref, std::span<const ScoreRecord> scores, std::span<FirstLast> out) {
    for (FirstLast& f : out) f = FirstLast{};
    // The order of scores: date, then IDS606 before IDS607, then value. The first and last
    // scores' dates and tables are kept beside `out` (first / last hold the values).
    struct Key {
        std::int32_t date;
        bool activity_table;
        Hundredths value;
        bool operator<(const Key& o) const {
            return std::tie(date, activity_table, value) < std::tie(o.date, o.activity_table, o.value);
        }
    };
    constexpr std::size_t kOnStack = 32;  // measures of a reference; more fall back to the heap
    Key lo_stack[kOnStack], hi_stack[kOnStack];
    std::vector<Key> lo_heap, hi_heap;
    Key* lo = lo_stack;
    Key* hi = hi_stack;
    if (out.size() > kOnStack) {
        lo_heap.resize(out.size()), hi_heap.resize(out.size());
        lo = lo_heap.data(), hi = hi_heap.data();
    }
    const std::size_t nm = std::min(out.size(), ref.measures.size());
    for (const auto& s : scores) {
        if (s.measure < 0 || static_cast<std::size_t>(s.measure) >= nm || s.date == kNoDate || !s.value) continue;
        const auto& m = ref.measures[static_cast<std::size_t>(s.measure)];
        if (*s.value < m.min || *s.value > m.max) continue;
        const auto mi = static_cast<std::size_t>(s.measure);
        const Key k{s.date, s.activity_table, *s.value};
        FirstLast& f = out[mi];
        if (f.count == 0 || k < lo[mi]) lo[mi] = k, f.first = *s.value;
        if (f.count == 0 || hi[mi] < k) hi[mi] = k, f.last = *s.value;
        ++f.count;
    }
}

Outcome outcome(const Reference& ref, int descriptor, std::span<const FirstLast> pm) {
    Outcome o;
    const auto& d = ref.descriptors.at(static_cast<std::size_t>(descriptor));
    auto paired = [&](int m) { return m >= 0 && static_cast<std::size_t>(m) < pm.size() && pm[static_cast<std::size_t>(m)].paired(); };
    if (paired(d.pair_measure) && d.pair_measure != ref.depression_measure) o.anxiety_measure = d.pair_measure;
    else if (paired(ref.backup_anxiety_measure)) o.anxiety_measure = ref.backup_anxiety_measure;
    int used[2];
    int n = 0;
    if (paired(ref.depression_measure)) used[n++] = ref.depression_measure;
    if (o.anxiety_measure >= 0) used[n++] = o.anxiety_measure;
    if (n == 0) return o;
    o.paired = true;
    bool any_fall = false, any_rise = false, all_below_at_end = true;
    for (int k = 0; k < n; ++k) {
        const auto& m = ref.measures[static_cast<std::size_t>(used[k])];
        const FirstLast& f = pm[static_cast<std::size_t>(used[k])];
        o.at_caseness = o.at_caseness || f.first >= m.caseness;
        all_below_at_end = all_below_at_end && f.last < m.caseness;
        any_fall = any_fall || f.first - f.last >= m.reliable_change;
        any_rise = any_rise || f.last - f.first >= m.reliable_change;
    }
    o.not_at_caseness = !o.at_caseness;
    o.recovered = o.at_caseness && all_below_at_end;
    o.improved = any_fall && !any_rise;
    o.deteriorated = any_rise && !any_fall;
    o.reliably_recovered = o.recovered && o.improved;
    return o;
}

std::optional<Hundredths> severity_score(const Reference& ref, int descriptor, std::span<const FirstLast> pm) {
    const int m = ref.descriptors.at(static_cast<std::size_t>(descriptor)).severity_measure;
    if (m < 0 || static_cast<std::size_t>(m) >= pm.size() || pm[static_cast<std::size_t>(m)].count == 0) return std::nullopt;
    return pm[static_cast<std::size_t>(m)].first;
}

int severity_band(const Reference& ref, int descriptor, std::optional<Hundredths> score, std::optional<double> median) {
    const auto& d = ref.descriptors.at(static_cast<std::size_t>(descriptor));
    switch (d.scheme) {
        case reference::Scheme::OneBand: return 0;
        case reference::Scheme::MedianSplit:
            if (!score || !median) return kUnknownBand;
            return static_cast<double>(*score) <= *median ? 0 : 1;
        case reference::Scheme::ThreeBands: {
            if (!score) return kUnknownBand;
            const auto& bands = ref.bands.at(d.severity_measure);
            // A band runs from its min up to the next band's min (decimal scores between bands).
            if (*score < bands.front().min || *score > bands.back().max) return kUnknownBand;
            for (std::size_t b = bands.size(); b-- > 0;)
                if (*score >= bands[b].min) return static_cast<int>(b);
            return kUnknownBand;
        }
    }
    return kUnknownBand;
}

}  // namespace mhbench::tt
