"""The scheduler server of one node: a total order of messages per process, durably.

The package: :mod:`.server` (this: slots, locks, batches, registration),
:mod:`.log` (entries, chains, block info), :mod:`.checkpoints` (signing policy),
:mod:`.verify` (checking a schedule), :mod:`.location` (scheduler location records) and
the ``scheduler@1.0`` device in ``__init__``.

Theory of operation
-------------------
For every process this node schedules, the server hands out *slots* 0, 1, 2, ... and
writes one **assignment** per slot (protocol brief §5.3, HyperBEAM
``dev_scheduler_server``)::

    schedule(msg) ──► only-committed(msg) ──► body-id = id(body, committers=all)
                 │
                 ├─ under the process lock:  slot = current + 1
                 │                           C_slot = SHA-256(C_slot-1 raw || ascii(body-id))
                 │                           assignment = {path, data-protocol: ao,
                 │                             variant: ao.N.1, process, epoch: "0", slot,
                 │                             block-height, block-hash, block-timestamp,
                 │                             timestamp: T_slot, hash-chain: C_slot,
                 │                             body} + HMAC commitment (its unsigned ID)
                 │                           A_slot = SHA-256(A_slot-1 raw || ascii(id(assignment)))
                 │                           append_log("assignments/<pid>", slot, A_slot || blob)
                 └─ return the assignment (only now: it is durable)

* **One total order.** A lock per process serialises slot assignment; concurrent senders
  get consecutive slots with no gaps or duplicates, and the store's log refuses a gap or
  a duplicate anyway (a second line of defence).
* **Durable once acknowledged.** ``schedule`` returns after ``append_log`` committed the
  assignment; with the SQLite store that survives a crash of the process. Reopening the
  store resumes the slot counter and both chains from the last log entry. A process
  registration (slot 0) and its entry in ``scheduler/processes`` commit in one transaction.
  ``schedule_many`` gives a batch consecutive slots in one transaction (one commit for the
  batch: all of it is durable when it returns, or none of it was assigned).
* **Whose process.** A ``type: Process`` message registers a process only when its
  ``scheduler`` (or ``scheduler-location``) names this node's address; a message for an
  unregistered process found in the node's message cache registers it first under the
  same rule; anything else is :class:`ProcessNotFoundError`.
* **Timestamps strictly increase within a process.** ``T_slot = max(clock ms, T_slot-1 + 1)``:
  the clock's millisecond unless an earlier slot of the process already used it (several
  messages in one millisecond, a message pushed back to its sender in the same step, a
  virtual clock standing still). The legacy CU reads a message's result and pages a
  schedule by timestamp, so two slots sharing one would be one to it. The stamp is stored
  with the assignment, so replaying a schedule replays its timestamps.
* **Determinism.** ``timestamp`` comes from the host's :class:`~ao_kernel.devices._context.Clock`,
  the block fields from a :class:`BlockInfo` provider (default: HyperBEAM's debug values
  ``0 / 32 zero bytes / 0``, since a local node follows no Arweave block).

Signing (one RSA signature per checkpoint, not per assignment) is :mod:`.checkpoints`;
checking a schedule is :mod:`.verify`; the store layout is :mod:`.log`'s.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from ...core import commitments as commitments_mod
from ...core.b64 import b64u_decode, b64u_encode
from ...core.commitments import RSASignerLike
from ...core.errors import AOError, ProcessNotFoundError, SchedulerError, SignatureError, StoreError
from ...core.ids import message_id
from ...core.message import Message, Value
from ...core.signers import Signer
from .._context import Clock, EventSink, KeyValueLog, MessageCache
from .checkpoints import CheckpointSigning
from .log import (
    DEBUG_BLOCK,
    EPOCH,
    MAX_ASSIGNMENTS,
    PROCESSES_LOG,
    RECENT_ASSIGNMENTS,
    VARIANT,
    BlockInfo,
    _chain,
    _decode,
    _fast_assignment_id,
    _hmac_fields,
    _is_process,
    _pack_entry,
    _Proc,
    _text,
    _unpack_entry,
    _with_hmac,
    only_committed,
    parse_schedulers,
)


class Scheduler(CheckpointSigning):
    """The scheduler server of one node (see the module docstring)."""

    def __init__(
        self,
        store: KeyValueLog,
        signer: RSASignerLike | Signer,
        *,
        clock: Clock,
        block_info: Callable[[], BlockInfo] | None = None,
        checkpoint_every: int = 1000,
        checkpoint_interval_ms: int = 10_000,
        verify_messages: bool = True,
        cache: MessageCache | None = None,
        events: EventSink | None = None,
        on_due: Callable[[], None] | None = None,
    ) -> None:
        if checkpoint_every < 1:
            raise SchedulerError("checkpoint_every must be at least 1", field="checkpoint_every")
        if checkpoint_interval_ms < 0:
            raise SchedulerError("checkpoint_interval_ms must be >= 0",
                                 field="checkpoint_interval_ms")
        if not callable(getattr(signer, "sign_pss", None)):
            raise SchedulerError(
                "the scheduler's wallet must be an RSA (Arweave) key: assignments and "
                "checkpoints are committed with httpsig rsa-pss-sha512",
                field="wallet",
            )
        self.store = store
        self.signer: RSASignerLike = cast(RSASignerLike, signer)
        self.address: str = signer.address
        self.clock: Clock = clock
        self._block_info = block_info or (lambda: DEBUG_BLOCK)
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval_ms = checkpoint_interval_ms
        self.verify_messages = verify_messages
        self.cache = cache
        #: where ``scheduled`` events go ({process, slot, message}), once per assignment
        self.events = events
        #: the host's checkpoint flusher: called when a tail is due, instead of signing
        #: inline (the node's thread then calls ``flush(only_due=True)``)
        self.on_due = on_due
        self._procs: dict[str, _Proc] = {}
        self._recent: OrderedDict[tuple[str, int], Message] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._registry_lock = threading.RLock()
        self._order: list[str] = [
            v.decode("ascii") for _, v in store.read_log(PROCESSES_LOG)
        ]
        self._known = set(self._order)
        self._closed = False


    # -- lifecycle ---------------------------------------------------------------------

    def close(self, *, flush: bool = True) -> None:
        """Refuse further messages and (by default) sign a checkpoint for every unsigned
        tail. The host stops its flusher first (this role starts no thread)."""
        if self._closed:
            return
        if flush:
            self.flush()
        self._closed = True

    # -- processes ---------------------------------------------------------------------

    def processes(self) -> list[str]:
        """IDs of every process this node schedules, in registration order."""
        with self._registry_lock:
            return list(self._order)

    def has_process(self, pid: str) -> bool:
        return pid in self._known

    def process(self, pid: str) -> Message:
        """The process message (the body of slot 0)."""
        return self._proc(pid).process

    def block(self) -> BlockInfo:
        """The block info assignments are stamped with now."""
        return self._block_info()

    @property
    def block_info(self) -> Callable[[], BlockInfo]:
        """Where assignments get their block fields (default: the debug block)."""
        return self._block_info

    @block_info.setter
    def block_info(self, provider: Callable[[], BlockInfo]) -> None:
        self._block_info = provider

    def current_slot(self, pid: str) -> int:
        """The latest assigned slot of ``pid`` (0 right after registration)."""
        return self._proc(pid).current

    def _proc(self, pid: str, *, field_name: str = "process") -> _Proc:
        proc = self._procs.get(pid)
        if proc is not None:
            return proc
        with self._registry_lock:
            proc = self._procs.get(pid)
            if proc is not None:
                return proc
            if pid not in self._known:
                raise ProcessNotFoundError(
                    f"process {pid!r} is not scheduled by this node ({self.address})",
                    field=field_name,
                )
            proc = self._load(pid)
            self._procs[pid] = proc
            return proc

    def _load(self, pid: str) -> _Proc:
        log = f"assignments/{pid}"
        length = self.store.log_length(log)
        if length == 0:
            raise StoreError(f"process {pid} is registered but has no slot 0", field=log)
        first = self._read_entry(pid, 0)[1]
        body = first.get("body")
        if not isinstance(body, Message):
            raise StoreError(f"slot 0 of {pid} has no process message", field=log)
        last_a, last = self._read_entry(pid, length - 1)
        proc = _Proc(
            pid=pid,
            process=body,
            schedulers=parse_schedulers(body.get("scheduler")),
            next_slot=length,
            chain=b64u_decode(last.text("hash-chain") or "", field="hash-chain"),
            achain=last_a,
            last_timestamp=_int_field(last, "timestamp"),
        )
        for seq, blob in self.store.read_log(f"checkpoints/{pid}"):
            ck = _decode(blob, what=f"checkpoints/{pid}/{seq}")
            slot = ck.get("slot")
            if isinstance(slot, int):
                proc.checkpoints[slot] = ck
                proc.signed_through = max(proc.signed_through, slot)
            proc.checkpoint_count = seq + 1
        if proc.signed_through < proc.current:
            proc.tail_since_ms = self.clock.now_ms()
        return proc

    # -- scheduling --------------------------------------------------------------------

    def schedule(self, msg: Message | Mapping[str, Any], process: str | None = None) -> Message:
        """Assign the next slot of its process to ``msg``; returns the durable assignment.

        A message of ``type: Process`` registers that process (slot 0; registering again
        returns the existing slot-0 assignment). Otherwise the process is ``process`` or
        ``msg.target``. Committed messages must verify (SignatureError otherwise).
        """
        body, body_id = self._accept(msg)
        if _is_process(body) and (process is None or process == body_id):
            return self._register(body, body_id)
        proc = self._target(body, process)
        return self._assign(proc, body, body_id)

    def schedule_many(self, msgs: Iterable[Message | Mapping[str, Any]],
                      process: str) -> list[Message]:
        """Assign consecutive slots of ``process`` to ``msgs``, all or nothing, in one store
        transaction: a batch costs one commit (group commit), and is durable once this
        returns. Every message is checked (signatures, IDs) before any slot is given."""
        accepted = [self._accept(msg) for msg in msgs]
        for body, body_id in accepted:
            if _is_process(body) and process == body_id:
                raise SchedulerError("a batch cannot register its own process",
                                     field="type")
        proc = self._target(None, process)
        out: list[Message] = []
        due = False
        with proc.lock:
            saved = (proc.next_slot, proc.chain, proc.achain, proc.tail_since_ms)
            try:
                with self.store.transaction():
                    entries: list[bytes] = []
                    for body, body_id in accepted:
                        assignment, due = self._assign_locked(proc, body, body_id,
                                                              entries=entries)
                        out.append(assignment)
                    if entries:  # one statement for the batch's log entries
                        self.store.extend_log(f"assignments/{proc.pid}", saved[0], entries)
            except BaseException:  # nothing was stored: forget what was handed out
                proc.next_slot, proc.chain, proc.achain, proc.tail_since_ms = saved
                with self._recent_lock:
                    for slot in range(saved[0], saved[0] + len(out)):
                        self._recent.pop((proc.pid, slot), None)
                raise
        self._after_assign(proc, out, due)
        return out

    def _accept(self, msg: Message | Mapping[str, Any]) -> tuple[Message, str]:
        """The part of ``msg`` that gets scheduled and its ID; refuses bad commitments."""
        if self._closed:
            raise SchedulerError("the scheduler is closed", field="scheduler")
        if not isinstance(msg, Message):
            msg = Message(msg)
        body = only_committed(msg)
        if self.verify_messages and body.commitments:
            try:
                good = commitments_mod.verify(body)
            except SignatureError:
                good = False
            if not good:
                raise SignatureError(
                    "the message's commitments do not verify; nothing was scheduled",
                    field="commitments",
                )
        return body, message_id(body, committers="all")

    def _target(self, body: Message | None, process: str | None) -> _Proc:
        pid = process
        if pid is None:
            target = _text(body, "target") if body is not None else None
            if target is None:
                raise SchedulerError(
                    "the message has no 'target' process to be scheduled on", field="target")
            pid = target.split("?", 1)[0]
        if pid not in self._known:
            self._register_from_cache(pid)
        return self._proc(pid, field_name="target")

    def _register_from_cache(self, pid: str) -> None:
        """A process known to the node's message cache but not yet scheduled here gets
        registered (slot 0) when it names this node — else the caller learns whose it is."""
        if self.cache is None:
            return
        try:
            found = self.cache.read(pid)
        except AOError:
            return
        if not _is_process(found) or message_id(found, committers="all") != pid:
            return
        self._register(only_committed(found), pid)

    def _register(self, body: Message, pid: str) -> Message:
        schedulers = parse_schedulers(body.get("scheduler"))
        if not schedulers:
            schedulers = parse_schedulers(body.get("scheduler-location"))
        if self.address not in schedulers:
            raise SchedulerError(
                f"process {pid} names scheduler(s) {schedulers or 'none'}, not this node "
                f"({self.address}); it must be scheduled there, or name this node as "
                "its Scheduler (aoconnect and the aos CLI take it from the SCHEDULER "
                "environment variable)",
                field="scheduler",
            )
        with self._registry_lock:
            if pid in self._known:
                return self.assignment(pid, 0)
            proc = _Proc(pid=pid, process=body, schedulers=schedulers, next_slot=0,
                         chain=b"", achain=b"")
            with self.store.transaction():
                assignment = self._assign(proc, body, pid, register=True)
                self.store.append_log(PROCESSES_LOG, len(self._order), pid.encode("ascii"))
            self._order.append(pid)
            self._known.add(pid)
            self._procs[pid] = proc
        if self.cache is not None:
            self.cache.write(body)
        return assignment

    def _assign(self, proc: _Proc, body: Message, body_id: str, *,
                register: bool = False) -> Message:
        with proc.lock:
            assignment, due = self._assign_locked(proc, body, body_id)
        self._after_assign(proc, [assignment], due and not register)
        return assignment

    def _after_assign(self, proc: _Proc, assignments: list[Message], due: bool) -> None:
        events = self.events
        if events is not None and events.active:  # (the fields cost something to gather)
            for assignment in assignments:
                body = assignment["body"]
                events.publish("scheduled", process=proc.pid, slot=assignment["slot"],
                               message=message_id(body, "all")
                               if isinstance(body, Message) else "")
        if due:
            if self.on_due is not None:
                self.on_due()
            else:
                self._sign_checkpoint(proc, None, policy=True)

    def _assign_locked(self, proc: _Proc, body: Message, body_id: str, *,
                       entries: list[bytes] | None = None) -> tuple[Message, bool]:
        """The next slot of ``proc`` for ``body``, stored (caller holds ``proc.lock``), or
        its log entry added to ``entries`` for the caller to store in the same transaction;
        (the assignment, whether a checkpoint is due)."""
        path = _text(body, "path") or "compute"
        slot = proc.next_slot
        chain = _chain(proc.chain, body_id)
        chain_text = b64u_encode(chain)
        block = self._block_info()
        now = self.clock.now_ms()
        stamp = max(now, proc.last_timestamp + 1)  # strictly increasing within a process
        fields: dict[str, Value] = {
            "path": path,
            "data-protocol": "ao",
            "variant": VARIANT,
            "process": proc.pid,
            "epoch": EPOCH,
            "slot": slot,
            "block-height": block.height,
            "block-hash": block.hash,
            "block-timestamp": block.timestamp,
            "timestamp": stamp,
            "hash-chain": chain_text,
            "body": body,
        }
        aid = _fast_assignment_id(fields, block, body_id)
        if aid is None:
            assignment, aid = _with_hmac(Message._trusted(fields), body, body_id)
        else:
            fields["commitments"] = Message._trusted({aid: _hmac_fields(aid)})
            assignment = Message._trusted(fields)
        achain = _chain(proc.achain, aid)
        entry = _pack_entry(achain, chain, aid, fields, block)
        if entries is None:
            self.store.append_log(f"assignments/{proc.pid}", slot, entry)
        else:
            entries.append(entry)
        # Durable (or, registering or in a batch, inside the caller's transaction).
        self._remember(proc.pid, slot, assignment)
        proc.next_slot = slot + 1
        proc.chain = chain
        proc.achain = achain
        proc.last_timestamp = stamp
        if proc.tail_since_ms is None:
            proc.tail_since_ms = now
        return assignment, self._due(proc, now)

    # -- reading -----------------------------------------------------------------------

    def _read_entry(self, pid: str, slot: int) -> tuple[bytes, Message]:
        rows = self.store.read_log(f"assignments/{pid}", slot, slot + 1)
        if not rows:
            raise SchedulerError(f"process {pid} has no slot {slot}", field="slot")
        return self._parse_entry(pid, rows[0])

    @staticmethod
    def _parse_entry(pid: str, row: tuple[int, bytes]) -> tuple[bytes, Message]:
        return _unpack_entry(pid, row[0], row[1])

    def assignment(self, pid: str, slot: int) -> Message:
        """The assignment of ``slot`` (HMAC-committed)."""
        recent = self._recent.get((pid, slot))
        if recent is not None:
            return recent
        self._proc(pid)
        return self._read_entry(pid, slot)[1]

    def _remember(self, pid: str, slot: int, assignment: Message) -> None:
        """Keep recent assignments decoded: the compute side reads each one right away."""
        with self._recent_lock:
            self._recent[(pid, slot)] = assignment
            if len(self._recent) > RECENT_ASSIGNMENTS:
                self._recent.popitem(last=False)

    def assignments(self, pid: str, from_: int = 0, to: int | None = None, *,
                    limit: int = MAX_ASSIGNMENTS) -> tuple[list[Message], bool]:
        """Assignments ``from_..to`` (inclusive; ``to`` default latest), at most ``limit``
        (capped at 1000); returns (assignments, continues) — ``continues`` is true when
        slots in the range were left out."""
        proc = self._proc(pid)
        limit = max(0, min(limit, MAX_ASSIGNMENTS))
        last = proc.current if to is None else min(to, proc.current)
        if from_ < 0:
            raise SchedulerError(f"'from' must be >= 0, got {from_}", field="from")
        end = min(last + 1, from_ + limit)
        rows = self.store.read_log(f"assignments/{pid}", from_, end) if end > from_ else []
        out = [self._parse_entry(pid, row)[1] for row in rows]
        return out, end <= last

    def next_assignment(self, pid: str, after: int) -> Message | None:
        """The assignment right after slot ``after`` (``-1``: slot 0), or None if not yet."""
        proc = self._proc(pid)
        if after + 1 > proc.current:
            return None
        return self._read_entry(pid, after + 1)[1]

    def chains_at(self, pid: str, slot: int) -> tuple[str, str]:
        """(hash-chain, assignments-chain) after ``slot`` (``-1``: both empty)."""
        if slot < 0:
            return "", ""
        achain, assignment = self._read_entry(pid, slot)
        return assignment.text("hash-chain") or "", b64u_encode(achain)


def _int_field(msg: Message, key: str) -> int:
    """An integer field of a stored assignment (-1 when absent or not an integer)."""
    value = msg.get(key)
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return -1
