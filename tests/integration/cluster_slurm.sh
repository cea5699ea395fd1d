#!/usr/bin/env bash
# The batch scripts under a real Slurm: a one-node cluster on this machine (cluster/local-slurm.sh:
# munged, slurmctld, slurmd), the yearly pipeline submitted with sbatch as a job array over two
# financial years, then ingest + job as two dependent submissions, then a failing submission.
# Checks outputs, job states and exit codes, and that results equal a plain mpirun's. Stops the
# daemons it started. Arguments: the mhbench binary and a scratch directory.
set -euo pipefail
bin=$(readlink -f "$1")
work=$2
repo="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work" && mkdir -p "$work"
work=$(cd "$work" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 MHBENCH_PROGRESS=log
[ "$(id -u)" -eq 0 ] || { echo "skip: a local Slurm cluster needs root"; exit 77; }
pipe=$bin

# A private cluster: own state directory and ports, so a developer's instance is not touched.
export MHBENCH_SLURM_DIR
MHBENCH_SLURM_DIR=$(mktemp -d /tmp/mhbench-slurm-test.XXXXXX)
export MHBENCH_SLURM_PORT=$((20000 + ($$ % 2000) * 2))
export SLURM_CONF=$MHBENCH_SLURM_DIR/slurm.conf
trap 'bash "$repo/cluster/local-slurm.sh" stop >/dev/null 2>&1 || true; rm -rf "$MHBENCH_SLURM_DIR"' EXIT
bash "$repo/cluster/local-slurm.sh" start

fail() { echo "FAIL: $*"; exit 1; }
# state JOBID: "STATE EXITCODE" of a finished job (or array task "ID_I") from scontrol. `sbatch
# --wait` can return while the controller still shows the job COMPLETING (its steps being cleaned
# up): wait up to 30 s for the final state.
state() {
  local s
  for _ in $(seq 60); do
    s=$(scontrol show job "$1" | tr ' ' '\n' | grep -E '^(JobState|ExitCode)=' | cut -d= -f2 | paste -sd' ')
    [[ $s == COMPLETING* ]] || break
    sleep 0.5
  done
  echo "$s"
}

for y in 2022-23 2023-24; do
  mpirun --oversubscribe -np 2 "$bin" synth --out "$work/extracts/$y" --year "$y" --scale 0.002 --seed 3 >/dev/null
done

# Small requests for the 2-CPU test node; a site uses the scripts' own (#SBATCH lines).
small=(--ntasks=2 --cpus-per-task=1 --mem-per-cpu=1G --time=10 --chdir="$repo")
cd "$work"

# 1. The yearly pipeline as a job array over two years.
t0=$SECONDS
id=$(MHBENCH_BIN=$pipe MHBENCH_JOBS=activity sbatch --parsable --wait --array=0-1 "${small[@]}" \
  --output="$work/pipeline-%A_%a.log" "$repo/cluster/pipeline.sbatch" "$work/extracts" "$work/years" 2022-23 2023-24) ||
  { cat "$work"/pipeline-*.log; fail "the pipeline array failed"; }
for i in 0 1; do
  s=$(state "${id}_$i")
  [ "$s" = "COMPLETED 0:0" ] || { cat "$work/pipeline-${id}_$i.log"; fail "array task $i ended $s"; }
done
for y in 2022-23 2023-24; do
  for f in store.h5 store.h5.manifest.json pipeline.json results/activity/manifest.json results/activity/activity_national.csv; do
    [ -s "$work/years/$y/$f" ] || fail "$y: $f missing"
  done
  grep -q "^$y,iapt,ENG,England,referrals_received,All,[1-9]" "$work/years/$y/results/activity/activity_national.csv" ||
    fail "$y: no referrals in the results"
done
grep -q "mhbench: step pipeline 2023-24 finished" "$work/pipeline-${id}_1.log" || fail "no step line in the batch log"
echo "ok: pipeline array ($id, 2 years) COMPLETED 0:0 in $((SECONDS - t0)) s"

# 2. Resubmitted: everything is skipped.
id2=$(MHBENCH_BIN=$pipe MHBENCH_JOBS=activity sbatch --parsable --wait "${small[@]}" --output="$work/rerun.log" \
  "$repo/cluster/pipeline.sbatch" "$work/extracts" "$work/years" 2023-24) || { cat "$work/rerun.log"; fail "the resubmission failed"; }
grep -q "pipeline: finished: 0 stage(s) run, 2 skipped" "$work/rerun.log" || { cat "$work/rerun.log"; fail "a resubmission redid finished stages"; }
echo "ok: resubmitted ($id2): every stage skipped"

# 3. ingest and a job as two submissions, the second after the first (afterok).
export MHBENCH_BIN=$bin
ing=$(sbatch --parsable "${small[@]}" --output="$work/ingest.log" "$repo/cluster/ingest.sbatch" \
  "$work/extracts/2023-24" "$work/separate/store.h5")
job=$(sbatch --parsable --wait --dependency=afterok:"$ing" --kill-on-invalid-dep=yes "${small[@]}" --output="$work/job.log" \
  "$repo/cluster/job.sbatch" activity "$work/separate/store.h5" "$work/separate/activity" 2023-24) ||
  { cat "$work/ingest.log" "$work/job.log"; fail "ingest + job submissions failed"; }
[ "$(state "$ing")" = "COMPLETED 0:0" ] && [ "$(state "$job")" = "COMPLETED 0:0" ] || fail "ingest/job states: $(state "$ing") / $(state "$job")"

# The same results as mpirun outside Slurm, and as the pipeline's.
mpirun --oversubscribe -np 2 "$bin" run activity --store "$work/years/2023-24/store.h5" --year 2023-24 --out "$work/plain" >/dev/null
for f in "$work/plain"/*.csv; do
  cmp "$f" "$work/separate/activity/$(basename "$f")" || fail "$(basename "$f"): sbatch job differs from mpirun"
  cmp "$f" "$work/years/2023-24/results/activity/$(basename "$f")" || fail "$(basename "$f"): pipeline differs from mpirun"
done
echo "ok: ingest.sbatch -> job.sbatch (afterok) COMPLETED 0:0; results equal mpirun's"

# 4. A failing submission: FAILED, non-zero exit code, one clear message in the log.
bad=$(sbatch --parsable --wait "${small[@]}" --output="$work/bad.log" "$repo/cluster/job.sbatch" activity \
  "$work/nosuch.h5" "$work/bad" 2023-24) && fail "a job on a missing store succeeded" || true
bad=${bad:-$(sed -n 's/.*job \([0-9]*\).*/\1/p' "$work/bad.log" | head -1)}
s=$(state "$bad")
case $s in FAILED\ [1-9]*) ;; *) cat "$work/bad.log"; fail "failing job ended '$s'";; esac
[ "$(grep -c 'mhbench: error' "$work/bad.log")" -ge 1 ] && grep -q "nosuch.h5" "$work/bad.log" || { cat "$work/bad.log"; fail "no clear message"; }
[ ! -e "$work/bad/manifest.json" ] || fail "a failed job left a manifest"
echo "ok: a failing submission ends $s with: $(grep 'mhbench: error' "$work/bad.log" | head -1 | cut -c1-160)"
