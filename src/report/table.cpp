#include "report/table.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

#include "model/errors.hpp"
#include "store/h5.hpp"

namespace mhbench::report {

namespace {

constexpr std::int64_t missing_int = std::numeric_limits<std::int64_t>::min();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

const char* type_name(ColumnType t) {
    switch (t) {
        case ColumnType::Text: return "text";
        case ColumnType::Int: return "integer";
        case ColumnType::Real: return "real";
    }
    return "?";
}

bool is_missing(const Column& c, std::size_t i) { return i < c.missing.size() && c.missing[i] != 0; }

void check_name(const std::string& table, const std::string& name) {
    // HDF5 link names cannot hold '/', and "." would name the group itself.
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
        throw ConfigError("table " + table + ": invalid column name '" + name + "'");
}

// ---- CSV ---------------------------------------------------------------------------------

void append_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

// Adds one unit in the last place of a string of decimal digits (with an optional '.').
void increment(std::string& digits) {
    for (std::size_t i = digits.size(); i-- > 0;) {
        if (digits[i] == '.') continue;
        if (digits[i] != '9') {
            ++digits[i];
            return;
        }
        digits[i] = '0';
    }
    digits.insert(digits.begin(), '1');
}

// Number of fractional decimal digits in the exact expansion of a finite, non-zero double:
// m·2^e with m odd has -e of them when e < 0, none otherwise.
int exact_fraction_digits(double a) {
    int e = 0;
    double m = std::frexp(a, &e);
    auto sig = static_cast<std::uint64_t>(std::ldexp(m, 53));
    int e2 = e - 53;
    while ((sig & 1U) == 0) {
        sig >>= 1;
        ++e2;
    }
    return e2 < 0 ? -e2 : 0;
}

}  // namespace

std::string format_real(double v, int decimals) {
    if (std::isnan(v)) return "";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) v = 0.0;  // drops the sign of negative zero
    // Widest output: 309 integer digits, the point and 31 fractional ones (left uninitialised:
    // this runs once per cell of every CSV).
    std::array<char, 400> buf;
    if (decimals < 0) {
        auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
        return std::string(buf.data(), r.ptr);
    }
    const double a = std::fabs(v);
    std::string s;
    const int frac = a == 0 ? 0 : exact_fraction_digits(a);
    if (frac != decimals + 1) {
        // Exact in `decimals` digits, or with more than one digit beyond them: then it cannot
        // lie exactly halfway, and to_chars' correct rounding is the rounding wanted.
        auto r = std::to_chars(buf.data(), buf.data() + buf.size(), a, std::chars_format::fixed, decimals);
        s.assign(buf.data(), r.ptr);
    } else {
        // One digit beyond: a 5 there is an exact tie, which to_chars would round to even
        // (2.5 -> "2"); print that digit and round half away from zero ourselves.
        auto r = std::to_chars(buf.data(), buf.data() + buf.size(), a, std::chars_format::fixed, frac);
        s.assign(buf.data(), r.ptr - 1);
        if (decimals == 0) s.pop_back();  // the point
        if (r.ptr[-1] >= '5') increment(s);
    }
    if (v < 0 && s.find_first_of("123456789") != std::string::npos) s.insert(s.begin(), '-');
    return s;
}

std::size_t Column::size() const {
    switch (type) {
        case ColumnType::Text: return text.size();
        case ColumnType::Int: return ints.size();
        case ColumnType::Real: return reals.size();
    }
    return 0;
}

Table::Table(std::string name, std::string h5_path, std::string description)
    : name_(std::move(name)), h5_path_(std::move(h5_path)), description_(std::move(description)) {
    if (name_.empty() || name_.find('/') != std::string::npos)
        throw ConfigError("invalid table name '" + name_ + "' (it is a CSV file stem)");
    if (h5_path_.size() < 2 || h5_path_.front() != '/' || h5_path_.back() == '/' ||
        h5_path_.find("//") != std::string::npos)
        throw ConfigError("table " + name_ + ": results.h5 path must look like /job/level, not '" + h5_path_ + "'");
}

