#include "mhnrg/grouping.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "model/errors.hpp"
#include "reference/csv.hpp"

namespace mhbench::mhnrg {

namespace {

constexpr std::string_view kGroupLabels[] = {"Eating and feeding", "Neurodevelopmental", "CYP",
                                             "Psychosis and bipolar", "Neurocognitive", "Personality",
                                             "Addiction, alcohol and substance misuse", "Mood and anxiety",
                                             "Crisis", "Ungrouped"};
constexpr std::string_view kGroupKeys[] = {"eating_feeding", "neurodevelopmental", "cyp",  "psychosis_bipolar",
                                           "neurocognitive", "personality",        "addiction", "mood_anxiety",
                                           "crisis",         "ungrouped"};

using Csv = reference::CsvFile;
using reference::read_csv;

bool is_icd10(std::string_view c) {
    auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
    return c.size() >= 3 && c[0] >= 'A' && c[0] <= 'Z' && digit(c[1]) && digit(c[2]);
}

bool is_snomed(std::string_view c) {
    return c.size() >= 6 && c.size() <= 18 && c[0] != '0' &&
           std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// ICD-10 range on leading characters: F20-F29 matches F20 ... F299; F500 matches F50-F50.
bool in_range(std::string_view code, const std::string& from, const std::string& to) {
    return code.substr(0, from.size()) >= from && code.substr(0, to.size()) <= to;
}

}  // namespace

std::string_view age_band_label(AgeBand a) {
    switch (a) {
        case AgeBand::Cyp: return "CYP";
        case AgeBand::Adult: return "Adult";
        case AgeBand::Unknown: return "Unknown";
    }
    return "?";
}
std::string_view group_label(Group g) { return kGroupLabels[static_cast<int>(g)]; }
std::string_view group_key(Group g) { return kGroupKeys[static_cast<int>(g)]; }
std::string_view setting_label(Setting s) {
    switch (s) {
        case Setting::Community: return "Community";
        case Setting::Crisis: return "Crisis";
        case Setting::Inpatient: return "Inpatient";
    }
    return "?";
}
std::string_view value_class_label(ValueClass c) {
    switch (c) {
        case ValueClass::Need: return "need";
        case ValueClass::Valid: return "valid";
        case ValueClass::Default: return "default";
        case ValueClass::Invalid: return "invalid";
        case ValueClass::Missing: return "missing";
    }
    return "?";
}

std::string normalise_code(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (c == '.' || std::isspace(static_cast<unsigned char>(c))) continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string trim_code(std::string_view raw) {
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front()))) raw.remove_prefix(1);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back()))) raw.remove_suffix(1);
    return std::string(raw);
}

