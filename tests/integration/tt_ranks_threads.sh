#!/usr/bin/env bash
# tt-averages on a generated sample at 1-4 ranks and 1-2 threads: byte-identical CSVs and
# identical results.h5 datasets (exact accumulators, national medians from integer histograms).
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"

run 2 "$bin" synth --out "$work/data" --scale 0.01 --seed 5 --faults 0.01 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

same_outputs_at_ranks_threads tt-averages "$work/store.h5" 2023-24 "$work/out_{}"
# Something real was computed: England has finished, reliably recovered depression courses.
grep -Eq '^2023-24,Depression,Severe,1,[0-9]+,[1-9][0-9]*,' "$ref/tt_national.csv" ||
  { echo "FAIL: no finished Depression Severe courses"; exit 1; }
grep -Eq '^2023-24,All,All,' "$ref/tt_national.csv"
echo "OK: tt-averages identical at 1-4 ranks x 1-2 threads"
