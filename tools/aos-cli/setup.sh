#!/usr/bin/env bash
# Build the real aos CLI (permaweb/aos v2.0.16, commit ae42860a) into $AOS_CLI_CACHE
# (default ~/.cache/aos-cli), from a bare git copy of its repository, for the tests
# in tests/http/test_aos_cli.py. Idempotent: a finished build is left alone.
#
# Inputs: $MIRROR/permaweb+aos/repo (a bare git copy of github.com/permaweb/aos; first
# set-up only) and the npm registry (the CLI's runtime dependencies).
# The one change to the tree: package.json in the build dir (never in the mirror) drops
# the workspaces and dev tools and pins @permaweb/aoconnect 0.0.98, because 0.0.97 (what
# the upstream lock pins) is no longer served by the registry.
set -euo pipefail

COMMIT=ae42860a0cf73ded468b36450aa5f58aeaef756a
C=${AOS_CLI_CACHE:-$HOME/.cache/aos-cli}
MIRROR=${MIRROR:-}
T0=$(date +%s)
log(){ echo "[aos-cli setup $(( $(date +%s) - T0 ))s] $*"; }

if [ -f "$C/.complete" ] && [ "$(cat "$C/.complete")" = "$COMMIT" ]; then
  log "already built: $C/aos (commit $COMMIT); remove $C to rebuild"
  exit 0
fi
REPO=${MIRROR:+$MIRROR/permaweb+aos/repo}
if [ -z "$REPO" ] || ! git --git-dir="$REPO" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
  echo "need a bare git copy of permaweb/aos holding $COMMIT: set MIRROR so that" >&2
  echo "\$MIRROR/permaweb+aos/repo is it (got MIRROR='${MIRROR}')" >&2
  exit 1
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "need node and npm on PATH" >&2; exit 1; }

rm -rf "$C"; mkdir -p "$C/src"
log "exporting permaweb/aos $COMMIT from $REPO into $C/src"
git --git-dir="$REPO" archive "$COMMIT" | tar -x -C "$C/src"

log "rewriting $C/src/package.json: no workspaces, no dev tools, @permaweb/aoconnect 0.0.98"
node - "$C/src/package.json" <<'JS'
const fs = require('fs')
const file = process.argv[2]
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'))
delete pkg.workspaces
delete pkg.devDependencies
delete pkg.scripts
pkg.dependencies['@permaweb/aoconnect'] = '0.0.98'
pkg.overrides = { '@permaweb/aoconnect': '0.0.98' }
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n')
JS
rm -f "$C/src/package-lock.json"   # it pins the vanished 0.0.97 and the workspaces

log "npm install --omit=dev (registry)"
(cd "$C/src" && npm install --omit=dev --no-audit --no-fund --loglevel=error)

cat > "$C/aos" <<SH
#!/bin/sh
exec node "$C/src/bin/aos.js" "\$@"
SH
chmod +x "$C/aos"
node "$C/src/bin/aos.js" --version >/dev/null 2>&1 || true
log "aoconnect: $(node -p "require('$C/src/node_modules/@permaweb/aoconnect/package.json').version")"
echo "$COMMIT" > "$C/.complete"
log "done: run $C/aos NAME --url http://127.0.0.1:PORT (HyperBEAM mode) or see README.md"
