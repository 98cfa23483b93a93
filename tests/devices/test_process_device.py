"""process@1.0 through the resolver: the same compute unit the Python API uses."""

from __future__ import annotations

from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import ProcessError, ProcessNotFoundError, SchedulerError
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import DeviceRegistry, Opts, resolve
from ao_kernel.devices.process import ComputeContext, Computer, ProcessDevice, state_message
from ao_kernel.devices.process.compute import _Live
from ao_kernel.testing.wallets import dev_wallet

COUNTER = """
Count = 0
Handlers.add("ping", "Ping", function(msg) Count = Count + 1; msg.reply({Action = "Pong"}) end)
Handlers.add("pong", "Pong", function(msg) Pongs = (Pongs or 0) + 1 end)
"""


@pytest.fixture
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), clock="virtual")


def test_compute_answers_what_proc_result_gives(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    sent = [proc.eval(f"return {i} * 2") for i in range(1, 4)]
    for res in sent:
        state = node.resolve(f"/{proc.id}~process@1.0/compute&slot+integer={res.slot}")
        assert state["at-slot"] == res.slot and state["process"] == proc.id
        assert state["hashpath"] == res.hashpath == proc.result(res.slot).hashpath
        assert state["results"]["data"] == res.output
    now = node.resolve(f"/{proc.id}~process@1.0/now")
    assert now["at-slot"] == proc.slot == 3 and now["results"]["data"] == "6"


def test_slot_is_the_schedulers_slot_message(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    proc.send(action="Ping")
    via_process = node.resolve(f"/{proc.id}~process@1.0/slot")
    via_scheduler = node.resolve(f"/~scheduler@1.0/slot?target={proc.id}")
    assert via_process == via_scheduler
    assert via_process["current"] == 1 and via_process["addresses"] == (node.address,)


def test_schedule_post_schedules_and_computes_and_get_pages(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    req = Message({"path": "schedule", "method": "POST", "action": "Ping", "data": "x"})
    assignment = node.resolve([Message({"device": "process@1.0"}).with_priv(
        **{"process-id": proc.id}), req])
    assert assignment["slot"] == 1 and proc.slot == 1
    assert proc.inspect("return Count") == 1  # computed
    page = node.resolve(f"/{proc.id}~process@1.0/schedule")
    assert sorted(int(k) for k in page["assignments"]) == [0, 1]


def test_push_delivers_and_counts(node: ao.Node) -> None:
    a = node.spawn(lua=COUNTER)
    b = node.spawn(lua=COUNTER)
    req = Message({"path": "push", "method": "POST", "action": "Ping", "target": b.id})
    # a message from process a's point of view does not matter here: b replies to the
    # sender, which is the node's own address (no process), so nothing comes back
    state = node.resolve([Message({"device": "process@1.0"}).with_priv(
        **{"process-id": b.id}), req])
    assert state["slot"] == 1 and state["pushed"] == 0
    go = a.eval(f'Send({{Target = "{b.id}", Action = "Ping"}})')
    assert [r.process for r in go.all_results()] == [a.id, b.id, a.id]
    assert a.inspect("return Pongs") == 1


def test_errors_name_what_was_wrong(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    with pytest.raises(ProcessNotFoundError) as missing:
        node.resolve(f"/{proc.id}~process@1.0/compute&slot+integer=5")
    assert missing.value.field == "slot"
    with pytest.raises(SchedulerError) as bad:
        node.resolve(f"/{proc.id}~process@1.0/compute&slot=abc")
    assert bad.value.field == "slot"
    registry = DeviceRegistry([ProcessDevice()])
    res = resolve(Message({"device": "process@1.0"}), Message({"path": "now"}),
                  Opts(registry=registry))
    assert not res.ok and isinstance(res.value, ProcessError)


def test_state_message_carries_published_state(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    res = proc.eval('Send({ device = "patch@1.0", cache = { balance = 10, tags = {1, 2} } })')
    state = state_message(res)
    assert state["cache"]["balance"] == 10 and state["cache"]["tags"] == (1, 2)
    assert state["results"]["outbox"] == Message({})  # the patch left the outbox


class _Schedule:
    """A schedule of one process, read from another node (the federation mirror's shape)."""

    def __init__(self, node: ao.Node, pid: str) -> None:
        self.node, self.pid = node, pid

    def has_process(self, pid: str) -> bool:
        return pid == self.pid

    def process(self, pid: str) -> Message:
        return self.node.definition(pid)

    def current_slot(self, pid: str) -> int:
        return self.node.current_slot(pid)

    def assignment(self, pid: str, slot: int) -> Message:
        return self.node.assignment(pid, slot)


class _Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    @property
    def active(self) -> bool:
        return True

    def publish(self, kind: str, **data: Any) -> None:
        self.seen.append((kind, data))


def test_a_computer_needs_only_its_context(node: ao.Node) -> None:
    proc = node.spawn(lua=COUNTER)
    results = [proc.send(action="Ping") for _ in range(3)]
    events = _Events()
    unit = Computer(ComputeContext(schedule=_Schedule(node, proc.id), address=node.address,
                                   clock=node.clock, events=events, read_message=node.read))
    again = unit.compute_range(proc.id, 1, 3)
    assert [r.hashpath for r in again] == [r.hashpath for r in results]
    assert [d["slot"] for kind, d in events.seen if kind == "computed"] == [0, 1, 2, 3]
    assert isinstance(unit.live(proc.id), _Live)
    with pytest.raises(ProcessNotFoundError):
        unit.live("x" * 43)
