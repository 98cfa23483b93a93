"""process-ledger@1.0: a p4 ledger that is an aos token process on the node."""

from __future__ import annotations

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import PaymentError, SignatureError
from ao_kernel.devices.p4 import call
from ao_kernel.devices.process_ledger import spawn_ledger
from ao_kernel.testing.wallets import dev_wallet

PAYER = dev_wallet(2).address


def test_the_ledger_process_holds_the_balances() -> None:
    node = ao.Node(wallet=dev_wallet(1), clock="virtual")
    ledger = spawn_ledger(node)
    with pytest.raises(PaymentError):
        call("process-ledger@1.0", "balance", ao.Node(wallet=dev_wallet(1)).opts(),
             account=PAYER)  # a node without a ledger process names what is missing
    with pytest.raises(SignatureError):
        call("process-ledger@1.0", "topup", node.opts(caller=PAYER), recipient=PAYER,
             amount=5)
    call("process-ledger@1.0", "topup", node.opts(caller=node.address), recipient=PAYER,
         amount=5)
    assert call("process-ledger@1.0", "balance", node.opts(), account=PAYER) == 5
    assert call("process-ledger@1.0", "charge", node.opts(), account=PAYER, quantity=3,
                recipient=node.address) is True
    with pytest.raises(PaymentError):
        call("process-ledger@1.0", "charge", node.opts(), account=PAYER, quantity=3)
    assert call("process-ledger@1.0", "balance", node.opts(caller=PAYER)) == 2
    assert ledger.slot >= 3  # every change was a scheduled message on the process
