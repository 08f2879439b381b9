#!/usr/bin/env bash
# Runs fuzz targets one at a time for RUNS executions each (default 10,000,000), one in-process
# worker (libFuzzer's default; -jobs=1 would fork a child logging to ./fuzz-0.log instead),
# niced, seeded from scripts/fuzz-seeds.sh, and prints one summary line per target.
#   scripts/fuzz-all.sh [RUNS] [TARGET...]
# Env: FUZZ_BIN (built targets, default $CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release),
#      FUZZ_WORK (corpora, crash artifacts and logs, default /tmp/opendcc-fuzz),
#      FUZZ_MAX_TIME (seconds cap per target, default 600), OPENDCC_CORPUS.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10000000}; shift || true
BIN=${FUZZ_BIN:-${CARGO_TARGET_DIR:-fuzz/target}/x86_64-unknown-linux-gnu/release}
WORK=${FUZZ_WORK:-/tmp/opendcc-fuzz}
MAXT=${FUZZ_MAX_TIME:-600}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=($(ls fuzz/fuzz_targets | sed 's/\.rs$//'))
[ -d "$WORK/seeds" ] || scripts/fuzz-seeds.sh "$WORK/seeds" >/dev/null
mkdir -p "$WORK/logs" "$WORK/artifacts"
printf '%-26s %12s %8s %9s %8s %8s\n' target executions seconds exec/s rss_mb result
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/corpus/$t"
  seeds="$WORK/seeds/$t"; [ -d "$seeds" ] || seeds=""
  log="$WORK/logs/$t.log"
  start=$(date +%s.%N)
  nice -n 10 "$BIN/$t" -runs="$RUNS" -rss_limit_mb=2048 -max_total_time="$MAXT" \
    -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" "$WORK/corpus/$t" $seeds >"$log" 2>&1
  rc=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$')
  res=ok; [ $rc -eq 0 ] || res="CRASH(rc=$rc)"
  eps=$(echo "${execs:-0} / $secs" | bc)
  printf '%-26s %12s %8.0f %9s %8s %8s\n' "$t" "${execs:-?}" "$secs" "$eps" "${rss:-?}" "$res"
done
