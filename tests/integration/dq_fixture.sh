#!/usr/bin/env bash
# `mhbench run dq` on the hand-made fixtures tests/fixtures/dq_small (Talking Therapies) and
# tests/fixtures/dq_mhsds (MHSDS): the national counts of every field and the headline measures
# equal the ones worked by hand (READMEs there), at 1 and 3 ranks and 1-2 threads; below England
# the counts are suppressed or rounded.
# Arguments: the mhbench binary and a scratch directory.
source "$(dirname "$0")/lib/common.sh" "$@"
fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)

for name in dq_small dq_mhsds; do
  fixture=$fixtures/$name
  run 1 "$bin" ingest --in "$fixture" --store "$work/$name.h5" >/dev/null
  for np in 1 3; do
    for th in 1 2; do
      out="$work/${name}_np${np}_t${th}"
      run "$np" "$bin" run dq --store "$work/$name.h5" --year 2023-24 --out "$out" --threads "$th" >/dev/null
      cut -d, -f4-6,8-13 "$out/dq_fields_national.csv" | diff "$fixture/expected_fields_national.csv" - ||
        { echo "FAIL: $name field counts differ from the hand-worked ones at $np ranks, $th threads"; exit 1; }
      cut -d, -f4,5,7,8 "$out/dq_headline_national.csv" | diff "$fixture/expected_headline_national.csv" - ||
        { echo "FAIL: $name headline measures differ from the hand-worked ones at $np ranks, $th threads"; exit 1; }
    done
  done
done
out="$work/dq_small_np1_t1"
# Provider AAA: 12 contacts -> 10; 9 valid -> 10; 1 default, 1 invalid, 1 missing -> suppressed; 9/12 = 75%.
grep -qx '2023-24,AAA,Provider A,iapt,IDS201CareContact,AttendOrDNACode,attendance,10,10,,,,,75.0' \
  "$out/dq_fields_provider.csv" || { echo "FAIL: provider disclosure control"; exit 1; }
# Monthly: every record is dated April 2023.
grep -q '^2023-24,2023-04,AAA,Provider A,iapt,IDS201CareContact,AttendOrDNACode,' "$out/dq_fields_provider_month.csv"
# Headline targets: SNOMED 4/7 = 57.1% misses 70%; paired outcomes 1/3 = 33.3% misses 40%.
grep -q '^2023-24,ENG,England,iapt,snomed_attended_contacts,.*,4,7,57.1,.*,70.0,no$' "$out/dq_headline_national.csv"
grep -q '^2023-24,ENG,England,iapt,paired_outcomes,.*,1,3,33.3,.*,40.0,no$' "$out/dq_headline_national.csv"
# MHSDS: paired outcomes 1/4 = 25.0% misses 40%; SNOMED 7/11 = 63.6% misses 70%.
out="$work/dq_mhsds_np1_t1"
grep -q '^2023-24,ENG,England,mhsds,paired_outcomes,.*,1,4,25.0,.*,40.0,no$' "$out/dq_headline_national.csv"
grep -q '^2023-24,ENG,England,mhsds,snomed_attended_contacts,.*,7,11,63.6,.*,70.0,no$' "$out/dq_headline_national.csv"
echo "OK: dq counts on dq_small and dq_mhsds equal the hand-worked ones"
