# Sourced by the integration scripts, which are called as `bash script BIN WORKDIR`: sets bin and
# work (emptied), runs mpirun as the tests do, and checks that a job's outputs do not depend on the
# number of ranks or threads.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { mpirun --oversubscribe --bind-to none -np "$@"; }

# same_outputs_at_ranks_threads JOB STORE YEARS OUT: `mhbench run JOB` at 1-4 ranks x 1-2 threads,
# into OUT with {} replaced by np<ranks>_t<threads>. Every CSV must be byte-identical, and
# results.h5's datasets identical, to the first run's, whose directory is left in $ref (the other
# runs' outputs are removed to keep the scratch space small).
same_outputs_at_ranks_threads() {
  local job=$1 store=$2 years=$3 template=$4 np th out f
  ref=""
  for np in 1 2 3 4; do
    for th in 1 2; do
      out=${template//\{\}/np${np}_t${th}}
      run "$np" "$bin" run "$job" --store "$store" --year "$years" --out "$out" --threads "$th" >/dev/null
      if [ -z "$ref" ]; then ref=$out; continue; fi
      for f in "$ref"/*.csv; do
        cmp "$f" "$out/$(basename "$f")" || { echo "FAIL: $job: $(basename "$f") differs at $np ranks, $th threads"; exit 1; }
      done
      h5diff --exclude-attribute / "$ref/results.h5" "$out/results.h5" >/dev/null ||
        { echo "FAIL: $job: results.h5 differs at $np ranks, $th threads"; exit 1; }
      rm -rf "$out"
    done
  done
}
