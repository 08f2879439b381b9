#!/usr/bin/env bash
# Throughput with 1, 2 and 4 gateway and worker processes on one machine (issue 14, item 6).
#
# One world (PREMISES generated premises, made once on SQLite) is moved into a fresh PostgreSQL
# database for each run and served over NATS JetStream by N fronts (gateway + delivery; the first
# also scheduler + smki) and N backs (wan + devices), every process its own `opendcc serve
# --config`. The same load (`opendcc bench load`, REQUESTS reads, CONCURRENCY in flight) goes
# over the N gateways (`--gateway`, each device's requests always through the same one). Around
# the load the script reads the CPU time (utime + stime, /proc/PID/stat) of every opendcc
# process, of every `postgres` process and of the nats-server, and prints per run: reads/s end to
# end, p50/p99, and the CPU per read of each tier (fronts, backs, PostgreSQL, NATS, generator).
#
#   scripts/scale-processes.sh [COUNTS...]        (default: 1 2 4)
#   PREMISES (2500)  REQUESTS (3000)  CONCURRENCY (32)
#   OPENDCC_TEST_PG  the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test)
#   a nats-server of its own (JetStream, a free loopback port, its store in the work directory)
# The machine's busy CPU per read (/proc/stat, less the generator's own) covers everything, the
# kernel's network and disk work included; the tiers' figures are their processes' own. The
# generator's CPU includes signing every request ahead of the timed window.
#   OPENDCC_BIN      the binary (default: target/release/opendcc, built if missing)
#
# Needs PostgreSQL answering and nats-server installed (scripts/services.sh), psql, python3,
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 2 4)
premises="${PREMISES:-2500}"
requests="${REQUESTS:-3000}"
concurrency="${CONCURRENCY:-32}"
admin="${OPENDCC_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
server="${admin%/*}"
bin="${OPENDCC_BIN:-target/release/opendcc}"
if [ ! -x "$bin" ]; then cargo build --release -p opendcc; fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

work="$(mktemp -d -t opendcc-scale-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 120 s) until log $1 says the roles run.
wait_running() {
  local i
  for ((i = 0; i < 1200; i++)); do
    grep -q "roles running" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no 'roles running' in $1:" >&2
  tail -20 "$1" >&2
  return 1
}

# CPU seconds (utime + stime) of the given pids, summed.
cpu_of() {
  python3 - "$@" <<'EOF'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
total = 0
for pid in sys.argv[1:]:
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        total += int(f[11]) + int(f[12])
    except (OSError, IndexError, ValueError):
        pass
print(total / tick)
EOF
}
# A snapshot of every process's CPU seconds ({pid: [comm, seconds]}) and of the machine's busy
# CPU seconds (/proc/stat, everything but idle and iowait), as JSON in file $1.
snapshot() {
  python3 - "$1" <<'EOF'
import json, os, sys
tick = os.sysconf("SC_CLK_TCK")
procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        head, tail = open(f"/proc/{pid}/stat").read().rsplit(")", 1)
        f = tail.split()
        procs[pid] = [head.split("(", 1)[1], (int(f[11]) + int(f[12])) / tick]
    except (OSError, IndexError, ValueError):
        pass
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
busy = (sum(cpu) - cpu[3] - cpu[4]) / tick
json.dump({"procs": procs, "busy": busy}, open(sys.argv[1], "w"))
EOF
}

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
nats-server -js -a 127.0.0.1 -p "$port" -sd "$work/nats" > "$work/nats.log" 2>&1 &
pids+=($!)
nats_pid=$!
nats="nats://127.0.0.1:$port"

# The world, made once on SQLite.
world="$work/world"
cat > "$work/make.toml" <<EOF
store = "sqlite:$world"
premises = $premises
roles = ["delivery"]
EOF
echo "making a world of $premises premises…" >&2
"$bin" serve --config "$work/make.toml" > /dev/null 2> "$work/make.log" &
maker=$!
wait_running "$work/make.log"
kill -TERM "$maker"
wait "$maker"

