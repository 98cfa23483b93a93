#!/usr/bin/env bash
# Rebuild the widgets' front ends into ao_kernel/jupyter/widgets/static/ (committed; the
# package never needs node or a CDN at run time).
#
#   widgets-js/build.sh            # build into the package
#   widgets-js/build.sh OUT_DIR    # build elsewhere (the tests compare it with the package)
#
# esbuild bundles each widget (cytoscape included) into ONE minified ES module; the build
# is deterministic for a given package-lock.json. build-info.json records the SHA-256 of
# every input and output so a test can tell a stale bundle from a fresh one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here/../ao_kernel/jupyter/widgets/static}" && cd "${1:-$here/../ao_kernel/jupyter/widgets/static}" && pwd)"
cd "$here"
if [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund
fi
esbuild=node_modules/.bin/esbuild
common=(--bundle --format=esm --minify --target=es2020 --legal-comments=eof --log-level=warning)
for widget in graph timeline explorer; do
  "$esbuild" "src/$widget.js" "${common[@]}" --outfile="$out/$widget.js"
done
"$esbuild" src/widgets.css --minify --log-level=warning --outfile="$out/widgets.css"
{
  echo "Third-party code bundled into graph.js:"
  echo
  echo "cytoscape $(node -p 'require("./node_modules/cytoscape/package.json").version') (https://js.cytoscape.org)"
  echo
  cat node_modules/cytoscape/LICENSE
} > "$out/THIRD-PARTY-LICENSES.txt"
node - "$out" <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const out = process.argv[2];
const sha = (f) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
const inputs = ["build.sh", "package.json", "package-lock.json",
  ...fs.readdirSync("src").sort().map((f) => "src/" + f)];
const outputs = ["graph.js", "timeline.js", "explorer.js", "widgets.css", "THIRD-PARTY-LICENSES.txt"];
const info = {
  built_by: "widgets-js/build.sh",
  esbuild: require("./node_modules/esbuild/package.json").version,
  cytoscape: require("./node_modules/cytoscape/package.json").version,
  inputs: Object.fromEntries(inputs.map((f) => [f, sha(f)])),
  outputs: Object.fromEntries(outputs.map((f) => [f, sha(path.join(out, f))])),
};
fs.writeFileSync(path.join(out, "build-info.json"), JSON.stringify(info, null, 2) + "\n");
JS
ls -l "$out" | awk 'NR>1 {printf "%10d  %s\n", $5, $9}'
