"""scheduler@1.0 through the resolver: schedule (GET/POST), slot, status, next, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ao_kernel.core import codecs, commitments
from ao_kernel.core.errors import (
    ProcessNotFoundError,
    SchedulerError,
    SignatureError,
)
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import DeviceRegistry, Opts, Result, resolve
from ao_kernel.devices.message import MessageDevice
from ao_kernel.devices.scheduler import Scheduler, SchedulerDevice, verify_schedule
from ao_kernel.node.clock import VirtualClock
from ao_kernel.node.stores import open_store
from ao_kernel.testing.wallets import dev_wallet

T0 = 1_700_000_000_000
BASE = Message({"device": "scheduler@1.0"})


@pytest.fixture(scope="module")
def wallet() -> Any:
    return dev_wallet(1)


@pytest.fixture(scope="module")
def user() -> Any:
    return dev_wallet(2)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest.fixture
def sched(wallet: Any, clock: VirtualClock) -> Iterator[Scheduler]:
    s = Scheduler(open_store("memory"), wallet.signer, clock=clock, checkpoint_every=10**9)
    yield s
    s.close(flush=False)


@pytest.fixture
def opts(sched: Scheduler) -> Opts:
    registry = DeviceRegistry([MessageDevice(), SchedulerDevice()])
    return Opts(registry=registry, extra={"scheduler": sched})


def call(opts: Opts, **req: Any) -> Result:
    return resolve(BASE, Message(req), opts)


def value(opts: Opts, **req: Any) -> Any:
    res = call(opts, **req)
    assert res.ok, res.value
    return res.value


def proc_msg(scheduler: str) -> Message:
    return Message({"type": "Process", "device": "process@1.0", "scheduler": scheduler,
                    "module": "aos-lua"})


def spawn(opts: Opts, sched: Scheduler) -> str:
    a0 = value(opts, path="schedule", method="POST", body=proc_msg(sched.address))
    return str(a0["process"])


# -- POST ----------------------------------------------------------------------------------


def test_post_registers_a_process_then_schedules_on_it(opts: Opts, sched: Scheduler) -> None:
    proc = proc_msg(sched.address)
    a0 = value(opts, path="schedule", method="POST", body=proc)
    pid = message_id(proc, committers="all")
    assert (a0["slot"], a0["process"], a0["body"]) == (0, pid, proc)
    msg = Message({"target": pid, "action": "Ping"})
    a1 = value(opts, path="schedule", method="POST", body=msg)
    assert (a1["slot"], a1["body"]) == (1, msg)
    # No body: the request itself is the message (its path and method are routing only).
    a2 = value(opts, path="schedule", method="POST", target=pid, action="Eval", data="1+1")
    assert a2["slot"] == 2
    assert a2["body"] == Message({"target": pid, "action": "Eval", "data": "1+1"})
    # subject: self schedules the request as it is.
    a3 = value(opts, path="schedule", method="POST", target=pid, subject="self")
    assert a3["slot"] == 3
    assert a3["body"]["subject"] == "self"
    assert sched.current_slot(pid) == 3


def test_post_with_target_on_the_request(opts: Opts, sched: Scheduler) -> None:
    pid = spawn(opts, sched)
    a = value(opts, path="schedule", method="POST", target=pid,
              body=Message({"action": "Ping"}))
    assert a["process"] == pid
    assert a["slot"] == 1


def test_post_refuses_a_bad_signature_and_writes_nothing(
    opts: Opts, sched: Scheduler, user: Any
) -> None:
    pid = spawn(opts, sched)
    signed = commitments.commit(Message({"target": pid, "action": "Transfer", "qty": "1"}),
                                user.signer)
    res = call(opts, path="schedule", method="POST", body=signed.with_(qty="1000000"))
    assert res.status == "error"
    assert isinstance(res.value, SignatureError)
    assert sched.current_slot(pid) == 0
    good = value(opts, path="schedule", method="POST", body=signed)
    assert good["slot"] == 1
    assert commitments.verify(good["body"])


def test_post_refuses_a_process_for_another_scheduler(
    opts: Opts, sched: Scheduler, user: Any
) -> None:
    res = call(opts, path="schedule", method="POST", body=proc_msg(user.address))
    assert res.status == "error"
    assert isinstance(res.value, SchedulerError)
    assert res.value.field == "scheduler"
    assert sched.processes() == []


def test_unknown_process_is_not_found(opts: Opts) -> None:
    res = call(opts, path="schedule", method="POST",
               body=Message({"target": "z" * 43, "action": "Ping"}))
    assert isinstance(res.value, ProcessNotFoundError)
    for path in ("slot", "schedule", "next"):
        res = call(opts, path=path, target="z" * 43)
        assert res.status == "error", path
        assert isinstance(res.value, ProcessNotFoundError), path


def test_without_a_scheduler_server(opts: Opts) -> None:
    bare = Opts(registry=opts.registry)
    res = resolve(BASE, Message({"path": "status"}), bare)
    assert isinstance(res.value, SchedulerError)
    assert res.value.field == "scheduler"


# -- GET -----------------------------------------------------------------------------------


def test_get_schedule_is_verifiable(opts: Opts, sched: Scheduler, wallet: Any) -> None:
    pid = spawn(opts, sched)
    for n in range(1, 5):
        sched.schedule(Message({"target": pid, "n": n}))
    page = value(opts, path="schedule", target=pid)
    assert page["type"] == "schedule"
    assert page["process"] == pid
    assert page["continues"] is False
    assert page["timestamp"] == T0
    assert list(page["assignments"]) == ["0", "1", "2", "3", "4"]
    assert page["assignments"]["3"]["body"]["n"] == 3
    assert "anchor" not in page
    # The page carries a checkpoint signed on demand at its last slot.
    ck = page["checkpoint"]
    assert ck["slot"] == 4
    assert commitments.committers(ck) == [wallet.address]
    report = verify_schedule(page["assignments"], [ck], wallet.address)
    assert report.ok, str(report)
    # A later page starts from an anchor and verifies on its own.
    sched.schedule(Message({"target": pid, "n": 5}))
    tail = value(opts, path="schedule", target=pid, **{"from": 3, "to": 5})
    assert list(tail["assignments"]) == ["3", "4", "5"]
    assert tail["anchor"]["slot"] == 2
    report = verify_schedule(tail["assignments"], [tail["checkpoint"]], wallet.address,
                             anchor=tail["anchor"])
    assert report.ok, str(report)
    assert report.first_slot == 3


def test_get_schedule_caps_at_1000(opts: Opts, sched: Scheduler) -> None:
    pid = spawn(opts, sched)
    for n in range(1, 1005):
        sched.schedule(Message({"target": pid, "n": n}))
    page = value(opts, path="schedule", target=pid)
    assert len(page["assignments"]) == 1000
    assert page["continues"] is True
    assert page["checkpoint"]["slot"] == 999
    rest = value(opts, path="schedule", target=pid, **{"from": "1000"})
    assert list(rest["assignments"]) == [str(s) for s in range(1000, 1005)]
    assert rest["continues"] is False
    res = call(opts, path="schedule", target=pid, **{"from": "ten"})
    assert isinstance(res.value, SchedulerError)
    assert res.value.field == "from"


def test_other_keys_route_to_schedule(opts: Opts, sched: Scheduler) -> None:
    pid = spawn(opts, sched)
    page = value(opts, path="anything-else", target=pid)
    assert page["type"] == "schedule"
    assert list(page["assignments"]) == ["0"]


# -- slot / status / next ------------------------------------------------------------------


def test_slot(opts: Opts, sched: Scheduler, clock: VirtualClock) -> None:
    pid = spawn(opts, sched)
    sched.schedule(Message({"target": pid}))
    clock.advance(42)
    info = value(opts, path="slot", target=pid)
    assert info["process"] == pid
    assert info["current"] == 1
    assert info["timestamp"] == T0 + 42
    assert info["block-height"] == 0
    assert info["cache-control"] == "no-store"
    assert info["addresses"] == (sched.address,)


def test_slot_through_the_resolver_on_a_process_base(opts: Opts, sched: Scheduler) -> None:
    pid = spawn(opts, sched)
    base = Message({"device": "scheduler@1.0", "process": sched.process(pid)})
    res = resolve(base, Message({"path": "slot"}), opts)
    assert res.ok
    assert res.value["process"] == pid
    assert res.value["current"] == 0


def test_status(opts: Opts, sched: Scheduler, wallet: Any) -> None:
    assert value(opts, path="status")["processes"] == ()
    pid = spawn(opts, sched)
    status = value(opts, path="status")
    assert status["address"] == wallet.address
    assert status["processes"] == (pid,)
    assert status["cache-control"] == "no-store"


def test_next(opts: Opts, sched: Scheduler) -> None:
    pid = spawn(opts, sched)
    sched.schedule(Message({"target": pid, "n": 1}))
    assert value(opts, path="next", target=pid)["body"]["slot"] == 0
    assert value(opts, path="next", target=pid, **{"from": 0})["body"]["slot"] == 1
    # process@1.0 passes its state, whose at-slot is the last slot it processed.
    state = Message({"device": "scheduler@1.0", "process": sched.process(pid), "at-slot": 0})
    res = resolve(state, Message({"path": "next"}), opts)
    assert res.ok
    assert res.value["body"]["body"]["n"] == 1
    res = call(opts, path="next", target=pid, **{"from": 1})
    assert res.status == "error"
    assert res.value["status"] == 404
    assert res.value["body"] == "Requested slot not yet available in schedule."


def test_a_hyperbeam_schedule_verifies_despite_the_status_it_adds() -> None:
    """Slot 0 of a process spawned on the real HyperBEAM (a7227787), both answers
    captured from that node with json@1.0 in a run of tests/http/test_hyperbeam_judge.py
    (the assignment, then its ``body+link`` read with ``GET /<id>``, as
    :class:`~ao_kernel.node.remote.RemoteNode` reads them). HyperBEAM adds ``status: 200``
    to each; the assignment's ID and chain are over its committed keys only."""
    folder = Path(__file__).resolve().parents[1] / "vectors" / "hyperbeam-assignment"
    assignment = codecs.decode((folder / "assignment.json").read_bytes(), "json@1.0")
    body = codecs.decode((folder / "body.json").read_bytes(), "json@1.0")
    assert isinstance(assignment, Message) and isinstance(body, Message)
    assert assignment["status"] == 200 and body["status"] == 200
    loaded = assignment.with_(body=body)
    scheduler = "Xu1BpPJ4TXL1wooz38KgO89ZO9wi-SIK6wsaDIW1Eow"  # that node's address
    report = verify_schedule([loaded], [], scheduler, process=message_id(body, "all"))
    assert report.ok, str(report)
    tampered = verify_schedule([loaded.with_(timestamp=1)], [], scheduler)
    assert (tampered.bad_slot, tampered.reason) == (0, "tampered-assignment")
