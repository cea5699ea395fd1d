#pragma once
// The side inputs of SPEC sections 6 and 7 that `mhbench synth` writes beside the extracts:
// mhis_ledger.csv, ips_targets.csv and ips_fidelity.csv. Small; written by rank 0 only.
#include "synth/gen.hpp"

namespace mhbench::synth {

/// Writes the three files into ctx.opt.out. Bytes depend only on the options (seed, scale, years).
void write_side_inputs(const Ctx& ctx);

}  // namespace mhbench::synth
