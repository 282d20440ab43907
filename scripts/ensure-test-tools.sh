#!/usr/bin/env bash
# The Debian packages the test suite needs beyond Python: Chromium (the Airflow UI test drives
# it headless) and faketime (the `faketime` command, for moving the clock by hand; the
# time-shifted lanes use the libfaketime build from PyPI, see scripts/shifted).
# Installs what is missing when it can (root, or sudo without a password); otherwise says what to run.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "newsflow tests need Debian packages: ${missing[*]}; installing them"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "cannot install as $(id -un): run 'sudo apt-get update && sudo apt-get install -y ${missing[*]}' first" >&2
    exit 1
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
