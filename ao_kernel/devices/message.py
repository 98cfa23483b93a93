"""message@1.0: the identity device. Any key is a lookup in the message itself.

Keys (HyperBEAM ``dev_message``):

=============  ======================================================================
``get``        the value at ``req.key`` (or at any other key: ``/x`` returns ``base.x``)
``keys``       the public keys (``priv*`` keys are never visible)
``set``        merge the request's keys into the base (deep for nested messages);
               the atom ``unset`` deletes a key; changing a committed key drops every
               commitment, since they would no longer verify
``set_path``   set or unset ``path`` (the only way to set it)
``remove``     remove ``item`` or ``items``
``id``         the ID (``committers``: ``none`` (default), ``all`` or addresses)
``commit``     sign with the node's wallet
``verify``     whether every commitment verifies
``committers`` the addresses that signed
``committed``  the keys the signatures cover
=============  ======================================================================
"""

from __future__ import annotations

from typing import Any

from ..core import commitments as commitments_mod
from ..core.errors import AOError, KeyNotFoundError, SignatureError
from ..core.ids import message_id
from ..core.message import Message, Value, fold_key, is_private
from ..core.resolver import Device, Opts, Result, error, ok
from ..core.values import Atom

RESERVED = frozenset(
    {"id", "commitments", "committers", "keys", "path", "set", "remove", "verify", "committed",
     "commit", "get", "set_path", "set-path", "set-mode", "hashpath"}
)


class MessageDevice(Device):
    name = "message@1.0"
    exports = ("get", "keys", "set", "set_path", "remove", "id", "commit", "verify", "committers",
            "committed")

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        return {"default": self.get_key}

    # -- lookups -------------------------------------------------------------------------

    def get_key(self, key: str, base: Message, req: Message, opts: Opts) -> Result:
        if is_private(key):
            return error(KeyNotFoundError(f"key {key!r} is private", field=key))
        if key in base:
            return ok(base[key])
        lowered = key.lower()
        for k, v in base.items():
            if k.lower() == lowered and not is_private(k):
                return ok(v)
        return error(KeyNotFoundError(f"key {key!r} not found in the message", field=key))

    def get(self, base: Message, req: Message, opts: Opts) -> Result:
        key = req.text("key")
        if key is None:
            return error(KeyNotFoundError("get needs a 'key'", field="key"))
        return self.get_key(fold_key(key), base, req, opts)

    def keys(self, base: Message, req: Message, opts: Opts) -> tuple[str, ...]:
        return tuple(k for k in base if not is_private(k))

    # -- updates ---------------------------------------------------------------------------

    def set(self, base: Message, req: Message, opts: Opts) -> Message:
        shallow = req.text("set-mode") == "explicit"
        updates = {k: v for k, v in req.items() if k not in RESERVED and not is_private(k)}
        return set_keys(base, updates, deep=not shallow)

    def set_path(self, base: Message, req: Message, opts: Opts) -> Message:
        value = req.get("value")
        if value is None or value == Atom("unset"):
            return base.without("path")
        return base.with_(path=value)

    def remove(self, base: Message, req: Message, opts: Opts) -> Message:
        items: list[str] = []
        if "item" in req:
            items.append(str(req.text("item")))
        value = req.get("items")
        if isinstance(value, tuple):
            items.extend(str(v) for v in value)
        return _drop_commitments_if(base, items).without(*items)

    # -- identity and commitments ----------------------------------------------------------

    def id(self, base: Message, req: Message, opts: Opts) -> str:
        who = req.get("committers", "none")
        if isinstance(who, tuple):
            return message_id(base.without("path"), [str(w) for w in who])
        text = who.decode() if isinstance(who, bytes) else str(who)
        if text not in ("none", "all"):
            return message_id(base, [t.strip() for t in text.split(",")])
        return message_id(base, "all" if text == "all" else "none")

    def commit(self, base: Message, req: Message, opts: Opts) -> Message:
        wallet = opts.extra.get("wallet")
        if wallet is None:
            raise SignatureError("this node has no wallet to commit with", field="wallet")
        return commitments_mod.commit(base, wallet.rsa_signer)

    def verify(self, base: Message, req: Message, opts: Opts) -> bool:
        target = req.get("target")
        msg = target if isinstance(target, Message) else base
        try:
            return commitments_mod.verify(msg)
        except AOError:
            return False

    def committers(self, base: Message, req: Message, opts: Opts) -> tuple[str, ...]:
        return tuple(commitments_mod.committers(base))

    def committed(self, base: Message, req: Message, opts: Opts) -> tuple[str, ...]:
        return tuple(commitments_mod.committed_keys(base))


def set_keys(base: Message, updates: dict[str, Value], *, deep: bool = True) -> Message:
    """Merge ``updates`` into ``base`` (``unset`` deletes; nested messages merge)."""
    changed: list[str] = []
    items = dict(base.items())
    for key, update in updates.items():
        if update == Atom("unset"):
            if key in items:
                del items[key]
                changed.append(key)
            continue
        old = items.get(key)
        value = update
        if deep and isinstance(old, Message) and isinstance(update, Message):
            value = set_keys(old, dict(update.items()))
        if old != value:
            changed.append(key)
        items[key] = value
    result = Message._trusted(items, base.priv)
    return _drop_commitments_if(result, changed)


def _drop_commitments_if(msg: Message, changed: list[str]) -> Message:
    if not changed or "commitments" not in msg:
        return msg
    covered = set(commitments_mod.committed_keys(msg))
    for c in msg.commitments.values():
        if isinstance(c, Message) and isinstance(c.get("committed"), tuple):
            covered.update(str(k) for k in c["committed"])  # type: ignore[union-attr]
    if covered & set(changed):
        return msg.without("commitments")
    return msg
