"""Computing processes: the compute unit (CU) of process@1.0 (HyperBEAM ``dev_process``).

::

    send(msg) ─► scheduler.schedule ─► assignment(slot n)
                                         │
    compute_to(pid, n):  while at_slot < n: next assignment ─► JSON-1 msg ─► AosRuntime.apply
                                         │                                   (rollback on Error)
                                         ▼
                                  SlotResult(slot n, hashpath_n)
                                         │
    push(result): the messenger, :mod:`ao_kernel.devices.push` (push@1.0)

* **Hashpaths.** Slot n of process P resolves its assignment on the state after slot
  n-1, so ``hashpath_n = hashpath(state_{n-1}, assignment_n)`` with the process's ID as
  the start: a chain over the whole schedule, identical on every replay.
* **Who signs what.** A message accepted in-process without a signature is the node's
  own (its Owner is the scheduler's address, which every process the node spawns lists as
  Authority), so aos trusts pushed messages exactly as it trusts the network's messenger.
* **Order.** Each process computes its slots in order under its own lock; a thread that
  needs slot n computes any earlier uncomputed slots first.
* **Host.** A :class:`Computer` gets a :class:`ComputeContext`: the schedule it reads
  (a :class:`~ao_kernel.devices._context.ScheduleReader`: the node's scheduler server,
  or a federation mirror of a remote one), the node's address, clock and events, and a
  message reader for stored wasm modules. It knows no node and calls none back.
* **Persistence.** Only the schedule is durable; states and results are derived from it.
  After a restart a process is recomputed from its schedule on first use (deterministic:
  same states, same hashpaths).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core.errors import ProcessNotFoundError
from ...core.ids import compress, message_id
from ...core.message import Message
from ...runtimes.aos import AOS_MODULE_ID
from ...runtimes.aos.abi import Outcome, json1_env, json1_message, tags_of
from ...runtimes.aos.process import AosRuntime, runtime_for
from .._context import Clock, EventSink, ScheduleReader
from ..patch import take_patches
from .metering import slot_cost
from .result import SlotResult

#: how many pending slots one grouped computing pass takes at most (bounds its memory)
RUN_LENGTH = 256


@dataclass(frozen=True)
class ComputeContext:
    """What a compute unit needs of its host (see the module docstring)."""

    schedule: ScheduleReader
    address: str
    clock: Clock
    events: EventSink
    #: a stored message by ID (wasm modules); raises when absent
    read_message: Callable[[str], Message]


@dataclass
class _Live:
    """The computed side of one process."""

    pid: str
    definition: Message
    owner: str
    runtime: AosRuntime | None = None
    at_slot: int = -1
    patched: dict[str, Any] = field(default_factory=dict)
    hashpath: str = ""
    results: dict[int, SlotResult] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class Computer:
    """Computes the processes of one schedule (see the module docstring)."""

    def __init__(self, ctx: ComputeContext) -> None:
        self.ctx = ctx
        self._live: dict[str, _Live] = {}
        self._lock = threading.RLock()

    # -- process state ---------------------------------------------------------------------

    def live(self, pid: str) -> _Live:
        with self._lock:
            live = self._live.get(pid)
            if live is None:
                if not self.ctx.schedule.has_process(pid):
                    raise ProcessNotFoundError(f"no process {pid} on this node", field="process")
                definition = self.ctx.schedule.process(pid)
                owner = _owner(definition, self.ctx.address)
                live = _Live(pid=pid, definition=definition, owner=owner, hashpath=pid)
                self._live[pid] = live
            return live

    def _json1(self, live: _Live, body: Message, assignment: Message, *,
               read_only: bool = False) -> dict[str, Any]:
        slot = assignment.get("slot")
        msg_id = live.pid if slot == 0 else message_id(body, "all")
        owner = self.ctx.address
        if "from-process" in body:
            # a message our messenger pushed: it stands for the network's MU, so it speaks
            # as the first Authority the target trusts (e.g. the aos CLI's hard-coded MU)
            owner = _first_authority(live.definition) or owner
        msg = json1_message(
            body, msg_id=msg_id, default_owner=owner,
            assignment=assignment, read_only=read_only,
            cron=bool(body.get("cron") is True),
        )
        if not msg["Target"]:
            msg["Target"] = live.pid  # the process message, cron ticks: addressed to it
        if msg.get("Cron"):
            msg["Owner"] = msg["From"] = live.owner  # ticks come from the process's owner
            msg["Tags"] = [t for t in msg["Tags"] if t["name"] != "Cron"]
        return msg

    def _env(self, live: _Live) -> dict[str, Any]:
        module = live.definition.text("module") or AOS_MODULE_ID
        return json1_env(live.definition, live.pid, live.owner, module)

    def compute_to(self, pid: str, slot: int) -> SlotResult:
        """The result of ``slot``, computing every earlier slot first if needed."""
        live = self.live(pid)
        with live.lock:
            while live.at_slot < slot:
                if live.runtime is None or live.at_slot + 1 == slot:
                    assignment = self.ctx.schedule.assignment(pid, live.at_slot + 1)
                    self._compute_slot(live, assignment)
                else:
                    self._compute_run(live, min(slot, live.at_slot + RUN_LENGTH))
            result = live.results.get(slot)
            if result is None:
                raise ProcessNotFoundError(
                    f"slot {slot} of {pid} was computed before this node started; "
                    "its result is derived again by replaying the process",
                    field="slot",
                )
            return result

    def compute_range(self, pid: str, first: int, last: int) -> list[SlotResult]:
        """The results of slots ``first..last``, computing what is pending first."""
        self.compute_to(pid, last)  # pending slots in grouped passes
        return [self.compute_to(pid, slot) for slot in range(first, last + 1)]

    def _compute_slot(self, live: _Live, assignment: Message) -> SlotResult:
        body = assignment["body"]
        assert isinstance(body, Message)
        msg = self._json1(live, body, assignment)
        if live.runtime is None:
            make = runtime_for(live.definition, self.ctx.read_message)  # Lua, or a real aos wasm
            live.runtime = make(msg, self._env(live), seed=live.pid.encode())
            outcome = live.runtime.boot_outcome
        else:
            outcome = live.runtime.apply(msg)
        return self._record(live, assignment, msg, outcome, slot_cost(live.runtime, body))

    def _compute_run(self, live: _Live, last: int) -> None:
        """Slots ``at_slot + 1 .. last`` of a booted process: the work of computing them
        one by one, grouped in three passes (their JSON-1 messages, then the runtime calls,
        then the results), so each pass runs with its own code and data warm in the CPU
        caches instead of alternating with the Lua VM (measured ~1.4x on the compute side).
        Every result is the one slot-by-slot computing gives."""
        runtime = live.runtime
        assert runtime is not None
        scheduler = self.ctx.schedule
        todo = []
        for slot in range(live.at_slot + 1, last + 1):
            assignment = scheduler.assignment(live.pid, slot)
            body = assignment["body"]
            assert isinstance(body, Message)
            todo.append((assignment, body, self._json1(live, body, assignment)))
        done: list[tuple[Message, dict[str, Any], Outcome, dict[str, int]]] = []
        try:
            for assignment, body, msg in todo:
                outcome = runtime.apply(msg)
                done.append((assignment, msg, outcome, slot_cost(runtime, body)))
        finally:  # whatever ran is recorded, even if a later call raised
            for assignment, msg, outcome, cost in done:
                self._record(live, assignment, msg, outcome, cost)

    def _record(self, live: _Live, assignment: Message, msg: Mapping[str, Any],
                outcome: Outcome, cost: dict[str, int]) -> SlotResult:
        """Make slot ``assignment``'s result the process's latest: patches, hashpath,
        result, event."""
        slot = int(assignment["slot"])  # type: ignore[arg-type]
        patches = take_patches(outcome)
        if patches:
            live.patched = {**live.patched}  # results keep the state as of their slot
            for patch in patches:
                live.patched.update(patch)
        # hashpath(state_{n-1}, assignment_n): the chain so far, folded, then the
        # assignment's ID (its one HMAC commitment, known without recomputing it)
        hp = f"{compress(live.hashpath)}/{_assignment_id(assignment)}"
        result = SlotResult(process=live.pid, slot=slot, message_id=str(msg["Id"]),
                            outcome=outcome, hashpath=hp, assignment=assignment,
                            patches=patches, cost=cost, patched_state=live.patched)
        live.results[slot] = result
        live.at_slot = slot
        live.hashpath = hp
        if self.ctx.events.active:
            self.ctx.events.publish("computed", process=live.pid, slot=slot,
                                     error=outcome.error, outbox=len(outcome.messages),
                                     hashpath=hp, output=outcome.data, cost=result.cost)
        return result

    def dry_run(self, pid: str, body: Message) -> SlotResult:
        """Evaluate ``body`` on the latest state without scheduling or keeping anything."""
        live = self.live(pid)
        with live.lock:
            current = self.ctx.schedule.current_slot(pid)
            if current >= 0:
                self.compute_to(pid, current)
            assert live.runtime is not None
            last = live.results.get(live.at_slot)
            fake = Message({
                "slot": live.at_slot + 1,
                "timestamp": self.ctx.clock.now_ms(),
                "block-height": last.assignment.get("block-height", 0)
                if last and last.assignment else 0,
            })
            msg = self._json1(live, body, fake, read_only=True)
            msg["Id"] = message_id(body)
            outcome = live.runtime.dry_run(msg)
            return SlotResult(process=pid, slot=live.at_slot, message_id=msg["Id"],
                              outcome=outcome, hashpath="", dry_run=True,
                              cost=slot_cost(live.runtime, None))

    def state(self, pid: str, slot: int | None = None) -> dict[str, Any]:
        """The process's globals after ``slot`` (default: latest)."""
        live = self.live(pid)
        current = self.ctx.schedule.current_slot(pid)
        target = current if slot is None else slot
        if target > current:
            raise ProcessNotFoundError(f"{pid} has no slot {target} yet (latest {current})",
                                       field="slot")
        with live.lock:
            self.compute_to(pid, current)
            assert live.runtime is not None
            if target == live.at_slot:
                return live.runtime.state()
            known = live.runtime.state_at(target)
            if known is not None:  # from a checkpoint of the live state
                return known
            replica = runtime_for(live.definition, self.ctx.read_message)(
                live.runtime.process_msg, self._env(live), seed=live.pid.encode())
            for old in live.runtime.history:
                nonce = old.get("Nonce")
                if isinstance(nonce, int) and nonce > target:
                    break
                replica.apply(old)
            state: dict[str, Any] = replica.state()
            return state

    def running(self) -> list[AosRuntime]:
        """The runtimes of every live process (to interrupt them; no process lock taken)."""
        with self._lock:
            return [live.runtime for live in self._live.values() if live.runtime is not None]

    def inspect(self, pid: str, lua: str) -> Any:
        """Evaluate ``lua`` against the latest state, under the process's lock: an inspect
        captures and restores the state, so no slot may be computed in between."""
        live = self.live(pid)
        with live.lock:
            return self._caught_up(pid, live).inspect(lua)

    def runtime(self, pid: str) -> AosRuntime:
        live = self.live(pid)
        with live.lock:
            return self._caught_up(pid, live)

    def _caught_up(self, pid: str, live: _Live) -> AosRuntime:
        """The runtime of ``pid`` computed up to its latest slot (the caller holds its lock)."""
        current = self.ctx.schedule.current_slot(pid)
        if live.at_slot < current:
            self.compute_to(pid, current)
        assert live.runtime is not None
        return live.runtime


def _assignment_id(assignment: Message) -> str:
    """The all-commitments ID of an assignment: with one commitment (the scheduler's
    HMAC), that commitment's ID, read instead of recomputed."""
    comms = assignment.get("commitments")
    if isinstance(comms, Message) and len(comms) == 1:
        (only,) = comms.keys()
        return only
    return message_id(assignment, commitments="all")


def _first_authority(definition: Message) -> str | None:
    for tag in tags_of(definition):
        if tag["name"].lower() == "authority":
            first = tag["value"].split(",")[0].strip()
            if first:
                return first
    return None


def _owner(definition: Message, default: str) -> str:
    for commitment in definition.commitments.values():
        if isinstance(commitment, Message) and (who := commitment.text("committer")):
            return who
    return default
