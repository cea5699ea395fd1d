#include "reference/csv.hpp"

#include <algorithm>
#include <cctype>

#include "model/errors.hpp"

namespace mhbench::reference {

namespace {

std::vector<std::string> split(std::string_view line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
            else if (c == '"') quoted = false;
            else out.back() += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') out.emplace_back();
        else out.back() += c;
    }
    return out;
}

}  // namespace

std::size_t CsvFile::col(const std::string& name) const {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw ConfigError("reference data " + file + ": missing column '" + name + "'");
    return static_cast<std::size_t>(it - header.begin());
}

void CsvFile::fail(std::size_t row, const std::string& field, const std::string& what) const {
    throw ConfigError("reference data " + file + " line " + std::to_string(lines[row]) + " field " + field + ": " +
                      what);
}

void CsvFile::fail(std::size_t row, const std::string& what) const {
    throw ConfigError("reference data " + file + " line " + std::to_string(lines[row]) + ": " + what);
}

CsvFile read_csv(const std::map<std::string, std::string>& files, const std::string& name) {
    auto it = files.find(name);
    if (it == files.end()) throw ConfigError("reference data: file " + name + " is missing");
    CsvFile csv;
    csv.file = name;
    std::string_view text = it->second;
    int line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto f = split(line);
        if (csv.header.empty()) {
            csv.header = std::move(f);
            continue;
        }
        if (f.size() != csv.header.size())
            throw ConfigError("reference data " + name + " line " + std::to_string(line_no) + ": " +
                              std::to_string(f.size()) + " fields where the header has " +
                              std::to_string(csv.header.size()));
        csv.rows.push_back(std::move(f));
        csv.lines.push_back(line_no);
    }
    if (csv.header.empty()) throw ConfigError("reference data " + name + ": no header row");
    return csv;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace mhbench::reference
