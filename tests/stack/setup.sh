#!/usr/bin/env bash
# The Debian packages the stack lane needs (tests/stack, `make test-stack`): the PostgreSQL and
# Redis servers, which the test starts itself on loopback in scratch folders, and `unshare`
# (util-linux), which gives each Celery worker its own hostname. Installs only what is missing.
set -euo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -eq 0 ]; then
    echo "stack: postgresql, redis-server and unshare are installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "stack: installing ${need[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${need[@]}"
