"""push@1.0, the messenger: what it asks of its host and what a delivered message carries."""

from __future__ import annotations

from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core.message import Message
from ao_kernel.devices.process.result import SlotResult
from ao_kernel.devices.push import Messenger
from ao_kernel.runtimes.aos.abi import Outcome, as_list, outcome_text
from ao_kernel.testing.wallets import dev_wallet

SINK = 'Handlers.add("any", function() return true end, function(m) Got = m end)'


class RecordingHost:
    """A Deliverer that records what the messenger asks and lets the node do it."""

    def __init__(self, node: ao.Node) -> None:
        self.node = node
        self.scheduled: list[tuple[Message, str]] = []
        self.registered: list[Message] = []

    def schedule_and_compute(self, msg: Message, process: str) -> SlotResult:
        self.scheduled.append((msg, process))
        return self.node.schedule_and_compute(msg, process)

    def register_process(self, definition: Message) -> SlotResult:
        self.registered.append(definition)
        return self.node.register_process(definition)

    def find_message(self, msg_id: str) -> Message | None:
        return self.node.find_message(msg_id)


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), clock="virtual")


def _result(node: ao.Node, sender: str, *, messages: Any = (), spawns: Any = ()) -> SlotResult:
    outcome = Outcome(messages=list(messages), spawns=list(spawns))
    return SlotResult(process=sender, slot=1, message_id="m" * 43, outcome=outcome,
                      hashpath="")


def test_a_delivery_is_scheduled_through_the_host(node: ao.Node) -> None:
    sender, target = node.spawn(lua=SINK), node.spawn(lua=SINK)
    host = RecordingHost(node)
    messenger = Messenger(host, node.scheduler, node.events, node.address)
    outbox = {"Target": target.id, "Data": "hi", "Anchor": "7",
              "Tags": [{"name": "Action", "value": "Note"}, {"name": "Type", "value": "x"}]}
    root = messenger.push(_result(node, sender.id, messages=[outbox]))
    (msg, process), = host.scheduled
    assert process == target.id and root.pushed[0].process == target.id
    assert msg.text("action") == "Note" and msg.text("data") == "hi"
    assert msg.text("from-process") == sender.id and msg.text("pushed-for") == "m" * 43
    assert msg.text("type") == "Message"  # protocol tags are the messenger's, not the sender's
    assert target.inspect("return Got.Action") == "Note"


def test_undeliverable_messages_are_kept(node: ao.Node) -> None:
    sender = node.spawn(lua=SINK)
    host = RecordingHost(node)
    messenger = Messenger(host, node.scheduler, node.events, node.address)
    outbox = {"Target": "nobody-here", "Data": ""}
    root = messenger.push(_result(node, sender.id, messages=[outbox]))
    assert host.scheduled == [] and root.undelivered == [outbox]


def test_a_spawn_registers_the_child_then_tells_the_parent(node: ao.Node) -> None:
    parent = node.spawn(lua=SINK)
    host = RecordingHost(node)
    messenger = Messenger(host, node.scheduler, node.events, node.address)
    spawn = {"Data": "", "Anchor": "1", "Tags": [{"name": "Name", "value": "kid"}]}
    root = messenger.push(_result(node, parent.id, spawns=[spawn]))
    (child_def,) = host.registered
    assert child_def.text("from-process") == parent.id and child_def.text("type") == "Process"
    assert child_def.text("scheduler") == node.address
    assert [p for _, p in host.scheduled] == [parent.id]  # Action = Spawned, to the parent
    (child,) = root.spawned
    assert node.definition(child).text("from-process") == parent.id
    assert parent.inspect("return Got.Action") == "Spawned"


def test_outcome_text_is_the_one_conversion_of_values_leaving_a_process() -> None:
    # pinned: pushed messages' IDs (and every hashpath after them) depend on this text
    assert [outcome_text(v) for v in (None, "a", True, False, 3, 1.0, 2.5)] == \
        ["", "a", "true", "false", "3", "1.0", "2.5"]
    assert outcome_text({"a": [1, 2]}) == '{"a": [1, 2]}'


def test_as_list_splits_text_only_where_a_list_of_ids_is_text() -> None:
    assert as_list(None) == [] and as_list([1]) == [1]
    assert as_list({"2": "b", "1": "a"}) == ["a", "b"]
    assert as_list("a, b") == [] and as_list(5) == []  # an outbox given as text holds nothing
    assert as_list("a, b", split_text=True) == ["a", "b"]
    assert as_list(5, split_text=True) == [5]
