"""The checkpoint flusher: the node's thread that signs due checkpoints off the critical path.

The scheduler role (:mod:`ao_kernel.devices.scheduler`) starts no thread. Started, a
:class:`CheckpointFlusher` sets the scheduler's ``on_due`` so that a ``schedule`` call
whose process's unsigned tail reached the K/T policy wakes this thread instead of
signing inline; the thread (and, every ``poll_ms``, a timer) calls
``scheduler.flush(only_due=True)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from ..core.errors import AOError


class _Flushable(Protocol):
    on_due: Callable[[], None] | None

    def flush(self, *, only_due: bool = False) -> int: ...


class CheckpointFlusher:
    """Signs due checkpoints of ``scheduler`` on a background thread (see module doc)."""

    def __init__(self, scheduler: _Flushable, *, poll_ms: int = 1000) -> None:
        self.scheduler = scheduler
        self.poll_ms = poll_ms
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CheckpointFlusher:
        if self._thread is None:
            self._stop.clear()
            self.scheduler.on_due = self._wake.set
            self._thread = threading.Thread(target=self._run, name="ao-checkpoint-flusher",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_ms / 1000)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.scheduler.flush(only_due=True)
            except AOError:  # a failing store must not kill the thread silently
                continue

    def stop(self) -> None:
        """Stop the thread; due tails are signed inline again from now on."""
        if self._thread is None:
            return
        self.scheduler.on_due = None
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self._thread = None
