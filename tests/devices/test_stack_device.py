"""stack@1.0: folding a request through a stack of devices, with passes."""

from __future__ import annotations

from typing import Any

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve


def test_stack_folds_and_passes(opts: Opts, fac: str, ok: Any) -> None:
    base = Message({"device": "stack@1.0", "passes": 2, "image": fac,
                    "device-stack": "WASI@1.0, WASM-64@1.0, Multipass@1.0"})
    state = ok(resolve(base, "init", opts))
    assert state["device"] == "stack@1.0" and state["vfs"]["dev"]["stdout"] == ""
    out = ok(resolve(state, Message({"path": "compute", "function": "fac",
                                      "parameters": 4.0}), opts))
    assert out["pass"] == 2  # multipass asked for a second pass; wasm ran on the first only
    assert out["results"]["wasm"]["output"] == (24.0,)
    assert out["device"] == "stack@1.0" and "device-key" not in out
