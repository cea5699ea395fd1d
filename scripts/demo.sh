#!/usr/bin/env bash
# The one command for a newcomer: set up, build, and run `mhbench demo` under mpirun on every
# local core (a generated national sample, ingested, with the jobs run over it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ranks=${MHBENCH_RANKS:-$(nproc)}
bash scripts/mpirun.sh -np "$ranks" build/release/src/cli/mhbench demo --dir demo "$@"
