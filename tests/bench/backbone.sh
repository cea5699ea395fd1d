#!/usr/bin/env bash
# Benchmark of the backbone (not part of the test run): wall time and peak memory per rank of
# synth, ingest, the activity job and tt-averages at a given scale and rank counts.
#   bash tests/bench/backbone.sh [SCALE] [WORKDIR] [RANKS...]      e.g. 1 /tmp/mhb 1 2
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-0.1}
work=${2:-bench-work}
shift 2 || true
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(1 2)
bin=build/release/src/cli/mhbench
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"

# Runs a command under mpirun with /usr/bin/time on every rank; prints wall seconds and the
# largest peak resident set of any rank.
measure() {
  local label=$1 np=$2
  shift 2
  rm -f "$work"/time.*
  local t0 t1
  t0=$(date +%s.%N)
  mpirun --oversubscribe --bind-to none -np "$np" bash -c \
    '/usr/bin/time -f "%M" -o "'"$work"'/time.$OMPI_COMM_WORLD_RANK" "$@" >/dev/null' _ "$@"
  t1=$(date +%s.%N)
  local peak
  peak=$(cat "$work"/time.* | sort -n | tail -1)
  printf "%-10s scale %-5s ranks %s  wall %7.1f s  peak RSS per rank %6.0f MB\n" "$label" "$scale" "$np" \
    "$(echo "$t1 - $t0" | bc)" "$(echo "$peak / 1024" | bc)"
}

for np in "${ranks[@]}"; do
  rm -rf "$work/data" "$work/store.h5"* "$work/out" "$work/out-tt"
  measure synth "$np" "$bin" synth --out "$work/data" --scale "$scale" --seed 1
  measure ingest "$np" "$bin" ingest --in "$work/data" --store "$work/store.h5"
  measure activity "$np" "$bin" run activity --store "$work/store.h5" --year 2023-24 --out "$work/out"
  measure tt-averages "$np" "$bin" run tt-averages --store "$work/store.h5" --year 2023-24 --out "$work/out-tt"
done
du -sh "$work/data" "$work/store.h5" | sed 's/^/size: /'
