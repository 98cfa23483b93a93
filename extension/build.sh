#!/usr/bin/env bash
# Rebuild the JupyterLab extension into ao_kernel/labextension/ (committed: installing the
# Python package never runs npm, and nothing loads from a CDN).
#
#   extension/build.sh          # npm ci (if needed), tsc, jupyter-builder (rspack), stamp
#
# Uses the npm registry only (package-lock.json pins every package; it was resolved with
# `npm install --before=2026-10-01` because the registry snapshot misses some 4.6.6
# packages). `@jupyter/builder` provides @jupyterlab/core-meta, so nothing is fetched from
# GitHub. build-info.json records the SHA-256 of every source file so
# tests/ui/test_extension_build.py can tell a stale build from a fresh one without npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$root/ao_kernel/labextension"
cd "$here"
if [ ! -d node_modules/@jupyter/builder ]; then
  npm ci --no-audit --no-fund
fi
builder="${JUPYTER_BUILDER:-$root/.venv/bin/jupyter-builder}"
if [ ! -x "$builder" ]; then
  builder="$(command -v jupyter-builder)"
fi
rm -rf lib tsconfig.tsbuildinfo "$out"
npx tsc --sourceMap false
"$builder" build .
printf '{"packageManager":"python","packageName":"ao-kernel"}\n' > "$out/install.json"
python3 - "$out" <<'PY'
import hashlib, json, pathlib, sys
here = pathlib.Path.cwd()
out = pathlib.Path(sys.argv[1])
from_here = ["build.sh", "package.json", "package-lock.json", "tsconfig.json"]
files = from_here + sorted(str(p.relative_to(here)) for d in ("src", "style")
                           for p in (here / d).rglob("*") if p.is_file())
info = {
    "built_by": "extension/build.sh",
    "inputs": {f: hashlib.sha256((here / f).read_bytes()).hexdigest() for f in files},
}
(out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n")
PY
find "$out" -type f -printf '%10s  %P\n' | sort -k2
