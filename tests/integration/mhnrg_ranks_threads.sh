#!/usr/bin/env bash
# mhnrg on a generated sample at 1-4 ranks and 1-2 threads: byte-identical CSVs and identical
# results.h5 datasets (exact integer accumulators; distinct people as exact sets; the transition
# rule sees every rank's referrals).
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
run() { mpirun --oversubscribe --bind-to none -np "$@"; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

run 2 "$bin" synth --out "$work/data" --scale 0.02 --seed 11 --faults 0.01 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

ref=""
for np in 1 2 3 4; do
  for th in 1 2; do
    out="$work/out_np${np}_t${th}"
    run "$np" "$bin" run mhnrg --store "$work/store.h5" --year 2023-24 --out "$out" --threads "$th" >/dev/null
    if [ -z "$ref" ]; then ref=$out; continue; fi
    for f in "$ref"/*.csv; do
      cmp "$f" "$out/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs at $np ranks, $th threads"; exit 1; }
    done
    h5diff --exclude-attribute / "$ref/results.h5" "$out/results.h5" >/dev/null ||
      { echo "FAIL: results.h5 differs at $np ranks, $th threads"; exit 1; }
  done
done
# Something real was computed: England has adult psychosis referrals with contacts, crisis-setting
# contacts and inpatient bed days, and the provider level is rounded to 5 (or suppressed).
grep -Eq '^2023-24,ENG,England,Adult,Psychosis and bipolar,All,[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*,' "$ref/mhnrg_units_national.csv" ||
  { echo "FAIL: no adult psychosis referrals"; exit 1; }
grep -Eq ',Crisis,[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*,0,0$' "$ref/mhnrg_units_national.csv" ||
  { echo "FAIL: no crisis-setting contacts"; exit 1; }
grep -Eq ',Inpatient,[1-9][0-9]*,[1-9][0-9]*,[0-9]+,[1-9][0-9]*,[1-9][0-9]*$' "$ref/mhnrg_units_national.csv" ||
  { echo "FAIL: no inpatient spells"; exit 1; }
/usr/bin/python3 - "$ref/mhnrg_units_provider.csv" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    for c in ("people", "referrals", "attended_contacts", "hospital_spells", "bed_days"):
        v = row[c]
        if v != "" and (int(v) % 5 != 0 or int(v) < 5):
            sys.exit(f"FAIL: provider {c} {v} is not suppressed or rounded to 5")
PY
echo "OK: mhnrg identical at 1-4 ranks x 1-2 threads"
