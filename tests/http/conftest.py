"""Fixtures of the HTTP tests: a node served on a free loopback port, signed data items,
and the npm judges (unmodified @permaweb/aoconnect, installed by tests/http/npm/setup.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_helpers import NPM, WALLETS, Judge

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


@pytest.fixture
def judge(judges: Path, served: Any) -> Judge:
    env = {**os.environ, **served.env(), "WALLET": str(WALLETS / "dev-2.json")}
    return Judge(judges, env)
