#!/usr/bin/env bash
# The side inputs through `mhbench pipeline` on the ips_small fixture: an unchanged side file
# skips ingest, a changed or removed one re-runs it (and then the ips job), and the change
# reaches the results.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
fixture=$(cd "$(dirname "$0")/../fixtures/ips_small" && pwd)
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cp -r "$fixture" "$work/in"
pipe() { mpirun --oversubscribe -np 2 "$bin" pipeline --in "$work/in" --work "$work/w" --year 2023-24 --jobs ips; }
expect() {  # expect LOG PATTERN
  grep -q "$2" "$1" || { echo "FAIL: expected '$2' in:"; cat "$1"; exit 1; }
}

pipe > "$work/1.log"
expect "$work/1.log" "ingest: running"
expect "$work/1.log" "ips: done"
grep -q '^2023-24,ENG,England,.*,14,0.5000,' "$work/w/results/ips/ips_national.csv" ||
  { echo "FAIL: England target 14"; exit 1; }

pipe > "$work/2.log"
expect "$work/2.log" "ingest: skipped"
expect "$work/2.log" "ips: skipped"

sed -i 's/^QAA,2023-24,10$/QAA,2023-24,16/' "$work/in/ips_targets.csv"
pipe > "$work/3.log"
expect "$work/3.log" "ingest: running (ips_targets.csv changed"
expect "$work/3.log" "ips: running"
grep -q '^2023-24,ENG,England,.*,20,0.3500,' "$work/w/results/ips/ips_national.csv" ||
  { echo "FAIL: the changed target (20) did not reach the results"; exit 1; }

rm "$work/in/ips_fidelity.csv"
pipe > "$work/4.log"
expect "$work/4.log" "input file ips_fidelity.csv is gone"
[ "$(wc -l < "$work/w/results/ips/ips_fidelity_national.csv")" -eq 1 ] ||
  { echo "FAIL: fidelity rows without ips_fidelity.csv"; exit 1; }
echo "OK: side inputs digested, re-ingested on change, absent when removed"
