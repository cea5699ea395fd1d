#pragma once
// Realism report (issue 3): reads what `mhbench synth` wrote into a directory and compares every
// calibrated Talking Therapies figure with its published target.
#include <filesystem>
#include <ostream>

namespace mhbench::synth {

/// Prints one line per figure: name, target, generated, tolerance, OK/FAIL. Tolerances: shares
/// within 1 percentage point, rates within 1.5, mean appointments per finished course within 0.2,
/// provider sizes Spearman >= 0.95; where the sample is too small for that (four binomial or
/// standard errors exceed the tolerance) the tolerance widens to four standard errors, and the
/// line says so; means over fewer than 30 courses are printed, not tested. Known-truth lines check the planted Fig. 3 means the same way. Returns false
/// when any figure is out of tolerance. Throws mhbench::IoError when the files cannot be read.
bool report_realism(const std::filesystem::path& out_dir, std::ostream& os);

}  // namespace mhbench::synth
