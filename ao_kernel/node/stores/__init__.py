"""Stores: where the node keeps messages, assignments and results.

``open_store(spec)`` turns a user's spec into a :class:`Store`::

    open_store(None) / open_store("memory")    -> MemoryStore()        (scope in_memory)
    open_store("sqlite:path/to/node.db")       -> SQLiteStore(path)    (scope local)
    open_store("sqlite:path?durability=full")  -> fsync on every commit
    open_store(store)                          -> store itself

See :mod:`ao_kernel.node.stores.base` for the interface and its semantics.
"""

from __future__ import annotations

from ...core.errors import StoreError
from .base import MAX_REDIRECTS, Store
from .memory import MemoryStore
from .sqlite import SQLiteStore

__all__ = ["MAX_REDIRECTS", "MemoryStore", "SQLiteStore", "Store", "open_store"]

_FORMS = (
    'None or "memory" (in-memory store), "sqlite:<path>" or '
    '"sqlite:<path>?durability=full" (SQLite file), or a Store instance'
)


def open_store(spec: str | Store | None = None) -> Store:
    """The store named by ``spec`` (see the module docstring for the accepted forms)."""
    if spec is None:
        return MemoryStore()
    if isinstance(spec, Store):
        return spec
    if not isinstance(spec, str):
        raise StoreError(f"cannot open a store from {type(spec).__name__}; accepted: {_FORMS}")
    if spec.strip().lower() == "memory":
        return MemoryStore()
    if spec.startswith("sqlite:"):
        rest = spec[len("sqlite:") :]
        path, _, query = rest.partition("?")
        if not path:
            raise StoreError(f"store spec {spec!r} has no path; accepted: {_FORMS}", field=spec)
        if query in ("", "durability=normal"):
            return SQLiteStore(path)
        if query == "durability=full":
            return SQLiteStore(path, durability="full")
        raise StoreError(f"unknown store option {query!r} in {spec!r}; accepted: {_FORMS}")
    raise StoreError(f"unknown store spec {spec!r}; accepted: {_FORMS}", field=spec)
