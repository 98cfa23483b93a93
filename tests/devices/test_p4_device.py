"""p4@1.0: the request and response hooks between a pricing and a ledger device."""

from __future__ import annotations

from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import PaymentError
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import resolve
from ao_kernel.devices.p4 import InsufficientFunds, call, caller, non_chargeable
from ao_kernel.testing.wallets import dev_wallet

PAYER, FRIEND = dev_wallet(2).address, dev_wallet(3).address
P4 = {"device": "p4@1.0", "pricing-device": "simple-pay@1.0",
      "ledger-device": "simple-pay@1.0"}


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), config={"simple-pay-price": 2})


def _p4(node: ao.Node, key: str, *, pricing: str = "simple-pay@1.0",
        **fields: object) -> Any:
    """Resolve ``key`` on a p4@1.0 message whose pricing and ledger device is ``pricing``."""
    base = Message({**P4, "pricing-device": pricing, "ledger-device": pricing})
    res = resolve(base, Message({"path": key, **fields}), node.opts().internal())
    if not res.ok:
        raise res.value
    return res.value


def test_request_refuses_a_short_balance_with_price_and_balance(node: ao.Node) -> None:
    with pytest.raises(InsufficientFunds) as short:
        _p4(node, "request", route="/x~process@1.0/push", account=PAYER, messages=1)
    assert (short.value.status, short.value.price, short.value.balance) == (402, 2, 0)
    node.topup(PAYER, 5)
    ok = _p4(node, "request", route="/x~process@1.0/push", account=PAYER, messages=1)
    assert ok["price"] == 2 and ok["balance"] == 5


def test_response_charges_and_free_routes_pass(node: ao.Node) -> None:
    node.topup(PAYER, 5)
    charged = _p4(node, "response", route="/x~process@1.0/push", account=PAYER, messages=2)
    assert charged["charged"] == 4 and node.balance(PAYER) == 1
    free = _p4(node, "request", route="/~meta@1.0/info", account=PAYER, messages=100)
    assert free["price"] == 0
    assert non_chargeable("/~p4@1.0/balance", ["/~p4@1.0/balance"])


def test_will_not_service_is_a_payment_error() -> None:
    node = ao.Node(wallet=dev_wallet(1), config={"faff-allow-list": FRIEND})
    base = {"route": "/x", "messages": 1}
    with pytest.raises(PaymentError, match="will not service"):
        _p4(node, "request", pricing="faff@1.0", account=PAYER, **base)
    assert _p4(node, "request", pricing="faff@1.0", account=FRIEND, **base)["price"] == 0


def test_the_caller_comes_from_the_options_not_the_thread(node: ao.Node) -> None:
    assert caller(None, node.opts(caller=PAYER)) == PAYER
    assert caller(None, node.opts()) == "unknown"
    node.topup(PAYER, 3)
    assert call("simple-pay@1.0", "balance", node.opts(caller=PAYER)) == 3
