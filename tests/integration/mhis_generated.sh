#!/usr/bin/env bash
# mhis on a generated sample: byte-identical CSVs and identical results.h5 at 1-4 ranks x 1-2
# threads; England's MHIS total equals an independent sum of the generated mhis_ledger.csv (core
# categories, Baseline funding only); the other jobs' results, when present beside --out, give
# unit costs; a ledger with a bad row fails with a message naming the file, row and field.
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"

run 2 "$bin" synth --out "$work/data" --year 2022-23 --scale 0.01 --seed 11 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null

same_outputs_at_ranks_threads mhis "$work/store.h5" 2022-23 "$work/results_{}/mhis"

# Independent sum: core categories (not 16, 17, 18a-c, 19, ADHD, not applicable), Baseline only.
want=$(awk -F, 'NR > 1 && $2 == "2022-23" && $4 == "Baseline" &&
                $3 !~ /^(16|17|18a|18b|18c|19|ADHD|not applicable)$/ { s += $5 } END { printf "%.2f", s }' \
           "$work/data/mhis_ledger.csv")
got=$(awk -F, 'NR == 2 { print $4 }' "$ref/mhis_totals_national.csv")
[ "$want" = "$got" ] || { echo "FAIL: England MHIS total $got, ledger says $want"; exit 1; }
all=$(awk -F, 'NR > 1 && $2 == "2022-23" { s += $5 } END { printf "%.2f", s }' "$work/data/mhis_ledger.csv")
got_all=$(awk -F, 'NR == 2 { print $10 }' "$ref/mhis_totals_national.csv")
[ "$all" = "$got_all" ] || { echo "FAIL: England ledger total $got_all, ledger says $all"; exit 1; }

# With the other jobs' results beside it, every unit cost at England is available.
results=$(dirname "$ref")
for job in tt-averages activity mhnrg; do
  run 2 "$bin" run "$job" --store "$work/store.h5" --year 2022-23 --out "$results/$job" >/dev/null
done
run 2 "$bin" run mhis --store "$work/store.h5" --year 2022-23 --out "$ref" >/dev/null
n=$(awk -F, 'NR > 1 && $12 == "available" && $10 != "" { n++ } END { print n + 0 }' "$ref/mhis_unit_costs_national.csv")
[ "$n" = 5 ] || { echo "FAIL: $n of 5 England unit costs available"; cat "$ref/mhis_unit_costs_national.csv"; exit 1; }

# A bad row: the error names the file, row (line) and field.
cp -r "$work/data" "$work/bad"
echo "$(sed -n 2p "$work/data/mhis_ledger.csv" | cut -d, -f1-4),-12" >> "$work/bad/mhis_ledger.csv"
line=$(wc -l < "$work/bad/mhis_ledger.csv")
"$bin" ingest --in "$work/bad" --store "$work/bad.h5" >/dev/null
if msg=$("$bin" run mhis --store "$work/bad.h5" --year 2022-23 --out "$work/bad_out" 2>&1); then
  echo "FAIL: a negative amount was accepted"; exit 1
fi
for part in "negative amount" "mhis_ledger.csv" "row $line" "field amount"; do
  grep -q "$part" <<<"$msg" || { echo "FAIL: '$part' not in: $msg"; exit 1; }
done
[ ! -e "$work/bad_out/results.h5" ] || { echo "FAIL: a failed run left results"; exit 1; }
echo "OK: mhis identical at 1-4 ranks x 1-2 threads; totals match the ledger; bad row named"
