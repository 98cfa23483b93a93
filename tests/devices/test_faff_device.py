"""faff@1.0: free for the allow-list and the operator, refused for everyone else."""

from __future__ import annotations

import ao_kernel as ao
from ao_kernel.devices.p4 import INFINITY, call
from ao_kernel.testing.wallets import dev_wallet

FRIEND, STRANGER = dev_wallet(2).address, dev_wallet(3).address


def test_allow_list_and_operator_are_free_others_are_refused() -> None:
    node = ao.Node(wallet=dev_wallet(1), config={"faff-allow-list": FRIEND})
    opts = node.opts()
    assert call("faff@1.0", "estimate", opts, account=FRIEND) == 0
    assert call("faff@1.0", "estimate", opts, account=node.address) == 0
    assert call("faff@1.0", "estimate", opts, account=STRANGER) == INFINITY
    assert call("faff@1.0", "estimate", node.opts(caller=STRANGER)) == INFINITY  # who asks
    assert call("faff@1.0", "estimate", node.opts(caller=FRIEND)) == 0
    assert call("faff@1.0", "balance", opts, account=STRANGER) == INFINITY
    assert call("faff@1.0", "charge", opts, account=FRIEND, quantity=5) is True
