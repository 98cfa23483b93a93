"""``ao-node serve``: prints the environment lines, serves, stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

from http_helpers import fetch


def test_ao_node_serve_prints_env_and_serves(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ao_kernel.node.cli", "serve", "--port", "0",
         "--store", f"sqlite:{tmp_path / 'cli.db'}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        env = _exports(lines)
        assert list(env) == ["MU_URL", "CU_URL", "GATEWAY_URL", "SCHEDULER"]
        url = env["MU_URL"]
        assert url.startswith("http://127.0.0.1:") and env["CU_URL"] == url
        status, _, body = fetch(url + "/~meta@1.0/info/address")
        assert (status, body.decode()) == (200, env["SCHEDULER"])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    # the store keeps the node's identity: a second start names the same scheduler
    again = subprocess.run(
        [sys.executable, "-m", "ao_kernel.node.cli", "serve", "--print-env-only",
         "--store", f"sqlite:{tmp_path / 'cli.db'}"],
        capture_output=True, text=True, timeout=60, check=True)
    assert f"export SCHEDULER={env['SCHEDULER']};" in again.stdout.splitlines()


def _exports(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        assert line.startswith("export ") and line.endswith(";"), line
        key, _, value = line[len("export "):-1].partition("=")
        out[key] = value
    return out


def test_print_env_only_lines_export_in_a_shell(tmp_path):
    """``eval $(ao-node serve --print-env-only)`` exports the variables (a child sees them)."""
    store = f"sqlite:{tmp_path / 'env.db'}"
    printed = subprocess.run(
        [sys.executable, "-m", "ao_kernel.node.cli", "serve", "--print-env-only",
         "--port", "8799", "--store", store],
        capture_output=True, text=True, timeout=60, check=True).stdout
    env = _exports(printed.splitlines())
    assert list(env) == ["MU_URL", "CU_URL", "GATEWAY_URL", "SCHEDULER"]
    assert env["MU_URL"] == env["CU_URL"] == env["GATEWAY_URL"] == "http://127.0.0.1:8799"
    script = (f'eval $({sys.executable} -m ao_kernel.node.cli serve --print-env-only '
              f'--port 8799 --store {store}); '
              'sh -c \'echo "$MU_URL|$CU_URL|$GATEWAY_URL|$SCHEDULER"\'')
    shown = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                           timeout=60, check=True).stdout.strip()
    assert shown == "|".join(env.values())
    assert len(env["SCHEDULER"]) == 43
