"""The scheduler server of one node: a total order of messages per process, durably.

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
                 │                             timestamp (clock ms), hash-chain: C_slot,
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
* **Determinism.** ``timestamp`` comes from the node's :class:`~ao_kernel.node.clock.Clock`,
  the block fields from a :class:`BlockInfo` provider (default: HyperBEAM's debug values
  ``0 / 32 zero bytes / 0``, since a local node follows no Arweave block).

Signing: hash-chain checkpoints
-------------------------------
HyperBEAM signs every assignment with RSA-4096 (about 10 ms here, ~100/s). We do not
put that on the critical path. Instead:

1. every assignment carries, at once, the HyperBEAM ``hash-chain`` (over the bodies) and
   an HMAC commitment (its unsigned ID, over every field). The server additionally keeps
   a second chain, the **assignments chain** ``A`` over the assignments' unsigned IDs,
   stored next to each log entry (it is not a field of the assignment, whose form stays
   exactly HyperBEAM's);
2. the scheduler RSA-signs **checkpoints**::

       {type: schedule-checkpoint, data-protocol: ao, variant: ao.N.1, process,
        slot: N, hash-chain: C_N, assignments-chain: A_N, timestamp}

   committed (httpsig rsa-pss-sha512) by the scheduler's wallet. A checkpoint at slot N
   authenticates every assignment of slots 0..N — bodies through ``C``, every other
   field (timestamps, block fields, paths) through ``A`` — by collision resistance of
   SHA-256, so one signature covers any number of assignments;
3. checkpoints are signed lazily: on demand (:meth:`Scheduler.checkpoint`, a client
   reading the schedule, :meth:`Scheduler.signed_assignment`), by :meth:`Scheduler.flush`
   / :meth:`Scheduler.close`, and whenever the unsigned tail of a process reaches
   ``checkpoint_every`` (K) assignments or is older than ``checkpoint_interval_ms`` (T):
   a background flusher thread (:meth:`Scheduler.start`) signs then, off the critical
   path; without the thread, the ``schedule`` call that crosses the threshold signs
   after its assignment is durable (one RSA signature per K assignments, amortised);
4. a fully RSA-signed assignment, exactly HyperBEAM's form (RSA + HMAC commitments by
   the scheduler address), is made on demand for any slot by
   :meth:`Scheduler.signed_assignment` (for export to other nodes) and kept in the store.

:func:`verify_schedule` checks a list of assignments plus checkpoints: slot continuity,
process, every body's own commitments, every hash-chain link, each assignment's HMAC,
and the checkpoints' signatures and chain values. It returns a :class:`ScheduleReport`
naming the first bad slot and why (``tampered-body``, ``broken-chain``,
``missing-slot``, ``out-of-order``, ``bad-signature``, ``checkpoint-mismatch``,
``unsigned`` ...).

Store layout::

    assignments/<pid>        log: seq = slot, value = b"\\x01" A_slot(32) tabm_bytes(assignment)
    checkpoints/<pid>        log: seq = signing order, value = tabm_bytes(signed checkpoint)
    scheduler/processes      log: seq = registration order, value = pid (ASCII)
    signed-assignments/<pid>/<slot>   value: tabm_bytes(RSA-signed assignment)
"""

from __future__ import annotations

import hashlib
import re
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from ..core import commitments as commitments_mod
from ..core import tabm_bytes
from ..core.b64 import b64u_decode, b64u_encode
from ..core.commitments import RSASignerLike
from ..core.errors import (
    AOError,
    ProcessNotFoundError,
    SchedulerError,
    SignatureError,
    StoreError,
)
from ..core.httpsig import (
    commitment_format,
    default_committed_keys,
    hmac_commitment,
)
from ..core.ids import message_id
from ..core.message import Message, Value
from ..core.signers import Signer
from ..core.structured import from_tabm, plain_tabm_bytes, to_tabm
from .cache import MessageCache
from .clock import Clock, SystemClock
from .stores import Store

