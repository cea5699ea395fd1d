#!/usr/bin/env bash
# tt-averages verifies the store while it reads (rank 0 digests it on a thread of its own):
# a store whose bytes changed after ingest still fails with the digest message, once, at any
# rank count, and writes nothing; without a store manifest, codes outside their dictionary are
# a clear error rather than a read past a lookup table. Arguments: the binary and a scratch dir.
set -uo pipefail
bin=$1
work=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet
run() { timeout 120 mpirun --oversubscribe --bind-to none -np "$@"; }
rm -rf "$work" && mkdir -p "$work"
fail=0

run 2 "$bin" synth --out "$work/data" --scale 0.005 --seed 3 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/ref.h5" >/dev/null
# Byte offset of the contiguous AttendOrDNACode column of IDS201 in the file.
at=$(h5dump -p -H -d /iapt/IDS201CareContact/AttendOrDNACode "$work/ref.h5" | awk '/OFFSET/ {print $2; exit}')
[ -n "$at" ] || { echo "FAIL: no offset of IDS201CareContact/AttendOrDNACode"; exit 1; }

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

for where in 16; do
  cp "$work/ref.h5" "$work/bad.h5"
  cp "$work/ref.h5.manifest.json" "$work/bad.h5.manifest.json"
  printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$work/bad.h5" bs=1 seek=$((at + where)) conv=notrunc status=none
  for np in 1 2 3; do
    expect "codes damaged at +$where" "does not match the digest ingest recorded" "$np" \
      "$bin" run tt-averages --store "$work/bad.h5"
  done
done
rm -f "$work/bad.h5.manifest.json"
for np in 1 2; do
  expect "damaged codes, no manifest" "AttendOrDNACode holds code 65535 outside its dictionary" "$np" \
    "$bin" run tt-averages --store "$work/bad.h5"
done
# The undamaged store still runs.
run 2 "$bin" run tt-averages --store "$work/ref.h5" --out "$work/good" >/dev/null 2>&1 || { echo "FAIL: the good store"; fail=1; }
[ -e "$work/good/manifest.json" ] || { echo "FAIL: no outputs from the good store"; fail=1; }
rm -rf "$work"
exit $fail
