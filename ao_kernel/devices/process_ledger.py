"""process-ledger@1.0: a p4 ledger that is itself an AO process (HyperBEAM's Lua ledger).

The ledger is an aos token process (:data:`LEDGER_LUA`) on this node, named by the node
option ``p4-ledger-process``; the node reaches it the way any process is reached, by
scheduling messages on it and pushing what they send:

* ``charge`` → ``Action: Charge`` (``Account``, ``Quantity``, ``Recipient``) from the
  operator; the process refuses (an error, so nothing changes) when the balance is short;
* ``topup`` → ``Action: Topup`` (``Recipient``, ``Quantity``), operator only;
* ``balance`` → the process's ``Balances[account]`` read from its current state.

Users can also message the ledger directly (``Balance``, ``Transfer``), as with any
aos token. :func:`spawn_ledger` starts one and points the node's options at it.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from ..core.errors import MessageError, PaymentError, SignatureError
from ..core.message import Message
from ..core.resolver import Device, Opts
from .p4 import InsufficientFunds, caller

#: the ledger process's aos source (process_ledger.lua beside this module)
LEDGER_LUA = resources.files(__package__).joinpath("process_ledger.lua").read_text(
    encoding="utf-8")

_ADDRESS = re.compile(r"^[A-Za-z0-9_\-]{1,128}$")


def _node(opts: Opts) -> Any:
    if opts.node is None:
        raise PaymentError("process-ledger@1.0 needs a node", field="node")
    return opts.node


def _pid(node: Any) -> str:
    pid = node.state.get("p4-ledger-process")
    if not pid:
        raise PaymentError("no ledger process: set the node option p4-ledger-process",
                           field="p4-ledger-process")
    return str(pid.decode() if isinstance(pid, bytes) else pid)


def ledger_balance(node: Any, pid: str, account: str) -> int:
    """``Balances[account]`` in the ledger process's current state."""
    if not _ADDRESS.match(account):
        raise MessageError(f"not an address: {account!r}", field="account")
    out = node.inspect(pid,
        f'return tostring(Balances["{account}"] or 0)')
    return int(str(out).strip() or 0)


def spawn_ledger(node: Any, *, name: str = "p4-ledger") -> Any:
    """Spawn the ledger process on ``node`` and make it the node's ledger."""
    proc = node.spawn(lua=LEDGER_LUA, name=name)
    node.state.update({"p4-ledger-process": proc.id})
    return proc


class ProcessLedgerDevice(Device):
    name = "process-ledger@1.0"
    exports = ("balance", "charge", "topup")

    def balance(self, base: Message, req: Message, opts: Opts) -> int:
        node = _node(opts)
        account = req.text("account") or req.text("target") or caller(req, opts)
        return ledger_balance(node, _pid(node), account)

    def charge(self, base: Message, req: Message, opts: Opts) -> bool:
        node = _node(opts)
        pid = _pid(node)
        account = req.text("account") or ""
        quantity = int(req.get("quantity") or 0)  # type: ignore[arg-type]
        tags = {"Account": account, "Quantity": str(quantity)}
        if req.text("recipient"):
            tags["Recipient"] = req.text("recipient") or ""
        res = node.send(pid, action="Charge", tags=tags)
        if res.error is not None:
            raise InsufficientFunds(quantity, ledger_balance(node, pid, account), account)
        from .simple_pay import record_receipt

        record_receipt(node.state, account, quantity, req.text("route") or "")
        return True

    def topup(self, base: Message, req: Message, opts: Opts) -> Message:
        node = _node(opts)
        if caller(req, opts) != node.state.operator:
            raise SignatureError("Unauthorized: only the operator may top up balances",
                                 field="commitments")
        recipient = req.text("recipient")
        amount = int(req.get("amount") or 0)  # type: ignore[arg-type]
        if not recipient or amount <= 0:
            raise MessageError("topup needs a recipient and a positive amount", field="amount")
        res = node.send(_pid(node), action="Topup",
                        tags={"Recipient": recipient, "Quantity": str(amount)})
        if res.error is not None:
            raise PaymentError(f"the ledger refused the top-up: {res.error}", field="amount")
        return Message({"recipient": recipient,
                        "balance": ledger_balance(node, _pid(node), recipient)})
