"""Fixtures for the operator tests: a real arlocal gateway on a random loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ao_kernel.node.arweave import Gateway

NPM_DIR = Path(__file__).resolve().parents[1] / "arweave" / "npm"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def arlocal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """arlocal from npm (tests/arweave/npm, installed by its setup.sh), on loopback."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed")
    setup = subprocess.run(["bash", str(NPM_DIR / "setup.sh")], check=False,
                           capture_output=True, text=True, timeout=900)
    if setup.returncode != 0:
        pytest.fail(f"installing arlocal failed: {setup.stderr[-2000:]}")
    port = _free_port()
    tmp = tmp_path_factory.mktemp("arlocal")
    proc = subprocess.Popen(
        ["node", str(NPM_DIR / "start.cjs"), str(port), str(tmp / "db")],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    gateway = Gateway(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while not gateway.available():
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"arlocal did not start: {out[-2000:]}")
            time.sleep(0.2)
        yield gateway
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
