"""``TimelineWidget``: scrub through the slots of one process.

::

    t = TimelineWidget(proc); t          # a slider over slots 0..proc.slot
    t.slot = 3                           # (or drag the slider) -> t.state == proc.state(3)
    t.diff                    # what slot 3 changed: [{"path", "change", "before", "after"}]
    t.assignment, t.message, t.output, t.error, t.hashpath

Moving to a slot asks the node for the result of that slot (computing any slots not yet
computed, e.g. after reopening a persistent store) and for the states after slots
``n-1`` and ``n`` (``proc.state(slot=...)``, a replay). ``progress`` (0..1) and ``busy``
report long replays as they go: computed slots are counted from the node's ``computed``
events. With ``background=True`` (the default) the work runs on a worker thread, the
latest requested slot wins and the kernel stays responsive; ``show(slot)`` does the same
synchronously. New slots of the process extend the slider live (``follow`` jumps to them).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ._base import CSS, Batcher, asset, diff_states, jsonable, message_summary, strip_ansi

if TYPE_CHECKING:
    from ...node.events import Event
    from ...node.process_handle import Process

_CACHE = 64


class TimelineWidget(anywidget.AnyWidget):
    """The slot timeline of one process, with the state and its diff at each slot."""

    _esm = asset("timeline.js")
    _css = CSS

    process = traitlets.Unicode("").tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    slot = traitlets.Int(0).tag(sync=True)
    max_slot = traitlets.Int(0).tag(sync=True)
    #: when True, a new slot of the process moves the timeline to it
    follow = traitlets.Bool(False).tag(sync=True)
    #: the slot whose data is shown below (lags ``slot`` while a replay runs)
    shown_slot = traitlets.Int(-1).tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    diff: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    assignment = traitlets.Dict().tag(sync=True)
    message = traitlets.Dict().tag(sync=True)
    output = traitlets.Unicode("").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    hashpath = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Float(1.0).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)

    def __init__(self, proc: Process, slot: int | None = None, *, background: bool = True,
                 interval: float = 0.1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.proc = proc
        self.background = background
        self._states: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._wanted: int | None = None
        self._worker: threading.Thread | None = None
        self._target = 0
        self._progress_at = 0.0
        self._idle = threading.Event()
        self._idle.set()
        self.process = proc.id
        self.name = proc.name or ""
        self.max_slot = proc.slot
        self._batcher: Batcher[Event] = Batcher(self._on_events, interval)
        events = getattr(proc.node, "events", None)  # a local node's event bus
        if events is None:
            raise TypeError("the slot timeline follows a local node's events; "
                            f"{proc!r} is on a remote node")
        self._unsubscribe = events.subscribe(self._on_event, kinds=("scheduled", "computed"))
        self.observe(self._on_slot, names=["slot"])
        self.on_msg(self._on_frontend_msg)
        target = self.max_slot if slot is None else slot
        if target == self.slot:
            self._request(target)
        else:
            self.slot = target  # the observer requests it

    # -- node events -------------------------------------------------------------------------

    def _on_event(self, ev: Event) -> None:
        if ev.data.get("process") != self.proc.id:
            return
        if ev.kind == "computed" and self.busy:
            self._on_computed(int(ev.data["slot"]))
        elif ev.kind == "scheduled":
            self._batcher.add(ev)

    def _on_events(self, events: list[Event]) -> None:
        top = max(int(ev.data["slot"]) for ev in events)
        if top > self.max_slot:
            self.max_slot = top
            if self.follow:
                self.slot = top

    def flush(self) -> int:
        return self._batcher.flush_now()

    # -- moving ------------------------------------------------------------------------------

    def _on_slot(self, change: dict[str, Any]) -> None:
        self._request(int(change["new"]))

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "goto":
            self.slot = max(0, min(int(content.get("slot", 0)), self.max_slot))

    def _request(self, slot: int) -> None:
        if not self.background:
            self.show(slot)
            return
        with self._lock:
            self._wanted = slot
            if self._worker is not None and self._worker.is_alive():
                return
            self._idle.clear()
            self._worker = threading.Thread(target=self._work, daemon=True,
                                            name="ao-timeline")
            self._worker.start()

    def _work(self) -> None:
        try:
            while True:
                with self._lock:
                    slot, self._wanted = self._wanted, None
                    if slot is None:
                        self._worker = None
                        return
                self.show(slot)
        finally:
            self._idle.set()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until the background worker has shown the latest requested slot."""
        return self._idle.wait(timeout)

    def show(self, slot: int) -> None:
        """Load and show ``slot`` (synchronously).

        Progress: computing forward to ``slot`` is the first half (counted from the
        node's ``computed`` events), the replays of the states after ``slot - 1`` and
        ``slot`` the second half.
        """
        from ...core.errors import AOError

        slot = max(0, min(slot, self.proc.slot))
        self._target = slot
        self._progress_at = 0.0
        with self.hold_sync():
            self.busy, self.progress = True, 0.0
        try:
            result = self.proc.result(slot)
            self._set_progress(0.5)
            before = self._state(slot - 1) if slot > 0 else {}
            self._set_progress(0.75)
            after = self._state(slot)
            assignment = result.assignment
            body = assignment.get("body") if assignment is not None else None
            with self.hold_sync():
                self.state = jsonable(after)
                self.diff = diff_states(before, after)
                self.assignment = ({k: jsonable(assignment[k]) for k in assignment
                                    if k not in ("body", "commitments")}
                                   if assignment is not None else {})
                self.message = message_summary(body) if slot > 0 else {
                    "process": self.proc.id, "note": "slot 0 is the process message"}
                self.output = strip_ansi(result.output)
                self.error = result.error or ""
                self.hashpath = result.hashpath
                self.shown_slot = slot
                self.progress = 1.0
                self.busy = False
        except AOError as exc:
            with self.hold_sync():
                self.error = str(exc)
                self.shown_slot = slot
                self.progress = 1.0
                self.busy = False

    def _on_computed(self, slot: int) -> None:
        target = self._target
        if target > 0 and slot <= target:
            self._set_progress(0.5 * slot / target)

    def _set_progress(self, value: float) -> None:
        """Set ``progress``, at most every 100 ms (each set is a comm message)."""
        now = time.monotonic()
        if now - self._progress_at >= 0.1 or value >= 1.0:
            self._progress_at = now
            self.progress = max(0.0, min(1.0, value))

    def _state(self, slot: int) -> dict[str, Any]:
        cached = self._states.get(slot)
        if cached is not None:
            self._states.move_to_end(slot)
            return cached
        state = self.proc.state(slot=slot)
        self._states[slot] = state
        while len(self._states) > _CACHE:
            self._states.popitem(last=False)
        return state

    def close(self) -> None:
        self._unsubscribe()
        self._batcher.close()
        super().close()
