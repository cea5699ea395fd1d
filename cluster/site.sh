# Site settings for the batch scripts, sourced by each of them. Change them here (or export
# the variables before sbatch; sbatch passes the environment on by default).
#
# Modules: load the MPI that HDF5 was built against, before building and in every job, e.g.
#   module load openmpi/4.1 hdf5/1.10-mpi tbb boost
# On Debian machines (and the local test cluster) everything is a system package: nothing to load.
if command -v module >/dev/null 2>&1 && [ -n "${MHBENCH_MODULES:-}" ]; then
  # shellcheck disable=SC2086
  module load $MHBENCH_MODULES
fi

# The mhbench binary (built with `bash scripts/setup.sh`); relative to the submit directory.
MHBENCH_BIN=${MHBENCH_BIN:-build/release/src/cli/mhbench}
# How ranks are started: `srun` (default; Open MPI over PMIx, `srun --mpi=list` shows what the
# site has) or `mpirun` inside the allocation (when srun has no PMIx plugin for this Open MPI).
MHBENCH_LAUNCH=${MHBENCH_LAUNCH:-srun}
MHBENCH_SRUN_MPI=${MHBENCH_SRUN_MPI:-pmix}
# Jobs after ingest; ones not in this build yet are reported and skipped.
MHBENCH_JOBS=${MHBENCH_JOBS:-activity,tt-averages,mhnrg,ips,dq,mhis,clusters,packs}
# Progress lines in the batch log every 10 s (quiet = none).
export MHBENCH_PROGRESS=${MHBENCH_PROGRESS:-log}
# Open MPI refuses root unless told; harmless for other users.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# step NAME COMMAND...: runs COMMAND on every task of the allocation. If any rank fails or is
# killed, the whole step ends at once (--kill-on-bad-exit) and one line says what happened.
step() {
  local name=$1
  shift
  local t0=$SECONDS rc=0
  echo "mhbench: step $name started $(date -u +%FT%TZ) on ${SLURM_NTASKS:-1} task(s) x ${SLURM_CPUS_PER_TASK:-1} cpu(s)"
  if [ "$MHBENCH_LAUNCH" = mpirun ]; then
    mpirun --bind-to none "$@" || rc=$?
  else
    srun --kill-on-bad-exit=1 --mpi="$MHBENCH_SRUN_MPI" "$@" || rc=$?
  fi
  if [ $rc -ne 0 ]; then
    local what="exit status $rc"
    if [ $rc -gt 128 ]; then
      what="a rank ended on signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null || echo ?)); SIGKILL usually means out of memory or the time limit"
    fi
    echo "mhbench: error: step $name failed after $((SECONDS - t0)) s: $what. Nothing of this step was committed (no manifest); resubmit the same command to resume: finished stages are skipped." >&2
    exit $rc
  fi
  echo "mhbench: step $name finished in $((SECONDS - t0)) s"
}
