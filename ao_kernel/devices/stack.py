"""stack@1.0: run a request through a stack of devices (HyperBEAM ``dev_stack``, fold mode).

``{device: stack@1.0, device-stack: [A, B, C], ...}`` resolving key K: with ``pass = 1``
the message is handed to A's K, its result to B's K, and so on. Per device:
``ok`` -> next device; the device lacks K -> skipped; ``skip`` -> stop here and return;
``pass`` -> ``pass += 1`` and start again at the first device; ``error`` -> stop with it.
Afterwards the stack's own ``device`` is restored and ``device-key`` cleared (``pass``
keeps the number of passes made). ``device-stack`` is a list, a numbered map or a
comma-separated string of device names.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import MessageError, RecursionLimitError
from ..core.message import Message
from ..core.resolver import Device, Opts, Result, error, ok

MAX_PASSES = 16


def stack_of(base: Message) -> list[str]:
    raw = base.get("device-stack")
    if isinstance(raw, tuple):
        return [str(x) for x in raw]
    if isinstance(raw, Message):
        keys = sorted(raw.keys(), key=lambda k: int(k) if str(k).isdigit() else 0)
        return [str(raw.get(k)) for k in keys]
    if isinstance(raw, (str, bytes)):
        text = raw.decode() if isinstance(raw, bytes) else raw
        return [p.strip() for p in text.split(",") if p.strip()]
    return []


class StackDevice(Device):
    name = "stack@1.0"
    exports = ("init", "compute", "snapshot", "normalize")

    def init(self, base: Message, req: Message, opts: Opts) -> Any:
        return self.fold("init", base, req, opts)

    def compute(self, base: Message, req: Message, opts: Opts) -> Any:
        return self.fold("compute", base, req, opts)

    def snapshot(self, base: Message, req: Message, opts: Opts) -> Any:
        return self.fold("snapshot", base, req, opts)

    def normalize(self, base: Message, req: Message, opts: Opts) -> Any:
        return self.fold("normalize", base, req, opts)

    def fold(self, key: str, base: Message, req: Message, opts: Opts) -> Result:
        names = stack_of(base)
        if not names:
            return error(MessageError("a stack@1.0 message needs a device-stack",
                                      field="device-stack"))
        own = base.get("device", self.name)
        msg = base.with_(**{"pass": 1})
        passes = 1
        n = 0
        while n < len(names):
            device = opts.registry.get(names[n])
            handler = device.handler_for(key)
            if handler is None:  # HyperBEAM's {error, not_found}: this device skips K
                n += 1
                continue
            step = msg.with_(device=names[n], **{"device-key": n + 1})
            raw = handler(step, req, opts)
            res = raw if isinstance(raw, Result) else ok(raw)
            if res.status == "error":
                return res
            value = res.value if isinstance(res.value, Message) else step
            msg = value.with_(device=own)
            if res.status == "skip":
                break
            if res.status == "pass":
                passes += 1
                if passes > MAX_PASSES:
                    raise RecursionLimitError(f"more than {MAX_PASSES} passes", field="pass")
                msg = msg.with_(**{"pass": passes})
                n = 0
                continue
            n += 1
        return ok(msg.with_(device=own).without("device-key"))
