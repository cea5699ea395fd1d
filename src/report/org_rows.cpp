#include "report/org_rows.hpp"

#include <algorithm>
#include <functional>

#include "model/errors.hpp"

namespace mhbench::report {

OrgRows OrgRows::take(Table& t, std::vector<std::string> orgs, std::size_t block) {
    const std::size_t n = t.rows();
    if (n != orgs.size() * block)
        throw ConfigError("table " + t.name() + ": " + std::to_string(n) + " rows are not " + std::to_string(block) +
                          " for each of " + std::to_string(orgs.size()) + " organisations");
    if (std::adjacent_find(orgs.begin(), orgs.end(), std::greater_equal<>()) != orgs.end())
        throw ConfigError("table " + t.name() + ": organisations not in ascending code order");
    OrgRows r;
    r.block = block;
    r.orgs = std::move(orgs);
    std::vector<std::string> names;
    for (const auto& c : t.columns()) names.push_back(c.name);
    for (const auto& name : names) {
        Column& c = t.column(name);
        Values v;
        for (const auto& s : c.text) {
            v.chars += s;
            v.ends.push_back(v.chars.size());
        }
        v.ints = std::move(c.ints);
        v.reals = std::move(c.reals);
        v.missing = std::move(c.missing);
        if (v.missing.empty()) v.missing.assign(n, 0);
        c.text.clear(), c.ints.clear(), c.reals.clear(), c.missing.clear();
        r.columns.push_back(std::move(v));
    }
    return r;
}

void OrgRows::append_to(Table& t) && {
    std::vector<std::string> names;
    for (const auto& c : t.columns()) names.push_back(c.name);
    if (names.size() != columns.size())
        throw ConfigError("table " + t.name() + " has " + std::to_string(names.size()) + " columns, the rows " +
                          std::to_string(columns.size()));
    if (t.rows() != 0) throw ConfigError("table " + t.name() + " already holds rows");
    for (std::size_t j = 0; j < names.size(); ++j) {
        Column& c = t.column(names[j]);
        Values& v = columns[j];
        c.text.reserve(v.ends.size());
        for (std::size_t i = 0, begin = 0; i < v.ends.size(); begin = v.ends[i++])
            c.text.emplace_back(v.chars, begin, v.ends[i] - begin);
        c.ints = std::move(v.ints);
        c.reals = std::move(v.reals);
        c.missing = std::move(v.missing);
    }
    (void)t.rows();  // checks the columns agree
}

void OrgRows::merge(const OrgRows& o) {
    if (o.orgs.empty()) return;
    if (orgs.empty()) {
        *this = o;
        return;
    }
    if (o.block != block || o.columns.size() != columns.size()) throw Error("OrgRows::merge: rows of different tables");
    OrgRows out;
    out.block = block;
    out.columns.resize(columns.size());
    auto append = [&](const OrgRows& src, std::size_t k) {
        out.orgs.push_back(src.orgs[k]);
        const std::size_t first = k * block, last = first + block;
        for (std::size_t j = 0; j < columns.size(); ++j) {
            const Values& from = src.columns[j];
            Values& to = out.columns[j];
            if (!from.ends.empty()) {
                const std::uint64_t begin = first == 0 ? 0 : from.ends[first - 1], end = from.ends[last - 1];
                const std::uint64_t shift = to.chars.size() - begin;
                to.chars.append(from.chars, begin, end - begin);
                for (std::size_t i = first; i < last; ++i) to.ends.push_back(from.ends[i] + shift);
            }
            auto slice = [&](auto& into, const auto& values) {
                if (!values.empty()) into.insert(into.end(), values.begin() + first, values.begin() + last);
            };
            slice(to.ints, from.ints);
            slice(to.reals, from.reals);
            slice(to.missing, from.missing);
        }
    };
    std::size_t i = 0, k = 0;
    while (i < orgs.size() || k < o.orgs.size()) {
        if (i < orgs.size() && k < o.orgs.size() && orgs[i] == o.orgs[k])
            throw Error("OrgRows::merge: organisation " + orgs[i] + " has rows from two ranks");
        if (k == o.orgs.size() || (i < orgs.size() && orgs[i] < o.orgs[k])) append(*this, i++);
        else append(o, k++);
    }
    *this = std::move(out);
}

}  // namespace mhbench::report
