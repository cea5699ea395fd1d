#pragma once
// Reference files compiled into the library (generated from src/synth/data at configure time).
#include <string_view>

namespace mhbench::synth::embedded {
std::string_view iapt_providers_csv();
}
