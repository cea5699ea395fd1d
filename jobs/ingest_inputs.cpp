#include "jobs/ingest_inputs.hpp"

#include <fstream>
#include <sstream>

#include "model/errors.hpp"
#include "report/digest.hpp"

namespace mhbench::jobs {

std::vector<store::StoredInput> read_side_inputs(const std::filesystem::path& in, MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    std::vector<store::StoredInput> out;
    for (const auto& name : store::side_input_names()) {
        const std::string file = name + ".csv";
        const auto path = in / file;
        if (!std::filesystem::exists(path)) continue;
        std::ifstream f(path, std::ios::binary);
        std::ostringstream text;
        text << f.rdbuf();
        if (!f.good() && !f.eof()) throw IoError("cannot read " + path.string());
        // The shape check only; InputError names the path so the user finds the file.
        (void)store::parse_input_table(name, path.string(), text.str());
        out.push_back({name, file, text.str(), rank == 0 ? report::digest_file(path) : ""});
    }
    return out;
}

void store_side_inputs(const std::filesystem::path& store_file, const std::vector<store::StoredInput>& inputs,
                       MPI_Comm comm) {
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    int ok = 1;
    std::string message;
    if (rank == 0) {
        try {
            store::write_input_tables(store_file, inputs);
        } catch (const std::exception& e) {
            ok = 0;
            message = e.what();
        }
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (!ok) throw StoreError(rank == 0 ? message : "writing the side inputs to the store failed on rank 0");
}

}  // namespace mhbench::jobs
