#pragma once
// Organisations the generator uses: the real Talking Therapies providers (embedded reference
// data) and 300 synthetic MHSDS submitters, all in the 42 real ICBs of 2023-24 (embedded
// data/icbs_2023.csv; the only ICBs any generated file names).
#include <array>
#include <string>
#include <vector>

#include "synth/calib.hpp"

namespace mhbench::synth {

struct Icb {
    std::string code, name, region_code, region_name;
    std::vector<std::string> sub_icbs;  // synthetic sub-ICB location codes (residence)
    double iapt_weight = 0, mhsds_weight = 0;  // expected referrals a year at scale 1
    double population = 0;  // millions, approximate (a weight only)
};

struct Provider {
    std::string code, name;
    int icb = 0;
    double referrals = 0;      // expected referrals received a year at scale 1
    double finished_share = 0; // IAPT: finished courses / referrals received
    bool big = false;          // MHSDS: a large mental health trust
    std::array<ProvYear, 2> tt{};  // IAPT: published size and mix, 2022-23 and 2023-24
    int first_year = 0, last_year = 9999;  // MHSDS: financial years (start year) it submits in
};

struct Catalogue {
    std::vector<Icb> icbs;
    std::vector<Provider> iapt, mhsds;
};

/// Built once; the same for every seed so organisation codes are stable reference data.
const Catalogue& catalogue();

/// Splits a CSV line into fields, honouring double quotes (RFC 4180).
std::vector<std::string> split_csv_line(const std::string& line);
/// A CSV field, quoted when it needs to be.
std::string csv_field(const std::string& s);

}  // namespace mhbench::synth
