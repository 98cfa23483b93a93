"""Fixtures for the Jupyter layer: one real IPython shell with the AO magics loaded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ao_kernel.jupyter.session import Session
from ao_kernel.testing.wallets import dev_wallet


@pytest.fixture(scope="session")
def ip() -> Any:
    """IPython's real test shell (``IPython.testing.globalipapp``) with ``%load_ext``."""
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.run_line_magic("load_ext", "ao_kernel")
    return shell


@pytest.fixture
def session(ip: Any) -> Iterator[Session]:
    """A fresh node (dev wallet: no RSA key generation) behind the shell's magics."""
    s = Session(wallet=dev_wallet(1))
    ip._ao_magics._session = s
    yield s
    ip._ao_magics._session = None
    s.close()
