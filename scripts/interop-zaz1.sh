#!/usr/bin/env bash
# DCC Boxed interoperability: runs the suite that sends every Smart DCC DUIS template (signed by
# Smart DCC's Java tool) to opendcc in ZAZ1 mode, and prints its report: one line per template
# and "N passed, M failed".
#
#   scripts/interop-zaz1.sh                    # run and report
#   scripts/interop-zaz1.sh --update-baseline  # also rewrite the list of templates that succeed
#
# Needs node, npm and a Java 17 JDK (./test.sh installs them). The npm packages are cached under
# the cargo target directory.
set -euo pipefail
cd "$(dirname "$0")/.."

export OPENDCC_CORPUS="${OPENDCC_CORPUS:-$(cd .. && pwd)/shared/corpus}"
if [ "${1:-}" = "--update-baseline" ]; then
  export OPENDCC_UPDATE_BASELINE=1
  shift
fi
exec cargo test -p opendcc --test interop_zaz1 "$@" -- --nocapture --test-threads 1