__all__ = [
    "DEBUG_BLOCK",
    "MAX_ASSIGNMENTS",
    "BlockInfo",
    "ScheduleReport",
    "Scheduler",
    "assignments_chain",
    "only_committed",
    "parse_schedulers",
    "verify_schedule",
]

#: Assignments returned by one schedule query (HyperBEAM ``MAX_ASSIGNMENT_QUERY_LEN``).
MAX_ASSIGNMENTS: Final = 1000
VARIANT: Final = "ao.N.1"
EPOCH: Final = "0"
CHECKPOINT_TYPE: Final = "schedule-checkpoint"
PROCESSES_LOG: Final = "scheduler/processes"
_ENTRY_VERSION: Final = b"\x02"


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """The Arweave block an assignment is stamped with (HyperBEAM ``ar_timestamp``)."""

    height: int = 0
    hash: str = b64u_encode(bytes(32))
    timestamp: int = 0


#: HyperBEAM's debug-mode block info: height 0, 32 zero bytes, timestamp 0.
DEBUG_BLOCK: Final = BlockInfo()


# -- helpers (pure) ------------------------------------------------------------------------


class BlockClock:
    """Block heights that follow a clock: ``start`` plus one block per ``ms_per_block``
    (Arweave's blocks come about every two minutes). A local node follows no chain, so
    by default assignments carry HyperBEAM's debug block (height 0) and ``Block-Height``
    deadlines never pass; with a BlockClock on a virtual clock, ``node.advance(ms)``
    moves heights forward deterministically."""

    def __init__(self, clock: Clock, *, start: int = 1_500_000,
                 ms_per_block: int = 120_000) -> None:
        if ms_per_block <= 0:
            raise SchedulerError("ms_per_block must be positive", field="ms_per_block")
        self.clock, self.start, self.ms_per_block = clock, start, ms_per_block
        self.origin = clock.now_ms()

    def __call__(self) -> BlockInfo:
        now = self.clock.now_ms()
        height = self.start + max(0, now - self.origin) // self.ms_per_block
        return BlockInfo(height=height, timestamp=now // 1000)


#: Decoded assignments kept in memory for the compute side (bounded).
RECENT_ASSIGNMENTS = 4096


def _chain(previous: bytes, id_: str) -> bytes:
    return hashlib.sha256(previous + id_.encode("ascii")).digest()


def assignments_chain(previous: str | bytes, assignment_id: str) -> str:
    """The assignments chain: b64u(SHA-256(previous raw bytes || ascii(assignment ID)))."""
    prev = previous if isinstance(previous, bytes) else (
        b64u_decode(previous, field="assignments-chain") if previous else b"")
    return b64u_encode(_chain(prev, assignment_id))


def only_committed(msg: Message) -> Message:
    """``msg`` reduced to the keys its commitments cover (HyperBEAM ``with_only_committed``).

    An uncommitted message is kept whole (without private keys).
    """
    msg = msg.public()
    comms = msg.commitments
    if not comms:
        return msg
    covered: set[str] = set()
    for c in comms.values():
        if not isinstance(c, Message):
            continue
        committed = c.get("committed", ())
        for k in committed if isinstance(committed, tuple) else ():
            text = k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)
            covered.add(text[:-5] if text.endswith("+link") else text)
    kept = {k: v for k, v in msg.items() if k in covered or k.lower() in covered}
    kept["commitments"] = comms
    return Message._trusted(kept, msg.priv)


def parse_schedulers(value: Value | None) -> list[str]:
    """The addresses in a ``scheduler`` value: comma-separated, quotes stripped, or a list."""
    if value is None:
        return []
    items: Iterable[Value] = value if isinstance(value, tuple) else (value,)
    out: list[str] = []
    for item in items:
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item)
        for part in text.split(","):
            addr = part.strip().strip('"').strip()
            if addr and addr not in out:
                out.append(addr)
    return out


def _text(msg: Message, key: str) -> str | None:
    return msg.text(key) if key in msg else None


def _is_process(msg: Message) -> bool:
    kind = _text(msg, "type")
    return kind is not None and kind.lower() == "process"


def _encode(msg: Message) -> bytes:
    return tabm_bytes.dumps(to_tabm(msg, links="inline"))


