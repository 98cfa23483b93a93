"""Operator helpers on :class:`~ao_kernel.node.node.Node` (a mixin).

::

    node.configure(port=9000, **{"simple-pay-price": 2})   # a signed POST /~meta@1.0/info
    node.enable_payments("simple-pay@1.0")                 # p4 hooks + a pricing/ledger device
    node.topup(address, 100); node.balance(address)        # on the configured ledger
    node.receipts                                          # every charge the node made
    node.costs(proc)                                       # cost per slot (metering)
    node.publish(proc, gateway="http://127.0.0.1:1984")    # ANS-104 bundle to Arweave
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core import commitments
from ..core.message import Message
from ..core.resolver import resolve
from ..devices.p4 import call, ledger_device

if TYPE_CHECKING:
    from .arweave import Gateway, PublishReport


class OperatorMixin:
    """What an operator does with a node (configuration, payments, metering, Arweave)."""

    state: Any
    wallet: Any

    def opts(self, **overrides: Any) -> Any:  # provided by Node
        raise NotImplementedError

    def configure(self, options: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Message:
        """Change node options as the operator: a POST to ``/~meta@1.0/info`` signed by
        the node wallet (values are coerced to the defaults' types; history is kept)."""
        updates = {**(options or {}), **kwargs}
        signed = commitments.commit(Message(updates), self.wallet.rsa_signer)
        res = resolve(Message({"device": "meta@1.0"}),
                      signed.with_(path="info", method="POST"), self.opts().internal())
        if not res.ok:
            raise res.value
        return res.value  # type: ignore[no-any-return]

    @property
    def history(self) -> list[Message]:
        """Every configuration change, newest first."""
        return list(self.state.history)

    def enable_payments(self, device: str = "simple-pay@1.0", *,
                        ledger: str | None = None, **options: Any) -> None:
        """Install ``p4@1.0`` as the request and response hook with ``device`` pricing
        and ``ledger`` (default: the same device) keeping the balances."""
        hook = Message({"device": "p4@1.0", "pricing-device": device,
                        "ledger-device": ledger or device})
        self.configure({"on": Message({"request": hook, "response": hook}), **options})

    def disable_payments(self) -> None:
        self.configure({"on": Message({})})

    def _ledger(self) -> str:
        return ledger_device(self.state) or "simple-pay@1.0"

    def balance(self, address: str) -> int:
        """``address``'s balance on the node's ledger device."""
        from ..devices.p4 import as_amount

        value = as_amount(call(self._ledger(), "balance", self.opts(), account=address))
        return value if isinstance(value, int) else 2**63 - 1

    def topup(self, address: str, amount: int) -> int:
        """Credit ``address`` with ``amount`` (as the operator); its new balance."""
        call(self._ledger(), "topup", self.opts(caller=self.state.operator),
             recipient=address, amount=int(amount))
        return self.balance(address)

    @property
    def receipts(self) -> list[dict[str, Any]]:
        """Every charge the node's ledger accepted: ``{account, quantity, route}``."""
        return list(self.state.__dict__.get("receipts", []))

    def costs(self, proc: Any) -> list[dict[str, Any]]:
        """Cost per computed slot of ``proc`` (metering): ``{slot, instructions, bytes…}``."""
        from ..devices.process.metering import cost_table

        pid = proc if isinstance(proc, str) else proc.id
        return cost_table(self.computed(pid))  # type: ignore[attr-defined]

    def publish(self, proc: Any, gateway: str | Gateway | None = None) -> PublishReport:
        """Publish ``proc`` (its process message, every message and assignment) to an
        Arweave gateway as one ANS-104 bundle; returns what was posted."""
        from .arweave import publish

        return publish(self, proc, gateway)  # type: ignore[arg-type]
