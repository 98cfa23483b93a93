"""Scheduler location records (protocol brief §5.2, §5.4; HyperBEAM ``dev_scheduler_registry``).

:func:`location_record` makes the signed ``scheduler-location`` record of a node;
``POST /~scheduler@1.0/location`` caches a validly signed record under its signer
(``scheduler-locations/<address>``, a higher ``nonce`` replaces a lower one);
``GET /~scheduler@1.0/location?address=X`` answers it. A schedule request a node gets for
a process whose scheduler is another node whose location it knows is answered ``307`` to
that scheduler (:func:`scheduler_redirect`). The host is a :class:`LocationHost` (the
node); posting a record to peers over HTTP is the node's
(:func:`ao_kernel.node.federation.publish_location`).
"""

from __future__ import annotations

from typing import Any, Protocol

from ...core import codecs, commitments
from ...core.errors import AOError, SignatureError
from ...core.ids import message_id
from ...core.message import Message, Value
from .._context import KeyValueLog, MessageLoader
from .log import parse_schedulers

LOCATION_TYPE = "scheduler-location"
LOCATION_TTL_MS = 7 * 24 * 3600 * 1000
_LOCATION_KEY = "scheduler-locations/"


class RSAWallet(Protocol):
    """A wallet with an RSA signer (location records are httpsig rsa-pss-sha512)."""

    @property
    def rsa_signer(self) -> Any: ...


class LocationHost(MessageLoader, Protocol):
    """What location records and redirects need of the node."""

    @property
    def address(self) -> str: ...

    @property
    def store(self) -> Any: ...

    @property
    def wallet(self) -> Any: ...

    def has_process(self, pid: str) -> bool: ...


# -- scheduler locations -----------------------------------------------------------------------


def location_record(wallet: RSAWallet, url: str, *, nonce: int,
                    ttl_ms: int = LOCATION_TTL_MS) -> Message:
    """The signed ``scheduler-location`` record saying ``wallet``'s scheduler is at ``url``."""
    draft = Message({"data-protocol": "ao", "variant": "ao.N.1", "type": LOCATION_TYPE,
                     "url": url.rstrip("/"), "nonce": nonce, "time-to-live": ttl_ms,
                     "codec-device": "httpsig@1.0"})
    return commitments.commit(draft, wallet.rsa_signer)


def _location_owner(record: Message) -> str:
    if record.text("type") != LOCATION_TYPE or not record.text("url"):
        raise SignatureError(f"a location record has type {LOCATION_TYPE!r} and a url",
                             field="type")
    try:
        good = commitments.verify(record)
    except AOError:
        good = False
    signers = commitments.committers(record)
    if not good or len(signers) != 1:
        raise SignatureError("a location record must be signed by exactly one wallet, "
                             "whose signature verifies", field="signature")
    return signers[0]


def store_location(store: KeyValueLog, record: Message) -> str:
    """Cache a signed location record under its signer; returns the signer's address.

    A record whose ``nonce`` is not higher than the cached one's is refused.
    """
    owner = _location_owner(record)
    known = find_location(store, owner)
    if known is not None and _num(record.get("nonce")) <= _num(known.get("nonce")):
        raise SignatureError(
            f"location nonce {record.text('nonce')} does not increase (cached: "
            f"{known.text('nonce')})", field="nonce")
    with store.transaction():
        store.write(_LOCATION_KEY + owner, codecs.json_encode(record))
    return owner


def find_location(store: KeyValueLog, address: str) -> Message | None:
    """The cached location record of ``address``, if any."""
    raw = store.read(_LOCATION_KEY + address)
    return None if raw is None else codecs.json_decode(raw)


def location(node: LocationHost, req: Message) -> Message:
    """``/~scheduler@1.0/location``: ``POST`` caches a signed record (a request signed by
    the node's operator without ``type`` makes the node sign its own record for the
    request's ``url``); ``GET`` answers the record of ``address`` (default: this node)."""
    if (req.text("method") or "GET").upper() == "POST":
        record = req.without("path", "method")
        if record.text("type") != LOCATION_TYPE:
            if node.address not in commitments.committers(record) or not commitments.verify(
                    record):
                raise SignatureError("only the node's operator may publish its location",
                                     field="signature")
            known = find_location(node.store, node.address)
            record = location_record(node.wallet, record.text("url") or "",
                                     nonce=_num(known.get("nonce")) + 1 if known else 1)
        store_location(node.store, record)
        return record
    address = req.text("address") or node.address
    found = find_location(node.store, address)
    if found is None:
        return Message({"status": 404, "body": f"no scheduler location known for {address}"})
    return found


def scheduler_redirect(node: LocationHost, base: Message, req: Message) -> Message | None:
    """A ``307`` to the scheduler of a process this node does not schedule, or None.

    The process is ``req.target`` (or ``base``); its ``scheduler`` (or
    ``scheduler-location``) addresses come from its definition in this node's cache; the
    first address with a cached location record is the redirect's target.
    """
    target = req.text("target")
    definition: Message | None = None
    if target:
        pid = target.split("?", 1)[0]
        definition = node.find_message(pid)
    elif (base.text("type") or "").lower() == "process":
        definition = base
        pid = message_id(base.without("device"), "all")
    else:
        return None
    if definition is None or node.has_process(pid):
        return None
    addresses = parse_schedulers(definition.get("scheduler")) or parse_schedulers(
        definition.get("scheduler-location"))
    for address in addresses:
        if address == node.address:
            continue
        record = find_location(node.store, address)
        if record is None:
            continue
        query = f"target={pid}"
        for key in ("from", "to"):
            if key in req:
                query += f"&{key}={req.text(key)}"
        return Message({
            "status": 307,
            "location": f"{record.text('url')}/~scheduler@1.0/schedule?{query}",
            "body": f"Redirecting to scheduler: {address}",
            "variant": "ao.N.1",
        })
    return None


def _num(value: Value | None) -> int:
    """An integer field's value, 0 when absent or not a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
