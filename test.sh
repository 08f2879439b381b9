#!/usr/bin/env bash
# Runs opendcc's whole test suite. Installs the Debian packages the tests use as independent
# oracles (xmllint, xmlsec1, openssl) when they are missing.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi

# The reference corpus (../shared/corpus) is read by the tests; it is never part of this repository.
export OPENDCC_CORPUS="${OPENDCC_CORPUS:-$(cd .. && pwd)/shared/corpus}"

cargo test --workspace --all-targets "$@"
