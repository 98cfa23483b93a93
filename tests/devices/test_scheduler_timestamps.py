"""Timestamps strictly increase within a process, deterministically.

The legacy CU reads a message's result and pages a schedule by timestamp, so no two slots
of a process may share one, even when several messages arrive in one millisecond or a
process's own messages are pushed back to it in the same step. The scheduler stamps
``max(clock, previous + 1)`` and stores it with the assignment; a replay reads the stored
stamps. Real SQLite, real Lua, virtual clocks (nothing here reads the wall clock).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import ao_kernel as ao
from ao_kernel.core.message import Message
from ao_kernel.node.clock import VirtualClock
from ao_kernel.node.scheduler import Scheduler
from ao_kernel.node.stores import open_store
from ao_kernel.testing.wallets import dev_wallet

T0 = 1_700_000_000_000
SELF_SEND = """
Handlers.add('bounce', 'Bounce', function(m)
  Send({Target = ao.id, Action = 'Count'})
  Send({Target = ao.id, Action = 'Count'})
end)
Handlers.add('count', 'Count', function(m) Count = (Count or 0) + 1 end)
"""


def _stamps(assignments: list[Any]) -> list[int]:
    return [int(a["timestamp"]) for a in assignments]


def _increasing(stamps: list[int]) -> bool:
    return all(a < b for a, b in itertools.pairwise(stamps))


def test_a_clock_standing_still_gives_consecutive_milliseconds(tmp_path: Path) -> None:
    clock = VirtualClock(T0)
    store = open_store(f"sqlite:{tmp_path / 's.db'}")
    s = Scheduler(store, dev_wallet(1).signer, clock=clock, checkpoint_every=10**9)
    pid = str(s.schedule(Message({"type": "Process", "scheduler": s.address,
                                  "module": "m"}))["process"])
    stamps = [int(s.schedule(Message({"target": pid, "n": n}))["timestamp"])
              for n in range(4)]
    assert stamps == [T0 + 1, T0 + 2, T0 + 3, T0 + 4]  # slot 0 took T0
    clock.advance(100)  # the clock moving on is used as is
    assert s.schedule(Message({"target": pid, "n": 9}))["timestamp"] == T0 + 100
    s.close(flush=False)
    store.close()
    # reopened, the scheduler goes on from the stored stamp even if the clock is behind
    store = open_store(f"sqlite:{tmp_path / 's.db'}")
    again = Scheduler(store, dev_wallet(1).signer, clock=VirtualClock(T0),
                      checkpoint_every=10**9)
    assert again.schedule(Message({"target": pid, "n": 10}))["timestamp"] == T0 + 101
    assert _increasing(_stamps([again.assignment(pid, n) for n in range(7)]))
    again.close(flush=False)
    store.close()


def test_each_process_has_its_own_sequence(tmp_path: Path) -> None:
    s = Scheduler(open_store("memory"), dev_wallet(1).signer, clock=VirtualClock(T0),
                  checkpoint_every=10**9)
    a = str(s.schedule(Message({"type": "Process", "scheduler": s.address, "n": 1}))["process"])
    b = str(s.schedule(Message({"type": "Process", "scheduler": s.address, "n": 2}))["process"])
    assert s.assignment(b, 0)["timestamp"] == T0  # not pushed on by process a's slot 0
    assert s.schedule(Message({"target": a}))["timestamp"] == T0 + 1
    assert s.schedule(Message({"target": b}))["timestamp"] == T0 + 1
    s.close(flush=False)


def _bounce_run(tmp_path: Path, name: str) -> list[int]:
    node = ao.Node(store=f"sqlite:{tmp_path / name}", wallet=dev_wallet(1),
                   clock=VirtualClock(T0))
    try:
        proc = node.spawn(lua=SELF_SEND, authority=node.address)
        proc.send(action="Bounce")  # pushed back twice, in the same millisecond
        proc.send(action="Bounce")
        assert proc.eval("return Count").output == "4"
        return _stamps([node.assignment(proc.id, n) for n in range(proc.slot + 1)])
    finally:
        node.close()


def test_messages_pushed_back_get_their_own_timestamps(tmp_path: Path) -> None:
    stamps = _bounce_run(tmp_path, "a.db")
    assert len(stamps) >= 7  # spawn, 2 x (Bounce + 2 pushed Counts), the eval
    assert _increasing(stamps), stamps
    # deterministic: the same schedule on the same clock stamps the same
    assert _bounce_run(tmp_path, "b.db") == stamps
