#!/usr/bin/env bash
# Build the reference ao compute unit (permaweb/ao servers/cu) into $AO_CU_CACHE
# (default ~/.cache/ao-cu), from a bare git copy of permaweb/ao, for the judge test
# tests/http/test_reference_cu.py. Idempotent: a finished step is not redone.
#
# Inputs:
#   * $MIRROR/permaweb+ao/repo: a bare git copy of github.com/permaweb/ao holding
#     commit $AO_CU_COMMIT (first set-up only; nothing is fetched from GitHub here)
#   * the npm registry (npm ci from the CU's own package-lock.json)
#   * the system Node's headers (/usr/include/node) to build better-sqlite3 from source
# Output: $AO_CU_CACHE/cu (the CU's files + node_modules) and $AO_CU_CACHE/start.sh,
# which runs the CU with the preload of preload.cjs (see README.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
C=${AO_CU_CACHE:-$HOME/.cache/ao-cu}
MIRROR=${MIRROR:-}
COMMIT=${AO_CU_COMMIT:-ff178d51fd610b783749fb190614178191b6ac3b}
T0=$(date +%s)
log(){ echo "[ao-cu setup $(( $(date +%s) - T0 ))s] $*"; }
mkdir -p "$C"

command -v node >/dev/null || { echo "node is required (Node >= 20)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }

# ---------------------------------------------------------------- 1. the CU's sources
SRC=$C/cu
if [ ! -f "$SRC/.source-complete" ]; then
  REPO=$MIRROR/permaweb+ao/repo
  if [ -z "$MIRROR" ] || [ ! -d "$REPO" ]; then
    echo "set MIRROR to the folder holding the bare git copy permaweb+ao/repo" \
         "(e.g. MIRROR=/work/.mirror); got MIRROR='$MIRROR'" >&2
    exit 1
  fi
  FULL=$(git --git-dir="$REPO" rev-parse --verify "$COMMIT^{commit}")
  log "extracting servers/cu at $FULL from $REPO"
  rm -rf "$SRC" "$C/extract"; mkdir -p "$C/extract"
  git --git-dir="$REPO" archive --format=tar "$FULL:servers/cu" | tar -x -C "$C/extract"
  mv "$C/extract" "$SRC"
  echo "$FULL" > "$SRC/.commit"
  touch "$SRC/.source-complete"
fi

# ---------------------------------------------------------------- 1b. version pins
# AO_CU_PIN="name@version ...": use these exact versions instead of the locked ones (for a
# locked version the registry no longer serves); package.json and package-lock.json get
# the registry's tarball and integrity. Recorded in $SRC/.pins.
if [ -n "${AO_CU_PIN:-}" ] && [ ! -f "$SRC/.npm-complete" ] && \
   [ "$(cat "$SRC/.pins" 2>/dev/null)" != "$AO_CU_PIN" ]; then
  for pin in $AO_CU_PIN; do
    name=${pin%@*}; version=${pin##*@}
    log "pinning $name to $version (the locked version is not on the registry)"
    dist=$(npm view "$name@$version" dist --json)
    (cd "$SRC" && PIN_NAME="$name" PIN_VERSION="$version" PIN_DIST="$dist" node -e '
      const fs = require("fs")
      const { PIN_NAME: name, PIN_VERSION: version } = process.env
      const dist = JSON.parse(process.env.PIN_DIST)
      const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"))
      const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"))
      if (!pkg.dependencies[name]) throw new Error(name + " is not a dependency")
      pkg.dependencies[name] = version
      lock.packages[""].dependencies[name] = version
      const entry = lock.packages["node_modules/" + name]
      Object.assign(entry, { version, resolved: dist.tarball, integrity: dist.integrity })
      fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n")
      fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n")')
  done
  echo "$AO_CU_PIN" > "$SRC/.pins"
fi

# ---------------------------------------------------------------- 2. npm ci
if [ ! -f "$SRC/.npm-complete" ]; then
  NODEDIR=${npm_config_nodedir:-/usr}
  if [ ! -f "$NODEDIR/include/node/node.h" ]; then
    echo "better-sqlite3 builds from source against the Node headers, but" \
         "$NODEDIR/include/node/node.h is absent (install the distribution's node dev" \
         "headers, or set npm_config_nodedir to a Node source/headers folder)" >&2
    exit 1
  fi
  log "npm ci (native addons from source against $NODEDIR/include/node)"
  # build_from_source: better-sqlite3's prebuild-install would otherwise try to download a
  # prebuilt binary from GitHub first
  (cd "$SRC" && npm_config_nodedir="$NODEDIR" npm_config_build_from_source=true \
     npm ci --omit=dev --no-audit --no-fund)
  # npm 11 warns that it will stop running dependency install scripts nobody approved:
  # when the addon did not get built, build it here, from source.
  if ! (cd "$SRC" && node -e "require('better-sqlite3')(':memory:')" 2>/dev/null); then
    GYP=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js
    [ -f "$GYP" ] || { echo "node-gyp (bundled with npm) not found at $GYP" >&2; exit 1; }
    log "building better-sqlite3 from source against $NODEDIR/include/node"
    (cd "$SRC/node_modules/better-sqlite3" && node "$GYP" rebuild --release --nodedir="$NODEDIR")
  fi
  (cd "$SRC" && node -e "require('better-sqlite3')(':memory:').prepare('select 1').get()") \
    || { echo "better-sqlite3 does not load after the build" >&2; exit 1; }
  touch "$SRC/.npm-complete"
fi

# ---------------------------------------------------------------- 3. preload + start script
install -m 0644 "$HERE/preload.cjs" "$C/preload.cjs"
cat > "$C/start.sh" <<START
#!/usr/bin/env bash
# Run the reference CU (see $HERE/README.md); env: PORT, GATEWAY_URL, WALLET_FILE, ...
set -euo pipefail
cd "$SRC"
export NODE_CONFIG_ENV=\${NODE_CONFIG_ENV:-development}
exec node --experimental-wasm-memory64 -r "$C/preload.cjs" src/app.js
START
chmod +x "$C/start.sh"
log "ready: $C/start.sh (commit $(cat "$SRC/.commit"))"
