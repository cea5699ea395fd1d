#pragma once
// A thin, checked layer over the HDF5 C API: every handle is owned (closed on scope exit) and
// every failing call becomes a StoreError carrying HDF5's own error stack text.
#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "model/errors.hpp"

namespace mhbench::h5 {

/// Owns one hid_t; closes it with H5Idec_ref-like semantics by type.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
    Handle& operator=(Handle&& o) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle();
    hid_t id() const { return id_; }
    operator hid_t() const { return id_; }

private:
    hid_t id_ = H5I_INVALID_HID;
};

/// Throws StoreError("<what>: <HDF5 error stack>") when id < 0; returns it owned otherwise.
Handle check(hid_t id, const std::string& what);
/// Throws StoreError when status < 0.
void check(herr_t status, const std::string& what);

/// HDF5 native type of a C++ arithmetic type.
template <class T> hid_t native_type() {
    if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
    else if constexpr (std::is_same_v<T, std::int16_t>) return H5T_NATIVE_INT16;
    else if constexpr (std::is_same_v<T, std::uint16_t>) return H5T_NATIVE_UINT16;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
    else if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
    else static_assert(sizeof(T) == 0, "no HDF5 type for this C++ type");
}

/// Opens or creates files. With comm == MPI_COMM_NULL the file is opened serially (one process);
/// otherwise with the MPI-IO driver, collectively over comm.
Handle create_file(const std::filesystem::path& path, MPI_Comm comm = MPI_COMM_NULL);
Handle open_file(const std::filesystem::path& path, MPI_Comm comm = MPI_COMM_NULL, bool writable = false);

/// Creates a group, with intermediate groups ("/a/b/c").
Handle create_group(hid_t loc, const std::string& path);
Handle open_group(hid_t loc, const std::string& path);
bool exists(hid_t loc, const std::string& path);  // every component checked in turn

/// Scalar string / int64 / double attributes on any object.
void write_attr(hid_t obj, const std::string& name, const std::string& value);
void write_attr(hid_t obj, const std::string& name, std::int64_t value);
void write_attr(hid_t obj, const std::string& name, double value);
std::string read_attr_string(hid_t obj, const std::string& name);
std::int64_t read_attr_int(hid_t obj, const std::string& name);

/// One-dimensional dataset of `rows` elements: contiguous (fast parallel I/O), or chunked with
/// shuffle + deflate when `compress` (serial writers only: results, dictionaries).
Handle create_dataset_1d(hid_t loc, const std::string& name, hid_t type, std::int64_t rows, bool compress,
                         std::int64_t chunk_rows = 1 << 16);
std::int64_t dataset_rows(hid_t dset);

/// Variable-length UTF-8 strings dataset (written whole, serially).
void write_strings(hid_t loc, const std::string& name, std::span<const std::string> values);
/// A strings dataset, variable-length (the store) or fixed-length, NUL-padded (results.h5).
std::vector<std::string> read_strings(hid_t loc, const std::string& name);

/// Transfer property list: collective MPI-IO when `collective`, default otherwise.
Handle transfer_props(bool collective);

/// Whole-dataset write / read (serial or, with a collective transfer list, every rank the same).
template <class T> void write_all(hid_t dset, std::span<const T> data, hid_t xfer = H5P_DEFAULT) {
    check(H5Dwrite(dset, native_type<T>(), H5S_ALL, H5S_ALL, xfer, data.data()), "writing dataset");
}
template <class T> std::vector<T> read_all(hid_t dset, hid_t xfer = H5P_DEFAULT) {
    std::vector<T> out(static_cast<std::size_t>(dataset_rows(dset)));
    check(H5Dread(dset, native_type<T>(), H5S_ALL, H5S_ALL, xfer, out.data()), "reading dataset");
    return out;
}

/// A file-space selection that is the union of row ranges [begin, begin+count) of a 1-D dataset.
Handle select_ranges(hid_t dset, std::span<const std::pair<std::int64_t, std::int64_t>> ranges);

/// Writes `data` (concatenated in range order) to the union of row ranges; with a collective
/// transfer list every rank of the file's communicator must call it (possibly with no ranges).
template <class T>
void write_ranges(hid_t dset, std::span<const std::pair<std::int64_t, std::int64_t>> ranges, std::span<const T> data,
                  hid_t xfer) {
    Handle fspace = select_ranges(dset, ranges);
    hsize_t n = data.size();
    Handle mspace = check(H5Screate_simple(1, &n, nullptr), "creating memory space");
    if (n == 0) check(H5Sselect_none(mspace), "selecting nothing");
    check(H5Dwrite(dset, native_type<T>(), mspace, fspace, xfer, n ? static_cast<const void*>(data.data()) : nullptr),
          "writing dataset rows");
}

/// Reads the union of row ranges, concatenated in range order.
template <class T>
std::vector<T> read_ranges(hid_t dset, std::span<const std::pair<std::int64_t, std::int64_t>> ranges,
                           hid_t xfer = H5P_DEFAULT) {
    std::int64_t total = 0;
    for (auto& r : ranges) total += r.second;
    std::vector<T> out(static_cast<std::size_t>(total));
    // An empty column has no storage allocated: reading it (even nothing) fails. Every rank sees
    // the same extent, so all skip the collective read together.
    {
        Handle space = check(H5Dget_space(dset), "getting the dataspace");
        if (H5Sget_simple_extent_npoints(space) == 0) return out;
    }
    Handle fspace = select_ranges(dset, ranges);
    hsize_t n = out.size();
    Handle mspace = check(H5Screate_simple(1, &n, nullptr), "creating memory space");
    if (n == 0) check(H5Sselect_none(mspace), "selecting nothing");
    check(H5Dread(dset, native_type<T>(), mspace, fspace, xfer, n ? static_cast<void*>(out.data()) : nullptr),
          "reading dataset rows");
    return out;
}

}  // namespace mhbench::h5
