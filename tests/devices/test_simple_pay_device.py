"""simple-pay@1.0: prices, the ledger in the node message, charges and top-ups."""

from __future__ import annotations

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import SignatureError
from ao_kernel.devices.p4 import InsufficientFunds, call
from ao_kernel.testing.wallets import dev_wallet

SOMEONE = dev_wallet(2).address


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), config={"simple-pay-price": 3})


def test_estimate_is_messages_times_price_and_free_for_the_operator(node: ao.Node) -> None:
    opts = node.opts()
    assert call("simple-pay@1.0", "estimate", opts, account=SOMEONE, messages=2) == 6
    assert call("simple-pay@1.0", "estimate", opts, account=node.address, messages=2) == 0


def test_metered_price_adds_per_instruction_block() -> None:
    node = ao.Node(wallet=dev_wallet(1), config={
        "simple-pay-price": 1, "simple-pay-mode": "metered", "metered-block": 1000,
        "metered-price": 2})
    assert call("simple-pay@1.0", "price", node.opts(), account=SOMEONE,
                instructions=2500) == 1 + 3 * 2


def test_only_the_operator_tops_up_and_charges_never_overdraw(node: ao.Node) -> None:
    with pytest.raises(SignatureError):
        call("simple-pay@1.0", "topup", node.opts(caller=SOMEONE), recipient=SOMEONE,
             amount=5)
    call("simple-pay@1.0", "topup", node.opts(caller=node.address), recipient=SOMEONE,
         amount=5)
    assert call("simple-pay@1.0", "balance", node.opts(caller=SOMEONE)) == 5  # the caller's
    call("simple-pay@1.0", "charge", node.opts(), account=SOMEONE, quantity=4, route="/x")
    with pytest.raises(InsufficientFunds) as short:
        call("simple-pay@1.0", "charge", node.opts(), account=SOMEONE, quantity=2)
    assert (short.value.price, short.value.balance) == (2, 1)
    assert node.balance(SOMEONE) == 1
    assert node.receipts == [{"account": SOMEONE, "quantity": 4, "route": "/x"}]
