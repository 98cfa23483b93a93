"""Batches (``schedule_many``, ``send_many``) and the fast paths of a single send: a batch
gives exactly what the same messages sent one by one give, and is all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core import commitments
from ao_kernel.core.errors import SchedulerError, SignatureError
from ao_kernel.core.message import Message
from ao_kernel.node.clock import VirtualClock
from ao_kernel.node.scheduler import Scheduler, verify_schedule
from ao_kernel.node.stores import open_store
from ao_kernel.testing.wallets import dev_wallet

T0 = 1_700_000_000_000
COUNTER = """
Handlers.add("ping", "Ping", function(msg)
  Count = (Count or 0) + 1
  if msg.Data == "boom" then error("boom at " .. Count) end
  msg.reply({ Action = "Pong", Data = tostring(Count) })
end)
"""


def make_node(store: str | None = None) -> ao.Node:
    return ao.Node(store=store, wallet=dev_wallet(1), clock=VirtualClock(T0))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_send_many_equals_sending_one_by_one(backend: str, tmp_path: Path) -> None:
    def store(name: str) -> str | None:
        return None if backend == "memory" else f"sqlite:{tmp_path / name}"

    items: list[Any] = ["Ping", {"action": "Ping", "data": "boom"},
                        {"action": "Ping", "tags": {"Note": "x"}}, "Other", "Ping"]
    one, many = make_node(store("one.db")), make_node(store("many.db"))
    p1, p2 = one.spawn(lua=COUNTER, name="c"), many.spawn(lua=COUNTER, name="c")
    assert p1.id == p2.id
    singles = [p1.send(**(i if isinstance(i, dict) else {"action": i})) for i in items]
    batch = p2.send_many(items)
    assert [r.slot for r in batch] == [1, 2, 3, 4, 5]
    assert [r.hashpath for r in batch] == [r.hashpath for r in singles]
    assert [r.message_id for r in batch] == [r.message_id for r in singles]
    assert [r.error for r in batch] == [r.error for r in singles]
    assert batch[1].error is not None and "boom at 2" in batch[1].error
    assert p2.inspect("return Count") == p1.inspect("return Count") == 3  # slot 2 rolled back
    assert [len(r.messages) for r in batch] == [1, 0, 1, 0, 1]  # the Pongs went out
    assert p2.state() == p1.state()
    assert many.verify(p2).ok and one.verify(p1).ok
    one.close()
    many.close()


def test_a_batch_is_all_or_nothing(tmp_path: Path) -> None:
    wallet, user = dev_wallet(1), dev_wallet(2)
    store = open_store(f"sqlite:{tmp_path / 'b.db'}")
    s = Scheduler(store, wallet.signer, clock=VirtualClock(T0), checkpoint_every=10**9)
    a0 = s.schedule(Message({"type": "Process", "device": "process@1.0",
                             "scheduler": s.address, "module": "m"}))
    pid = str(a0["process"])
    good = commitments.commit(Message({"target": pid, "action": "A"}), user.signer)
    forged = good.with_(action="B")  # the signature no longer covers the action
    with pytest.raises(SignatureError):
        s.schedule_many([Message({"target": pid, "n": 1}), forged], pid)
    assert s.current_slot(pid) == 0  # nothing was handed out
    done = s.schedule_many([good, Message({"target": pid, "n": 2})], pid)
    assert [int(a["slot"]) for a in done] == [1, 2]  # the refused batch left no gap
    with pytest.raises(SchedulerError, match="cannot register"):
        s.schedule_many([a0["body"]], pid)
    s.close(flush=True)
    reopened = Scheduler(open_store(f"sqlite:{tmp_path / 'b.db'}"), wallet.signer,
                         clock=VirtualClock(T0))
    assert reopened.current_slot(pid) == 2  # the batch was committed, durably
    report = verify_schedule(reopened.assignments(pid)[0], reopened.checkpoints(pid),
                             wallet.address)
    assert report.ok and report.last_slot == 2  # chains intact, the flush signed the tail


def test_a_failing_store_write_rolls_the_batch_back(monkeypatch: pytest.MonkeyPatch) -> None:
    nd = make_node()
    proc = nd.spawn(lua=COUNTER)
    calls = {"n": 0}
    real = nd.scheduler.store.append_log

    def flaky(log: str, seq: int, value: bytes) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(log, seq, value)

    monkeypatch.setattr(nd.scheduler.store, "append_log", flaky)
    with pytest.raises(OSError, match="disk full"):
        proc.send_many(["Ping"] * 4)
    monkeypatch.undo()
    assert proc.slot == 0
    results = proc.send_many(["Ping"] * 2)
    assert [r.slot for r in results] == [1, 2]
    assert nd.verify(proc).ok


def test_send_many_refuses_a_message_for_another_process() -> None:
    nd = make_node()
    a, b = nd.spawn(name="a"), nd.spawn(name="b")
    with pytest.raises(SchedulerError, match="addressed to"):
        a.send_many([nd.message(b.id, action="Ping")])
    assert a.slot == 0 and b.slot == 0


def test_plain_message_is_the_general_message() -> None:
    nd = make_node()
    fast = nd.message("P" * 43, action="Ping", data="hi")
    nd._anchor -= 1  # the same anchor again
    general = Message({"action": "Ping", "data-protocol": "ao", "variant": "ao.TN.1",
                       "type": "Message", "target": "P" * 43, "data": "hi",
                       "anchor": fast["anchor"]})
    assert list(fast.items()) == list(general.items())  # same keys, same order
    tagged = nd.message("P" * 43, action="Ping", data="hi", tags={"X": "1"})
    assert list(tagged)[:2] == ["action", "X"]  # user tags follow the action, case kept


def test_grouped_computing_keeps_what_ran_when_a_call_raises(
        monkeypatch: pytest.MonkeyPatch) -> None:
    nd = make_node()
    proc = nd.spawn(lua=COUNTER)
    nd.scheduler.schedule_many([nd.message(proc.id, action="Ping") for _ in range(5)],
                               proc.id)
    runtime = nd.computer.live(proc.id).runtime  # (computer.runtime() would compute first)
    assert runtime is not None
    real, calls = runtime.apply, {"n": 0}

    def interrupted(msg: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(msg)

    monkeypatch.setattr(runtime, "apply", interrupted)
    with pytest.raises(KeyboardInterrupt):
        proc.result(5)
    monkeypatch.undo()
    assert nd.computer.live(proc.id).at_slot == 2  # slots 1 and 2 ran and were recorded
    assert proc.result(5).slot == 5  # the rest computes on the next read
    assert proc.inspect("return Count") == 5
    fresh = make_node()
    twin = fresh.spawn(lua=COUNTER)
    expected = [twin.send(action="Ping").hashpath for _ in range(5)]
    assert [proc.result(s).hashpath for s in range(1, 6)] == expected


def test_a_batch_is_computed_in_grouped_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    from ao_kernel.devices.process.compute import Computer

    nd = make_node()
    proc = nd.spawn(lua=COUNTER)
    calls = {"run": 0, "slot": 0}
    run, slot = Computer._compute_run, Computer._compute_slot

    def counted_run(self: Computer, *args: Any) -> Any:
        calls["run"] += 1
        return run(self, *args)

    def counted_slot(self: Computer, *args: Any) -> Any:
        calls["slot"] += 1
        return slot(self, *args)

    monkeypatch.setattr(Computer, "_compute_run", counted_run)
    monkeypatch.setattr(Computer, "_compute_slot", counted_slot)
    proc.send_many(["Ping"] * 10, push=False)
    assert calls == {"run": 1, "slot": 0}  # one grouped run, no slot computed alone


def test_a_batch_item_of_the_wrong_kind_is_named() -> None:
    from ao_kernel.core.errors import MessageError

    nd = make_node()
    proc = nd.spawn(lua=COUNTER)
    with pytest.raises(MessageError, match="item 2 of the batch is of type int"):
        proc.send_many(["Ping", 7])  # type: ignore[list-item]
    assert proc.slot == 0  # nothing was scheduled