MhnrgReference MhnrgReference::parse(const std::map<std::string, std::string>& files) {
    MhnrgReference r;
    {
        Csv c = read_csv(files, "mhnrg_parameters.csv");
        std::set<std::string> seen;
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const std::string& name = c.at(i, "name");
            const std::string& s = c.at(i, "value");
            int v = 0;
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 150)
                c.fail(i, "value", "'" + s + "' is not an age in whole years");
            if (name == "cyp_age_limit") r.cyp_age_limit = v;
            else if (name == "transition_age_limit") r.transition_age_limit = v;
            else if (name == "older_adult_age") r.older_adult_age = v;
            else c.fail(i, "name", "unknown parameter '" + name + "'");
            seen.insert(name);
        }
        for (const char* n : {"cyp_age_limit", "transition_age_limit", "older_adult_age"})
            if (!seen.count(n)) throw ConfigError(std::string("reference data mhnrg_parameters.csv: no ") + n);
        if (r.transition_age_limit < r.cyp_age_limit)
            throw ConfigError("reference data mhnrg_parameters.csv: transition_age_limit below cyp_age_limit");
    }
    {
        Csv c = read_csv(files, "mhnrg_grouping.csv");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            GroupRule rule;
            const std::string& g = c.at(i, "group");
            auto it = std::find(std::begin(kGroupKeys), std::end(kGroupKeys), g);
            if (it == std::end(kGroupKeys) || g == "cyp" || g == "ungrouped")
                c.fail(i, "group", "'" + g + "' is not a population group a code can place a referral in");
            rule.group = static_cast<Group>(it - std::begin(kGroupKeys));
            const std::string& f = c.at(i, "field");
            if (f == "icd10") rule.field = GroupRule::Field::Icd10;
            else if (f == "snomed_ct") rule.field = GroupRule::Field::SnomedCt;
            else if (f == "team_type") rule.field = GroupRule::Field::TeamType;
            else if (f == "referral_reason") rule.field = GroupRule::Field::ReferralReason;
            else c.fail(i, "field", "'" + f + "' is not icd10, snomed_ct, team_type or referral_reason");
            if (rule.field == GroupRule::Field::Icd10) {
                rule.from = normalise_code(c.at(i, "from"));
                rule.to = normalise_code(c.at(i, "to"));
                if (!is_icd10(rule.from)) c.fail(i, "from", "'" + c.at(i, "from") + "' is not an ICD-10 code");
                if (!is_icd10(rule.to)) c.fail(i, "to", "'" + c.at(i, "to") + "' is not an ICD-10 code");
                if (rule.to.substr(0, std::min(rule.to.size(), rule.from.size())) <
                    rule.from.substr(0, std::min(rule.to.size(), rule.from.size())))
                    c.fail(i, "to", "range ends before it starts");
            } else {
                rule.from = trim_code(c.at(i, "from"));
                rule.to = trim_code(c.at(i, "to"));
                if (rule.from.empty()) c.fail(i, "from", "empty code");
                if (rule.from != rule.to) c.fail(i, "to", "a " + f + " rule names one code (from = to)");
            }
            r.rules.push_back(std::move(rule));
        }
        if (r.rules.empty()) throw ConfigError("reference data mhnrg_grouping.csv: no rules");
    }
    {
        Csv c = read_csv(files, "mhnrg_setting.csv");
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const std::string& k = c.at(i, "kind");
            const std::string code = trim_code(c.at(i, "code"));
            if (code.empty()) c.fail(i, "code", "empty code");
            if (k == "crisis_team") r.crisis_team_types.insert(code);
            else if (k == "priority_team") r.priority_team_types.insert(code);
            else if (k == "crisis_priority") r.crisis_priorities.insert(code);
            else if (k == "attended") r.attended_codes.insert(code);
            else c.fail(i, "kind", "'" + k + "' is not crisis_team, priority_team, crisis_priority or attended");
        }
        if (r.crisis_team_types.empty() || r.attended_codes.empty())
            throw ConfigError("reference data mhnrg_setting.csv: needs crisis_team and attended codes");
        for (const auto& t : r.priority_team_types)
            if (r.crisis_team_types.count(t))
                throw ConfigError("reference data mhnrg_setting.csv: " + t + " is both crisis_team and priority_team");
    }
    {
        Csv c = read_csv(files, "mhnrg_needs.csv");
        for (auto key : kNeedsFactors) r.needs.push_back({std::string(key), {}});
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const std::string& f = c.at(i, "factor");
            auto it = std::find(std::begin(kNeedsFactors), std::end(kNeedsFactors), f);
            if (it == std::end(kNeedsFactors)) c.fail(i, "factor", "'" + f + "' is not a needs and complexity factor");
            if (f == "older_adults" || f == "deprivation") c.fail(i, "factor", f + " is derived and takes no codes");
            const std::string& cl = c.at(i, "class");
            ValueClass vc;
            if (cl == "need") vc = ValueClass::Need;
            else if (cl == "valid") vc = ValueClass::Valid;
            else if (cl == "default") vc = ValueClass::Default;
            else c.fail(i, "class", "'" + cl + "' is not need, valid or default");
            const std::string code = trim_code(c.at(i, "code"));
            if (code.empty()) c.fail(i, "code", "empty code");
            auto& values = r.needs[static_cast<std::size_t>(it - std::begin(kNeedsFactors))].values;
            if (!values.emplace(code, std::pair(vc, c.at(i, "meaning"))).second) c.fail(i, "code", "'" + code + "' listed twice");
        }
    }
    return r;
}

