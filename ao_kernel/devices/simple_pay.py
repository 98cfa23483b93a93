"""simple-pay@1.0: a p4 pricing and ledger device (HyperBEAM ``dev_simple_pay``).

* ``estimate`` / ``price``: ``messages × simple-pay-price`` (default 1); the operator
  pays nothing. With ``simple-pay-mode: metered`` the response price adds
  ``metered-price`` for every started block of ``metered-block`` Lua instructions the
  request computed (metering, :mod:`ao_kernel.devices.process.metering`).
* ``balance``: the account's balance in the node message's ``simple-pay-ledger``.
* ``charge``: subtracts a quantity (402 when the balance would go negative: nothing
  changes); each charge is appended to the node's ``p4-receipts``.
* ``topup``: adds ``amount`` to ``recipient``; only the operator may.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import MessageError, PaymentError, SignatureError
from ..core.message import Message
from ..core.resolver import Device, Opts
from .p4 import InsufficientFunds, caller


def _state(opts: Opts) -> Any:
    state = opts.extra.get("node_state")
    if state is None:
        raise PaymentError("simple-pay@1.0 needs a node", field="node")
    return state


def _int(value: Any, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bytes):
        value = value.decode()
    return int(value)


def ledger_of(state: Any) -> dict[str, int]:
    raw = state.get("simple-pay-ledger")
    if isinstance(raw, Message):
        return {k: _int(v) for k, v in raw.items()}
    return {}


def record_receipt(state: Any, account: str, quantity: int, route: str) -> None:
    """Keep every charge (kept out of the node history: it is not configuration)."""
    receipts = state.__dict__.setdefault("receipts", [])
    receipts.append({"account": account, "quantity": quantity, "route": route})


class SimplePayDevice(Device):
    name = "simple-pay@1.0"
    exports = ("estimate", "price", "balance", "charge", "topup")

    def estimate(self, base: Message, req: Message, opts: Opts) -> int:
        state = _state(opts)
        account = req.text("account") or ""
        if account and account == state.operator:
            return 0
        per = _int(state.get("simple-pay-price"), 1)
        return _int(req.get("messages"), 1) * per

    def price(self, base: Message, req: Message, opts: Opts) -> int:
        state = _state(opts)
        price = self.estimate(base, req, opts)
        if price == 0 and (req.text("account") or "") == state.operator:
            return 0
        if str(state.get("simple-pay-mode", "")).lower() == "metered":
            block = max(_int(state.get("metered-block"), 1000), 1)
            per_block = _int(state.get("metered-price"), 1)
            instructions = _int(req.get("instructions"))
            price += -(-instructions // block) * per_block
        return price

    def balance(self, base: Message, req: Message, opts: Opts) -> int:
        state = _state(opts)
        account = req.text("account") or req.text("target") or caller(req, opts)
        return ledger_of(state).get(account, 0)

    def charge(self, base: Message, req: Message, opts: Opts) -> bool:
        state = _state(opts)
        account = req.text("account") or ""
        quantity = _int(req.get("quantity"))
        if quantity < 0:
            raise MessageError("a charge is never negative", field="quantity")
        with state.lock:
            ledger = ledger_of(state)
            balance = ledger.get(account, 0)
            if balance - quantity < 0:
                raise InsufficientFunds(quantity, balance, account)
            ledger[account] = balance - quantity
            state.update({"simple-pay-ledger": Message(ledger)}, record=False)
            record_receipt(state, account, quantity, req.text("route") or "")
        return True

    def topup(self, base: Message, req: Message, opts: Opts) -> Message:
        state = _state(opts)
        who = caller(req, opts)
        if who != state.operator:
            raise SignatureError("Unauthorized: only the operator may top up balances",
                                 field="commitments")
        recipient = req.text("recipient")
        if not recipient:
            raise MessageError("topup needs a recipient", field="recipient")
        amount = _int(req.get("amount"))
        if amount <= 0:
            raise MessageError("topup needs a positive amount", field="amount")
        with state.lock:
            ledger = ledger_of(state)
            ledger[recipient] = ledger.get(recipient, 0) + amount
            state.update({"simple-pay-ledger": Message(ledger)}, record=False)
        return Message({"recipient": recipient, "balance": ledger[recipient]})
