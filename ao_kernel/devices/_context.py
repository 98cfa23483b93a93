"""What a device's role needs from its host: small typed protocols, no implementations.

The roles in ``devices/`` (the scheduler server, the compute unit, the messenger, cron)
hold the AO logic; the host (``node/``: :class:`~ao_kernel.node.node.Node`) builds them
and hands each one only the services it uses, as objects satisfying these protocols.
Nothing here imports ``node/``: dependencies run core <- runtimes <- devices <- node.

================  ==========================================================================
``Clock``         ``now_ms()``: integer milliseconds since the Unix epoch (assignment
                  timestamps, cron ticks). The node's ``SystemClock``/``VirtualClock``.
``EventSink``     ``publish(kind, **payload)`` and ``active`` (anyone listening): the
                  node's event bus.
``MessageLoader`` ``find_message(id)``: a message this node has seen, or None.
``MessageCache``  ``read(id)`` / ``write(msg)``: the node's message cache.
``KeyValueLog``   the store methods the scheduler uses (keys, logs, transactions).
``ScheduleReader`` what a compute unit reads of a schedule: ``has_process``, ``process``,
                  ``current_slot``, ``assignment``.
``Deliverer``     what the messenger asks of its host: ``schedule_and_compute`` a message
                  on a process, ``register_process`` a spawned one, ``find_message``.
================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..core.message import Message

if TYPE_CHECKING:
    from .process.result import SlotResult

__all__ = ["Clock", "Deliverer", "EventSink", "KeyValueLog", "MessageCache", "MessageLoader",
           "ScheduleReader"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now_ms()``: integer milliseconds since the Unix epoch."""

    def now_ms(self) -> int: ...


class EventSink(Protocol):
    """Where a role publishes what happened (``scheduled``, ``computed``, ``pushed`` ...)."""

    @property
    def active(self) -> bool: ...

    def publish(self, kind: str, **data: Any) -> None: ...


class MessageLoader(Protocol):
    def find_message(self, msg_id: str) -> Message | None: ...


class MessageCache(Protocol):
    def read(self, msg_id: str) -> Message: ...

    def write(self, msg: Message) -> Any: ...


class KeyValueLog(Protocol):
    """The store methods the scheduler uses (``node/stores`` implements them)."""

    def read(self, key: str) -> bytes | None: ...

    def write(self, key: str, value: bytes) -> None: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def read_log(self, log: str, start: int = 0,
                 end: int | None = None) -> list[tuple[int, bytes]]: ...

    def log_length(self, log: str) -> int: ...

    def append_log(self, log: str, seq: int, value: bytes) -> None: ...

    def extend_log(self, log: str, start: int, values: Iterable[bytes]) -> int: ...


class ScheduleReader(Protocol):
    """What a compute unit reads of a schedule (the scheduler server, or a mirror of a
    remote one)."""

    def has_process(self, pid: str) -> bool: ...

    def process(self, pid: str) -> Message: ...

    def current_slot(self, pid: str) -> int: ...

    def assignment(self, pid: str, slot: int) -> Message: ...


class Deliverer(MessageLoader, Protocol):
    """What the messenger (push@1.0) asks of its host."""

    def schedule_and_compute(self, msg: Message, process: str) -> SlotResult: ...

    def register_process(self, definition: Message) -> SlotResult: ...
