"""multipass@1.0: ask the stack for another pass until ``passes`` is reached
(HyperBEAM ``dev_multipass``). ``pass < passes`` -> ``pass`` status, else ``ok``."""

from __future__ import annotations

from typing import Any

from ..core.message import Message
from ..core.resolver import Device, Opts, ok, pass_


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class MultipassDevice(Device):
    name = "multipass@1.0"
    exports = ("init", "compute")

    def init(self, base: Message, req: Message, opts: Opts) -> Any:
        return ok(base)

    def compute(self, base: Message, req: Message, opts: Opts) -> Any:
        if _int(base.get("pass"), 1) < _int(base.get("passes"), 1):
            return pass_(base)
        return ok(base)
