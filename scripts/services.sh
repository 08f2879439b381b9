#!/usr/bin/env bash
# Makes sure the two services the scale-out tests use answer on loopback, as the project's
# machines run them:
#   PostgreSQL on 127.0.0.1:5432, trust authentication, a database `test`;
#   NATS with JetStream on 127.0.0.1:4222.
# Each is checked first; one that does not answer is started, and installed from Debian's
# packages (`postgresql`, `nats-server`) if it is not there. Prints one line per service.
# Usable on its own (`scripts/services.sh`); `test.sh` runs it.
set -euo pipefail

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ "$apt_updated" -eq 0 ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  $sudo apt-get install -y -qq "$@"
}

# Waits up to $2 seconds for the check $1 to succeed.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if "$1"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Runs a shell command as the postgres user (its peer authentication on the local socket).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
pg_trusts() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -tAc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || apt_install postgresql
  if ! pg_answers; then
    command -v pg_lsclusters >/dev/null 2>&1 || apt_install postgresql
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      apt_install postgresql
    fi
    local ver name
    read -r ver name _ < <(pg_lsclusters -h | head -n 1)
    $sudo pg_ctlcluster "$ver" "$name" start || true
    wait_for pg_answers 30 || { echo "PostgreSQL: did not start on 127.0.0.1:5432" >&2; return 1; }
  fi
  if ! pg_trusts; then
    # A fresh Debian cluster asks for passwords on TCP: trust loopback, as the project's
    # machines do (test databases only; never do this on a server that holds real data).
    local hba
    hba=$(as_postgres "psql -tAc 'show hba_file'")
    {
      echo "host all all 127.0.0.1/32 trust"
      echo "host all all ::1/128 trust"
      $sudo cat "$hba"
    } > /tmp/opendcc-pg_hba.conf
    $sudo cp /tmp/opendcc-pg_hba.conf "$hba"
    as_postgres "psql -tAc 'select pg_reload_conf()'" >/dev/null
    wait_for pg_trusts 10 || { echo "PostgreSQL: 127.0.0.1:5432 refuses user postgres without a password" >&2; return 1; }
  fi
  if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -w -tAc "select 1 from pg_database where datname = 'test'")" != "1" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -w -qc 'create database test' >/dev/null
  fi
  echo "PostgreSQL: answering on 127.0.0.1:5432 ($(psql -h 127.0.0.1 -U postgres -d test -w -tAc 'show server_version'))"
}

nats_answers() { timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && head -c 4 <&3' 2>/dev/null | grep -q INFO; }
nats_jetstream() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/4222 && head -n 1 <&3' 2>/dev/null | grep -q '"jetstream":true'
}

ensure_nats() {
  # The binary too, even when a server answers: queue-nats's outage tests run servers of their own.
  command -v nats-server >/dev/null 2>&1 || apt_install nats-server
  if ! nats_answers; then
    local dir=/tmp/opendcc-nats
    mkdir -p "$dir"
    setsid nats-server -js -a 127.0.0.1 -p 4222 -sd "$dir/jetstream" >"$dir/nats.log" 2>&1 < /dev/null &
    wait_for nats_answers 15 || { echo "NATS: did not start on 127.0.0.1:4222 (see $dir/nats.log)" >&2; return 1; }
  fi
  if ! nats_jetstream; then
    echo "NATS: 127.0.0.1:4222 answers without JetStream; restart it with -js" >&2
    return 1
  fi
  echo "NATS: answering with JetStream on 127.0.0.1:4222"
}

ensure_postgres
ensure_nats
