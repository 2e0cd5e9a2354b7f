#!/bin/sh
# Ensures a real PostgreSQL server binary exists for the engine tests (Debian's `postgresql` package).
# Does nothing when /usr/lib/postgresql/*/bin/initdb is already there. The tests start and stop their own
# throwaway clusters (test/support/postgres.mjs); no system cluster is started here.
set -e
for f in /usr/lib/postgresql/*/bin/initdb; do
  if [ -x "$f" ]; then exit 0; fi
done
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
# Debian's package creates and starts a default cluster; the tests do not use it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name _rest; do pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done
fi
