"""cron: processes spawned with ``Cron-Interval`` receive ticks as time advances
(HyperBEAM ``dev_cron``).

A process definition may carry (as the aos CLI's ``--cron`` writes them)::

    Cron-Interval: 10-seconds          N-unit: millisecond(s), second(s), minute(s),
    Cron-Tag-Action: Cron              hour(s), day(s), week(s), month(s) (30 days), year(s)
    Cron-Tag-<Name>: <value>           every Cron-Tag-* becomes a tag of each tick

Ticks fire at ``spawn time + k * interval`` (k >= 1), as the reference compute unit
computes them. Unlike the legacy CU (which invents cron messages between scheduled ones),
each tick here is *scheduled* like any message, HyperBEAM-style, so it has a slot, an
assignment in the hash chain, and replays identically. A tick message is
``{Cron: true, <Cron-Tag-* without the prefix>}`` addressed to the process, from its
owner.

Driving time: with a :class:`VirtualClock`, ``node.advance(ms)`` moves the clock to each
due tick in order and schedules it (tests and notebooks); with the system clock,
``node.start_cron()`` runs a thread that schedules due ticks every second (the kernel).
Block-based intervals (``N-blocks``) are refused: a local node follows no Arweave blocks.

The role (:class:`Cron`) reads the schedule (which processes, their definitions, slot 0's
timestamp), keeps the last tick per process in the store (``cron/<pid>``) and hands each
tick to its host's ``deliver`` (the node: schedule, compute, push). The thread that
drives it on the system clock is the node's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.errors import SchedulerError
from ..core.message import Message
from ..runtimes.aos.abi import tags_of
from ._context import KeyValueLog
from .process.result import SlotResult


class CronSchedule(Protocol):
    """What cron reads of the schedule (the scheduler server)."""

    def processes(self) -> list[str]: ...

    def process(self, pid: str) -> Message: ...

    def assignment(self, pid: str, slot: int) -> Message: ...

_UNITS = {
    "millisecond": 1, "ms": 1,
    "second": 1000, "sec": 1000, "s": 1000,
    "minute": 60_000, "min": 60_000, "m": 60_000,
    "hour": 3_600_000, "h": 3_600_000,
    "day": 86_400_000, "d": 86_400_000,
    "week": 7 * 86_400_000,
    "month": 30 * 86_400_000,
    "year": 365 * 86_400_000,
}
_INTERVAL = re.compile(r"^\s*(\d+)\s*-?\s*([a-zA-Z]+)\s*$")


def parse_interval(text: str) -> int:
    """Milliseconds of an interval like ``10-seconds`` (SchedulerError otherwise)."""
    m = _INTERVAL.match(text)
    if not m:
        raise SchedulerError(f"cron interval {text!r} is not like '10-seconds'",
                             field="Cron-Interval")
    count, unit = int(m.group(1)), m.group(2).lower()
    if unit not in _UNITS and unit.endswith("s"):  # plurals; "ms" is a unit of its own
        unit = unit[:-1]
    if unit in ("block", "blocks"):
        raise SchedulerError("block-based cron intervals need Arweave blocks; use a time "
                             f"unit (seconds, minutes ...), got {text!r}", field="Cron-Interval")
    if unit not in _UNITS:
        raise SchedulerError(f"unknown cron unit {unit!r} in {text!r}", field="Cron-Interval")
    ms = count * _UNITS[unit]
    if ms < 1000:
        raise SchedulerError(f"cron intervals must be at least one second, got {text!r}",
                             field="Cron-Interval")
    return ms


@dataclass
class CronSpec:
    """One interval of one process and the tags of its ticks."""

    interval_ms: int
    tags: dict[str, str] = field(default_factory=dict)


def cron_specs(definition: Message) -> list[CronSpec]:
    """The cron intervals of a process definition, in tag order."""
    specs: list[CronSpec] = []
    for tag in tags_of(definition):
        name, value = tag["name"], tag["value"]
        lower = name.lower()
        if lower == "cron-interval":
            specs.append(CronSpec(parse_interval(value)))
        elif lower.startswith("cron-tag-"):
            if not specs:
                raise SchedulerError("a Cron-Tag-* tag comes before any Cron-Interval",
                                     field=name)
            specs[-1].tags[name[len("cron-tag-"):]] = value
    return specs


class Cron:
    """Fires the due ticks of every cron process of a schedule (see the module docstring)."""

    def __init__(self, schedule: CronSchedule, store: KeyValueLog,
                 deliver: Callable[[Message, str], SlotResult]) -> None:
        self.schedule = schedule
        self.store = store
        self.deliver = deliver
        self._last: dict[str, int] = {}

    def _origin(self, pid: str) -> int:
        assignment = self.schedule.assignment(pid, 0)
        ts = assignment.get("timestamp", 0)
        return int(ts) if isinstance(ts, (int, str)) else 0

    def due(self, until_ms: int) -> list[tuple[int, str, CronSpec]]:
        """(time, process, spec) of every tick due up to ``until_ms``, in time order."""
        out: list[tuple[int, str, CronSpec]] = []
        for pid in self.schedule.processes():
            specs = cron_specs(self.schedule.process(pid))
            if not specs:
                continue
            origin = self._origin(pid)
            last = self._last.get(pid, self._stored_last(pid, origin))
            for spec in specs:
                k = max(1, (last - origin) // spec.interval_ms + 1)
                t = origin + k * spec.interval_ms
                while t <= until_ms:
                    if t > last:
                        out.append((t, pid, spec))
                    k += 1
                    t = origin + k * spec.interval_ms
        out.sort(key=lambda item: (item[0], item[1]))
        return out

    def _stored_last(self, pid: str, origin: int) -> int:
        raw = self.store.read(f"cron/{pid}")
        return int(raw) if raw else origin

    def fire(self, until_ms: int, *, set_clock: Any = None) -> list[SlotResult]:
        """Schedule (and compute, and push) every tick due up to ``until_ms``."""
        results = []
        for t, pid, spec in self.due(until_ms):
            if set_clock is not None:
                set_clock(t)
            tick = Message({**spec.tags, "cron": True}).with_(target=pid, anchor=f"{t:032d}")
            results.append(self.deliver(tick, pid))
            self._last[pid] = t
            with self.store.transaction():
                self.store.write(f"cron/{pid}", str(t).encode())
        return results
