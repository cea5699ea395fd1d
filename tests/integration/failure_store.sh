#!/usr/bin/env bash
# Clear errors, one message, nothing that looks complete: a truncated store, a store whose bytes
# were changed after ingest, an unreadable input, and a full disk (ingest and job); then a rerun
# gives byte-identical results. Arguments: the mhbench binary and a scratch directory.
set -uo pipefail
bin=$1
work=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet
run() { mpirun --oversubscribe --bind-to none -np "$@"; }
mnt="$work/tiny"
cleanup() { mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"; }
trap cleanup EXIT
cleanup
rm -rf "$work" && mkdir -p "$work"
fail=0

# expect_failure NAME TEXT NP ARGS...: non-zero, TEXT in stderr, exactly one "mhbench: error" line.
expect_failure() {
  local name=$1 text=$2 np=$3
  shift 3
  run "$np" "$@" >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  if [ $rc -eq 0 ]; then echo "FAIL: $name: exit 0"; fail=1; return; fi
  if ! grep -qF -- "$text" "$work/err.txt"; then
    echo "FAIL: $name: stderr lacks '$text':"; sed 's/^/    /' "$work/err.txt" | head -6; fail=1; return
  fi
  local n
  n=$(grep -c 'mhbench: error' "$work/err.txt")
  [ "$n" -eq 1 ] || { echo "FAIL: $name: $n error messages, not one"; fail=1; }
  echo "ok: $name: $(grep -F 'mhbench: error' "$work/err.txt" | cut -c1-200)"
}

run 2 "$bin" synth --out "$work/data" --scale 0.005 --seed 3 >/dev/null
run 2 "$bin" ingest --in "$work/data" --store "$work/ref.h5" >/dev/null
run 2 "$bin" run activity --store "$work/ref.h5" --out "$work/ref" >/dev/null
size=$(stat -c %s "$work/ref.h5")

# 1. Truncated store (an interrupted copy): HDF5 sees the end of file is short.
cp "$work/ref.h5" "$work/trunc.h5"
truncate -s $((size / 2)) "$work/trunc.h5"
expect_failure "truncated store" "truncated file" 2 "$bin" run activity --store "$work/trunc.h5" --out "$work/o1"
[ ! -e "$work/o1/manifest.json" ] || { echo "FAIL: manifest after a truncated store"; fail=1; }

# 2. Raw data bytes changed after ingest: HDF5 cannot see it, the store's manifest digest does.
cp "$work/ref.h5" "$work/bad.h5"
cp "$work/ref.h5.manifest.json" "$work/bad.h5.manifest.json"
printf 'XXXXXXXX' | dd of="$work/bad.h5" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect_failure "store changed after ingest" "does not match the digest ingest recorded" 2 \
  "$bin" run activity --store "$work/bad.h5" --out "$work/o2"
[ ! -e "$work/o2/manifest.json" ] || { echo "FAIL: manifest after a corrupt store"; fail=1; }

# 3. An unreadable input (root reads everything, so drop the capabilities that let it).
cp -r "$work/data" "$work/unreadable"
chmod 000 "$work/unreadable/IDS201CareContact.csv"
expect_failure "unreadable input" "cannot open $work/unreadable/IDS201CareContact.csv: Permission denied" 2 \
  setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search \
  "$bin" ingest --in "$work/unreadable" --store "$work/u.h5"
[ ! -e "$work/u.h5" ] || { echo "FAIL: a store after an unreadable input"; fail=1; }
rm -rf "$work/unreadable"

# 4. A full disk: a 1 MiB tmpfs (needs root and a mount namespace that allows it).
mkdir -p "$mnt"
if mount -t tmpfs -o size=1m tmpfs "$mnt" 2>"$work/mount.txt"; then
  expect_failure "disk full during ingest" "No space left on device" 2 \
    "$bin" ingest --in "$work/data" --store "$mnt/s.h5"
  [ ! -e "$mnt/s.h5" ] && [ ! -e "$mnt/s.h5.manifest.json" ] || { echo "FAIL: a store on a full disk"; fail=1; }
  rm -f "$mnt"/*
  expect_failure "disk full writing results" "No space left on device" 2 \
    "$bin" run activity --store "$work/ref.h5" --out "$mnt/o"
  [ ! -e "$mnt/o/manifest.json" ] || { echo "FAIL: manifest on a full disk"; fail=1; }
  umount "$mnt"
else
  echo "skip: full disk: cannot mount a tmpfs here: $(cat "$work/mount.txt")"
fi

# 5. After all that, a rerun is byte-identical to the first run.
run 2 "$bin" ingest --in "$work/data" --store "$work/again.h5" >/dev/null || { echo "FAIL: ingest rerun"; exit 1; }
run 2 "$bin" run activity --store "$work/again.h5" --out "$work/again" >/dev/null || { echo "FAIL: job rerun"; exit 1; }
cmp "$work/ref.h5" "$work/again.h5" || { echo "FAIL: rerun store differs"; fail=1; }
for f in "$work/ref"/*.csv; do cmp "$f" "$work/again/$(basename "$f")" || fail=1; done
[ $fail -eq 0 ] && echo "ok: a rerun is byte-identical"
exit $fail
