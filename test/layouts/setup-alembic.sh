#!/bin/sh
# Installs Alembic from Debian (python3-alembic, with python3-psycopg2 for PostgreSQL) for the layouts suite's
# interop tests (they run it as `/usr/bin/python3 -m alembic`: the package installs no `alembic` script). Idempotent:
# does nothing when Debian's python3 already imports both.
set -e
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import alembic, psycopg2' 2>/dev/null; then
  exit 0
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root apt-get install -y -qq --no-install-recommends python3-alembic python3-psycopg2 >/dev/null
