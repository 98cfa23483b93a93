#!/usr/bin/env bash
# Installs the real AO clients the HTTP tests use as judges (exact versions from
# package-lock.json). Cached: does nothing when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.ao-kernel-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d node_modules/@permaweb/aoconnect ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
