"""wasi@1.0: the WASI side of a wasm stack (HyperBEAM ``dev_wasi``).

The engine itself serves the WASI imports (``fd_write`` to a captured buffer, a fixed
clock, deterministic ``random_get``: :mod:`ao_kernel.runtimes.wasm`); this device keeps the
file system view: ``init`` installs the standard descriptors and an empty ``vfs``;
``compute`` (after the wasm pass) publishes what the module wrote to stdout at
``vfs/dev/stdout``.
"""

from __future__ import annotations

from typing import Any

from ..core.message import Message
from ..core.resolver import Device, Opts, ok
from .wasm64 import instance_of


class WasiDevice(Device):
    name = "wasi@1.0"
    exports = ("init", "compute", "stdout")

    def init(self, base: Message, req: Message, opts: Opts) -> Any:
        return ok(base.with_(**{
            "file-descriptors": {"0": "/dev/stdin", "1": "/dev/stdout", "2": "/dev/stderr"},
            "vfs": {"dev": {"stdin": "", "stdout": "", "stderr": ""}},
        }))

    def compute(self, base: Message, req: Message, opts: Opts) -> Any:
        inst = instance_of(base)
        if inst is None:
            return ok(base)
        out = bytes(inst.stdout).decode("utf-8", "replace")
        err = bytes(inst.stderr).decode("utf-8", "replace")
        return ok(base.with_(vfs={"dev": {"stdin": "", "stdout": out, "stderr": err}}))

    def stdout(self, base: Message, req: Message, opts: Opts) -> Any:
        inst = instance_of(base)
        return "" if inst is None else bytes(inst.stdout).decode("utf-8", "replace")