def _decode(blob: bytes, *, what: str) -> Message:
    decoded = from_tabm(tabm_bytes.loads(blob))
    if not isinstance(decoded, Message):
        raise StoreError(f"{what} in the store is not a message", field=what)
    return decoded


def _with_hmac(msg: Message, body: Message | None, body_id: str | None) -> tuple[Message, str]:
    """``msg`` with its HMAC commitment (reusing the known body ID); (message, its ID).

    The general path (structured -> TABM -> httpsig), used for unusual assignments and
    as the reference the fast path is tested against.
    """
    def child(v: Message | tuple[Value, ...]) -> str:
        if body is not None and body_id is not None and v is body:
            return body_id
        return message_id(v, committers="all")

    tabm = to_tabm(msg.without("commitments"), links="discard", child_id=child)
    hmac_id, fields = hmac_commitment(tabm, default_committed_keys(tabm))
    return msg.with_(commitments=Message({hmac_id: Message(fields)})), hmac_id


#: The keys an assignment's HMAC commitment covers (the assignment's TABM keys).
_COMMITTED: Final = ("ao-types", "block-hash", "block-height", "block-timestamp", "body",
                     "data-protocol", "epoch", "hash-chain", "path", "process", "slot",
                     "timestamp", "variant")
_AO_TYPES: Final = (b'block-height="integer", block-timestamp="integer", slot="integer", '
                    b'timestamp="integer"')
_PARAMS: Final = (b'"@signature-params": ("ao-types" "block-hash" "block-height" '
                  b'"block-timestamp" "body+link" "data-protocol" "epoch" "hash-chain" '
                  b'"@path" "process" "slot" "timestamp" "variant"')


_PLAIN: Final = re.compile(r"[A-Za-z0-9._~@/+=-]{1,1024}")


def _plain_header(text: str) -> bool:
    """A value httpsig sends verbatim as a header (short, URL-safe characters)."""
    return _PLAIN.fullmatch(text) is not None


def _hmac_fields(hmac_id: str) -> Message:
    return Message._trusted({
        "commitment-device": "httpsig@1.0",
        "type": "hmac-sha256",
        "keyid": commitment_format().hmac_keyid,
        "committed": _COMMITTED,
        "signature": hmac_id,
    })


def _fast_assignment_id(fields: Mapping[str, Value], block: BlockInfo,
                        body_id: str) -> str | None:
    """The unsigned ID of an assignment, built straight from its fields (None: unusual
    values, take the general path). Equal to the general path by construction."""
    fmt = commitment_format()
    path, pid, chain = fields["path"], fields["process"], fields["hash-chain"]
    slot, now = fields["slot"], fields["timestamp"]
    if not (isinstance(path, str) and isinstance(pid, str) and isinstance(chain, str)
            and _plain_header(path) and _plain_header(block.hash)):
        return None
    base = b"\n".join((
        b'"ao-types": ' + _AO_TYPES,
        b'"block-hash": ' + block.hash.encode(),
        b'"block-height": ' + str(block.height).encode(),
        b'"block-timestamp": ' + str(block.timestamp).encode(),
        b'"body+link": ' + body_id.encode(),
        b'"data-protocol": ao',
        b'"epoch": 0',
        b'"hash-chain": ' + chain.encode(),
        b'"path": ' + path.encode(),
        b'"process": ' + pid.encode(),
        b'"slot": ' + str(slot).encode(),
        b'"timestamp": ' + str(now).encode(),
        b'"variant": ao.N.1',
        _PARAMS + fmt.hmac_params,
    ))
    return fmt.hmac_id(base)


# -- log entries ---------------------------------------------------------------------------
#
# entry := b"\x02" A(32) C(32) hmac-id(32) timestamp block-height block-timestamp (3 x int64)
#          len(path) path len(block-hash) block-hash (u32 length-prefixed UTF-8)
#          tabm_bytes(body)
# The slot is the log seq and the process the log name; the HMAC commitment is rebuilt
# from its ID (its other fields are constant), so reading gives back the exact message.

