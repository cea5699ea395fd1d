#pragma once
// Reference files compiled into the library (generated from src/synth/data and
// src/reference at configure time).
#include <string_view>

namespace mhbench::synth::embedded {
std::string_view iapt_providers_csv();
std::string_view iapt_calibration_csv();  // data/iapt_calibration.csv
std::string_view iapt_activity_csv();     // data/iapt_activity.csv
std::string_view fig3_csv();              // src/reference/2025-26/fig3_published.csv
std::string_view icbs_2023_csv();         // data/icbs_2023.csv: the 42 ICBs of 2023-24
}
