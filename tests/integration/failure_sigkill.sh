#!/usr/bin/env bash
# A rank killed with SIGKILL mid-job: the whole job exits non-zero within seconds with one clear
# message from mpirun, leaves nothing that looks complete (no renamed store, no store manifest,
# no manifest.json), and a rerun gives byte-identical results.
# Arguments: the mhbench binary and a scratch directory.
set -uo pipefail
bin=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=quiet
run() { mpirun --oversubscribe --bind-to none -np "$@"; }
fail=0

# The pid of rank R of a running `mhbench SUB`, once it has a file matching PATTERN open.
rank_pid() {  # SUB RANK PATTERN
  for _ in $(seq 1 600); do
    for p in $(pgrep -f -- "$bin $1"); do
      r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
      if [ "$r" = "$2" ] && { [ -z "$3" ] || ls -l "/proc/$p/fd" 2>/dev/null | grep -q -- "$3"; }; then echo "$p"; return 0; fi
    done
    sleep 0.02
  done
  return 1
}

# kill_case NAME SUB RANK PATTERN STOP_FIRST ARGS...: start `mpirun -np 2 mhbench SUB ARGS`, SIGKILL
# the rank, check the exit status, the time to exit and the message.
kill_case() {
  local name=$1 sub=$2 rank=$3 pattern=$4 stop_first=$5
  shift 5
  run 2 "$bin" "$sub" "$@" >"$work/out.txt" 2>"$work/err.txt" &
  local mp=$!
  local victim
  victim=$(rank_pid "$sub" "$rank" "$pattern") || { echo "FAIL: $name: rank $rank never appeared"; fail=1; wait $mp; return; }
  if [ "$stop_first" = 1 ]; then
    # Freeze the rank first so the others are surely mid-job (blocked waiting for it), then kill.
    kill -STOP "$victim"; sleep 1
  fi
  kill -KILL "$victim"
  local t0 t1 rc
  t0=$(date +%s.%N)
  wait $mp; rc=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  if [ $rc -eq 0 ]; then echo "FAIL: $name: exit 0 after a rank was killed"; fail=1; fi
  if awk -v s="$secs" 'BEGIN { exit !(s > 10) }'; then echo "FAIL: $name: took ${secs}s to exit"; fail=1; fi
  if ! grep -q "exited on signal 9 (Killed)" "$work/err.txt"; then
    echo "FAIL: $name: no clear message:"; sed 's/^/    /' "$work/err.txt" | head -8; fail=1
  fi
  echo "ok: $name: exit $rc after ${secs}s: $(grep -o 'process rank .* exited on signal 9 (Killed)' "$work/err.txt")"
}

run 2 "$bin" synth --out "$work/data" --scale 0.02 --seed 5 >/dev/null
# Reference: an undisturbed run.
run 2 "$bin" ingest --in "$work/data" --store "$work/ref.h5" >/dev/null
run 2 "$bin" run activity --store "$work/ref.h5" --out "$work/ref" >/dev/null

# 1. Ingest, rank 1 killed while parsing its share of the extracts.
kill_case "ingest, rank 1 killed while parsing" ingest 1 "$work/data/.*csv" 0 --in "$work/data" --store "$work/s.h5"
[ ! -e "$work/s.h5" ] && [ ! -e "$work/s.h5.manifest.json" ] || { echo "FAIL: a killed ingest left a store or manifest"; fail=1; }
# 2. Ingest, rank 0 killed while the store is being written.
kill_case "ingest, rank 0 killed while writing" ingest 0 "$work/s.h5.partial" 0 --in "$work/data" --store "$work/s.h5"
[ ! -e "$work/s.h5" ] && [ ! -e "$work/s.h5.manifest.json" ] || { echo "FAIL: a killed ingest left a store or manifest"; fail=1; }
# 3. A job, rank 1 frozen then killed while rank 0 waits for it.
kill_case "activity, rank 1 killed mid-job" run 1 "$work/ref.h5" 1 activity --store "$work/ref.h5" --out "$work/o"
[ ! -e "$work/o/manifest.json" ] || { echo "FAIL: a killed job left a manifest.json"; fail=1; }
ls "$work/o" 2>/dev/null | grep -v '^\.' | grep -q . && { echo "FAIL: a killed job left outputs under their final names: $(ls "$work/o")"; fail=1; }

# 4. Rerun after the kills: byte-identical to the undisturbed run.
run 2 "$bin" ingest --in "$work/data" --store "$work/s.h5" >/dev/null || { echo "FAIL: ingest rerun"; exit 1; }
run 2 "$bin" run activity --store "$work/s.h5" --out "$work/o" >/dev/null || { echo "FAIL: job rerun"; exit 1; }
cmp "$work/ref.h5" "$work/s.h5" || { echo "FAIL: the rerun store differs from the undisturbed one"; fail=1; }
for f in "$work/ref"/*.csv; do cmp "$f" "$work/o/$(basename "$f")" || fail=1; done
h5diff --exclude-attribute / "$work/ref/results.h5" "$work/o/results.h5" >/dev/null || { echo "FAIL: results.h5 differs"; fail=1; }
[ $fail -eq 0 ] && echo "ok: reruns after the kills are byte-identical to an undisturbed run"
exit $fail
