#!/usr/bin/env bash
# Runs opendcc's whole test suite. Installs the Debian packages the tests use as independent
# oracles (xmllint, xmlsec1, openssl) when they are missing, and what the DCC Boxed
# interoperability suite needs (node and npm to fetch Smart DCC's packages, a Java 17 JDK to run
# their signing tool), and makes sure PostgreSQL and NATS JetStream answer on loopback.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
{ command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; } || need+=(openjdk-17-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi

# PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222) for the scale-out backends:
# tests: checked, and started or installed where they do not answer.
./scripts/services.sh

# The reference corpus (../shared/corpus) is read by the tests; it is never part of this repository.
export OPENDCC_CORPUS="${OPENDCC_CORPUS:-$(cd .. && pwd)/shared/corpus}"

cargo test --workspace --all-targets "$@"

# The same end-to-end tests in the scale-out shape (issue 14): each test's world moved into a
# PostgreSQL database of its own and served from there by several `opendcc serve` processes that
# pass their work through NATS JetStream (a stream prefix per test): a front (gateway, scheduler,
# smki) and a back (wan + devices, delivery); stops, restarts and kill -9s act on every process
# (crates/opendcc/tests/common/mod.rs, `e2e_on_postgres`). The operator's commands are given the
# manifest (`--manifest`), and the tests read the DCC's database through the helpers, which read
# PostgreSQL in this mode. Not here: the DCC Boxed interoperability files (their own launcher)
# and the files that are about the backends themselves (serve_e2e, nats_roles, scaleout_faults).
OPENDCC_E2E_BACKEND=postgres cargo test --no-fail-fast -p opendcc \
  --test gateway_e2e --test critical_e2e --test family_e2e --test mmc_e2e --test future_dating_e2e \
  --test bench_e2e --test hostile_e2e --test cli_e2e --test device_e2e --test alerts_e2e \
  --test durability --test recovery_e2e --test pki_e2e --test smki_issuance_e2e \
  --test smki_repository_e2e --test smki_revocation_e2e "$@"
