#pragma once
// Helpers for tests that run on every rank: a temporary directory shared by all ranks, and
// small file utilities.
#include <mpi.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mhbench::test {

/// A fresh directory created by rank 0 and known to all ranks; removed at scope exit.
class SharedTempDir {
public:
    explicit SharedTempDir(const std::string& tag, MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
        int rank = 0;
        MPI_Comm_rank(comm, &rank);
        long id = rank == 0 ? static_cast<long>(::getpid()) : 0;
        MPI_Bcast(&id, 1, MPI_LONG, 0, comm);
        path_ = std::filesystem::temp_directory_path() / ("mhbench-" + tag + "-" + std::to_string(id));
        if (rank == 0) {
            std::filesystem::remove_all(path_);
            std::filesystem::create_directories(path_);
        }
        MPI_Barrier(comm);
    }
    ~SharedTempDir() {
        MPI_Barrier(comm_);
        int rank = 0;
        MPI_Comm_rank(comm_, &rank);
        if (rank == 0 && !std::getenv("MHBENCH_KEEP_TEST_FILES")) std::filesystem::remove_all(path_);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

private:
    MPI_Comm comm_;
    std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline int world_rank() {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}
inline int world_size() {
    int r = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &r);
    return r;
}

}  // namespace mhbench::test
