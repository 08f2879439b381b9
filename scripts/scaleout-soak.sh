#!/usr/bin/env bash
# The faults soak across processes: the scaleout faults test (crates/opendcc/tests/
# scaleout_faults.rs) run large. Four `opendcc serve` processes on a PostgreSQL cluster and a
# nats-server of the test's own (two fronts: gateway + delivery, one also scheduler + smki; two
# backs: wan + devices) take REQUESTS command variant 1 reads from 16 paced senders over both
# gateways while, at reproducible random points, a gateway, a WAN worker and a delivery worker
# are each killed with SIGKILL and restarted, NATS is stopped and restarted, and PostgreSQL is
# stopped and restarted; afterwards every acknowledged request must have been answered exactly
# once (by delivery id), nothing refused or cut before its commit answered, and every refusal the
# DCC fault (503) or the targets' E11. The machine's PostgreSQL and NATS are not touched: the
# test's cluster is made with initdb (as the postgres user when run as root), its nats-server on
# a free port.
#
#   scripts/scaleout-soak.sh [REQUESTS [SEED]]     (defaults 2000 random)
#   OPENDCC_SOAK_SEND_SECS   how long the senders take (default REQUESTS / 10)
#   OPENDCC_SOAK_RELEASE=0   a debug build instead of --release
#   OPENDCC_PG_BIN           the directory of initdb and postgres (default: PATH, then the newest
#                            /usr/lib/postgresql/*/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-2000}"
seed="${2:-$(( (RANDOM << 15) | RANDOM | 1 ))}"
send_secs="${OPENDCC_SOAK_SEND_SECS:-$(( requests / 10 ))}"
profile=(--release)
[ "${OPENDCC_SOAK_RELEASE:-1}" = 0 ] && profile=()
echo "scaleout faults soak: $requests requests over ${send_secs} s, seed $seed" \
    "(rerun with: $0 $requests $seed)"
# The whole output (with every process's log when the test fails) is kept here.
log="${TMPDIR:-/tmp}/scaleout-soak-$seed.log"
start=$(date +%s)
status=0
OPENDCC_SOAK_REQUESTS="$requests" OPENDCC_SOAK_SEED="$seed" OPENDCC_SOAK_SEND_SECS="$send_secs" \
    cargo test "${profile[@]}" -p opendcc --test scaleout_faults -- --nocapture >"$log" 2>&1 ||
    status=1
grep -E "^faults:|scaleout faults:|test result|panicked|FAILED" -A3 "$log" || true
echo "took $(( $(date +%s) - start )) s (load average: $(cut -d' ' -f1-3 /proc/loadavg)); the whole output: $log"
exit "$status"
