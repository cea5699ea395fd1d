#!/usr/bin/env bash
# mhbench against DuckDB on the same national year (not part of the test run; docs/performance.md).
#
#   bash tests/bench/duckdb/bench.sh [WORK] [THREADS]          e.g. bash tests/bench/duckdb/bench.sh /tmp/mhb-duck 2
#
# Environment: MHBENCH_BIN (default build/release/src/cli/mhbench), SCALE (1 = one national year),
# REPEAT (runs of each timed step, default 3; the best is reported), STAGES (any of
# "ingest tt scaling", default "ingest tt"), INGEST_RANKS (default "1 2"), SCALING_RANKS (default
# "2 3 4"), STORE (default WORK/store.h5: the store the tt and scaling stages read), YEAR (default
# 2023-24; the scaling stage also takes a range such as 2022-23:2023-24 over a store of several years).
#
# 1. synth --scale SCALE into WORK/data (once; reused when present).
# 2. Ingest: `mhbench ingest` into WORK/store.h5 at INGEST_RANKS ranks (THREADS threads in all),
#    against DuckDB `read_csv` of the same CSV files into tables of a database file (THREADS threads).
# 3. tt-averages: the store's Talking Therapies rows are exported (tests/bench/duckdb/export_store.cpp)
#    and loaded into DuckDB tables (untimed); then mhbench `run tt-averages` at 1 rank x THREADS
#    threads, 1 rank x 1 thread and 2 ranks x THREADS/2 threads, against tt_averages.sql with
#    SET threads = THREADS. DuckDB's national counts, sums and medians must equal mhbench's exactly
#    (check_tt.mjs), or the benchmark fails.
# 4. scaling (mhbench only, no DuckDB): tt-averages at 1 rank x 1 thread, 1 rank x THREADS threads
#    and SCALING_RANKS ranks x 1 thread (--oversubscribe past the cores), each run's CSVs equal to
#    the first's byte for byte; prints the stage timings of each and the speed-up over 1 x 1; then
#    the launch alone (`mhbench --version` under mpirun at 1 and 2 ranks), the speed-up of the
#    job without it, and the end-to-end ceiling that launch leaves at 2 ranks.
# Each step prints wall seconds (the whole process, as a user sees it), CPU seconds (user + system,
# all ranks and threads: the better measure when the machine is shared), the peak resident memory
# of the largest rank and `uptime`. DuckDB comes from npm
# (@duckdb/node-api, package.json here), installed into WORK/duck; nothing is installed elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
work=${1:-bench-duckdb}
threads=${2:-2}
scale=${SCALE:-1}
repeat=${REPEAT:-3}
stages=${STAGES:-ingest tt}
ingest_ranks=${INGEST_RANKS:-1 2}
scaling_ranks=${SCALING_RANKS:-2 3 4}
bin=${MHBENCH_BIN:-$repo/build/release/src/cli/mhbench}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# As scripts/mpirun.sh: shared memory between local ranks, without the 0.2 s interconnect probe.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ -x "$bin" ] || { echo "bench: no mhbench binary at $bin (build it, or set MHBENCH_BIN)" >&2; exit 1; }
year=${YEAR:-2023-24}
summary=$work/summary-${stages// /-}.txt
: >"$summary"
say() { echo "$@" | tee -a "$summary"; }
load() { uptime | sed 's/.*load average: /load /'; }

store=${STORE:-$work/store.h5}

# ---- DuckDB from npm, in its own folder (not needed for the scaling stage alone)
duck=$work/duck
duck_version=none
if [[ " $stages " == *" ingest "* || " $stages " == *" tt "* ]]; then
  mkdir -p "$duck"
  cp "$here"/package.json "$here"/*.mjs "$here"/*.sql "$duck"/
  if [ ! -d "$duck/node_modules/@duckdb/node-api" ]; then
    (cd "$duck" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  duck_version=$(node -e "console.log(require('$duck/node_modules/@duckdb/node-api/package.json').version)")
fi

# ---- data (the scaling stage alone needs only the store: the CSV may be deleted once ingested)
if [[ " $stages " == *" ingest "* || " $stages " == *" tt "* || ! -f "$store" ]] && [ ! -f "$work/data/IDS101Referral.csv" ]; then
  "$bin" synth --out "$work/data" --scale "$scale" >/dev/null
fi
say "data: $(du -sh "$work/data" 2>/dev/null | cut -f1) of CSV, store $(du -sh "$store" 2>/dev/null | cut -f1), at scale $scale; $(nproc) cores; mhbench $bin; DuckDB $duck_version"

# Runs "$@" under mpirun with NP ranks, /usr/bin/time on every rank. Sets WALL (s), CPU (s, user +
# system of all ranks), RANK_CPU (s, the busiest rank: what bounds the wall time on idle cores) and
# PEAK (MB, the largest rank). Output goes to $work/last.log.
run_ranks() {
  local np=$1
  shift
  rm -f "$work"/time.*
  local t0 t1
  t0=$(date +%s.%N)
  mpirun --oversubscribe --bind-to none -np "$np" bash -c \
    '/usr/bin/time -f "%M %U %S" -o "'"$work"'/time.$OMPI_COMM_WORLD_RANK" "$@"' _ "$@" >"$work/last.log" 2>&1 ||
    { cat "$work/last.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  WALL=$(echo "$t1 - $t0" | bc)
  PEAK=$(( $(cut -d' ' -f1 "$work"/time.* | sort -n | tail -1) / 1024 ))
  CPU=$(awk '{s += $2 + $3} END {printf "%.2f", s}' "$work"/time.*)
  RANK_CPU=$(awk '{c = $2 + $3; if (c > m) m = c} END {printf "%.2f", m}' "$work"/time.*)
}
# Runs "$@" alone under /usr/bin/time; sets WALL and PEAK.
run_one() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/time.one" "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  WALL=$(echo "$t1 - $t0" | bc)
  PEAK=$(( $(cut -d' ' -f1 "$work/time.one") / 1024 ))
  CPU=$(awk '{printf "%.2f", $2 + $3}' "$work/time.one")
  RANK_CPU=$CPU
}
# best LABEL CMD...: REPEAT runs; prints each and keeps the fastest in BEST_WALL / BEST_CPU /
# BEST_RANK_CPU / BEST_PEAK.
best() {
  local label=$1
  shift
  BEST_WALL=; BEST_PEAK=; BEST_CPU=; BEST_RANK_CPU=
  for ((i = 1; i <= repeat; i++)); do
    local l
    l=$(load)
    "$@"
    say "$(printf '  %-34s run %d: %7.2f s wall %7.2f s cpu (busiest rank %5.2f)  peak %6d MB per rank  (%s)' "$label" "$i" "$WALL" "$CPU" "$RANK_CPU" "$PEAK" "$l")"
    if [ -z "$BEST_WALL" ] || [ "$(echo "$WALL < $BEST_WALL" | bc)" = 1 ]; then BEST_WALL=$WALL; BEST_PEAK=$PEAK; fi
    if [ -z "$BEST_CPU" ] || [ "$(echo "$CPU < $BEST_CPU" | bc)" = 1 ]; then BEST_CPU=$CPU; fi
    if [ -z "$BEST_RANK_CPU" ] || [ "$(echo "$RANK_CPU < $BEST_RANK_CPU" | bc)" = 1 ]; then BEST_RANK_CPU=$RANK_CPU; fi
  done
}
ratio() { echo "scale=2; $1 / $2" | bc; }

if [[ " $stages " == *" ingest "* ]]; then
  say "== ingest of the CSV files vs DuckDB read_csv into tables ($threads threads in all)"
  declare -A ing_wall ing_cpu
  for np in $ingest_ranks; do
    t=$(( threads / np )); [ "$t" -ge 1 ] || t=1
    best "mhbench ingest ${np} rank x ${t} thr" run_ranks "$np" "$bin" ingest --in "$work/data" --store "$store" --threads "$t"
    ing_wall[$np]=$BEST_WALL; ing_cpu[$np]=$BEST_CPU
    say "$(printf '  %-34s best:  %7.2f s wall %7.2f s cpu  peak %6d MB per rank' "mhbench ingest ${np} rank" "$BEST_WALL" "$BEST_CPU" "$BEST_PEAK")"
    grep -E "stages on rank 0" "$work/last.log" | sed 's/^ */    /' | tee -a "$summary"
  done
  best "duckdb read_csv ${threads} thr" run_one bash -c "rm -f '$duck/csv.duckdb' '$duck/csv.duckdb.wal'; node '$duck/run_duckdb.mjs' csv '$duck/csv.duckdb' $threads '$work/data'"
  duck_csv=$BEST_WALL; duck_csv_cpu=$BEST_CPU
  say "$(printf '  %-34s best:  %7.2f s wall %7.2f s cpu  peak %6d MB' "duckdb read_csv" "$BEST_WALL" "$BEST_CPU" "$BEST_PEAK")"
  say "  $(grep -h 'duckdb read_csv' "$work/last.log")"
  for np in $ingest_ranks; do
    say "  ratio DuckDB read_csv / mhbench ingest at $np rank(s): wall $(ratio "$duck_csv" "${ing_wall[$np]}"), cpu $(ratio "$duck_csv_cpu" "${ing_cpu[$np]}") (above 1: mhbench faster)"
  done
  rm -f "$duck/csv.duckdb" "$duck/csv.duckdb.wal"
fi

[[ " $stages " != *" tt "* && " $stages " != *" scaling "* ]] || [ -f "$store" ] ||
  "$bin" ingest --in "$work/data" --store "$store" >/dev/null

if [[ " $stages " == *" tt "* ]]; then
  say "== tt-averages from the store vs DuckDB over the same rows in native tables"
  if [ ! -f "$duck/tt.duckdb" ] || [ "$store" -nt "$duck/tt.duckdb" ]; then
    h5inc=$(pkg-config --cflags hdf5-openmpi 2>/dev/null || echo -I/usr/include/hdf5/openmpi)
    h5lib=$(pkg-config --libs hdf5-openmpi 2>/dev/null || echo "-L/usr/lib/x86_64-linux-gnu/hdf5/openmpi -lhdf5")
    mpicxx -O2 -std=c++20 $h5inc "$here/export_store.cpp" $h5lib -o "$duck/export_store"
    mkdir -p "$work/export"
    "$duck/export_store" "$store" "$work/export"
    rm -f "$duck/tt.duckdb" "$duck/tt.duckdb.wal"
    node "$duck/run_duckdb.mjs" load "$duck/tt.duckdb" "$work/export" "$repo/src/reference/2025-26" | tee -a "$summary"
    rm -rf "$work/export"
  fi
  best "mhbench tt 1 rank x 1 thr" run_ranks 1 "$bin" run tt-averages --store "$store" --year $year --out "$work/tt-1x1" --threads 1
  tt11=$BEST_WALL; tt11_cpu=$BEST_CPU
  best "mhbench tt 1 rank x $threads thr" run_ranks 1 "$bin" run tt-averages --store "$store" --year $year --out "$work/tt-1" --threads "$threads"
  tt1=$BEST_WALL; tt1_peak=$BEST_PEAK; tt1_cpu=$BEST_CPU
  t2=$(( threads / 2 )); [ "$t2" -ge 1 ] || t2=1
  best "mhbench tt 2 ranks x $t2 thr" run_ranks 2 "$bin" run tt-averages --store "$store" --year $year --out "$work/tt-2" --threads "$t2"
  tt2=$BEST_WALL; tt2_peak=$BEST_PEAK; tt2_cpu=$BEST_CPU
  grep -h '"timings_seconds"' -A8 "$work/tt-2/manifest.json" | tr -d '\n ' | sed 's/^/    stages (2 ranks): /' | tee -a "$summary"; echo | tee -a "$summary"
  cmp -s "$work/tt-1/tt_provider.csv" "$work/tt-2/tt_provider.csv" && cmp -s "$work/tt-1/tt_national.csv" "$work/tt-2/tt_national.csv" ||
    { echo "bench: tt-averages outputs differ between 1 and 2 ranks" >&2; exit 1; }
  best "duckdb tt $threads thr" run_one node "$duck/run_duckdb.mjs" tt "$duck/tt.duckdb" "$threads" 2023-04-01 2024-03-31 "$duck/tt.json"
  duck_tt=$BEST_WALL; duck_peak=$BEST_PEAK; duck_tt_cpu=$BEST_CPU
  say "  $(grep -h 'duckdb' "$work/last.log" | tr '\n' ' ')"
  node "$duck/check_tt.mjs" "$work/tt-1" "$duck/tt.json" | tee -a "$summary"
  say "  ratio DuckDB / mhbench (1 rank x $threads thr): wall $(ratio "$duck_tt" "$tt1"), cpu $(ratio "$duck_tt_cpu" "$tt1_cpu");  DuckDB / mhbench (2 ranks): wall $(ratio "$duck_tt" "$tt2"), cpu $(ratio "$duck_tt_cpu" "$tt2_cpu")"
  say "  strong scaling 1 rank x 1 thr -> 2 ranks x $t2 thr: wall $(ratio "$tt11" "$tt2") (cpu 1 rank $tt11_cpu s, 2 ranks $tt2_cpu s);  peak MB: mhbench $tt1_peak (1 rank), $tt2_peak (2 ranks), DuckDB $duck_peak"
fi
if [[ " $stages " == *" scaling "* ]]; then
  say "== tt-averages strong scaling (one store, outputs byte-identical at every rank and thread count)"
  tt_run() {  # tt_run NP THREADS
    best "mhbench tt $1 rank(s) x $2 thr" run_ranks "$1" "$bin" run tt-averages --store "$store" --year $year --out "$work/tt-$1x$2" --threads "$2"
    grep -h '"timings_seconds"' -A8 "$work/tt-$1x$2/manifest.json" | tr -d '\n ' | sed 's/^/    stages: /' | tee -a "$summary"; echo | tee -a "$summary"
    for f in "$work/tt-1x1"/*.csv; do
      cmp -s "$f" "$work/tt-$1x$2/$(basename "$f")" || { echo "bench: $(basename "$f") differs at $1 rank(s) x $2 thread(s)" >&2; exit 1; }
    done
  }
  # Speed-up on wall time, and on the busiest rank's CPU time (the wall time the run would take
  # with a free core per rank: what a loaded machine cannot show); CPU in all, relative to 1 x 1.
  speedups() { say "  $1: speed-up $(ratio "$base_wall" "$BEST_WALL") wall, $(ratio "$base_cpu" "$BEST_RANK_CPU") busiest-rank CPU; CPU in all $(ratio "$BEST_CPU" "$base_cpu")x of 1 x 1"; }
  tt_run 1 1
  base_wall=$BEST_WALL; base_cpu=$BEST_CPU
  tt_run 1 "$threads"
  say "  1 rank x $threads thr: speed-up $(ratio "$base_wall" "$BEST_WALL") wall; CPU in all $(ratio "$BEST_CPU" "$base_cpu")x of 1 x 1"
  for np in $scaling_ranks; do
    tt_run "$np" 1
    speedups "$np ranks x 1 thr"
    [ "$np" = 2 ] && tt2_wall=$BEST_WALL
  done
  # What no rank count divides: launching the processes, MPI_Init, MPI_Finalize and exit, timed
  # as `mhbench --version` under mpirun. With it, the best 2 ranks can do is L2 + (T1 - L1) / 2.
  if [ -n "${tt2_wall:-}" ]; then
    best "launch only, 1 rank" run_ranks 1 "$bin" --version
    l1=$BEST_WALL
    best "launch only, 2 ranks" run_ranks 2 "$bin" --version
    l2=$BEST_WALL
    job1=$(echo "$base_wall - $l1" | bc) job2=$(echo "$tt2_wall - $l2" | bc)
    say "$(printf '  launch 1 rank %.3f s, 2 ranks %.3f s; the job without it, 1 -> 2 ranks: %.3f -> %.3f s, speed-up %s; end-to-end ceiling at 2 ranks with a perfect split of the job: %s' \
      "$l1" "$l2" "$job1" "$job2" "$(ratio "$job1" "$job2")" "$(ratio "$base_wall" "$(echo "$l2 + $job1 / 2" | bc -l)")")"
  fi
fi
say "summary in $summary"
