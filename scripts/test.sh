#!/usr/bin/env bash
# Sets up, builds and runs every test (unit, MPI at 1-4 ranks, whole-job integration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ctest --preset release -j "$(nproc)" "$@"
