#!/usr/bin/env bash
# tt-averages checks what it reads against the block digests ingest recorded in the store: damage
# in a column it reads (a code column, a children index) fails with one message naming the
# dataset, at any rank count, with or without the store manifest, and writes nothing. Damage in a
# column it does not read leaves its results unchanged and is caught by a job that verifies the
# whole store. A store whose identity differs from its manifest's fails before committing.
# Arguments: the binary and a scratch dir.
set -uo pipefail
bin=$1
work=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet
run() { timeout 120 mpirun --oversubscribe --bind-to none -np "$@"; }
rm -rf "$work" && mkdir -p "$work"
fail=0

run 2 "$bin" synth --out "$work/data" --scale 0.005 --seed 3 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/ref.h5" >/dev/null
run 2 "$bin" run tt-averages --store "$work/ref.h5" --out "$work/good" >/dev/null 2>&1 || { echo "FAIL: the good store"; exit 1; }
# damage DATASET BYTE: a copy of the store (with its manifest) with 8 bytes 0xff written into
# the contiguous dataset at that byte of its data.
damage() {
  local at
  at=$(h5dump -p -H -d "$1" "$work/ref.h5" | awk '/OFFSET/ {print $2; exit}')
  [ -n "$at" ] || { echo "FAIL: no offset of $1"; exit 1; }
  cp "$work/ref.h5" "$work/bad.h5"
  cp "$work/ref.h5.manifest.json" "$work/bad.h5.manifest.json"
  printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$work/bad.h5" bs=1 seek=$((at + $2)) conv=notrunc status=none
}

# expect NAME TEXT NP ARGS...: non-zero, TEXT in stderr, exactly one "mhbench: error", no outputs.
expect() {
  local name=$1 text=$2 np=$3
  shift 3
  rm -rf "$work/out"
  run "$np" "$@" --out "$work/out" >"$work/stdout.txt" 2>"$work/err.txt"
  local rc=$?
  if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then echo "FAIL: $name at $np rank(s): exit $rc"; fail=1; return; fi
  if ! grep -qF -- "$text" "$work/err.txt"; then
    echo "FAIL: $name at $np rank(s): stderr lacks '$text':"; sed 's/^/    /' "$work/err.txt" | head -6; fail=1; return
  fi
  local n
  n=$(grep -c 'mhbench: error' "$work/err.txt")
  [ "$n" -eq 1 ] || { echo "FAIL: $name at $np rank(s): $n error messages, not one"; fail=1; }
  [ ! -e "$work/out/manifest.json" ] || { echo "FAIL: $name at $np rank(s): outputs were committed"; fail=1; }
  echo "ok: $name at $np rank(s)"
}

# A column tt-averages reads: every rank count fails naming it (the damaged block belongs to one
# rank's providers at 2 and 3 ranks: the verdict is agreed over all ranks).
damage /iapt/IDS201CareContact/AttendOrDNACode 16
for np in 1 2 3; do
  expect "codes damaged" "/iapt/IDS201CareContact/AttendOrDNACode rows 0-" "$np" "$bin" run tt-averages --store "$work/bad.h5"
done
grep -qF "does not match the digest ingest recorded: the store was modified or corrupted after ingest" "$work/err.txt" ||
  { echo "FAIL: the damage message does not say what happened"; fail=1; }
# The digests are in the store: without its manifest the damage is still caught.
rm -f "$work/bad.h5.manifest.json"
for np in 1 2; do
  expect "codes damaged, no manifest" "/iapt/IDS201CareContact/AttendOrDNACode rows 0-" "$np" \
    "$bin" run tt-averages --store "$work/bad.h5"
done

# A children index tt-averages follows (referral -> contacts), far into the dataset.
damage /iapt/IDS101Referral/children/IDS201CareContact 800
expect "children index damaged" "/iapt/IDS101Referral/children/IDS201CareContact rows" 2 "$bin" run tt-averages --store "$work/bad.h5"

# A column tt-averages does not read: it runs, and its results are the undamaged store's; a job
# that verifies the whole store first fails naming the column.
damage /iapt/IDS101Referral/ReferralRequestReceivedDate 16
rm -rf "$work/unread"
run 2 "$bin" run tt-averages --store "$work/bad.h5" --out "$work/unread" >/dev/null 2>&1 || { echo "FAIL: damage tt-averages does not read stopped it"; fail=1; }
for f in "$work/good"/*.csv; do
  cmp -s "$f" "$work/unread/$(basename "$f")" || { echo "FAIL: $(basename "$f") differs after damage tt-averages does not read"; fail=1; }
done
echo "ok: damage in a column tt-averages does not read leaves its results unchanged"
expect "unread column, whole-store verification" "/iapt/IDS101Referral/ReferralRequestReceivedDate rows " 2 \
  "$bin" run activity --store "$work/bad.h5"

# An intact store whose manifest records another identity (another ingest's store in its place).
cp "$work/ref.h5" "$work/bad.h5"
sed 's/"digest": "xxh128:[0-9a-f]*"/"digest": "xxh128:00000000000000000000000000000000"/' "$work/ref.h5.manifest.json" >"$work/bad.h5.manifest.json"
expect "identity differs from the manifest" "does not match the digest ingest recorded in" 2 "$bin" run tt-averages --store "$work/bad.h5"

# The undamaged store still runs.
[ -e "$work/good/manifest.json" ] || { echo "FAIL: no outputs from the good store"; fail=1; }
rm -rf "$work"
exit $fail
