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
        env = dict(line.split("=", 1) for line in lines)
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
    assert f"SCHEDULER={env['SCHEDULER']}" in again.stdout.splitlines()
