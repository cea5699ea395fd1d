#pragma once
// Rows of some organisations of one table, each organisation's rows together and the
// organisations in code order: what a rank finalizes of the providers it read. merge()
// interleaves two such sets by code, so rows made on many ranks meet (reduce::reduce_to_root)
// in the order one rank would have made them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "report/table.hpp"

namespace mhbench::report {

struct OrgRows {
    /// A column's values: text as one run of characters with each row's end offset (archives
    /// and merges copy a few long runs, not one string per cell), or numbers; and one missing
    /// flag per row.
    struct Values {
        std::string chars;
        std::vector<std::uint64_t> ends;
        std::vector<std::int64_t> ints;
        std::vector<double> reals;
        std::vector<std::uint8_t> missing;
        template <class Ar> void serialize(Ar& ar, unsigned) { ar & chars & ends & ints & reals & missing; }
    };
    std::size_t block = 0;          // rows per organisation
    std::vector<std::string> orgs;  // ascending
    std::vector<Values> columns;    // in the table's column order

    /// Moves the rows out of `t`, whose rows are `block` per organisation of `orgs` (ascending).
    /// Throws ConfigError when the counts do not fit or the codes are not ascending.
    static OrgRows take(Table& t, std::vector<std::string> orgs, std::size_t block);
    /// Appends these rows to `t` (a table with the same columns and no rows yet).
    void append_to(Table& t) &&;
    /// Interleaves `o`'s organisations with these by code; an organisation in both is an error.
    void merge(const OrgRows& o);

    template <class Ar> void serialize(Ar& ar, unsigned) { ar & block & orgs & columns; }
};

}  // namespace mhbench::report
