#include "store/h5.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace mhbench::h5 {

namespace {

// Collects HDF5's error stack into one line for the exception text: the outermost entries say
// what was being done, the innermost one why (for a failed write, the OS error such as
// "No space left on device", which the outer entries never mention).
struct Stack {
    std::vector<std::string> entries;
};

herr_t walk(unsigned, const H5E_error2_t* e, void* out) {
    std::string d = e->desc ? e->desc : "";
    if (e->func_name) d += std::string(" (") + e->func_name + ")";
    static_cast<Stack*>(out)->entries.push_back(std::move(d));
    return 0;
}

// "... errno = 28, error message = 'No space left on device', ..." -> "No space left on device".
std::string cause_of(const std::string& innermost) {
    for (const char* tag : {"error message = '", "MPI error string is '"}) {
        auto at = innermost.find(tag);
        if (at == std::string::npos) continue;
        at += std::string_view(tag).size();
        auto end = innermost.find('\'', at);
        if (end != std::string::npos) return innermost.substr(at, end - at);
    }
    return innermost;
}

std::string error_stack() {
    Stack st;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk, &st);
    H5Eclear2(H5E_DEFAULT);
    std::string s;
    const std::size_t n = st.entries.size();
    for (std::size_t i = 0; i < n && i < 4; ++i) s += (s.empty() ? "" : "; ") + st.entries[i];
    if (n > 4) s += "; ...; " + cause_of(st.entries.back());
    return s;
}

// HDF5 prints its error stack to stderr by default; we carry it in the exception instead.
// Its atexit clean-up is off: after a failed write (disk full) a file that could not be closed
// makes HDF5 1.10 crash at exit, turning a clear error into a segfault. Files are closed by
// their handles; only error paths leave one open, and the process is ending then anyway.
struct SilenceHdf5 {
    SilenceHdf5() {
        H5dont_atexit();
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
} silence;

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
    if (this != &o) {
        Handle tmp(std::move(*this));
        id_ = o.id_;
        o.id_ = H5I_INVALID_HID;
    }
    return *this;
}

Handle::~Handle() {
    if (id_ >= 0 && H5Iis_valid(id_) > 0) H5Idec_ref(id_);
}

Handle check(hid_t id, const std::string& what) {
    if (id < 0) {
        std::string stack = error_stack();
        throw StoreError(what + (stack.empty() ? "" : ": " + stack));
    }
    return Handle(id);
}

void check(herr_t status, const std::string& what) {
    if (status < 0) {
        std::string stack = error_stack();
        throw StoreError(what + (stack.empty() ? "" : ": " + stack));
    }
}

static Handle access_props(MPI_Comm comm) {
    Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), "creating file access properties");
    if (comm != MPI_COMM_NULL) {
        check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "setting the MPI-IO driver");
        check(H5Pset_all_coll_metadata_ops(fapl, true), "setting collective metadata reads");
        check(H5Pset_coll_metadata_write(fapl, true), "setting collective metadata writes");
    }
    check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), "setting format bounds");
    return fapl;
}

Handle create_file(const std::filesystem::path& path, MPI_Comm comm) {
    Handle fapl = access_props(comm);
    // No timestamp in the root group's header, so identical contents give identical bytes.
    Handle fcpl = check(H5Pcreate(H5P_FILE_CREATE), "creating file creation properties");
    check(H5Pset_obj_track_times(fcpl, false), "turning off object timestamps");
    return check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl), "cannot create HDF5 file " + path.string());
}

Handle open_file(const std::filesystem::path& path, MPI_Comm comm, bool writable) {
    if (!std::filesystem::exists(path)) throw IoError("HDF5 file " + path.string() + " does not exist");
    Handle fapl = access_props(comm);
    return check(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl),
                 "cannot open HDF5 file " + path.string() + " (corrupt, truncated or not HDF5?)");
}

Handle create_group(hid_t loc, const std::string& path) {
    Handle lcpl = check(H5Pcreate(H5P_LINK_CREATE), "creating link properties");
    check(H5Pset_create_intermediate_group(lcpl, 1), "setting intermediate groups");
    // No timestamps in object headers: the same input must give the same store bytes.
    Handle gcpl = check(H5Pcreate(H5P_GROUP_CREATE), "creating group properties");
    check(H5Pset_obj_track_times(gcpl, false), "turning off object timestamps");
    return check(H5Gcreate2(loc, path.c_str(), lcpl, gcpl, H5P_DEFAULT), "creating group " + path);
}

Handle open_group(hid_t loc, const std::string& path) {
    return check(H5Gopen2(loc, path.c_str(), H5P_DEFAULT), "opening group " + path);
}

bool exists(hid_t loc, const std::string& path) {
    std::string prefix;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string::npos) next = path.size();
        std::string part = path.substr(pos, next - pos);
        if (!part.empty()) {
            prefix += (prefix.empty() && path[0] != '/' ? "" : "/") + part;
            if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
        }
        pos = next + 1;
    }
    return true;
}

static Handle string_type() {
    Handle t = check(H5Tcopy(H5T_C_S1), "copying string type");
    check(H5Tset_size(t, H5T_VARIABLE), "setting string size");
    check(H5Tset_cset(t, H5T_CSET_UTF8), "setting UTF-8");
    return t;
}

static Handle scalar_attr(hid_t obj, const std::string& name, hid_t type) {
    if (H5Aexists(obj, name.c_str()) > 0) check(H5Adelete(obj, name.c_str()), "replacing attribute " + name);
    Handle space = check(H5Screate(H5S_SCALAR), "creating scalar space");
    return check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "creating attribute " + name);
}

