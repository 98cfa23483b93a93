"""The message cache: messages in a store, content-addressed, found by any of their IDs.

Layout (an equivalent of HyperBEAM's ``hb_cache`` with one blob per message, which keeps
a write to a handful of rows)::

    messages/<unsigned id>   the message's TABM (links inline), in ``tabm_bytes`` form
    <any other id>           link -> messages/<unsigned id>   (signed ID, commitment IDs)
    hashpaths/<b64u(sha256(hashpath))>  link -> messages/<id of the result>

Reading an ID follows links; the message comes back exactly as written (same IDs,
commitments intact).
"""

from __future__ import annotations

import hashlib

from ..core import tabm_bytes
from ..core.b64 import b64u_encode, is_id
from ..core.errors import NotFoundError
from ..core.ids import message_id
from ..core.message import Message
from ..core.structured import from_tabm, to_tabm
from .stores import Store


class MessageCache:
    """Write and read messages by ID (and results by hashpath) in a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def write(self, msg: Message) -> str:
        """Store ``msg``; returns its unsigned ID. Every other ID of it links there."""
        uid = message_id(msg)
        key = f"messages/{uid}"
        blob = tabm_bytes.dumps(to_tabm(msg, links="inline"))
        with self.store.transaction():
            self.store.write(key, blob)
            for alt in {message_id(msg, "all"), *msg.commitments.keys()}:
                if alt != uid and is_id(alt):
                    self.store.make_link(key, alt)
        return uid

    def read(self, id_: str) -> Message:
        """The message with any of its IDs, or NotFoundError."""
        blob = self.store.read(f"messages/{id_}")
        if blob is None:
            blob = self.store.read(id_)
        if blob is None:
            raise NotFoundError(f"message {id_} is not in the store", field=id_)
        decoded = from_tabm(tabm_bytes.loads(blob))
        if isinstance(decoded, tuple):
            return Message({str(i + 1): v for i, v in enumerate(decoded)})
        return decoded

    def has(self, id_: str) -> bool:
        return self.store.read(f"messages/{id_}") is not None or self.store.read(id_) is not None

    def write_result(self, hp: str, result: Message) -> None:
        """Store ``result`` and link it under its hashpath."""
        uid = self.write(result)
        self.store.make_link(f"messages/{uid}", _hashpath_key(hp))

    def read_result(self, hp: str) -> Message | None:
        blob = self.store.read(_hashpath_key(hp))
        if blob is None:
            return None
        decoded = from_tabm(tabm_bytes.loads(blob))
        return decoded if isinstance(decoded, Message) else None


def _hashpath_key(hp: str) -> str:
    return "hashpaths/" + b64u_encode(hashlib.sha256(hp.encode("utf-8")).digest())


class ResultCache:
    """A mutable-mapping view of results by hashpath, for the resolver's cache control."""

    def __init__(self, cache: MessageCache) -> None:
        self._cache = cache

    def get(self, hp: str, default: object = None) -> object:
        found = self._cache.read_result(hp)
        return default if found is None else found

    def __setitem__(self, hp: str, value: object) -> None:
        if isinstance(value, Message):
            self._cache.write_result(hp, value)
