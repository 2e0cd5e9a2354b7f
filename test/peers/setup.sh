#!/bin/sh
# Installs the peer tools the compatibility tests run (graphile-migrate 1.4.1 and 2.0.0-rc.3 for the engine,
# drizzle-kit 0.31.11 with drizzle-orm and pg for the layouts suite) into test/peers/node_modules. Idempotent: does
# nothing when all are already installed at the pinned versions.
set -e
cd "$(dirname "$0")"
if [ -f node_modules/gm1/package.json ] && [ -f node_modules/gm2/package.json ] \
  && grep -q '"version": "1.4.1"' node_modules/gm1/package.json \
  && grep -q '"version": "2.0.0-rc.3"' node_modules/gm2/package.json \
  && [ -f node_modules/drizzle-kit/package.json ] && grep -q '"version": "0.31.11"' node_modules/drizzle-kit/package.json \
  && [ -f node_modules/drizzle-orm/package.json ] && [ -f node_modules/pg/package.json ]; then
  exit 0
fi
npm install --no-audit --no-fund --loglevel=error
