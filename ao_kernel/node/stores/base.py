"""The store interface: a tree of byte values with groups and symlink-like links.

Theory of operation
-------------------
This is HyperBEAM's ``hb_store`` contract (protocol brief §11.1) in Python. A store holds
a tree addressed by ``/``-joined string keys. Every key names one *node* of one kind:

* a **value** (``type() == "simple"``): bytes;
* a **group** (``type() == "composite"``): a directory whose children ``list()`` names;
* a **link**: a path to another key, followed like a POSIX symlink.

Links are followed on *every* path segment, so after ``make_group("UID")``,
``write("data/H", v)``, ``make_link("data/H", "UID/key")`` and
``make_link("UID", "ID")``, reading ``"ID/key"`` yields ``v`` (HyperBEAM's message layout,
§11.2). A chain of links is followed up to :data:`MAX_REDIRECTS` hops; past that the path
is a loop and the read raises :class:`StoreError`.

Keys are normalised: empty segments are dropped (``"/a//b/"`` is ``"a/b"``); the empty
key is the root group. Writing creates missing parent groups (like ``mkdir -p``) and
resolves links in the parent path, so ``write("ID/new", v)`` lands in ``UID``. The last
segment of a write or ``make_link`` is *not* followed: it replaces the value or link
stored there (HyperBEAM's LMDB store semantics). A group is never replaced by a value or
a link, and nothing is ever deleted, so **every stored node's literal ancestors are real
groups**. :meth:`Store._locate` relies on that: a direct hit on the literal path is
authoritative (one lookup for the common case), and on a miss only the longest existing
prefix needs inspecting (a link to substitute, or a dead end).

Backends implement primitives on *normalised, link-free* paths (``_get``, ``_put``,
``_children``, ``_check_open``), an ``_op_lock`` held by every single mutation,
``transaction()``, and the typed log rows. Everything about
links, groups and key syntax lives here, once, so two backends cannot drift apart; the
shared conformance suite (``ao_kernel.testing.store_suite``) checks them.

Logs (``append_log`` / ``read_log`` / ``log_length``) are a separate, faster namespace of
dense integer-indexed rows, used by the scheduler for ``assignments/<pid>``: slot ``n``
can only be appended when slots ``0..n-1`` exist, so a log never has gaps or duplicates.

Transactions: ``with store.transaction():`` commits everything inside atomically, or
nothing when the block raises. Nested blocks are savepoints: an exception caught inside
the outer block undoes only the inner block. Single operations outside a block are their
own transaction.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Final, Literal

from ...core.errors import StoreError

__all__ = [
    "GROUP",
    "LINK",
    "MAX_REDIRECTS",
    "VALUE",
    "Node",
    "Scope",
    "Store",
    "check_seq",
    "join",
    "split",
]

GROUP: Final = 0
VALUE: Final = 1
LINK: Final = 2

#: Links followed before a resolution is declared a loop (HyperBEAM LMDB: 1000).
MAX_REDIRECTS: Final = 1000

Scope = Literal["in_memory", "local", "remote", "arweave"]
#: ``(kind, payload)``: payload is the value (VALUE), the target path as UTF-8 (LINK), or b"".
Node = tuple[int, bytes]


def split(key: str) -> list[str]:
    """The segments of ``key``; empty segments are dropped. Refuses non-str and NUL."""
    if not isinstance(key, str):
        raise StoreError(f"store keys are str paths, not {type(key).__name__}", field=repr(key))
    if "\x00" in key:
        raise StoreError(f"store key {key!r} contains a NUL character", field=key)
    return [p for p in key.split("/") if p]


def join(parts: Iterable[str]) -> str:
    """``/``-join path segments."""
    return "/".join(parts)


def check_seq(log: str, seq: int, length: int) -> None:
    """Refuse a seq that is not the next one of a log holding ``length`` entries."""
    if isinstance(seq, bool) or not isinstance(seq, int):
        raise StoreError(f"log seq must be an int, not {type(seq).__name__}", field=log)
    if seq < 0:
        raise StoreError(f"{log}: seq {seq} is negative", field=log)
    if seq < length:
        raise StoreError(f"{log}: seq {seq} is already taken (length {length})", field=log)
    if seq > length:
        raise StoreError(f"{log}: seq {seq} would leave a gap (next seq is {length})", field=log)


class _Unset:
    """Marker type: no node was looked up yet."""


_UNSET: Final = _Unset()
_ROOT: Final[Node] = (GROUP, b"")


def _child(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


class Store(ABC):
    """A key/value tree with groups and links (see the module docstring)."""

    scope: Scope
    #: Held for every single mutating operation; a thread inside ``transaction()`` holds
    #: it already (re-entrant), so single operations there cost no extra savepoint.
    _op_lock: threading.RLock

    # ----------------------------------------------------------------- primitives
    @abstractmethod
    def _check_open(self) -> None:
        """Raise StoreError when the store is closed."""

    @abstractmethod
    def _get(self, path: str) -> Node | None:
        """The node stored at the literal normalised ``path`` (no link following)."""

    @abstractmethod
    def _put(self, path: str, kind: int, payload: bytes) -> bool:
        """Store a node at ``path`` (whose parent is an existing group).

        Returns False, changing nothing, when a group is already there.
        """

    @abstractmethod
    def _children(self, path: str) -> list[str]:
        """Names of the nodes whose parent is the group ``path``, sorted."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Everything written inside commits atomically, or nothing if the block raises."""

    @abstractmethod
    def append_log(self, log: str, seq: int, value: bytes) -> None:
        """Append entry ``seq`` to ``log``; ``seq`` must equal ``log_length(log)``."""

    @abstractmethod
    def read_log(self, log: str, start: int = 0, end: int | None = None) -> list[tuple[int, bytes]]:
        """Entries ``start <= seq < end`` (``end=None``: to the end), in order."""

    @abstractmethod
    def log_length(self, log: str) -> int:
        """The number of entries in ``log`` (the next seq to append); 0 when absent."""

    @abstractmethod
    def close(self) -> None:
        """Release resources; the store is unusable afterwards."""

    def describe(self) -> str:
        """A short spec of this store (``open_store`` accepts it back when persistent)."""
        return type(self).__name__

    def extend_log(self, log: str, start: int, values: Iterable[bytes]) -> int:
        """Append ``values`` as seqs ``start, start+1, ...`` atomically; returns the count."""
        n = 0
        with self.transaction():
            for i, value in enumerate(values):
                self.append_log(log, start + i, value)
                n += 1
        return n

    # ----------------------------------------------------------------- resolution
    def _locate(
        self, parts: list[str], key: str, first: Node | _Unset | None = _UNSET
    ) -> tuple[str, Node | None]:
        """Follow links on every segment of ``parts``: ``(resolved path, node or None)``.

        ``first`` is the node at the literal path when the caller already looked it up.
        """
        redirects = 0
        get = self._get
        while True:
            full = join(parts)
            if not isinstance(first, _Unset):
                node, first = first, _UNSET
            else:
                node = get(full) if parts else _ROOT
            if node is not None:
                if node[0] != LINK:
                    return full, node
                target = split(node[1].decode("utf-8"))
                rest: list[str] = []
            else:
                # Miss: only the longest existing proper prefix matters (its ancestors are
                # real groups). A link there is substituted; a group or value is a dead end.
                for i in range(len(parts) - 1, 0, -1):
                    prefix_node = get(join(parts[:i]))
                    if prefix_node is not None:
                        break
                else:
                    return full, None
                if prefix_node[0] != LINK:
                    return full, None
                target = split(prefix_node[1].decode("utf-8"))
                rest = parts[i:]
            redirects += 1
            if redirects > MAX_REDIRECTS:
                raise StoreError(
                    f"link loop resolving {key!r} (more than {MAX_REDIRECTS} redirects)",
                    field=key,
                )
            parts = target + rest

    def _ensure_group(
        self, parts: list[str], key: str, first: Node | _Unset | None = _UNSET
    ) -> str:
        """Resolve ``parts`` to a group, creating missing groups; returns its path.

        Checks everything before creating anything, so a refusal changes nothing.
        """
        if not parts:
            return ""
        resolved, node = self._locate(parts, key, first)
        if node is not None:
            if node[0] == GROUP:
                return resolved
            raise StoreError(
                f"cannot write under {key!r}: {resolved!r} is a value, not a group", field=key
            )
        rparts = split(resolved)
        # Find the deepest existing ancestor; everything below it is created.
        i = len(rparts)
        while i > 0:
            found = self._get(join(rparts[:i]))
            if found is not None:
                if found[0] != GROUP:
                    where = join(rparts[:i])
                    raise StoreError(
                        f"cannot write under {key!r}: {where!r} is a value, not a group", field=key
                    )
                break
            i -= 1
        for j in range(i + 1, len(rparts) + 1):
            self._put(join(rparts[:j]), GROUP, b"")
        return resolved

    def _place(self, key: str, kind: int, payload: bytes) -> None:
        """Store one node at ``key`` (parent resolved and created), atomically."""
        parts = split(key)
        if not parts:
            raise StoreError("cannot write to the root of the store (empty key)", field=key)
        name = parts[-1]
        with self._op_lock:
            self._check_open()
            if len(parts) == 1:
                parent = ""
            else:
                parent = join(parts[:-1])
                node = self._get(parent)
                if node is None or node[0] != GROUP:
                    # Slow path (links or missing groups in the parent): several rows.
                    with self.transaction():
                        parent = self._ensure_group(parts[:-1], key, node)
                        self._put_leaf(_child(parent, name), kind, payload, key)
                    return
            # Fast path: the parent is a real group, which never goes away, so one
            # statement stores the node atomically, inside a transaction or not.
            self._put_leaf(_child(parent, name), kind, payload, key)

    def _put_leaf(self, path: str, kind: int, payload: bytes, key: str) -> None:
        if not self._put(path, kind, payload):
            raise StoreError(f"{key!r} is a group; it cannot be overwritten", field=key)

    # ----------------------------------------------------------------- public API
    def read(self, key: str) -> bytes | None:
        """The value at ``key`` (links followed on every segment); None if absent or a group."""
        parts = split(key)
        if not parts:
            return None
        node = self._get(join(parts))
        if node is not None and node[0] == VALUE:
            return node[1]  # fast path: a direct value, one lookup
        _, node = self._locate(parts, key, node)
        if node is None or node[0] != VALUE:
            return None
        return node[1]

    def write(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store ``value`` at ``key``, creating parent groups; replaces a value or link."""
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise StoreError(f"store values are bytes, not {type(value).__name__}", field=str(key))
        self._place(key, VALUE, bytes(value))

    def make_group(self, key: str) -> None:
        """Make ``key`` a group (and its parents). A no-op on an existing group."""
        parts = split(key)
        with self._op_lock, self.transaction():
            self._ensure_group(parts, key)

    def make_link(self, existing: str, new: str) -> None:
        """Make ``new`` a link to ``existing`` (which may not exist yet, like a symlink)."""
        target = join(split(existing))
        if not target:
            raise StoreError("a link must point at a non-empty key", field=existing)
        self._place(new, LINK, target.encode("utf-8"))

    def list(self, key: str = "") -> list[str]:
        """Names of the children of the group at ``key``, sorted; [] when ``key`` is absent."""
        path, node = self._locate(split(key), key)
        if node is None:
            return []
        if node[0] != GROUP:
            raise StoreError(f"{key!r} is a value, not a group", field=key)
        return self._children(path)

    def type(self, key: str) -> Literal["simple", "composite"] | None:
        """``"simple"`` for a value, ``"composite"`` for a group, None when absent."""
        _, node = self._locate(split(key), key)
        if node is None:
            return None
        return "composite" if node[0] == GROUP else "simple"

    def resolve(self, path: str) -> str:
        """``path`` with every link followed (as far as the path exists)."""
        resolved, _ = self._locate(split(path), path)
        return resolved

    def exists(self, key: str) -> bool:
        """True when ``key`` resolves to a value or a group."""
        return self._locate(split(key), key)[1] is not None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def walk(self, key: str = "") -> Iterator[str]:
        """Every value and group path below ``key`` (depth first, links not followed)."""
        root = self.resolve(key)
        for name in self.list(root):
            child = _child(root, name)
            yield child
            node = self._get(child)
            if node is not None and node[0] == GROUP:
                yield from self.walk(child)
