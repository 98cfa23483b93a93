#!/usr/bin/env bash
# `make lab`: JupyterLab on the tutorials for whoever runs it (root included: containers and
# cloud machines run as root, where Jupyter refuses to start without --allow-root), bound to
# loopback, with the URL to open printed once the server answers.
#
#   tools/lab.sh [BIN_DIR] [extra jupyter lab options]
#   AO_LAB_PORT=9999 make lab      # another port (default 8888, or the next free one)
set -euo pipefail
bin="${1:-.venv/bin}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
port="$("$bin/python" - "${AO_LAB_PORT:-8888}" <<'PY'
import socket, sys
start = int(sys.argv[1])
for port in range(start, start + 50):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    sys.exit(f"make lab: no free port in {start}..{start + 49}")
PY
)"
token="${AO_LAB_TOKEN:-$("$bin/python" -c 'import secrets; print(secrets.token_hex(24))')}"
url="http://127.0.0.1:$port/lab?token=$token"
args=(--notebook-dir="$root/notebooks" --ServerApp.ip=127.0.0.1 --ServerApp.port="$port"
      --ServerApp.port_retries=0 --IdentityProvider.token="$token")
if [ "$(id -u)" = 0 ]; then
  args+=(--allow-root)
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" != Darwin ]; then
  args+=(--no-browser)  # nowhere to open one: the URL below is the way in
fi
# print the URL where it cannot be missed, once the server answers
"$bin/python" - "$port" "$token" "$url" <<'PY' &
import sys, time, urllib.request
port, token, url = sys.argv[1:4]
for _ in range(600):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
    except OSError:
        time.sleep(0.2)
        continue
    bar = "=" * 72
    print(f"\n{bar}\n  JupyterLab is running. Open this URL in your browser:\n\n    {url}\n\n"
          f"  Start with 00-welcome.ipynb. Stop the server with Ctrl-C.\n{bar}\n", flush=True)
    break
PY
exec "$bin/jupyter" lab "${args[@]}" "$@"
