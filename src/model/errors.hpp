#pragma once
// Typed exceptions for failures that end a run. Expected data problems are values
// (an Invalid code, a quarantined row), never exceptions.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace mhbench {

/// Base of every run-ending error; what() is the one clear message the user sees.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad command line, configuration or reference data.
class ConfigError : public Error {
public:
    using Error::Error;
};

/// A file that cannot be opened, read or written.
class IoError : public Error {
public:
    using Error::Error;
};

/// Input that cannot be used as a whole (missing file or column), naming where.
class InputError : public Error {
public:
    InputError(const std::string& file, const std::string& table, std::int64_t row,
               const std::string& field, const std::string& what);
    const std::string& file() const { return file_; }
    const std::string& table() const { return table_; }
    std::int64_t row() const { return row_; }
    const std::string& field() const { return field_; }

private:
    std::string file_, table_, field_;
    std::int64_t row_;
};

/// An HDF5 call that failed; carries the HDF5 error stack text.
class StoreError : public Error {
public:
    using Error::Error;
};

/// An MPI call that failed.
class MpiError : public Error {
public:
    using Error::Error;
};

}  // namespace mhbench
