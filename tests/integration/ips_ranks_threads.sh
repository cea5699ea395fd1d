#!/usr/bin/env bash
# mhbench run ips on a generated sample (two years, so referrals carried over count again) at
# 1-4 ranks and 1-2 threads: byte-identical CSVs and identical results.h5 datasets; the generated
# side inputs reach the results (targets for every ICB, fidelity in every band).
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

run 2 "$bin" synth --out "$work/data" --scale 0.01 --seed 7 --years 2022-23:2023-24 --faults 0.01 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

same_outputs_at_ranks_threads ips "$work/store.h5" 2022-23:2023-24 "$work/out_{}"
# Something real was computed: England has IPS referrals by both routes, access in 2023-24,
# a target (the scaled ambition: 55,000 x 0.01 = 550), and teams in every fidelity band.
nat="$ref/ips_national.csv"
awk -F, 'NR > 1 && $1 == "2023-24" { if ($4 > 0 && $5 > 0 && $6 > 0 && $10 > 0 && $12 == 550) ok = 1 } END { exit !ok }' "$nat" ||
  { echo "FAIL: England 2023-24 row lacks referrals by each route, access or the 550 target"; cat "$nat"; exit 1; }
for band in "Not supported employment" "Fair" "Good" "Exemplary"; do
  awk -F, -v b="$band" 'NR > 1 && $1 == "2023-24" && $4 == b && $5 > 0 { ok = 1 } END { exit !ok }' \
    "$ref/ips_fidelity_national.csv" || { echo "FAIL: no team in band $band"; exit 1; }
done
awk -F, 'NR > 1 && $1 == "2023-24" && $4 == "All" && $6 > 0 { ok = 1 } END { exit !ok }' "$ref/ips_fidelity_national.csv" ||
  { echo "FAIL: no overdue fidelity review"; exit 1; }
# Every ICB of the lookup has its target row (CSV-aware: ICB names hold commas).
"$py" - "$work/data/organisations.csv" "$ref/ips_icb.csv" <<'PY' || { echo "FAIL: ICB targets"; exit 1; }
import csv, sys
icbs = {r["icb_code"] for r in csv.DictReader(open(sys.argv[1]))}
with_target = {r["org_code"] for r in csv.DictReader(open(sys.argv[2])) if r["financial_year"] == "2023-24" and r["target"]}
sys.exit(0 if icbs == with_target else f"ICBs without a target: {sorted(icbs - with_target)}")
PY
echo "OK: ips identical at 1-4 ranks x 1-2 threads"
