"""Shared set-up of the device tests: resolution options over every device, the fac.wat
test module (compiled by wasmtime from text: no toolchain, no npm)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, Result
from ao_kernel.devices import default_registry

FAC_WAT = Path(__file__).resolve().parents[1] / "runtimes" / "wasm" / "fac.wat"


@pytest.fixture(scope="module")
def opts() -> Opts:
    return Opts(registry=default_registry())


@pytest.fixture(scope="session")
def fac() -> str:
    return FAC_WAT.read_text()


@pytest.fixture(scope="session")
def ok() -> Callable[[Result], Message]:
    """The message of an ok result (the test fails naming the error otherwise)."""

    def check(res: Result) -> Message:
        assert res.ok, res.value
        assert isinstance(res.value, Message)
        return res.value

    return check