static Column& add_column(std::vector<Column>& cols, const std::string& table, Column c) {
    check_name(table, c.name);
    for (const auto& x : cols)
        if (x.name == c.name) throw ConfigError("table " + table + ": column " + c.name + " added twice");
    cols.push_back(std::move(c));
    return cols.back();
}

Column& Table::add_text(const std::string& name, const std::string& description) {
    return add_column(columns_, name_, Column{name, description, "", ColumnType::Text, -1, {}, {}, {}, {}});
}

Column& Table::add_int(const std::string& name, const std::string& description, const std::string& unit) {
    return add_column(columns_, name_, Column{name, description, unit, ColumnType::Int, -1, {}, {}, {}, {}});
}

Column& Table::add_real(const std::string& name, const std::string& description, const std::string& unit,
                        int decimals) {
    if (decimals < -1 || decimals > 30)
        throw ConfigError("table " + name_ + ": column " + name + " needs decimals in -1..30, not " +
                          std::to_string(decimals));
    return add_column(columns_, name_, Column{name, description, unit, ColumnType::Real, decimals, {}, {}, {}, {}});
}

Column& Table::column(std::string_view name) {
    // Rows are filled column after column: the one after the last found is the likely one.
    if (next_ < columns_.size() && columns_[next_].name == name) return columns_[next_++];
    for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i].name == name) {
            next_ = i + 1;
            return columns_[i];
        }
    throw ConfigError("table " + name_ + " has no column " + std::string(name));
}

// Keeps `missing` in step with the data once any cell has been marked; until then it may stay
// empty (columns filled wholesale need not touch it).
static void mark(Column& c, bool missing) {
    if (c.missing.size() < c.size() - 1) c.missing.resize(c.size() - 1, 0);
    c.missing.push_back(missing ? 1 : 0);
}

static void wrong_type(const std::string& table, const Column& c, const char* given) {
    throw ConfigError("table " + table + ": column " + c.name + " holds " + type_name(c.type) + " values, not " + given);
}

void Table::push(std::string_view column, std::string v) {
    Column& c = this->column(column);
    if (c.type != ColumnType::Text) wrong_type(name_, c, "text");
    c.text.push_back(std::move(v));
    mark(c, false);
}

void Table::push(std::string_view column, std::optional<std::int64_t> v) {
    Column& c = this->column(column);
    if (c.type == ColumnType::Int) {
        c.ints.push_back(v.value_or(0));
    } else if (c.type == ColumnType::Real) {
        c.reals.push_back(v ? static_cast<double>(*v) : nan);
    } else {
        wrong_type(name_, c, "integer");
    }
    mark(c, !v);
}

void Table::push(std::string_view column, std::optional<double> v) {
    Column& c = this->column(column);
    if (c.type != ColumnType::Real) wrong_type(name_, c, "real");
    c.reals.push_back(v.value_or(nan));
    mark(c, !v);
}

void Table::push(std::string_view column, std::nullopt_t) {
    Column& c = this->column(column);
    switch (c.type) {
        case ColumnType::Text: c.text.emplace_back(); break;
        case ColumnType::Int: c.ints.push_back(0); break;
        case ColumnType::Real: c.reals.push_back(nan); break;
    }
    mark(c, true);
}

void Table::throw_out_of_range(std::string_view column) {
    throw ConfigError("column " + std::string(column) + ": value does not fit in a signed 64-bit integer");
}

std::size_t Table::rows() const {
    if (columns_.empty()) return 0;
    const std::size_t n = columns_.front().size();
    for (const auto& c : columns_) {
        const std::size_t others = c.text.size() + c.ints.size() + c.reals.size() - c.size();
        if (others != 0)
            throw ConfigError("table " + name_ + ": column " + c.name + " is " + type_name(c.type) +
                              " but holds values of another type");
        if (c.size() != n)
            throw ConfigError("table " + name_ + ": column " + c.name + " has " + std::to_string(c.size()) +
                              " rows but column " + columns_.front().name + " has " + std::to_string(n));
        if (!c.missing.empty() && c.missing.size() != n)
            throw ConfigError("table " + name_ + ": column " + c.name + " has " + std::to_string(n) +
                              " values but " + std::to_string(c.missing.size()) + " missing flags");
    }
    return n;
}

