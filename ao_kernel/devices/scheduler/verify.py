"""Checking a schedule: :func:`verify_schedule` and its :class:`ScheduleReport`.

A list of assignments plus the scheduler's signed checkpoints is checked slot by slot
(continuity, process, every body's own commitments, every hash-chain link, each
assignment's HMAC) and then against the checkpoints (signature, committer, chain values).
The report names the first bad slot and why (``tampered-body``, ``broken-chain``,
``missing-slot``, ``out-of-order``, ``bad-signature``, ``checkpoint-mismatch``,
``unsigned`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...core import commitments as commitments_mod
from ...core.b64 import b64u_decode, b64u_encode
from ...core.errors import AOError
from ...core.ids import message_id
from ...core.message import Message, Value
from .log import CHECKPOINT_TYPE, _assignment_id, _chain, _text

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


def _as_committed(assignment: Message) -> Message:
    """``assignment`` reduced to the keys its HMAC commitment covers, when it has one.

    Its ID and the assignments chain are over those keys: a key a node added when it
    answered (HyperBEAM's ``status``) is no part of the assignment."""
    for c in assignment.commitments.values():
        if isinstance(c, Message) and c.text("type") == "hmac-sha256" and "committer" not in c:
            keys = commitments_mod.commitment_keys(c)
            if keys is not None:
                return commitments_mod.only_committed(assignment, keys).with_(
                    commitments=assignment["commitments"])
    return assignment


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
    for key, served in pairs:
        a = _as_committed(served)
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
