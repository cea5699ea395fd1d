#!/usr/bin/env bash
# mhnrg on the hand-made fixture tests/fixtures/mhnrg_small (its README works every number by
# hand): the England tables must equal expected/ exactly at 1 and 3 ranks with 1 and 2 threads,
# and the provider level must be suppressed and rounded.
# Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
fixture="$here/../fixtures/mhnrg_small"
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { mpirun --oversubscribe --bind-to none -np "$@"; }

"$bin" ingest --in "$fixture" --store "$work/store.h5" >/dev/null
# Nothing of the fixture may be quarantined: every row is meant to be counted.
[ "$(wc -l <"$work/store.h5.quarantine.csv")" -eq 1 ] || { echo "FAIL: fixture rows quarantined"; cat "$work/store.h5.quarantine.csv"; exit 1; }

for np in 1 3; do
  for th in 1 2; do
    out="$work/out_np${np}_t${th}"
    run "$np" "$bin" run mhnrg --store "$work/store.h5" --year 2022-23:2023-24 --out "$out" --threads "$th" >/dev/null
    for f in mhnrg_units_national.csv mhnrg_needs_national.csv mhnrg_needs_values_national.csv; do
      diff -u "$fixture/expected/$f" "$out/$f" || { echo "FAIL: $f differs from the hand-worked values ($np ranks, $th threads)"; exit 1; }
    done
  done
done
out="$work/out_np1_t1"
# Provider A, adult mood and anxiety: 8 people and referrals -> 10, 18 contacts -> 20, no spells (suppressed).
grep -qx '2023-24,AAA,Provider A,Adult,Mood and anxiety,All,10,10,20,,' "$out/mhnrg_units_provider.csv" ||
  { echo "FAIL: provider rounding"; exit 1; }
# Provider B, the single crisis referral: every count suppressed.
grep -qx '2023-24,BBB,Provider B,Adult,Crisis,All,,,,,' "$out/mhnrg_units_provider.csv" ||
  { echo "FAIL: provider suppression"; exit 1; }
# Provider A needs: 16 people -> 15; the LSOA share 1/16 shown (denominator >= 5).
grep -qx '2023-24,AAA,Provider A,deprivation,15,,,,,15,6.3,0.0' "$out/mhnrg_needs_provider.csv" ||
  { echo "FAIL: provider needs"; exit 1; }
# No identifier of a person, referral, contact, spell or team in any output.
if grep -Eq '(^|,)(P[0-9]+|R[0-9]+[AB]?|CR[0-9A-Z]+|S[12]|T[0-9]{2}|T[AC][0-9]{2})(,|$)' "$out"/*.csv; then
  echo "FAIL: an identifier in the outputs"; exit 1
fi
echo "OK: mhnrg fixture matches the hand-worked values"
