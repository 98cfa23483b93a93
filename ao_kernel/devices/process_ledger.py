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
from typing import Any

from ..core.errors import MessageError, PaymentError, SignatureError
from ..core.message import Message
from ..core.resolver import Device, Opts
from .p4 import InsufficientFunds, caller

LEDGER_LUA = r'''
Balances = Balances or {}
local function amount(v) return math.tointeger(tonumber(v or 0)) or 0 end
local function notice(msg, fields) msg.reply(fields) end

Handlers.add("Balance", "Balance", function(msg)
  local who = msg.Tags.Account or msg.Tags.Recipient or msg.From
  local b = tostring(Balances[who] or 0)
  notice(msg, { Action = "Balance-Notice", Account = who, Balance = b, Data = b })
end)

Handlers.add("Topup", "Topup", function(msg)
  assert(msg.From == Owner, "only the operator may top up")
  local who, q = msg.Tags.Recipient, amount(msg.Tags.Quantity)
  assert(who and q > 0, "Topup needs a Recipient and a positive Quantity")
  Balances[who] = (Balances[who] or 0) + q
  notice(msg, { Action = "Topup-Notice", Recipient = who, Balance = tostring(Balances[who]) })
end)

Handlers.add("Charge", "Charge", function(msg)
  assert(msg.From == Owner, "only the operator may charge")
  local who, q = msg.Tags.Account, amount(msg.Tags.Quantity)
  local have = Balances[who] or 0
  if q < 0 or have < q then
    error("Insufficient funds: balance " .. have .. ", price " .. q)
  end
  Balances[who] = have - q
  local to = msg.Tags.Recipient
  if to and to ~= "" then Balances[to] = (Balances[to] or 0) + q end
  notice(msg, { Action = "Charge-Notice", Account = who, Quantity = tostring(q),
                Balance = tostring(Balances[who]) })
end)

Handlers.add("Transfer", "Transfer", function(msg)
  local to, q = msg.Tags.Recipient, amount(msg.Tags.Quantity)
  local have = Balances[msg.From] or 0
  assert(to and q > 0 and have >= q, "Transfer needs a Recipient and enough balance")
  Balances[msg.From] = have - q
  Balances[to] = (Balances[to] or 0) + q
  notice(msg, { Action = "Debit-Notice", Recipient = to, Quantity = tostring(q) })
end)
'''

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
