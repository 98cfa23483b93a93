"""wasm-64@1.0: a wasm instance as a device (calls, fuel, snapshots)."""

from __future__ import annotations

from typing import Any

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve
from ao_kernel.devices.wasm64 import instance_of


def test_wasm64_calls_a_function(opts: Opts, fac: str, ok: Any) -> None:
    base = ok(resolve(Message({"device": "wasm-64@1.0", "image": fac}), "init", opts))
    assert instance_of(base) is not None  # private: never encoded
    out = ok(resolve(base, Message({"path": "compute", "function": "fac",
                                     "parameters": 5.0}), opts))
    assert out["results"]["wasm"]["type"] == "ok"
    assert out["results"]["wasm"]["output"] == (120.0,)


def test_wasm64_fuel_is_an_error_result(opts: Opts, fac: str, ok: Any) -> None:
    base = ok(resolve(Message({"device": "wasm-64@1.0", "image": fac,
                                "compute-limit": 1000}), "init", opts))
    out = ok(resolve(base, Message({"path": "compute", "function": "spin",
                                     "parameters": 10**9}), opts))
    assert out["results"]["wasm"]["type"] == "error"
    assert "ComputeLimit" in out["results"]["wasm"]["output"]


def test_wasm64_snapshot_and_normalize(opts: Opts, fac: str, ok: Any) -> None:
    base = ok(resolve(Message({"device": "wasm-64@1.0", "image": fac}), "init", opts))
    ok(resolve(base, Message({"path": "compute", "function": "store",
                               "parameters": (64, 42)}), opts))
    snap = ok(resolve(base, "snapshot", opts))
    fresh = ok(resolve(Message({"device": "wasm-64@1.0", "image": fac, "snapshot": snap}),
                        "normalize", opts))
    out = ok(resolve(fresh, Message({"path": "compute", "function": "load",
                                      "parameters": 64}), opts))
    assert out["results"]["wasm"]["output"] == (42,)


def test_wasm64_without_an_image_names_it(opts: Opts) -> None:
    res = resolve(Message({"device": "wasm-64@1.0"}), "init", opts)
    assert not res.ok and getattr(res.value, "field", None) == "image"
