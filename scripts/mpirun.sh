#!/usr/bin/env bash
# mpirun on the local cores, also as root (containers, CI) and with more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
exec mpirun --oversubscribe "$@"
