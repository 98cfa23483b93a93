#!/usr/bin/env bash
# Installs (from each package-lock.json, via the npm registry) the npm packages the test
# suite uses: real clients as judges (aoconnect, arbundles, ao-loader with the real aos
# modules, arlocal) and the front-end builders (widgets, JupyterLab extension).
# Idempotent: a directory whose node_modules matches its lock file is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the tests that run real npm clients will be skipped" >&2
  exit 0
fi
for dir in tools/aos-oracle tests/http/npm widgets-js extension tests/arweave/npm; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp="$dir/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
    continue
  fi
  echo "npm ci in $dir"
  # npm ci refuses a lock file that lacks optional platform packages the registry
  # snapshot does not carry (msgpackr-extract-darwin-* ...); npm install --no-save then
  # installs the same locked versions without rewriting the lock
  (cd "$dir" && { npm ci --no-audit --no-fund --loglevel=error \
    || npm install --no-save --no-audit --no-fund --loglevel=error; })
done
