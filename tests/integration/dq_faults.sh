#!/usr/bin/env bash
# `mhbench run dq` on generated data: every fault the generator recorded in truth.json is found
# with its recorded count (data-level faults in dq_fields_national, ingest-visible ones in
# dq_quarantine; tests/integration/dq_check.py, an independent checker), and the outputs are
# byte-identical at 1-4 ranks x 1-2 threads (CSVs with cmp, results.h5 with h5diff).
# Arguments: the mhbench binary and a scratch directory.
here=$(cd "$(dirname "$0")" && pwd)
source "$(dirname "$0")/lib/common.sh" "$@"

# truth.json records every injected data-level fault and every value of the same class the
# clean data hold on their own: dq must find exactly their sum.
run 2 "$bin" synth --out "$work/data" --scale 0.01 --seed 11 --faults 0.01 --data-faults 0.02 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/store.h5" >/dev/null
rm -f "$work"/data/*.csv  # the store holds what is needed; truth.json stays
# Referrals carried into the generated year were received up to three years before it (MHSDS
# long-running care, src/synth/gen.hpp kCarryDaysMhsds): the run covers the three years before it
# as well, so every generated record falls in a run year.
years=2020-21:2023-24

same_outputs_at_ranks_threads dq "$work/store.h5" "$years" "$work/out_{}"
/usr/bin/python3 "$here/dq_check.py" "$ref" "$work/data/truth.json"
# Something real was reported at provider level, with disclosure control (multiples of 5).
awk -F, 'NR > 1 && $8 != "" && $8 % 5 != 0 { bad = 1 } END { exit bad }' "$ref/dq_fields_provider.csv" ||
  { echo "FAIL: a provider count is not rounded to 5"; exit 1; }
grep -q '^2023-24,ENG,England,mhsds,snomed_attended_contacts,' "$ref/dq_headline_national.csv"
echo "OK: dq finds every recorded fault; identical at 1-4 ranks x 1-2 threads"
