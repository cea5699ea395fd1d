#!/usr/bin/env bash
# MHSDS realism over several years (issue 3): a 2021-22:2023-24 run at scale 0.02 on 2 ranks,
# whose realism report (last year, 2023-24) has every MHSDS figure within tolerance, includes
# the headline rows, and is byte-identical to a 1-rank run of the same seed.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

mpirun --oversubscribe --bind-to none -np 2 "$bin" synth --out "$work/a" --scale 0.02 --seed 31 \
  --years 2021-22:2023-24 --report > "$work/report.txt" 2>&1 || true  # IAPT rows are checked elsewhere
"$bin" synth --out "$work/b" --scale 0.02 --seed 31 --years 2021-22:2023-24 >/dev/null
for f in "$work"/a/MHS*.csv "$work"/a/organisations.csv; do
  cmp -s "$f" "$work/b/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs between 2 ranks and 1"; exit 1; }
done
for row in "MHSDS people in contact in the year" "MHSDS attended contacts a month" "MHSDS ICBs of the submitters" \
           "MHSDS inpatient bed days in the year" "MHSDS IPS referrals with a direct contact" \
           "MHSDS care clusters started in the year (after 2022-23)"; do
  grep -F "$row" "$work/report.txt" | grep -q ' OK$' || { echo "FAIL: no OK row '$row'"; grep -F "MHSDS" "$work/report.txt"; exit 1; }
done
if grep '^MHSDS' "$work/report.txt" | grep -q 'FAIL$'; then
  echo "FAIL: MHSDS figures out of tolerance:"; grep '^MHSDS' "$work/report.txt" | grep 'FAIL$'; exit 1
fi
echo "OK: MHSDS realism over three years, same bytes at 1 and 2 ranks"
rm -rf "$work"
