#!/usr/bin/env bash
# The faults soak across processes: the scaleout faults test (crates/opendcc/tests/
# scaleout_faults.rs) run large. Four `opendcc serve` processes on one PostgreSQL database and a
# nats-server of the test's own (two fronts: gateway + delivery, one also scheduler + smki; two
# backs: wan + devices) take REQUESTS command variant 1 reads from 16 paced senders over both
# gateways while, at reproducible random points, a gateway, a WAN worker and a delivery worker
# are each killed with SIGKILL and restarted, and NATS is stopped and restarted; afterwards every
# acknowledged request must have been answered exactly once (by delivery id), nothing refused or
# cut before its commit answered, and every refusal the DCC fault (503) or the targets' E11.
#
# With OPENDCC_SOAK_RESTART_PG=1 it also restarts the machine's PostgreSQL mid-run
# (`pg_ctlcluster VERSION NAME restart`, the cluster on port 5432 from `pg_lsclusters`; needs
# root or the postgres user): requests during the outage must be refused as a DCC fault and the
# DCC must take requests again by itself. Other work on the machine's PostgreSQL sees the restart
# too: run it alone. The script checks the server answers again afterwards (pg_isready).
#
#   scripts/scaleout-soak.sh [REQUESTS [SEED]]     (defaults 2000 random)
#   OPENDCC_SOAK_SEND_SECS   how long the senders take (default REQUESTS / 10)
#   OPENDCC_SOAK_RELEASE=0   a debug build instead of --release
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-2000}"
seed="${2:-$(( (RANDOM << 15) | RANDOM | 1 ))}"
send_secs="${OPENDCC_SOAK_SEND_SECS:-$(( requests / 10 ))}"
restart_pg="${OPENDCC_SOAK_RESTART_PG:-0}"
profile=(--release)
[ "${OPENDCC_SOAK_RELEASE:-1}" = 0 ] && profile=()
echo "scaleout faults soak: $requests requests over ${send_secs} s, seed $seed, PostgreSQL restart $restart_pg" \
    "(rerun with: OPENDCC_SOAK_RESTART_PG=$restart_pg $0 $requests $seed)"
start=$(date +%s)
status=0
OPENDCC_SOAK_REQUESTS="$requests" OPENDCC_SOAK_SEED="$seed" OPENDCC_SOAK_SEND_SECS="$send_secs" \
    OPENDCC_SOAK_RESTART_PG="$restart_pg" \
    cargo test "${profile[@]}" -p opendcc --test scaleout_faults -- --nocapture 2>&1 |
    grep -E "^faults:|scaleout faults:|test result|panicked|FAILED" -A3 || status=1
echo "took $(( $(date +%s) - start )) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$restart_pg" = 1 ]; then
    for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
    pg_isready -h 127.0.0.1
fi
exit "$status"