std::string to_csv(const Table& t) {
    const std::size_t n = t.rows();
    const auto& cols = t.columns();
    std::string out;
    for (std::size_t j = 0; j < cols.size(); ++j) {
        if (j) out += ',';
        append_field(out, cols[j].name);
    }
    out += '\n';
    std::array<char, 24> buf{};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < cols.size(); ++j) {
            const Column& c = cols[j];
            if (j) out += ',';
            if (is_missing(c, i)) continue;
            switch (c.type) {
                case ColumnType::Text: append_field(out, c.text[i]); break;
                case ColumnType::Int: {
                    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), c.ints[i]);
                    out.append(buf.data(), r.ptr);
                    break;
                }
                case ColumnType::Real: out += format_real(c.reals[i], c.decimals); break;
            }
        }
        out += '\n';
    }
    return out;
}

void write_csv(const Table& t, const std::filesystem::path& file) {
    const std::string text = to_csv(t);  // validates before the file is touched
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError("cannot create " + file.string() + ": " + std::strerror(errno));
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) throw IoError("cannot write " + file.string() + " (disk full?)");
}

// ---- HDF5 --------------------------------------------------------------------------------

namespace {

using h5::check;
using h5::Handle;

// Object headers record creation and modification times unless told not to; results.h5 must be
// byte-identical for identical tables, timestamps living only in attributes.
Handle untimed(hid_t plist_class) {
    Handle p = check(H5Pcreate(plist_class), "creating creation properties");
    check(H5Pset_obj_track_times(p, false), "turning off object timestamps");
    return p;
}

// Creates each missing component itself: HDF5's own intermediate groups would not inherit the
// creation properties and so would carry timestamps.
Handle make_group(hid_t file, const std::string& path) {
    Handle gcpl = untimed(H5P_GROUP_CREATE);
    Handle g;
    for (std::size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
        const std::string prefix = path.substr(0, end);
        if (end != std::string::npos && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) > 0) continue;
        g = check(H5Gcreate2(file, prefix.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT), "creating group " + prefix);
        if (end == std::string::npos) return g;
    }
}

// Fixed-length UTF-8 text, one byte wider than the column's longest value and NUL-terminated:
// HDF5 copies it as plain bytes, where variable-length strings cost a heap object each (half
// the time of writing results.h5), and parallel HDF5 can write it.
Handle text_type(std::size_t size) {
    Handle t = check(H5Tcopy(H5T_C_S1), "copying string type");
    check(H5Tset_size(t, size), "setting string size");
    check(H5Tset_strpad(t, H5T_STR_NULLTERM), "setting string termination");
    check(H5Tset_cset(t, H5T_CSET_UTF8), "setting UTF-8");
    return t;
}

