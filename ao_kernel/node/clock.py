"""Clocks: where the node's notion of "now" comes from.

Computation is deterministic, so nothing under ``ao_kernel.core`` or inside a device's
computation reads the wall clock. Edges that must stamp a time — the scheduler putting
``timestamp`` on an assignment, a cron tick — ask a :class:`Clock` object that the node
passes in:

* :class:`SystemClock` — milliseconds since the Unix epoch from the operating system
  (what a live node uses; HyperBEAM's scheduler stamps its wall clock in ms);
* :class:`VirtualClock` — a clock that only moves when told to (``advance``/``set``),
  for tests, replays and notebooks that want reproducible assignments.

A clock is thread-safe and never goes backwards: :class:`SystemClock` clamps a wall clock
that steps back (NTP) to the last value it returned, so timestamps along a schedule are
monotonic.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

from ..core.errors import AOError


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now_ms()``: integer milliseconds since the Unix epoch."""

    def now_ms(self) -> int: ...


class SystemClock:
    """The operating system's wall clock in milliseconds, never going backwards."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def now_ms(self) -> int:
        now = time.time_ns() // 1_000_000
        with self._lock:
            now = max(now, self._last)
            self._last = now
            return now

    def __repr__(self) -> str:
        return "SystemClock()"


class VirtualClock:
    """A clock that stands still until advanced: ``VirtualClock(start_ms)``."""

    def __init__(self, start_ms: int = 0) -> None:
        if not isinstance(start_ms, int) or isinstance(start_ms, bool) or start_ms < 0:
            raise AOError(f"start_ms must be a non-negative integer, got {start_ms!r}",
                          field="start_ms")
        self._lock = threading.Lock()
        self._now = start_ms

    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def advance(self, ms: int) -> int:
        """Move forward by ``ms`` (>= 0) milliseconds; returns the new time."""
        if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
            raise AOError(f"a clock only advances by a non-negative integer, got {ms!r}",
                          field="ms")
        with self._lock:
            self._now += ms
            return self._now

    def set(self, ms: int) -> int:
        """Jump to ``ms``, which must not be earlier than now; returns it."""
        with self._lock:
            if not isinstance(ms, int) or isinstance(ms, bool) or ms < self._now:
                raise AOError(f"a clock cannot go back from {self._now} to {ms!r}",
                              field="ms")
            self._now = ms
            return ms

    def __repr__(self) -> str:
        return f"VirtualClock({self.now_ms()})"