_HEAD: Final = struct.Struct(">32s32s32sqqqI")
_LEN: Final = struct.Struct(">I")


def _pack_entry(achain: bytes, chain: bytes, hmac_id: str, fields: Mapping[str, Value],
                block: BlockInfo) -> bytes:
    path, now, body = fields["path"], fields["timestamp"], fields["body"]
    if not (isinstance(path, str) and isinstance(now, int) and isinstance(body, Message)):
        raise SchedulerError("an assignment's path, timestamp or body is malformed",
                             field="assignment")
    p = path.encode("utf-8")
    h = block.hash.encode("utf-8")
    return b"".join((
        _ENTRY_VERSION,
        _HEAD.pack(achain, chain, b64u_decode(hmac_id, field="hmac id"), now, block.height,
                   block.timestamp, len(p)),
        p, _LEN.pack(len(h)), h,
        _body_bytes(body),
    ))


def _body_bytes(body: Message) -> bytes:
    plain = plain_tabm_bytes(body)  # the usual message: text values only, one pass
    return plain if plain is not None else tabm_bytes.dumps(to_tabm(body, links="inline"))


def _unpack_entry(pid: str, seq: int, blob: bytes) -> tuple[bytes, Message]:
    where = f"assignments/{pid}/{seq}"
    try:
        if blob[:1] != _ENTRY_VERSION:
            raise ValueError("unknown entry version")
        achain, chain, hmac_raw, now, height, btime, plen = _HEAD.unpack_from(blob, 1)
        pos = 1 + _HEAD.size
        path = blob[pos:pos + plen].decode("utf-8")
        pos += plen
        (hlen,) = _LEN.unpack_from(blob, pos)
        pos += _LEN.size
        bhash = blob[pos:pos + hlen].decode("utf-8")
        body = from_tabm(tabm_bytes.loads(blob[pos + hlen:]))
    except (ValueError, struct.error, AOError) as exc:
        raise StoreError(f"assignment {where} is unreadable: {exc}", field=where) from exc
    if not isinstance(body, Message):
        raise StoreError(f"assignment {where} has no body message", field=where)
    hmac_id = b64u_encode(hmac_raw)
    fields: dict[str, Value] = {
        "path": path,
        "data-protocol": "ao",
        "variant": VARIANT,
        "process": pid,
        "epoch": EPOCH,
        "slot": seq,
        "block-height": height,
        "block-hash": bhash,
        "block-timestamp": btime,
        "timestamp": now,
        "hash-chain": b64u_encode(chain),
        "body": body,
        "commitments": Message._trusted({hmac_id: _hmac_fields(hmac_id)}),
    }
    return achain, Message._trusted(fields)


def _assignment_id(assignment: Message) -> str:
    """The unsigned ID of an assignment, recomputed from its fields (commitments ignored)."""
    return message_id(assignment.without("commitments"))


# -- per-process state ---------------------------------------------------------------------


@dataclass
class _Proc:
    pid: str
    process: Message
    schedulers: list[str]
    next_slot: int
    chain: bytes  # C at next_slot - 1 (raw; b"" before slot 0)
    achain: bytes  # A at next_slot - 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    ck_lock: threading.Lock = field(default_factory=threading.Lock)
    checkpoints: dict[int, Message] = field(default_factory=dict)
    checkpoint_count: int = 0
    signed_through: int = -1  # highest slot covered by a checkpoint
    tail_since_ms: int | None = None  # clock time of the first unsigned assignment

    @property
    def current(self) -> int:
        return self.next_slot - 1


# -- the server ----------------------------------------------------------------------------


