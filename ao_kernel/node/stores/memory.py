"""MemoryStore: the store in a few dicts, for tests and throwaway nodes (scope ``in_memory``).

Nodes live in ``{path: (kind, payload)}`` with a ``{group path: set of child names}``
index; logs are Python lists indexed by seq. One re-entrant lock serialises access: a
thread inside ``transaction()`` holds it until the outermost block ends, so other
threads never observe uncommitted writes. Rollback replays an undo journal; nested blocks
are savepoints (a mark in that journal).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ...core.errors import StoreError
from .base import GROUP, Node, Scope, Store, check_seq

__all__ = ["MemoryStore"]


def _parent_name(path: str) -> tuple[str, str]:
    parent, _, name = path.rpartition("/")
    return parent, name


class MemoryStore(Store):
    """An in-memory :class:`Store`; everything is lost on ``close()``."""

    scope: Scope = "in_memory"

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._kids: dict[str, set[str]] = {"": set()}
        self._logs: dict[str, list[bytes]] = {}
        self._lock = threading.RLock()
        self._op_lock = self._lock
        self._depth = 0
        # Undo journal: ("node", path, previous node or None) | ("log", name, None).
        self._undo: list[tuple[str, str, Node | None]] = []
        self._closed = False

    def describe(self) -> str:
        return "memory"

    def copy(self) -> MemoryStore:
        """An independent copy of everything stored (a snapshot to restore from)."""
        out = MemoryStore()
        with self._lock:
            out._nodes = dict(self._nodes)  # values are immutable (kind, bytes) pairs
            out._kids = {path: set(kids) for path, kids in self._kids.items()}
            out._logs = {name: list(entries) for name, entries in self._logs.items()}
        return out

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    # ----------------------------------------------------------------- primitives
    def _get(self, path: str) -> Node | None:
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            return self._nodes.get(path)

    def _put(self, path: str, kind: int, payload: bytes) -> bool:
        with self._lock:
            self._check_open()
            old = self._nodes.get(path)
            if old is not None and old[0] == GROUP:
                return False
            self._nodes[path] = (kind, payload)
            if old is None:
                parent, name = _parent_name(path)
                self._kids[parent].add(name)
            if kind == GROUP:
                self._kids.setdefault(path, set())
            if self._depth:
                self._undo.append(("node", path, old))
            return True

    def _children(self, path: str) -> list[str]:
        with self._lock:
            return sorted(self._kids.get(path, ()))

    def _rollback_to(self, mark: int) -> None:
        while len(self._undo) > mark:
            what, path, old = self._undo.pop()
            if what == "log":
                self._logs[path].pop()
                continue
            if old is None:
                node = self._nodes.pop(path)
                parent, name = _parent_name(path)
                self._kids[parent].discard(name)
                if node[0] == GROUP:
                    self._kids.pop(path, None)
            else:
                self._nodes[path] = old

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._check_open()
            mark = len(self._undo)
            self._depth += 1
            try:
                yield
            except BaseException:
                self._rollback_to(mark)
                raise
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._undo.clear()

    # ----------------------------------------------------------------- logs
    def append_log(self, log: str, seq: int, value: bytes) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise StoreError(f"log values are bytes, not {type(value).__name__}", field=log)
        with self._lock:
            self._check_open()
            entries = self._logs.get(log)
            if entries is None:
                entries = self._logs[log] = []
            check_seq(log, seq, len(entries))
            entries.append(bytes(value))
            if self._depth:
                self._undo.append(("log", log, None))

    def read_log(self, log: str, start: int = 0, end: int | None = None) -> list[tuple[int, bytes]]:
        with self._lock:
            entries = self._logs.get(log, [])
            start = max(start, 0)
            stop = len(entries) if end is None else min(end, len(entries))
            return [(i, entries[i]) for i in range(start, stop)]

    def log_length(self, log: str) -> int:
        with self._lock:
            return len(self._logs.get(log, ()))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._nodes.clear()
            self._kids = {"": set()}
            self._logs.clear()
