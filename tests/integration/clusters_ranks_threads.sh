#!/usr/bin/env bash
# clusters on a generated 2022-23 sample at 1-4 ranks and 1-2 threads: byte-identical CSVs and
# identical results.h5 datasets (exact integer counts); the generated data has clustered
# referrals and late reviews (the generator makes about a quarter late), so adherence is
# strictly between 0 and 1; a year after clusters ended gives header-only tables and a note.
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"

run 2 "$bin" synth --out "$work/data" --year 2022-23 --scale 0.02 --seed 7 --faults 0.01 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

same_outputs_at_ranks_threads clusters "$work/store.h5" 2022-23 "$work/out_{}"
for level in national region icb provider; do
  for t in caseload summary; do
    [ -s "$ref/clusters_${t}_${level}.csv" ] || { echo "FAIL: no clusters_${t}_${level}.csv"; exit 1; }
  done
done
# England: open referrals, some clustered (share strictly between 0 and 1), reviews with some late.
line=$(sed -n 2p "$ref/clusters_summary_national.csv")
awk -F, '{ if (!($4 > 0 && $5 > 0 && $5 < $4 && $9 > 0 && $10 > 0 && $10 < $9)) exit 1 }' <<<"$line" ||
  { echo "FAIL: implausible England summary: $line"; exit 1; }
# The super-class totals add up to the overall caseload.
awk -F, 'NR > 1 && $4 != "All" && $5 == "All" && $4 != "Invalid/Unknown" { s += $8 }
         NR > 1 && $4 == "Invalid/Unknown" { s += $8 }
         NR > 1 && $4 == "All" { all = $8 } END { exit !(s == all && all > 0) }' "$ref/clusters_caseload_national.csv" ||
  { echo "FAIL: super classes do not add up to the caseload"; exit 1; }
# A year after clusters ended: the run completes, says so, and its tables have no rows.
msg=$("$bin" run clusters --store "$work/store.h5" --year 2023-24 --out "$work/late" 2>&1)
grep -q "last used in 2022-23" <<<"$msg" || { echo "FAIL: no note about 2022-23: $msg"; exit 1; }
for f in "$work/late"/clusters_*.csv; do
  [ "$(wc -l < "$f")" = 1 ] || { echo "FAIL: $(basename "$f") has rows for 2023-24"; exit 1; }
done
echo "OK: clusters identical at 1-4 ranks x 1-2 threads"
