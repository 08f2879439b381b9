#!/usr/bin/env bash
# The kill -9 soak: the durability test (crates/opendcc/tests/durability.rs) run large. The real
# `opendcc demo` binary takes 10,000 command variant 1 reads from 16 concurrent senders and is
# killed with SIGKILL at several reproducible random points, each time restarted on the same data
# directory; afterwards every acknowledged request must have been answered exactly once (by
# delivery id), no refused or uncommitted request answered, and `PRAGMA integrity_check` ok.
#
#   scripts/kill9-soak.sh [REQUESTS [KILLS [SEED]]]     (defaults 10000 5 random)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-10000}"
kills="${2:-5}"
seed="${3:-$(( (RANDOM << 15) | RANDOM | 1 ))}"
echo "kill -9 soak: $requests requests, $kills kills, seed $seed (rerun with: $0 $requests $kills $seed)"
start=$(date +%s)
OPENDCC_SOAK_REQUESTS="$requests" OPENDCC_SOAK_KILLS="$kills" OPENDCC_SOAK_SEED="$seed" \
    cargo test --release -p opendcc --test durability -- --nocapture 2>&1 | grep -E "durability:|test result|panicked|FAILED" -A3
echo "took $(( $(date +%s) - start )) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
