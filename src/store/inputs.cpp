#include "store/inputs.hpp"

#include <algorithm>

#include "model/errors.hpp"
#include "store/h5.hpp"

namespace mhbench::store {

namespace {

const std::string kInputsGroup = "/inputs";

/// Splits one CSV record (RFC 4180 quoting, no line breaks inside fields); false when the
/// quoting is malformed.
bool split_record(std::string_view line, std::vector<std::string>& out) {
    out.clear();
    std::size_t i = 0;
    while (true) {
        std::string field;
        if (i < line.size() && line[i] == '"') {
            ++i;
            while (true) {
                if (i >= line.size()) return false;  // unterminated quote
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += line[i++];
            }
            if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
        } else {
            const std::size_t end = std::min(line.find(',', i), line.size());
            field.assign(line.substr(i, end - i));
            if (field.find('"') != std::string::npos) return false;  // a quote inside an unquoted field
            i = end;
        }
        out.push_back(std::move(field));
        if (i >= line.size()) return true;
        ++i;  // the comma
        if (i == line.size()) {
            out.emplace_back();  // a trailing comma: one more, empty field
            return true;
        }
    }
}

std::string group_of(const std::string& name) { return kInputsGroup + "/" + name; }

void check_known(const std::string& name) {
    const auto& known = side_input_names();
    if (std::find(known.begin(), known.end(), name) != known.end()) return;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw StoreError("'" + name + "' is not a side input of the store (known: " + list + ")");
}

}  // namespace

const std::vector<std::string>& side_input_names() {
    static const std::vector<std::string> names = {"ips_fidelity", "ips_targets", "mhis_ledger"};
    return names;
}

std::size_t InputTable::column(const std::string& c) const {
    auto it = std::find(columns.begin(), columns.end(), c);
    if (it == columns.end()) throw InputError(file, name, 1, c, "missing required column '" + c + "'");
    return static_cast<std::size_t>(it - columns.begin());
}

InputTable parse_input_table(const std::string& name, const std::string& file, std::string_view text) {
    InputTable t;
    t.name = name;
    t.file = file;
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        pos = end + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) throw InputError(file, name, 1, "", "empty file: a header line is required");
    if (lines[0].size() >= 3 && lines[0].substr(0, 3) == "\xEF\xBB\xBF") lines[0].remove_prefix(3);  // UTF-8 BOM
    if (!split_record(lines[0], t.columns)) throw InputError(file, name, 1, "", "malformed quoting in the header");
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
        if (t.columns[c].empty()) throw InputError(file, name, 1, "", "empty column name in the header");
        if (std::find(t.columns.begin(), t.columns.begin() + static_cast<std::ptrdiff_t>(c), t.columns[c]) !=
            t.columns.begin() + static_cast<std::ptrdiff_t>(c))
            throw InputError(file, name, 1, t.columns[c], "column '" + t.columns[c] + "' appears twice in the header");
    }
    t.rows.reserve(lines.size() - 1);
    std::vector<std::string> fields;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto line = static_cast<std::int64_t>(i) + 1;
        if (!split_record(lines[i], fields)) throw InputError(file, name, line, "", "malformed quoting");
        if (fields.size() != t.columns.size())
            throw InputError(file, name, line, "",
                             std::to_string(fields.size()) + " fields where the header has " +
                                 std::to_string(t.columns.size()));
        t.rows.push_back(fields);
    }
    return t;
}

void write_input_tables(const std::filesystem::path& store_file, const std::vector<StoredInput>& inputs) {
    if (inputs.empty()) return;
    h5::Handle f = h5::open_file(store_file, MPI_COMM_NULL, true);
    h5::Handle root = h5::exists(f, kInputsGroup) ? h5::open_group(f, kInputsGroup) : h5::create_group(f, kInputsGroup);
    h5::write_attr(root, "description",
                   std::string("Side input files kept verbatim (SPEC sections 6 and 7); jobs validate their values"));
    for (const auto& in : inputs) {
        check_known(in.name);
        h5::Handle g = h5::create_group(f, group_of(in.name));
        h5::write_attr(g, "file", in.file);
        h5::write_attr(g, "digest", in.digest);
        const std::string texts[] = {in.text};
        h5::write_strings(g, "text", texts);
    }
    h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), "writing the side inputs to " + store_file.string());
}

bool has_input_table(const Store& s, const std::string& name) {
    check_known(name);
    h5::Handle f = h5::open_file(s.path(), MPI_COMM_NULL, false);
    return h5::exists(f, group_of(name) + "/text");
}

InputTable read_input_table(const Store& s, const std::string& name) {
    check_known(name);
    // A serial handle of its own: the store's handle is collective, and this read is not.
    h5::Handle f = h5::open_file(s.path(), MPI_COMM_NULL, false);
    const std::string g = group_of(name);
    if (!h5::exists(f, g + "/text"))
        throw StoreError(s.path().string() + " holds no " + name + ".csv: it was not in the ingest input directory");
    h5::Handle grp = h5::open_group(f, g);
    const std::string file = h5::read_attr_string(grp, "file");
    const auto text = h5::read_strings(grp, "text");
    if (text.size() != 1) throw StoreError(s.path().string() + ": " + g + "/text is not one string");
    return parse_input_table(name, file, text[0]);
}

}  // namespace mhbench::store