class Scheduler:
    """The scheduler server of one node (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        signer: RSASignerLike | Signer,
        *,
        clock: Clock | None = None,
        block_info: Callable[[], BlockInfo] | None = None,
        checkpoint_every: int = 1000,
        checkpoint_interval_ms: int = 10_000,
        verify_messages: bool = True,
        cache: MessageCache | None = None,
        on_scheduled: Callable[[Message], None] | None = None,
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
        self.clock: Clock = clock or SystemClock()
        self._block_info = block_info or (lambda: DEBUG_BLOCK)
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval_ms = checkpoint_interval_ms
        self.verify_messages = verify_messages
        self.cache = cache
        self.on_scheduled = on_scheduled
        self._procs: dict[str, _Proc] = {}
        self._recent: OrderedDict[tuple[str, int], Message] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._registry_lock = threading.RLock()
        self._order: list[str] = [
            v.decode("ascii") for _, v in store.read_log(PROCESSES_LOG)
        ]
        self._known = set(self._order)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------

    def start(self, poll_ms: int = 1000) -> None:
        """Start the background flusher that signs checkpoints off the critical path."""
        if self._flusher is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.is_set():
                self._wake.wait(poll_ms / 1000)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    self.flush(only_due=True)
                except AOError:  # a failing store must not kill the thread silently
                    continue

        self._flusher = threading.Thread(target=run, name="ao-scheduler-flusher", daemon=True)
        self._flusher.start()

    def close(self, *, flush: bool = True) -> None:
        """Stop the flusher and (by default) sign a checkpoint for every unsigned tail."""
        if self._closed:
            return
        self._stop.set()
        self._wake.set()
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None
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
                f"({self.address}); it must be scheduled there",
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
        if self.on_scheduled is not None:
            for assignment in assignments:
                self.on_scheduled(assignment)
        if due:
            if self._flusher is not None:
                self._wake.set()
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
            "timestamp": now,
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
        if proc.tail_since_ms is None:
            proc.tail_since_ms = now
        return assignment, self._due(proc, now)

    def _due(self, proc: _Proc, now: int) -> bool:
        tail = proc.current - proc.signed_through
        if tail <= 0:
            return False
        if tail >= self.checkpoint_every:
            return True
        return (proc.tail_since_ms is not None
                and now - proc.tail_since_ms >= self.checkpoint_interval_ms)

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

    # -- signing -----------------------------------------------------------------------

    def checkpoint(self, pid: str, slot: int | None = None) -> Message:
        """A signed checkpoint at ``slot`` (default: the latest); signs only if missing."""
        signed = self._sign_checkpoint(self._proc(pid), slot)
        if signed is None:  # only a policy-driven call may decline
            raise SchedulerError(f"no checkpoint was signed for {pid}", field="slot")
        return signed

    def checkpoints(self, pid: str) -> list[Message]:
        """Every signed checkpoint of ``pid``, by slot."""
        proc = self._proc(pid)
        with proc.ck_lock:
            return [proc.checkpoints[s] for s in sorted(proc.checkpoints)]

    def unsigned_tail(self, pid: str) -> int:
        """How many assignments of ``pid`` no checkpoint covers yet."""
        proc = self._proc(pid)
        return max(0, proc.current - proc.signed_through)

    def _sign_checkpoint(self, proc: _Proc, slot: int | None, *,
                         policy: bool = False) -> Message | None:
        with proc.ck_lock:
            if policy and not self._due(proc, self.clock.now_ms()):
                return None  # another thread signed while this one waited
            with proc.lock:
                target = proc.current if slot is None else slot
                if target < 0 or target > proc.current:
                    raise SchedulerError(
                        f"process {proc.pid} has no slot {target} (current {proc.current})",
                        field="slot")
                at_head = target == proc.current
                head = (b64u_encode(proc.chain), b64u_encode(proc.achain))
                since = proc.tail_since_ms
            existing = proc.checkpoints.get(target)
            if existing is not None:
                return existing
            chain, achain = head if at_head else self.chains_at(proc.pid, target)
            draft = Message({
                "type": CHECKPOINT_TYPE,
                "data-protocol": "ao",
                "variant": VARIANT,
                "process": proc.pid,
                "slot": target,
                "hash-chain": chain,
                "assignments-chain": achain,
                "timestamp": self.clock.now_ms(),
            })
            signed = commitments_mod.commit(draft, self.signer)
            self.store.append_log(f"checkpoints/{proc.pid}", proc.checkpoint_count,
                                  _encode(signed))
            proc.checkpoint_count += 1
            proc.checkpoints[target] = signed
            if target > proc.signed_through:
                proc.signed_through = target
                with proc.lock:
                    if proc.signed_through >= proc.current:
                        proc.tail_since_ms = None
                    elif since is not None:
                        proc.tail_since_ms = self.clock.now_ms()
            return signed

    def flush(self, *, only_due: bool = False) -> int:
        """Sign a checkpoint for every process with an unsigned tail (``only_due``: only
        where the K/T policy says so). Returns the number of signatures made."""
        made = 0
        now = self.clock.now_ms()
        for pid in self.processes():
            proc = self._proc(pid)
            if proc.current <= proc.signed_through:
                continue
            if only_due and not self._due(proc, now):
                continue
            if self._sign_checkpoint(proc, None, policy=only_due) is not None:
                made += 1
        return made

    def signed_assignment(self, pid: str, slot: int) -> Message:
        """The assignment of ``slot`` RSA-signed by this scheduler (HyperBEAM's form)."""
        key = f"signed-assignments/{pid}/{slot}"
        blob = self.store.read(key)
        if blob is not None:
            return _decode(blob, what=key)
        plain = self.assignment(pid, slot).without("commitments")
        signed = commitments_mod.commit(plain, self.signer)
        self.store.write(key, _encode(signed))
        return signed


# -- verification --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleReport:
    """The outcome of :func:`verify_schedule`. True when every check passed."""

    ok: bool
    process: str | None
    checked: int
    first_slot: int
    last_slot: int
    signed_through: int
    bad_slot: int | None = None
    reason: str | None = None
    detail: str = ""

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return (f"schedule of {self.process}: slots {self.first_slot}..{self.last_slot} "
                    f"verified ({self.checked} assignments, signed through "
                    f"{self.signed_through})")
        return f"slot {self.bad_slot}: {self.reason}: {self.detail}"


def _int(value: Value | None) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, (str, bytes)):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _safe_verify(msg: Message) -> bool:
    try:
        return commitments_mod.verify(msg)
    except AOError:
        return False


