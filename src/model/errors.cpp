#include "model/errors.hpp"

namespace mhbench {

static std::string describe(const std::string& file, const std::string& table, std::int64_t row,
                            const std::string& field, const std::string& what) {
    std::string s = what;
    if (!file.empty()) s += "; file " + file;
    if (!table.empty()) s += "; table " + table;
    if (row >= 0) s += "; row " + std::to_string(row);
    if (!field.empty()) s += "; field " + field;
    return s;
}

InputError::InputError(const std::string& file, const std::string& table, std::int64_t row,
                       const std::string& field, const std::string& what)
    : Error(describe(file, table, row, field, what)), file_(file), table_(table), field_(field), row_(row) {}

}  // namespace mhbench
