"""The messages the push device makes itself carry 32-byte anchors, as data items must:
the legacy CU re-encodes forwarded messages and refuses any other length (issue 17)."""

from __future__ import annotations

import ao_kernel as ao
from ao_kernel.core.message import Message
from ao_kernel.node.clock import VirtualClock
from ao_kernel.testing.wallets import dev_wallet


def test_spawned_child_and_notice_have_32_byte_anchors_and_distinct_ids() -> None:
    node = ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    try:
        parents = [node.spawn(lua="", name=f"p{n}", authority=node.address) for n in range(2)]
        children = []
        for parent in parents:  # the same spawn (same reference "1") from two parents
            parent.eval("Spawn(ao.env.Module.Id, {Data = 'x', Name = 'kid'})")
            notice = node.assignment(parent.id, parent.slot)["body"]
            assert isinstance(notice, Message) and notice.text("action") == "Spawned"
            assert len(notice.text("anchor") or "") == 32
            child = str(notice.text("process"))
            assert len(node.definition(child).text("anchor") or "") == 32
            children.append(child)
        assert children[0] != children[1]
    finally:
        node.close()