void write_attr(hid_t obj, const std::string& name, const std::string& value) {
    Handle t = string_type();
    Handle a = scalar_attr(obj, name, t);
    const char* p = value.c_str();
    check(H5Awrite(a, t, &p), "writing attribute " + name);
}

void write_attr(hid_t obj, const std::string& name, std::int64_t value) {
    Handle a = scalar_attr(obj, name, H5T_NATIVE_INT64);
    check(H5Awrite(a, H5T_NATIVE_INT64, &value), "writing attribute " + name);
}

void write_attr(hid_t obj, const std::string& name, double value) {
    Handle a = scalar_attr(obj, name, H5T_NATIVE_DOUBLE);
    check(H5Awrite(a, H5T_NATIVE_DOUBLE, &value), "writing attribute " + name);
}

std::string read_attr_string(hid_t obj, const std::string& name) {
    Handle a = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    Handle t = string_type();
    char* p = nullptr;
    check(H5Aread(a, t, &p), "reading attribute " + name);
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
}

std::int64_t read_attr_int(hid_t obj, const std::string& name) {
    Handle a = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    std::int64_t v = 0;
    check(H5Aread(a, H5T_NATIVE_INT64, &v), "reading attribute " + name);
    return v;
}

Handle create_dataset_1d(hid_t loc, const std::string& name, hid_t type, std::int64_t rows, bool compress,
                         std::int64_t chunk_rows) {
    hsize_t dims = static_cast<hsize_t>(rows);
    Handle space = check(H5Screate_simple(1, &dims, nullptr), "creating space for " + name);
    Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), "creating dataset properties");
    check(H5Pset_obj_track_times(dcpl, false), "turning off object timestamps");
    if (rows > 0 && compress) {
        hsize_t chunk = static_cast<hsize_t>(std::clamp<std::int64_t>(std::min(chunk_rows, rows), 1, chunk_rows));
        check(H5Pset_chunk(dcpl, 1, &chunk), "setting chunking for " + name);
        check(H5Pset_shuffle(dcpl), "setting shuffle filter for " + name);
        check(H5Pset_deflate(dcpl, 1), "setting deflate for " + name);
    }
    // Every row is written, so skip the fill; HDF5 forbids that for variable-length strings.
    if (H5Tis_variable_str(type) <= 0) check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "setting fill time");
    return check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "creating dataset " + name);
}

std::int64_t dataset_rows(hid_t dset) {
    Handle space = check(H5Dget_space(dset), "getting dataset space");
    if (H5Sget_simple_extent_ndims(space) != 1) throw StoreError("dataset is not one-dimensional");
    hsize_t dims = 0;
    check(H5Sget_simple_extent_dims(space, &dims, nullptr), "getting dataset size");
    return static_cast<std::int64_t>(dims);
}

void write_strings(hid_t loc, const std::string& name, std::span<const std::string> values) {
    Handle t = string_type();
    Handle d = create_dataset_1d(loc, name, t, static_cast<std::int64_t>(values.size()), false);
    std::vector<const char*> ptrs;
    ptrs.reserve(values.size());
    for (const auto& v : values) ptrs.push_back(v.c_str());
    if (!values.empty()) check(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "writing " + name);
}

std::vector<std::string> read_strings(hid_t loc, const std::string& name) {
    Handle d = check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "opening dataset " + name);
    auto n = static_cast<std::size_t>(dataset_rows(d));
    std::vector<std::string> out;
    out.reserve(n);
    if (n == 0) return out;
    Handle file_type = check(H5Dget_type(d), "getting the type of " + name);
    if (H5Tget_class(file_type) == H5T_STRING && H5Tis_variable_str(file_type) == 0) {
        // Fixed-length text (results.h5): each value ends at its first NUL, or fills the width.
        const std::size_t width = H5Tget_size(file_type);
        Handle t = check(H5Tcopy(file_type), "copying string type");
        check(H5Tset_strpad(t, H5T_STR_NULLPAD), "setting string padding");
        std::vector<char> bytes(n * width);
        check(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), "reading " + name);
        for (std::size_t i = 0; i < n; ++i) {
            const char* p = bytes.data() + i * width;
            out.emplace_back(p, ::strnlen(p, width));
        }
        return out;
    }
    Handle t = string_type();
    std::vector<char*> ptrs(n, nullptr);
    check(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "reading " + name);
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space = check(H5Dget_space(d), "getting space");
    H5Dvlen_reclaim(t, space, H5P_DEFAULT, ptrs.data());
    return out;
}

Handle transfer_props(bool collective) {
    Handle dxpl = check(H5Pcreate(H5P_DATASET_XFER), "creating transfer properties");
    if (collective) check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "setting collective transfer");
    return dxpl;
}

Handle select_ranges(hid_t dset, std::span<const std::pair<std::int64_t, std::int64_t>> ranges) {
    Handle space = check(H5Dget_space(dset), "getting dataset space");
    check(H5Sselect_none(space), "clearing selection");
    for (const auto& [begin, count] : ranges) {
        if (count <= 0) continue;
        hsize_t start = static_cast<hsize_t>(begin), n = static_cast<hsize_t>(count);
        check(H5Sselect_hyperslab(space, H5S_SELECT_OR, &start, nullptr, &n, nullptr), "selecting rows");
    }
    return space;
}

}  // namespace mhbench::h5
