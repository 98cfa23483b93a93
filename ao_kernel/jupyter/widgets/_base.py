"""What the widgets share: the bundled assets, event batching, JSON-safe values, diffs.

Everything here is Jupyter-side plumbing; the widgets learn about the node only through
its public API (``Node``, ``Process``, ``SlotResult``, ``node.events``).
"""

from __future__ import annotations

import base64
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

STATIC = Path(__file__).parent / "static"
CSS = STATIC / "widgets.css"

T = TypeVar("T")

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def asset(name: str) -> Path:
    """A bundled front-end file (``graph.js`` ...); shipped in the wheel, never a CDN."""
    path = STATIC / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: the widget bundle is built by widgets-js/build.sh")
    return path


def strip_ansi(text: str | None) -> str:
    """``text`` without terminal colour codes (aos colours its REPL output)."""
    return _ANSI.sub("", text or "")


def short(id_: str | None, n: int = 6) -> str:
    """A short form of an ID for labels (the full ID stays available on hover)."""
    if not id_:
        return ""
    return id_ if len(id_) <= n + 1 else id_[:n] + "…"


# -- batching ------------------------------------------------------------------------------


class Batcher(Generic[T]):
    """Coalesce items published at any rate into calls of ``flush(items)``.

    The node publishes events synchronously, from whatever thread runs it; a widget must
    not redraw per event. ``add`` only appends to a list; a timer thread calls ``flush``
    with everything pending at most every ``interval`` seconds, and once more shortly
    after the last item of a burst (the timer armed by the first pending item fires
    ``interval`` after the previous flush). ``flush_now`` flushes synchronously (tests,
    and the end of a known burst). ``interval=0`` flushes on every ``add`` (no timer).
    """

    def __init__(self, flush: Callable[[list[T]], None], interval: float = 0.1) -> None:
        self._flush = flush
        self.interval = interval
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[T] = []
        self._timer: threading.Timer | None = None
        self._last = time.monotonic()
        self._closed = False
        self.flushes = 0
        self.items = 0
        self.errors: list[BaseException] = []

    def add(self, item: T) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending.append(item)
            if self.interval <= 0:
                immediate = True
            else:
                immediate = False
                if self._timer is None:
                    delay = max(0.0, self._last + self.interval - time.monotonic())
                    self._timer = threading.Timer(delay, self._on_timer)
                    self._timer.daemon = True
                    self._timer.start()
        if immediate:
            self.flush_now()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        self.flush_now()

    def flush_now(self) -> int:
        """Flush what is pending now, in this thread; returns how many items it flushed."""
        with self._flush_lock:
            with self._lock:
                items, self._pending = self._pending, []
                self._last = time.monotonic()
            if not items:
                return 0
            try:
                self._flush(items)
            except Exception as exc:  # a drawing bug must never break the node
                self.errors.append(exc)
            self.flushes += 1
            self.items += len(items)
            return len(items)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            timer, self._timer = self._timer, None
            self._pending = []
        if timer is not None:
            timer.cancel()


# -- values ---------------------------------------------------------------------------------


def jsonable(value: Any, *, depth: int = 8, max_items: int = 500, max_str: int = 4000) -> Any:
    """``value`` as JSON for a widget trait: bounded depth, lengths and sizes.

    Messages become dicts, tuples lists, bytes text (or base64 when not UTF-8), anything
    else its ``str``. Truncations are marked so the reader knows something was cut.
    """
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # JSON has no NaN / Infinity
    if isinstance(value, str):
        return value if len(value) <= max_str else value[:max_str] + f"… ({len(value)} chars)"
    if isinstance(value, (bytes, bytearray)):
        try:
            return jsonable(bytes(value).decode("utf-8"), depth=depth, max_str=max_str)
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(bytes(value)[:max_str]).decode()
    if depth <= 0:
        return "…"
    to_python = getattr(value, "to_python", None)
    if callable(to_python) and isinstance(value, Mapping):
        value = to_python()
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for i, (k, v) in enumerate(value.items()):
            if i >= max_items:
                out["…"] = f"{len(value) - max_items} more keys"
                break
            out[str(k)] = jsonable(v, depth=depth - 1, max_items=max_items, max_str=max_str)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        out_list = [jsonable(v, depth=depth - 1, max_items=max_items, max_str=max_str)
                    for v in items[:max_items]]
        if len(items) > max_items:
            out_list.append(f"… {len(items) - max_items} more")
        return out_list
    return str(value)


def message_summary(msg: Any) -> dict[str, Any]:
    """The fields of a message (an AO-Core ``Message`` or a dict) as JSON, ``data`` cut."""
    if msg is None:
        return {}
    fields = msg.to_python() if hasattr(msg, "to_python") else dict(msg)
    fields.pop("commitments", None)
    return jsonable(fields, depth=4, max_str=2000)  # type: ignore[no-any-return]


# -- diffs ------------------------------------------------------------------------------------

_MISSING = object()


def diff_states(before: Any, after: Any, *, max_depth: int = 6,
                limit: int = 1000) -> list[dict[str, Any]]:
    """What changed between two process states (dicts of globals), key path by key path.

    Each change is ``{"path": "Balances.alice", "change": "added" | "removed" | "changed",
    "before": ..., "after": ...}``; tables are compared key by key (lists index by index)
    down to ``max_depth``, so one balance changing is one row, not the whole table.
    """
    out: list[dict[str, Any]] = []

    def emit(path: str, change: str, old: Any, new: Any) -> None:
        if len(out) < limit:
            out.append({"path": path, "change": change,
                        "before": None if old is _MISSING else jsonable(old, depth=3),
                        "after": None if new is _MISSING else jsonable(new, depth=3)})

    def join(prefix: str, key: Any) -> str:
        if isinstance(key, int):
            return f"{prefix}[{key}]"
        return f"{prefix}.{key}" if prefix else str(key)

    def walk(prefix: str, old: Any, new: Any, depth: int) -> None:
        if len(out) >= limit:
            return
        if isinstance(old, Mapping) and isinstance(new, Mapping) and depth < max_depth:
            for key in list(old):
                if key not in new:
                    emit(join(prefix, key), "removed", old[key], _MISSING)
                else:
                    walk(join(prefix, key), old[key], new[key], depth + 1)
            for key in new:
                if key not in old:
                    emit(join(prefix, key), "added", _MISSING, new[key])
            return
        if isinstance(old, list) and isinstance(new, list) and depth < max_depth:
            for i in range(min(len(old), len(new))):
                walk(join(prefix, i + 1), old[i], new[i], depth + 1)  # Lua counts from 1
            for i in range(len(new), len(old)):
                emit(join(prefix, i + 1), "removed", old[i], _MISSING)
            for i in range(len(old), len(new)):
                emit(join(prefix, i + 1), "added", _MISSING, new[i])
            return
        if type(old) is not type(new) or old != new:
            emit(prefix or "(state)", "changed", old, new)

    walk("", before or {}, after or {}, 0)
    return out
