"""faff@1.0: "friends and family" pricing and ledger (HyperBEAM ``dev_faff``).

Free for every caller in the node's ``faff-allow-list`` (addresses, comma-separated
text or a list); any other caller is refused ("will not service", 402). Its ledger
accepts every charge.
"""

from __future__ import annotations

from typing import Any

from ..core.message import Message
from ..core.resolver import Device, Opts
from .meta import device_list
from .p4 import INFINITY, caller


def allow_list(state: Any) -> set[str]:
    raw = state.get("faff-allow-list") if state is not None else None
    names = device_list(raw) if raw is not None else None  # same list syntax
    # addresses are case-sensitive: re-read without lowercasing
    if isinstance(raw, bytes):
        raw = raw.decode()
    if isinstance(raw, str):
        return {p.strip() for p in raw.split(",") if p.strip()}
    if isinstance(raw, Message):
        return {str(v) for v in raw.values()}
    if isinstance(raw, (list, tuple)):
        return {str(v) for v in raw}
    return set(names or ())


class FaffDevice(Device):
    name = "faff@1.0"
    exports = ("estimate", "price", "balance", "charge")

    def estimate(self, base: Message, req: Message, opts: Opts) -> Any:
        state = opts.extra.get("node_state")
        account = req.text("account") or caller(req, opts)
        allowed = allow_list(state)
        if state is not None and state.operator:
            allowed.add(state.operator)
        return 0 if account in allowed else INFINITY

    def price(self, base: Message, req: Message, opts: Opts) -> Any:
        return 0

    def balance(self, base: Message, req: Message, opts: Opts) -> Any:
        return INFINITY

    def charge(self, base: Message, req: Message, opts: Opts) -> bool:
        return True
