"""The node's event bus: what happened, pushed to whoever listens (widgets, HTTP, tests).

Kinds published by the node::

    spawned    a process was created          {process, name, parent?}
    scheduled  a message got a slot           {process, slot, message, from?}
    computed   a slot was computed            {process, slot, error?, outbox, hashpath}
    pushed     an outbox message was delivered {from_process, process, slot, message}
    committed  the scheduler signed a checkpoint {process, slot, signer}
    verified   a verification report          {process, ok}
    published  a process went to Arweave      {process, bundle, items, gateway}

Each kind is published in one place: ``scheduled`` by the scheduler server, ``committed``
by its checkpoint signing, ``computed`` by the compute unit, ``pushed`` and ``spawned``
(children) by the messenger, ``spawned`` (top level) and ``verified`` by the node,
``published`` by ``node/arweave.py``.

Delivery is synchronous, in the publishing thread, in subscription order; a subscriber
that raises is reported through ``errors`` and never breaks the node. Subscribers that
draw (widgets) batch on their side. Nothing polls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("spawned", "scheduled", "computed", "pushed", "committed", "verified", "published")


@dataclass(frozen=True)
class Event:
    """One thing that happened in the node."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


Subscriber = Callable[[Event], None]


class EventBus:
    """Publish/subscribe, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[tuple[Subscriber, frozenset[str] | None]] = []
        self.errors: list[tuple[Event, BaseException]] = []

    def subscribe(self, fn: Subscriber, kinds: Iterable[str] | None = None) -> Callable[[], None]:
        """Call ``fn(event)`` for every event (or only ``kinds``); returns an unsubscribe."""
        wanted = frozenset(kinds) if kinds is not None else None
        unknown = (wanted or frozenset()) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown event kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        entry = (fn, wanted)
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    @property
    def active(self) -> bool:
        return bool(self._subs)

    def publish(self, kind: str, **data: Any) -> None:
        if not self._subs:
            return
        event = Event(kind, data)
        with self._lock:
            subs = list(self._subs)
        for fn, wanted in subs:
            if wanted is not None and kind not in wanted:
                continue
            try:
                fn(event)
            except Exception as exc:  # a broken subscriber must not break the node
                self.errors.append((event, exc))