echo "| processes (fronts + backs) | reads/s end to end | p50 / p99 (ms) | fronts CPU/read | backs CPU/read | PostgreSQL CPU/read | NATS CPU/read | generator CPU/read | PostgreSQL transactions / rows written / rows read per read | machine's busy CPU/read, less the generator's | completed |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for n in "${counts[@]}"; do
  db="opendcc_scale_${n}_$$"
  psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
  # A copy of the world per run: a migration marks the directory it moved as moved
  # (moved.json), and a moved directory is not migrated again.
  copy="$work/world$n"
  rm -rf "$copy"
  cp -a "$world" "$copy"
  "$bin" migrate --from "sqlite:$copy" --to "$server/$db" > /dev/null 2> "$work/migrate-$n.log"
  run="$work/run$n"
  mkdir -p "$run"
  pids=("$nats_pid")
  fronts=()
  backs=()
  prefix="scale${n}x$$"
  common() {
    cat <<EOF
store = "$server/$db"
data = "$copy"
queue = "$nats"
queue_prefix = "$prefix"
EOF
  }
  for ((i = 1; i <= n; i++)); do
    roles='"gateway", "delivery"'
    smki=""
    [ "$i" = 1 ] && roles='"gateway", "delivery", "scheduler", "smki"' && smki='smki_listen = "127.0.0.1:0"'
    { common; echo 'listen = "127.0.0.1:0"'; echo "manifest = \"$run/front$i.json\""; echo "roles = [$roles]"; echo "$smki"; } > "$run/front$i.toml"
    "$bin" serve --config "$run/front$i.toml" --wan-latency-ms 0,0,0 > /dev/null 2> "$run/front$i.log" &
    pids+=($!)
    fronts+=($!)
    { common; echo 'roles = ["wan", "devices"]'; } > "$run/back$i.toml"
    "$bin" serve --config "$run/back$i.toml" --wan-latency-ms 0,0,0 > /dev/null 2> "$run/back$i.log" &
    pids+=($!)
    backs+=($!)
  done
  for ((i = 1; i <= n; i++)); do
    wait_running "$run/front$i.log"
    wait_running "$run/back$i.log"
  done
  gateways=()
  for ((i = 2; i <= n; i++)); do
    url="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["duis_url"])' "$run/front$i.json")"
    gateways+=(--gateway "$url")
  done
  nt=("$nats_pid")
  dbstats() {
    psql "$server/$db" -tAc "SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = current_database()"
  }
  s0=$(dbstats)
  f0=$(cpu_of "${fronts[@]}"); b0=$(cpu_of "${backs[@]}"); q0=$(cpu_of "${nt[@]}")
  snapshot "$run/before.json"
  /usr/bin/time -f "%U %S" -o "$run/generator.time" \
    "$bin" bench load --manifest "$run/front1.json" "${gateways[@]}" --requests "$requests" \
    --concurrency "$concurrency" --ceiling-ms 50 --json > "$run/report.json" 2> "$run/bench.log" &
  gen=$!
  wait "$gen" || { echo "bench load failed:" >&2; tail -20 "$run/bench.log" >&2; exit 1; }
  g=$(awk '{ print $1 + $2 }' "$run/generator.time")
  sleep 1  # the statistics collector's last report
  s1=$(dbstats)
  f1=$(cpu_of "${fronts[@]}"); b1=$(cpu_of "${backs[@]}"); q1=$(cpu_of "${nt[@]}")
  snapshot "$run/after.json"
  python3 - "$run/report.json" "$n" "$f0" "$f1" "$b0" "$b1" "$q0" "$q1" "$g" "$s0" "$s1" "$run/before.json" "$run/after.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
n = sys.argv[2]
f0, f1, b0, b1, q0, q1, g = map(float, sys.argv[3:10])
s0, s1 = ([int(x) for x in a.split("|")] for a in sys.argv[10:12])
before, after = (json.load(open(f)) for f in sys.argv[12:14])
# PostgreSQL: every postgres process at the end, less what those that existed before had used
# (a backend started during the run counts whole; one that ended during it is missed).
p0 = sum(c for pid, (comm, c) in before["procs"].items()
         if comm == "postgres" and after["procs"].get(pid, [None])[0] == "postgres")
p1 = sum(c for comm, c in after["procs"].values() if comm == "postgres")
busy = after["busy"] - before["busy"] - g  # the generator's own (signing ahead included) left out
done = max(r["completed"], 1)
tx, written, read = ((b - a) / done for a, b in zip(s0, s1))
ms = lambda a, b: f"{(b - a) * 1000 / done:.2f} ms"
print(f"| {n} + {n} | {r['e2e_per_s']:.0f} | {r['p50_e2e_ms']:.0f} / {r['p99_e2e_ms']:.0f} "
      f"| {ms(f0, f1)} | {ms(b0, b1)} | {ms(p0, p1)} | {ms(q0, q1)} | {g * 1000 / done:.2f} ms "
      f"| {tx:.1f} / {written:.1f} / {read:.0f} | {busy * 1000 / done:.2f} ms "
      f"| {r['completed']} of {r['requests']} (errors {r['errors']}, missing {r['missing_final']}, duplicates {r['duplicate_final']}) |")
EOF
  # Where PostgreSQL's reads went (to standard error): the tables by rows read.
  psql "$server/$db" -c "SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins + n_tup_upd + n_tup_del AS written FROM pg_stat_user_tables ORDER BY seq_tup_read + coalesce(idx_tup_fetch, 0) DESC LIMIT 12" >&2
  for p in "${fronts[@]}" "${backs[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${fronts[@]}" "${backs[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=("$nats_pid")
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
