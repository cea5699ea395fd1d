#!/usr/bin/env bash
# The command's failures: a missing column or file, a store that is not a store, and a job run
# that fails, each end the run non-zero with one message naming what is wrong, at 1 and 2 ranks,
# leaving no output that looks complete. Arguments: the mhbench binary and a scratch directory.
set -uo pipefail
bin=$1
work=$2
fixture="$(cd "$(dirname "$0")/../fixtures/ingest_small" && pwd)"
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fail=0

# expect_failure NAME EXPECTED_TEXT NP ARGS...: non-zero exit and the text in stderr.
expect_failure() {
  local name=$1 text=$2 np=$3
  shift 3
  mpirun --oversubscribe -np "$np" "$bin" "$@" >"$work/out.txt" 2>"$work/err.txt"
  local rc=$?
  if [ $rc -eq 0 ]; then echo "FAIL: $name: exit 0"; fail=1; return; fi
  if ! grep -qF -- "$text" "$work/err.txt"; then
    echo "FAIL: $name: stderr lacks '$text':"; sed 's/^/    /' "$work/err.txt" | head -5; fail=1; return
  fi
  echo "ok: $name ($np rank(s)): $(grep -F 'mhbench: error' "$work/err.txt" | head -1)"
}

for np in 1 2; do
  cp -r "$fixture" "$work/nocol"
  # Drop CareContDate (4th column) from the contacts file.
  cut -d, -f1-3,5- "$fixture/IDS201CareContact.csv" >"$work/nocol/IDS201CareContact.csv"
  expect_failure "missing column" "missing required column 'CareContDate'; file $work/nocol/IDS201CareContact.csv; table IDS201CareContact; row 1; field CareContDate" \
    "$np" ingest --in "$work/nocol" --store "$work/nocol.h5"
  [ ! -e "$work/nocol.h5" ] || { echo "FAIL: a store was left behind after a failed ingest"; fail=1; }

  cp -r "$fixture" "$work/nofile"
  rm "$work/nofile/IDS603PresentingComplaints.csv"
  expect_failure "missing file" "missing input file IDS603PresentingComplaints.csv" "$np" \
    ingest --in "$work/nofile" --store "$work/nofile.h5"

  echo "not hdf5" >"$work/junk.h5"
  expect_failure "not a store" "junk.h5" "$np" run activity --store "$work/junk.h5" --out "$work/junk-out"
  [ ! -e "$work/junk-out/manifest.json" ] || { echo "FAIL: a manifest was written by a failed run"; fail=1; }

  expect_failure "unknown job" "job 'nosuchjob'" "$np" run nosuchjob --store "$work/junk.h5" --out "$work/x"
  expect_failure "bad year" "financial year '2023-25'" "$np" run activity --store "$work/junk.h5" --year 2023-25 --out "$work/x"
  rm -rf "$work/nocol" "$work/nofile"
done

for sub in synth ingest run demo; do
  "$bin" "$sub" --help >/dev/null 2>&1 || { echo "FAIL: mhbench $sub --help"; fail=1; }
done
exit $fail
