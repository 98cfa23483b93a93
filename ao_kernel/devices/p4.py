"""p4@1.0: the payment framework, run as the node's ``request`` and ``response`` hooks.

Configure it in the node message (HyperBEAM ``dev_p4``)::

    on/request/device: p4@1.0
    on/request/pricing-device: simple-pay@1.0
    on/request/ledger-device: simple-pay@1.0
    on/response/device: p4@1.0
    on/response/pricing-device: simple-pay@1.0
    on/response/ledger-device: simple-pay@1.0

* **request hook** — a route matching ``p4-non-chargeable-routes`` (default: the
  balance and top-up routes and ``/~meta@1.0/*``) passes; otherwise the pricing device
  ``estimate``\\ s the request: ``infinity`` refuses it (402, "will not service"), ``0``
  passes, a price P asks the ledger device for the caller's ``balance`` and answers
  **402 with the price and the balance** when it is short. Nothing has run yet, so a
  refused request changes nothing.
* **response hook** — the pricing device's ``price`` (it may use what the request cost:
  ``instructions`` metered on every slot it computed); if positive, the ledger device
  ``charge``\\ s the caller (to ``p4-recipient``, default the operator).
* ``GET /~p4@1.0/balance`` — the caller's balance on the configured ledger.

Pricing devices export ``estimate`` and ``price``; ledger devices ``balance``,
``charge`` and ``topup``. The caller is the (verified) signer of the request, or
``unknown``: the node puts it in the resolution's options (``opts.extra["caller"]``,
``node.opts(caller=...)``; the HTTP server passes the request's signer) and
:func:`caller` reads it there. No hidden per-thread state.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ..core.errors import AOError, PaymentError
from ..core.message import Message
from ..core.resolver import Device, Opts, resolve

UNKNOWN = "unknown"
INFINITY = "infinity"
DEFAULT_NON_CHARGEABLE = (
    "/~p4@1.0/balance", "/~p4@1.0/topup", "/~meta@1.0/*",
    "/~simple-pay@1.0/balance", "/~simple-pay@1.0/topup",
    "/~process-ledger@1.0/balance", "/~process-ledger@1.0/topup",
)

#: where a resolution's options carry who is asking (``node.opts(caller=...)``)
CALLER = "caller"


def current_caller(opts: Opts | None) -> str | None:
    """The verified signer of the request being resolved with ``opts``, if any."""
    who = opts.extra.get(CALLER) if opts is not None else None
    return str(who) if who else None


def caller(req: Message | None = None, opts: Opts | None = None) -> str:
    """Who asks: the caller in ``opts``, else the verified signer of ``req``, else
    ``unknown``."""
    who = current_caller(opts)
    if who:
        return who
    if req is not None:
        return signer_of(req) or UNKNOWN
    return UNKNOWN


def signer_of(msg: Message | None) -> str | None:
    """The first address whose commitment on ``msg`` verifies, else None."""
    if msg is None or not msg.commitments:
        return None
    from ..core import commitments

    try:
        if not commitments.verify(msg):
            return None
    except AOError:
        return None
    names = commitments.committers(msg)
    return names[0] if names else None


def non_chargeable(route: str, patterns: Any) -> bool:
    path = route.split("?", 1)[0].split("&", 1)[0] or "/"
    if isinstance(patterns, str):
        patterns = [p.strip() for p in patterns.split(",") if p.strip()]
    elif isinstance(patterns, Message):
        patterns = list(patterns.values())
    return any(fnmatch.fnmatchcase(path, str(p)) for p in patterns or ())


def as_amount(value: Any) -> int | str:
    """An integer amount, or ``infinity``."""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        if value.strip().lower() == INFINITY:
            return INFINITY
        return int(value.strip() or 0)
    if value is True:
        return INFINITY
    if value is None or value is False:
        return 0
    return int(value)


def _node_state(opts: Opts) -> Any:
    return opts.extra.get("node_state")


def call(device: str, key: str, opts: Opts, **fields: Any) -> Any:
    """Resolve ``key`` on ``device`` (a pricing or ledger device) with ``fields``."""
    req = Message({"path": key, **{k: v for k, v in fields.items() if v is not None}})
    res = resolve(Message({"device": device}), req, opts.internal())
    if not res.ok:
        if isinstance(res.value, AOError):
            raise res.value
        raise PaymentError(f"{device} {key} failed: {res.value!r}", field=key)
    return res.value


class P4Device(Device):
    name = "p4@1.0"
    exports = ("request", "response", "balance")

    def _devices(self, base: Message, opts: Opts) -> tuple[str | None, str | None]:
        pricing, ledger = base.text("pricing-device"), base.text("ledger-device")
        if (pricing is None or ledger is None) and _node_state(opts) is not None:
            hook = _hook_config(_node_state(opts))
            pricing = pricing or (hook.text("pricing-device") if hook else None)
            ledger = ledger or (hook.text("ledger-device") if hook else None)
        return pricing, ledger

    def _routes(self, opts: Opts) -> Any:
        state = _node_state(opts)
        routes = state.get("p4-non-chargeable-routes") if state is not None else None
        return routes if routes is not None else DEFAULT_NON_CHARGEABLE

    def request(self, base: Message, req: Message, opts: Opts) -> Message:
        pricing, ledger = self._devices(base, opts)
        route = req.text("route") or "/"
        if pricing is None or ledger is None or non_chargeable(route, self._routes(opts)):
            return Message({"status": "ok", "price": 0})
        account = req.text("account") or UNKNOWN
        messages = int(req.get("messages") or 1)  # type: ignore[arg-type]
        price = as_amount(call(pricing, "estimate", opts, account=account, messages=messages,
                               route=route))
        if price == INFINITY:
            raise PaymentError("Node will not service this request under any circumstances.",
                               field="price")
        if price == 0:
            return Message({"status": "ok", "price": 0})
        balance = as_amount(call(ledger, "balance", opts, account=account))
        if balance == INFINITY or int(balance) >= int(price):
            return Message({"status": "ok", "price": price, "balance": balance})
        raise InsufficientFunds(int(price), int(balance), account)

    def response(self, base: Message, req: Message, opts: Opts) -> Message:
        pricing, ledger = self._devices(base, opts)
        route = req.text("route") or "/"
        if pricing is None or ledger is None or non_chargeable(route, self._routes(opts)):
            return Message({"status": "ok", "charged": 0})
        account = req.text("account") or UNKNOWN
        fields = {"account": account, "route": route,
                  "messages": int(req.get("messages") or 1),  # type: ignore[arg-type]
                  "instructions": int(req.get("instructions") or 0)}  # type: ignore[arg-type]
        price = as_amount(call(pricing, "price", opts, **fields))
        if price == INFINITY or not price:
            return Message({"status": "ok", "charged": 0})
        state = _node_state(opts)
        recipient = None
        if state is not None:
            recipient = state.get("p4-recipient") or state.operator
        call(ledger, "charge", opts, account=account, quantity=int(price), recipient=recipient,
             route=route)
        return Message({"status": "ok", "charged": int(price)})

    def balance(self, base: Message, req: Message, opts: Opts) -> Any:
        _, ledger = self._devices(base, opts)
        if ledger is None:
            raise PaymentError("this node has no ledger device configured", field="ledger")
        account = req.text("account") or req.text("target") or caller(req, opts)
        return call(ledger, "balance", opts, account=account)


class InsufficientFunds(PaymentError):
    """402: the caller's balance does not cover the price (both are on the error)."""

    def __init__(self, price: int, balance: int, account: str) -> None:
        super().__init__(f"Insufficient funds: price {price}, balance {balance}",
                         field="balance")
        self.price = price
        self.balance = balance
        self.account = account


def _hook_config(state: Any) -> Message | None:
    on = state.get("on")
    if isinstance(on, Message):
        for name in ("request", "response"):
            hook = on.get(name)
            if isinstance(hook, Message) and hook.text("device") == P4Device.name:
                return hook
    return None


def ledger_device(state: Any) -> str | None:
    """The ledger device the node's p4 hooks use."""
    hook = _hook_config(state)
    return hook.text("ledger-device") if hook is not None else None