def _hmac_state(assignment: Message) -> tuple[str | None, bool]:
    """(ID of the assignment's HMAC commitment or None, whether it matches the fields)."""
    for cid, c in assignment.commitments.items():
        if isinstance(c, Message) and c.text("type") == "hmac-sha256":
            return cid, _assignment_id(assignment) == cid
    return None, True


def _rsa_state(assignment: Message, address: str) -> bool | None:
    """None when no RSA commitment; else whether one by ``address`` verifies."""
    signed = [c for c in assignment.commitments.values()
              if isinstance(c, Message) and "committer" in c]
    if not signed:
        return None
    return _safe_verify(assignment) and address in commitments_mod.committers(assignment)


def verify_schedule(
    assignments: Sequence[Message] | Mapping[Any, Message],
    checkpoints: Iterable[Message],
    scheduler_address: str,
    *,
    process: str | None = None,
    anchor: Mapping[str, Any] | None = None,
    require_signed: bool = True,
) -> ScheduleReport:
    """Check a schedule; the report names the first bad slot and the reason.

    ``assignments`` are in slot order (a mapping is ordered by its integer keys, which
    must equal the slots). The first is slot 0, or ``anchor["slot"] + 1`` when an
    ``anchor`` ``{slot, hash-chain, assignments-chain}`` gives the chains just before the
    range (the schedule query returns one). ``require_signed``: every slot must be
    covered by a valid checkpoint of ``scheduler_address`` (or be RSA-signed by it).
    """
    if isinstance(assignments, Mapping):
        pairs: list[tuple[int | None, Message]] = []
        for k, v in sorted(assignments.items(), key=lambda kv: _int(kv[0]) or 0):
            pairs.append((_int(k), v))
    else:
        pairs = [(None, a) for a in assignments]
    start = 0
    chain = b""
    achain = b""
    if anchor is not None:
        start = int(anchor["slot"]) + 1
        chain = b64u_decode(str(anchor.get("hash-chain") or ""), field="anchor.hash-chain")
        achain = b64u_decode(str(anchor.get("assignments-chain") or ""),
                             field="anchor.assignments-chain")
    pid = process
    if pid is None and pairs:
        pid = _text(pairs[0][1], "process")
    present = {_int(a.get("slot")) for _, a in pairs}
    chains: dict[int, tuple[bytes, bytes]] = {}
    self_signed: set[int] = set()
    bad: tuple[int, str, str] | None = None
    expected = start
    for key, a in pairs:
        slot = _int(a.get("slot"))
        if slot != expected or (key is not None and key != slot):
            reason = ("out-of-order" if expected in present or (slot is not None
                      and slot < expected) else "missing-slot")
            bad = (expected, reason,
                   f"expected slot {expected}, found slot {slot} at this position")
            break
        if _text(a, "process") != pid:
            bad = (slot, "wrong-process", f"assignment names process {_text(a, 'process')}")
            break
        body = a.get("body")
        if not isinstance(body, Message):
            bad = (slot, "tampered-body", "the assignment has no body message")
            break
        if body.commitments and not _safe_verify(body):
            bad = (slot, "tampered-body", "the body's own commitments do not verify")
            break
        body_id = message_id(body, committers="all")
        link = _chain(chain, body_id)
        stated = a.text("hash-chain") or ""
        hmac_id, hmac_ok = _hmac_state(a)
        if b64u_encode(link) != stated:
            reason = "broken-chain"
            if hmac_id is not None and not hmac_ok:
                repaired = _assignment_id(a.with_({"hash-chain": b64u_encode(link)}))
                if repaired != hmac_id:
                    reason = "tampered-body"
            bad = (slot, reason,
                   f"hash-chain is {stated!r}, but the previous chain and the body's ID "
                   f"{body_id} give {b64u_encode(link)!r}")
            break
        if not hmac_ok:
            bad = (slot, "tampered-assignment",
                   "the assignment's fields no longer match its HMAC commitment")
            break
        rsa = _rsa_state(a, scheduler_address)
        if rsa is False:
            bad = (slot, "bad-signature",
                   f"the assignment's RSA commitment is not a valid one by {scheduler_address}")
            break
        if rsa:
            self_signed.add(slot)
        chain = link
        achain = _chain(achain, _assignment_id(a))
        chains[slot] = (chain, achain)
        expected += 1
    limit = bad[0] if bad is not None else expected  # slots < limit checked good
    # Checkpoints: signature first, then their chain values against the recomputed ones.
    ck_list = sorted(
        (ck for ck in checkpoints if isinstance(ck, Message)),
        key=lambda ck: _int(ck.get("slot")) or -1,
    )
    covered = start - 1
    ck_bad: tuple[int, str, str] | None = None
    for ck in ck_list:
        s = _int(ck.get("slot"))
        if s is None or s < start or s >= limit:
            continue
        if (_text(ck, "type") != CHECKPOINT_TYPE or _text(ck, "process") != pid
                or not _safe_verify(ck)
                or scheduler_address not in commitments_mod.committers(ck)):
            ck_bad = (covered + 1, "bad-signature",
                      f"the checkpoint at slot {s} is not validly signed by "
                      f"{scheduler_address} for process {pid}")
            break
        c, ac = chains[s]
        if ck.text("hash-chain") != b64u_encode(c) or (
                ck.text("assignments-chain") != b64u_encode(ac)):
            ck_bad = (covered + 1, "checkpoint-mismatch",
                      f"the signed checkpoint at slot {s} does not match the chains "
                      f"recomputed from slots {covered + 1}..{s}")
            break
        covered = max(covered, s)
    if ck_bad is not None and (bad is None or ck_bad[0] <= bad[0]):
        bad = ck_bad
    signed_through = covered
    if bad is None and require_signed:
        for s in range(covered + 1, expected):
            if s not in self_signed:
                bad = (s, "unsigned",
                       f"no checkpoint signed by {scheduler_address} covers slot {s}")
                break
    last = expected - 1
    if bad is not None:
        return ScheduleReport(False, pid, len(chains), start, last, signed_through,
                              bad[0], bad[1], bad[2])
    return ScheduleReport(True, pid, len(chains), start, last, signed_through)
