"""The scheduler's log: assignment entries, chains, block info and pure helpers.

What :mod:`.server` writes to ``assignments/<pid>`` (one entry per slot, format v2:
``b"\\x02" A_slot(32) ...``, see :func:`_pack_entry`), the two hash chains, the fast
unsigned assignment ID (the HMAC commitment's ID, computed from the fields directly), and
the small pure helpers the server and verification share. No I/O, no locks.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ...core import tabm_bytes
from ...core.b64 import b64u_decode, b64u_encode
from ...core.errors import (
    AOError,
    SchedulerError,
    StoreError,
)
from ...core.httpsig import (
    commitment_format,
    default_committed_keys,
    hmac_commitment,
)
from ...core.ids import message_id
from ...core.message import Message, Value
from ...core.structured import from_tabm, plain_tabm_bytes, to_tabm
from .._context import Clock

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


def legacy_hash_chain(previous: str, previous_assignment: str | None = None) -> str:
    """The legacy AO SU's hash chain link: b64u(SHA-256(prev assignment ID raw || prev raw)).

    A process's own link (slot 0) is ``legacy_hash_chain(pid)``: SHA-256 of the process
    ID's 32 bytes. Slot n's is ``legacy_hash_chain(link n-1, assignment ID n-1)``. The
    legacy CU recomputes it for every message it reads from a process spawned at block
    height >= 1,440,000 and refuses a schedule where it differs (422 HashChain invalid).
    HyperBEAM's chain (``hash-chain`` on our assignments) is a different function; the
    legacy SU face serves this one, derived from the schedule.
    """
    h = hashlib.sha256()
    if previous_assignment:
        h.update(b64u_decode(previous_assignment, field="assignment"))
    h.update(b64u_decode(previous, field="hash-chain"))
    return b64u_encode(h.digest())


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
    last_timestamp: int = -1  # timestamp of slot next_slot - 1 (-1 before slot 0)
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
