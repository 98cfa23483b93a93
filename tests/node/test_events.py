"""The event bus: every documented kind is published, once, and can be subscribed to."""

from __future__ import annotations

from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.node.events import KINDS, Event
from ao_kernel.testing.wallets import dev_wallet


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), clock="virtual")


def test_every_kind_can_be_subscribed_to(node: ao.Node) -> None:
    assert set(KINDS) == {"spawned", "scheduled", "computed", "pushed", "committed",
                          "verified", "published"}
    for kind in KINDS:
        node.events.subscribe(lambda e: None, [kind])()
    with pytest.raises(ValueError, match="unknown event kinds"):
        node.events.subscribe(lambda e: None, ["no-such-kind"])


def test_scheduled_is_published_once_per_slot_by_the_scheduler(node: ao.Node) -> None:
    seen: list[Event] = []
    node.events.subscribe(seen.append, ["scheduled"])
    proc = node.spawn(lua="")
    res = proc.send(action="Ping")
    proc.send_many(["Ping", "Ping"])
    node.resolve(f"/~scheduler@1.0/schedule?target={proc.id}&method=POST&action=Ping")
    assert [(e["process"], e["slot"]) for e in seen] == [(proc.id, s) for s in range(5)]
    assert seen[0]["message"] == proc.id and seen[1]["message"] == res.message_id


def test_committed_is_published_when_a_checkpoint_is_signed(node: ao.Node) -> None:
    seen: list[Any] = []
    node.events.subscribe(seen.append, ["committed"])
    proc = node.spawn(lua="")
    proc.send(action="Ping")
    report = node.verify(proc)  # signs a checkpoint at the latest slot
    assert report and [(e["process"], e["slot"], e["signer"]) for e in seen] == [
        (proc.id, 1, node.address)]
    node.verify(proc)  # already signed: nothing new
    assert len(seen) == 1


def test_a_bus_given_or_set_later_gets_every_roles_events() -> None:
    from ao_kernel.node.events import EventBus

    given = EventBus()
    node = ao.Node(wallet=dev_wallet(1), clock="virtual", events=given)
    seen: list[str] = []
    given.subscribe(lambda e: seen.append(e.kind))
    node.spawn(lua="Handlers.add('p', 'P', function(m) m.reply({Action = 'Q'}) end)")
    later = EventBus()
    node.events = later  # e.g. a notebook session's one bus, kept across %restore
    moved: list[str] = []
    later.subscribe(lambda e: moved.append(e.kind))
    proc = node.spawn(lua="Handlers.add('q', 'Q', function() end)")
    node.send(proc.id, action="Ping")
    proc.eval(f"Send({{Target = '{proc.id}', Action = 'Q'}})")
    assert {"scheduled", "computed", "spawned"} <= set(seen)
    assert {"scheduled", "computed", "spawned", "pushed"} <= set(moved)
    assert len(seen) == 3  # nothing reached the old bus after the switch
