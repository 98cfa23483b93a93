"""wasi@1.0: the file view of a wasm stack."""

from __future__ import annotations

from typing import Any

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve


def test_wasi_keeps_the_file_view(opts: Opts, ok: Any) -> None:
    base = ok(resolve(Message({"device": "wasi@1.0"}), "init", opts))
    assert base["file-descriptors"]["1"] == "/dev/stdout"
    assert base["vfs"]["dev"]["stdout"] == ""
    assert ok(resolve(base, "compute", opts)) == base  # no instance: nothing written
