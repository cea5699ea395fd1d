#!/usr/bin/env bash
# mpirun on the local cores, also as root (containers, CI) and with more ranks than cores.
# Ranks on one machine talk through shared memory: the ob1 messaging layer skips Open MPI's probe
# for cluster interconnects (PSM / PSM2), which costs about 0.2 s per run (docs/performance.md).
# Set OMPI_MCA_pml yourself to choose another.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
exec mpirun --oversubscribe "$@"
