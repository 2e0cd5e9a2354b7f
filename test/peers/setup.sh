#!/bin/sh
# Installs the peer tools the engine's compatibility tests run (graphile-migrate 1.4.1 and 2.0.0-rc.3) into
# test/peers/node_modules. Idempotent: does nothing when both are already installed at the pinned versions.
set -e
cd "$(dirname "$0")"
if [ -f node_modules/gm1/package.json ] && [ -f node_modules/gm2/package.json ] \
  && grep -q '"version": "1.4.1"' node_modules/gm1/package.json \
  && grep -q '"version": "2.0.0-rc.3"' node_modules/gm2/package.json; then
  exit 0
fi
npm install --no-audit --no-fund --loglevel=error
