#!/usr/bin/env bash
# Installs Debian's PgBouncer (for test/postgres/pgbouncer.test.ts, which starts its own instance
# on a free port in front of the test PostgreSQL server) when it is missing. Needs root and
# Debian's package sources; does nothing when pgbouncer is installed. The package's own service is
# not started.
set -uo pipefail
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-pgbouncer: pgbouncer is missing and apt-get is not available; install PgBouncer by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Keep the package's service from starting (policy-rc.d 101: "action forbidden").
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d && trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq >/dev/null 2>&1 || true
if ! $SUDO apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null 2>&1; then
  echo "ensure-pgbouncer: apt-get install pgbouncer failed" >&2
  exit 1
fi
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]
