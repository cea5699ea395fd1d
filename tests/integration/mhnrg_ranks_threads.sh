#!/usr/bin/env bash
# mhnrg on a generated sample at 1-4 ranks and 1-2 threads: byte-identical CSVs and identical
# results.h5 datasets (exact integer accumulators; distinct people as exact sets; the transition
# rule sees every rank's referrals).
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"

run 2 "$bin" synth --out "$work/data" --scale 0.02 --seed 11 --faults 0.01 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

same_outputs_at_ranks_threads mhnrg "$work/store.h5" 2023-24 "$work/out_{}"
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