ValueClass MhnrgReference::classify_value(int factor, std::string_view raw) const {
    const std::string code = trim_code(raw);
    if (code.empty()) return ValueClass::Missing;
    const auto& values = needs.at(static_cast<std::size_t>(factor)).values;
    if (values.empty()) return ValueClass::Valid;
    auto it = values.find(code);
    return it == values.end() ? ValueClass::Invalid : it->second.first;
}

std::optional<int> age_on(Day birth, Day date) {
    if (birth == kMissing || date == kMissing || date < birth) return std::nullopt;
    const Civil b = civil_from_days(birth), d = civil_from_days(date);
    int age = d.year - b.year;
    // Birthday not reached yet this year. 29 February counts from 1 March in common years,
    // which the (month, day) comparison gives: (3, 1) > (2, 29) and (2, 28) < (2, 29).
    if (d.month < b.month || (d.month == b.month && d.day < b.day)) --age;
    return age;
}

AgeBand age_band(const MhnrgReference& ref, std::optional<int> age, bool referred_before_18) {
    if (!age) return AgeBand::Unknown;
    if (*age < ref.cyp_age_limit) return AgeBand::Cyp;
    if (referred_before_18 && *age <= ref.transition_age_limit) return AgeBand::Cyp;
    return AgeBand::Adult;
}

bool is_crisis_team(const MhnrgReference& ref, std::string_view team_type, std::string_view priority) {
    const std::string t = trim_code(team_type);
    if (ref.crisis_team_types.count(t)) return true;
    return ref.priority_team_types.count(t) && ref.crisis_priorities.count(trim_code(priority));
}

Grouping group_referral(const MhnrgReference& ref, const ReferralFacts& f) {
    Grouping out;
    out.age = age_band(ref, f.age_at_referral, f.referred_before_18);

    std::vector<std::string> icd, snomed, teams;
    for (const auto& raw : f.codes) {
        std::string c = normalise_code(raw);
        if (is_icd10(c)) icd.push_back(std::move(c));
        else if (is_snomed(c)) snomed.push_back(std::move(c));
    }
    for (const auto& t : f.team_types) teams.push_back(trim_code(t));
    const std::string reason = trim_code(f.primary_reason);

    // One flag per group: does any rule of the group match any fact of the referral?
    bool hit[kGroupCount] = {};
    for (const auto& rule : ref.rules) {
        bool& h = hit[static_cast<int>(rule.group)];
        if (h) continue;
        switch (rule.field) {
            case GroupRule::Field::Icd10:
                h = std::any_of(icd.begin(), icd.end(), [&](const std::string& c) { return in_range(c, rule.from, rule.to); });
                break;
            case GroupRule::Field::SnomedCt: h = std::find(snomed.begin(), snomed.end(), rule.from) != snomed.end(); break;
            case GroupRule::Field::TeamType: h = std::find(teams.begin(), teams.end(), rule.from) != teams.end(); break;
            case GroupRule::Field::ReferralReason: h = reason == rule.from; break;
        }
    }
    // Seen only by crisis teams: every team referred to is one (at least one team).
    if (!teams.empty() && std::all_of(teams.begin(), teams.end(), [&](const std::string& t) {
            return is_crisis_team(ref, t, f.clinical_response_priority);
        }))
        hit[static_cast<int>(Group::Crisis)] = true;
    hit[static_cast<int>(Group::Cyp)] = out.age == AgeBand::Cyp;

    for (int g = 0; g < kGroupCount - 1; ++g)
        if (hit[g]) {
            out.group = static_cast<Group>(g);
            return out;
        }
    out.group = Group::Ungrouped;
    return out;
}

}  // namespace mhbench::mhnrg
