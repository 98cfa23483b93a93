"""Fixtures of the HTTP tests: a node served on a free loopback port, signed data items,
and the npm judges (unmodified @permaweb/aoconnect, installed by tests/http/npm/setup.sh)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_helpers import NPM, WALLETS

import ao_kernel as ao
from ao_kernel.node.wallet import Wallet


@pytest.fixture(scope="session")
def dev_wallet() -> Wallet:
    return Wallet.load(WALLETS / "dev-2.json")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[ao.Node]:
    n = ao.Node(store=f"sqlite:{tmp_path / 'node.db'}")
    yield n
    n.close()


@pytest.fixture
def served(node: ao.Node) -> Iterator[Any]:
    handle = node.serve(port=0)
    yield handle
    handle.stop()


# -- npm judges ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def judges() -> Path:
    """tests/http/npm with node_modules installed (npm ci from the registry, cached)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the aoconnect judges")
    subprocess.run(["bash", str(NPM / "setup.sh")], check=True, timeout=600,
                   capture_output=True)
    return NPM


class Judge:
    """Runs ``judge.mjs <op> <params>`` (or another script of the folder) against one
    served node."""

    def __init__(self, npm: Path, env: dict[str, str], script: str = "judge.mjs") -> None:
        self.npm = npm
        self.env = env
        self.script = script

    def __call__(self, op: str, **params: Any) -> Any:
        out = subprocess.run(
            ["node", str(self.npm / self.script), op, json.dumps(params)],
            env=self.env, capture_output=True, text=True, timeout=120, cwd=self.npm,
            check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        assert lines, f"judge {op} printed nothing; stderr: {out.stderr[-2000:]}"
        reply = json.loads(lines[-1])
        if not reply["ok"]:
            raise AssertionError(f"aoconnect {op} failed: {reply['error']}")
        return reply["value"]


@pytest.fixture
def judge(judges: Path, served: Any) -> Judge:
    env = {**os.environ, **served.env(), "WALLET": str(WALLETS / "dev-2.json")}
    return Judge(judges, env)
