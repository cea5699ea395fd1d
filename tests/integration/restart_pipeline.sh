#!/usr/bin/env bash
# Restart: the pipeline records each stage with the digests of its inputs and outputs; a rerun
# skips what is unchanged (fast), redoes what changed, and the results equal a fresh run's.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet
run() { mpirun --oversubscribe --bind-to none -np "$@"; }
# `mhbench pipeline` once the command has it, else the test driver.
pipe=$bin
pipeline() { run 2 "$pipe" pipeline --in "$work/data" --work "$work/w" --year "$year" --jobs activity "$@" >"$work/log.txt"; }
year=2023-24
fail() { echo "FAIL: $*"; sed 's/^/    /' "$work/log.txt"; exit 1; }
expect() { grep -qF -- "pipeline: $1" "$work/log.txt" || fail "expected '$1'"; }
same_results() {  # the CSVs byte for byte, the store and results.h5 apart from their attributes
  for f in "$work/ref"/*.csv; do cmp -s "$f" "$work/w/results/activity/$(basename "$f")" || fail "$(basename "$f") differs from the first run"; done
  h5diff --exclude-attribute / "$work/ref/results.h5" "$work/w/results/activity/results.h5" >/dev/null || fail "results.h5 differs"
  cmp -s "$work/ref.store.h5" "$work/w/store.h5" || fail "store.h5 differs from the first run's bytes"
}

run 2 "$bin" synth --out "$work/data" --scale 0.002 --seed 11 --faults 0.01 >/dev/null

pipeline
expect "ingest: running (no record of a finished ingest"
expect "activity: running (no finished run"
expect "finished: 2 stage(s) run, 0 skipped"
for f in store.h5 store.h5.manifest.json store.h5.quarantine.csv pipeline.json results/activity/manifest.json; do
  [ -s "$work/w/$f" ] || fail "$f missing after the first run"
done
grep -q '"stage": "ingest"' "$work/w/store.h5.manifest.json" || fail "the store manifest does not name its stage"
mkdir "$work/ref" && cp "$work/w/results/activity/"* "$work/ref/" && cp "$work/w/store.h5" "$work/ref.store.h5"

# 1. Nothing changed: both stages skipped, nothing rewritten.
stamp=$(stat -c %Y.%i "$work/w/store.h5" "$work/w/results/activity/results.h5")
t0=$(date +%s.%N)
pipeline
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
expect "ingest: skipped (inputs unchanged and the store verified)"
expect "activity: skipped"
expect "finished: 0 stage(s) run, 2 skipped"
[ "$stamp" = "$(stat -c %Y.%i "$work/w/store.h5" "$work/w/results/activity/results.h5")" ] || fail "a skipped stage rewrote its outputs"
echo "ok: unchanged inputs: everything skipped in ${secs} s"

# 2. A newer timestamp with the same bytes is not a change: digests decide.
touch "$work/data/IDS201CareContact.csv"
pipeline
expect "ingest: skipped"

# 3. One input changed: ingest and the job are redone; the results follow the input.
cp "$work/data/organisations.csv" "$work/orgs.csv"
sed -i '2s/,[^,]*,/,Renamed Provider,/' "$work/data/organisations.csv"
pipeline
expect "ingest: running (organisations.csv changed since the last run)"
expect "activity: running (the store changed)"
grep -q 'Renamed Provider' "$work/w/results/activity/activity_provider.csv" || fail "the changed input did not reach the results"
echo "ok: a changed input: ingest and activity redone"

# 4. Back to the original input: redone, and identical to the first run.
cp "$work/orgs.csv" "$work/data/organisations.csv"
pipeline
expect "ingest: running"
same_results
echo "ok: back to the original input: results byte-identical to the first run"

# 5. A lost output: only its stage is redone.
rm "$work/w/results/activity/activity_icb.csv"
pipeline
expect "ingest: skipped"
expect "activity: running (activity_icb.csv is missing)"
same_results

# 6. A store damaged after ingest (raw data bytes, invisible to HDF5): ingest is redone.
size=$(stat -c %s "$work/w/store.h5")
printf 'XXXXXXXX' | dd of="$work/w/store.h5" bs=1 seek=$((size / 2)) conv=notrunc status=none
pipeline
expect "ingest: running (store.h5 changed since the last run)"
same_results

# 7. --force redoes everything; still identical.
pipeline --force
expect "ingest: running (--force)"
expect "activity: running (--force)"
same_results

# 8. Another year asked for: the job is redone for it, ingest is not.
year=2022-23
pipeline
grep -qF "activity: running (the results are for 2023-24)" "$work/log.txt" || fail "a different year reused the 2023-24 results"
echo "ok: lost output, damaged store, --force and another year each redo exactly their stage"
