"""push@1.0: the messenger (MU) that delivers a result's outbox (HyperBEAM ``dev_push``).

::

    push(result): for each outbox message whose Target is a process of this node:
                      + From-Process, From-Module, Pushed-For ─► schedule on the target ─► compute
                  for each spawn: register the child, then Action=Spawned to the parent
                  for each assignment: schedule the named message on each listed process
                  recursively, breadth first, until quiet (bounded: MAX_PUSHES, MAX_DEPTH)

The :class:`Messenger` computes nothing itself: it asks its host (a
:class:`~ao_kernel.devices._context.Deliverer`, the node) to ``schedule_and_compute`` each
delivery and ``register_process`` each spawn, reads which processes exist from the
schedule, and publishes ``spawned`` and ``pushed`` events. A message's fields are the
outbox entry's tags as text (:func:`~ao_kernel.runtimes.aos.abi.outcome_text`, the one
conversion for values coming out of a process), minus the protocol tags.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from ..core.b64 import b64u_encode
from ..core.message import Message, Value
from ..runtimes.aos import AOS_MODULE_ID
from ..runtimes.aos.abi import as_list, outcome_text, tags_of, tags_to_dict
from ._context import Deliverer, EventSink
from .process.result import SlotResult

__all__ = ["MAX_DEPTH", "MAX_PUSHES", "Messenger"]

MAX_PUSHES = 10_000
MAX_DEPTH = 100
PROTOCOL_TAGS = ("data-protocol", "variant", "type")
_DROP_ON_PUSH = frozenset({"data-protocol", "type", "from-process", "from-module", "assignments"})


class _Processes(Protocol):
    def has_process(self, pid: str) -> bool: ...

    def process(self, pid: str) -> Message: ...


class _Sender(NamedTuple):
    pid: str
    definition: Message


class Messenger:
    """Delivers outboxes to the host's processes (see the module docstring)."""

    def __init__(self, host: Deliverer, schedule: _Processes, events: EventSink,
                 address: str) -> None:
        self.host = host
        self.schedule = schedule
        self.events = events
        self.address = address

    def _sender(self, pid: str) -> _Sender:
        return _Sender(pid, self.schedule.process(pid))

    def push(self, root: SlotResult, *, max_pushes: int = MAX_PUSHES,
             max_depth: int = MAX_DEPTH) -> SlotResult:
        """Deliver ``root``'s outbox (and everything it causes) to this node's processes."""
        outcome = root.outcome
        if not (outcome.messages or outcome.spawns or outcome.assignments):
            return root  # nothing to deliver (most results)
        queue: deque[tuple[SlotResult, int]] = deque([(root, 0)])
        delivered = 0
        pushed_for = root.message_id
        while queue:
            result, depth = queue.popleft()
            if result.error is not None:
                continue
            sender = self._sender(result.process)
            for outbox in result.outcome.spawns:
                child = self._spawn_child(sender, outbox, pushed_for)
                result.spawned.append(child.process)
                self.events.publish("spawned", process=child.process,
                                         parent=sender.pid, name=child.outcome and
                                         _name(self.schedule.process(child.process)))
                ok = self._deliver_spawned(sender, outbox, child.process, pushed_for)
                for r in (child, ok):
                    result.pushed.append(r)
                    queue.append((r, depth + 1))
            for outbox in result.outcome.messages:
                target = str(outbox.get("Target") or "")
                if not self.schedule.has_process(target):
                    result.undelivered.append(outbox)
                    continue
                if depth >= max_depth or delivered >= max_pushes:
                    root.push_error = (
                        f"push stopped after {delivered} deliveries (depth {depth}): the "
                        "processes keep messaging each other; undelivered messages are kept"
                    )
                    result.undelivered.append(outbox)
                    continue
                pushed = self._deliver(sender, outbox, pushed_for)
                delivered += 1
                result.pushed.append(pushed)
                queue.append((pushed, depth + 1))
                for extra in _assignments_tag(outbox):
                    if self.schedule.has_process(extra):
                        assigned = self._assign_existing(pushed.message_id, extra)
                        if assigned is not None:
                            result.pushed.append(assigned)
                            queue.append((assigned, depth + 1))
            for assignment in result.outcome.assignments:
                msg_id = str(assignment.get("Message", ""))
                for pid in as_list(assignment.get("Processes"), split_text=True):
                    if self.schedule.has_process(str(pid)):
                        assigned = self._assign_existing(msg_id, str(pid))
                        if assigned is not None:
                            result.pushed.append(assigned)
                            queue.append((assigned, depth + 1))
        return root

    def _deliver(self, sender: _Sender, outbox: Mapping[str, Any], pushed_for: str) -> SlotResult:
        tags = [t for t in as_list(outbox.get("Tags"))
                if isinstance(t, Mapping) and str(t.get("name", "")).lower() not in _DROP_ON_PUSH]
        fields: dict[str, Value] = {}
        for tag in tags:
            fields.setdefault(str(tag["name"]), outcome_text(tag.get("value")))
        fields.update({
            "Data-Protocol": "ao",
            "Type": "Message",
            "From-Process": sender.pid,
            "From-Module": sender.definition.text("module") or AOS_MODULE_ID,
            "Pushed-For": pushed_for,
        })
        msg = Message(_dedupe_case(fields)).with_(
            target=str(outbox.get("Target")),
            data=outcome_text(outbox.get("Data", "")),
            anchor=outcome_text(outbox.get("Anchor", "")),
        )
        target = str(outbox.get("Target"))
        res = self.host.schedule_and_compute(msg, target)
        self.events.publish("pushed", from_process=sender.pid, process=target,
                                 slot=res.slot, message=res.message_id)
        return res

    def _spawn_child(self, parent: _Sender, spawn: Mapping[str, Any],
                     pushed_for: str) -> SlotResult:
        tags = [t for t in as_list(spawn.get("Tags"))
                if isinstance(t, Mapping) and str(t.get("name", "")).lower()
                not in ("data-protocol", "type")]
        fields: dict[str, Value] = {}
        for tag in tags:
            fields.setdefault(str(tag["name"]), outcome_text(tag.get("value")))
        lowered = {k.lower() for k in fields}
        fields.setdefault("Variant", "ao.TN.1")
        fields["Data-Protocol"] = "ao"
        fields["Type"] = "Process"
        fields["From-Process"] = parent.pid
        fields["Pushed-For"] = pushed_for
        if "scheduler" not in lowered:
            fields["Scheduler"] = self.address
        if "authority" not in lowered:
            fields["Authority"] = self.address
        if "module" not in lowered:
            fields["Module"] = parent.definition.text("module") or AOS_MODULE_ID
        definition = Message(_dedupe_case(fields)).with_(
            data=outcome_text(spawn.get("Data", "")),
            anchor=_child_anchor(outcome_text(spawn.get("Anchor", "")), parent.pid),
        )
        return self.host.register_process(definition)

    def _deliver_spawned(self, parent: _Sender, spawn: Mapping[str, Any], child: str,
                         pushed_for: str) -> SlotResult:
        fields: dict[str, Value] = {}
        for tag in as_list(spawn.get("Tags")):
            if isinstance(tag, Mapping) and str(tag.get("name", "")).lower() not in PROTOCOL_TAGS:
                fields.setdefault(str(tag["name"]), outcome_text(tag.get("value")))
        fields.update({"Data-Protocol": "ao", "Type": "Message", "Process": child,
                       "Action": "Spawned", "Variant": "ao.TN.1", "Pushed-For": pushed_for})
        # The anchor keeps the notice's ID unique per child; a data item's anchor is 32
        # bytes (the legacy CU re-encodes forwarded messages and refuses any other length)
        msg = Message(_dedupe_case(fields)).with_(target=parent.pid, anchor=child[:32])
        return self.host.schedule_and_compute(msg, parent.pid)

    def _assign_existing(self, msg_id: str, pid: str) -> SlotResult | None:
        msg = self.host.find_message(msg_id)
        if msg is None:
            return None
        return self.host.schedule_and_compute(msg, pid)


def _child_anchor(anchor: str, parent: str) -> str:
    """A spawned child's anchor: 32 bytes (as a data item's anchor must be; the legacy CU
    re-encodes messages and refuses any other length) that keep the child's ID unique per
    parent and spawn reference, since the node's own messages are not randomly signed."""
    return b64u_encode(hashlib.sha256(f"{anchor}:{parent}".encode()).digest())[:32]


def _assignments_tag(outbox: Mapping[str, Any]) -> list[str]:
    for tag in as_list(outbox.get("Tags")):
        if isinstance(tag, Mapping) and str(tag.get("name", "")).lower() == "assignments":
            return [str(v) for v in as_list(tag.get("value"), split_text=True)]
    return []


def _dedupe_case(fields: Mapping[str, Value]) -> dict[str, Value]:
    """Tag names differing only in case collapse to the first (messages are case-insensitive)."""
    out: dict[str, Value] = {}
    seen: set[str] = set()
    for k, v in fields.items():
        if k.lower() in seen:
            continue
        seen.add(k.lower())
        out[k] = v
    return out


def _name(definition: Message) -> str | None:
    return tags_to_dict(tags_of(definition)).get("Name")