// Contiguous and uncompressed: results are tens of MB even over ten years, and deflating them
// (single-threaded inside HDF5) cost as much as the rest of writing them.
Handle make_dataset(hid_t group, const std::string& name, hid_t file_type, std::size_t rows) {
    hsize_t dims = rows;
    Handle space = check(H5Screate_simple(1, &dims, nullptr), "creating space for " + name);
    Handle dcpl = untimed(H5P_DATASET_CREATE);
    return check(H5Dcreate2(group, name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                 "creating dataset " + name);
}

void write_column(hid_t group, const Column& c, std::size_t n) {
    Handle d;
    std::string missing;
    switch (c.type) {
        case ColumnType::Int: {
            std::vector<std::int64_t> v(c.ints);
            for (std::size_t i = 0; i < n; ++i)
                if (is_missing(c, i)) v[i] = missing_int;
            d = make_dataset(group, c.name, H5T_STD_I64LE, n);
            if (n) check(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "writing " + c.name);
            missing = "INT64_MIN (-9223372036854775808) = suppressed or not applicable";
            break;
        }
        case ColumnType::Real: {
            std::vector<double> v(c.reals);
            for (std::size_t i = 0; i < n; ++i)
                if (is_missing(c, i)) v[i] = nan;
            d = make_dataset(group, c.name, H5T_IEEE_F64LE, n);
            if (n) check(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "writing " + c.name);
            missing = "NaN = suppressed or not applicable";
            break;
        }
        case ColumnType::Text: {
            std::size_t size = 1;  // the longest value and its NUL
            for (std::size_t i = 0; i < n; ++i)
                if (!is_missing(c, i)) size = std::max(size, c.text[i].size() + 1);
            std::vector<char> bytes(n * size, '\0');
            for (std::size_t i = 0; i < n; ++i)
                if (!is_missing(c, i)) std::copy(c.text[i].begin(), c.text[i].end(), bytes.begin() + static_cast<std::ptrdiff_t>(i * size));
            Handle t = text_type(size);
            d = make_dataset(group, c.name, t, n);
            if (n) check(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), "writing " + c.name);
            missing = "empty string = suppressed or not applicable";
            break;
        }
    }
    h5::write_attr(d, "description", c.description);
    h5::write_attr(d, "unit", c.unit);
    h5::write_attr(d, "missing", missing);
}

bool nested(const std::string& outer, const std::string& inner) {
    return inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 && inner[outer.size()] == '/';
}

}  // namespace

void write_h5(const std::vector<Table>& tables, const std::filesystem::path& file, const Attributes& attrs) {
    // Every check first, so that misuse never leaves a half-written file behind.
    for (const auto& t : tables) {
        const std::size_t n = t.rows();
        for (const auto& c : t.columns())
            if (c.type == ColumnType::Text)
                for (std::size_t i = 0; i < n; ++i)
                    if (!is_missing(c, i) && c.text[i].find('\0') != std::string::npos)
                        throw ConfigError("table " + t.name() + ": column " + c.name + " row " + std::to_string(i + 1) +
                                          " holds a NUL byte, which results.h5 text cannot carry");
        for (const auto& c : t.columns())
            if (c.type == ColumnType::Int)
                for (std::size_t i = 0; i < n; ++i)
                    if (c.ints[i] == missing_int && !is_missing(c, i))
                        throw ConfigError("table " + t.name() + ": column " + c.name +
                                          " holds INT64_MIN, which results.h5 reserves for missing values");
    }
    for (std::size_t a = 0; a < tables.size(); ++a)
        for (std::size_t b = 0; b < tables.size(); ++b) {
            const auto &p = tables[a].h5_path(), &q = tables[b].h5_path();
            if ((a < b && p == q) || nested(p, q))
                throw ConfigError("results.h5 groups " + p + " (table " + tables[a].name() + ") and " + q +
                                  " (table " + tables[b].name() + ") clash: each table needs its own group");
        }

    Handle f = h5::create_file(file);
    for (const auto& [k, v] : attrs) h5::write_attr(f, k, v);
    if (!attrs.contains("software_version")) h5::write_attr(f, "software_version", std::string(MHBENCH_VERSION));
    for (const auto& t : tables) {
        const std::size_t n = t.rows();
        Handle g = make_group(f, t.h5_path());
        std::string names;
        for (const auto& c : t.columns()) {
            names += (names.empty() ? "" : ",") + c.name;
            write_column(g, c, n);
        }
        h5::write_attr(g, "description", t.description());
        h5::write_attr(g, "columns", names);
        h5::write_attr(g, "rows", static_cast<std::int64_t>(n));
    }
    // Surface write errors (disk full) here rather than losing them when the handle closes.
    check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flushing " + file.string());
}

}  // namespace mhbench::report
