"""ans104@1.0: messages <-> ANS-104 data items (the format of aoconnect, arbundles, the MU).

A data item becomes a message whose keys are its tags, names as signed (case kept, so a
``Target`` tag stays a key next to the ``target`` field; of duplicate names the first
value), plus ``target``, ``anchor`` and ``data``; its signature becomes an
``ans104@1.0`` commitment::

    {commitment-device: ans104@1.0, type: rsa-pss-sha256 | ed25519 | eip191,
     keyid: b64u(owner), committer: <address>, signature: b64u(signature),
     signature-type: 1|2|3, committed: [keys], original-tags: [{name, value}, ...]}

keyed by the item's ID (SHA-256 of the signature), so ``id(msg, committers="all")`` is
the data item ID. ``original-tags`` keeps the item's tag order and case, so the message
re-encodes to the identical bytes and its signature still verifies; changing a committed
key's value makes verification fail. Typed values (integers ...) travel with an
``ao-types`` tag, as in HyperBEAM; nested messages are not encodable as one data item
(:class:`ANS104Error` says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ans104 import DataItem, parse, serialize, sign, verify
from .b64 import b64u_decode, b64u_encode, is_id
from .commitments import VERIFIERS
from .errors import ANS104Error, SignatureError
from .message import Message, Value
from .signers import SIGNATURE_TYPES, Signer, address_of
from .structured import from_tabm, to_tabm

DEVICE = "ans104@1.0"
_FIELDS = ("target", "anchor", "data")
_TYPE_NAMES = {1: "rsa-pss-sha256", 2: "ed25519", 3: "eip191", 4: "ed25519"}


def _text(value: Value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise ANS104Error(f"a data item field must be binary, got {type(value).__name__}",
                      field="data")


def _anchor_bytes(value: Value) -> bytes:
    raw = _text(value)
    if len(raw) == 32:
        return raw
    if is_id(raw.decode("utf-8", "replace")):
        return b64u_decode(raw.decode(), field="anchor")
    if not raw:
        return b""
    raise ANS104Error(f"anchor must be 32 bytes or an ID, got {len(raw)} bytes", field="anchor")


def _target_bytes(value: Value) -> bytes:
    raw = _text(value).decode("utf-8", "replace")
    if not raw:
        return b""
    if not is_id(raw):
        raise ANS104Error(f"target must be a 43-character ID, got {raw!r}", field="target")
    return b64u_decode(raw, field="target")


def _ans104_commitment(msg: Message) -> tuple[str, Message] | None:
    for cid, c in msg.commitments.items():
        if isinstance(c, Message) and c.text("commitment-device") == DEVICE:
            return cid, c
    return None


def tags_for(msg: Message) -> list[tuple[str, str]]:
    """The tag list a message encodes to (its original tags when it came from an item)."""
    found = _ans104_commitment(msg)
    rest = Message._trusted({k: v for k, v in msg._items.items()
                             if k != "commitments" and k not in _FIELDS})
    tabm = to_tabm(rest, links="discard")
    if found is not None:
        original = found[1].get("original-tags")
        if isinstance(original, tuple) and original:
            return _original_with_current_values(original, tabm)
    out: list[tuple[str, str]] = []
    for key, value in tabm.items():
        if key.endswith("+link"):
            raise ANS104Error(
                f"key {key[:-5]!r} holds a nested message, which one data item cannot carry",
                field=key[:-5],
            )
        if isinstance(value, dict):
            raise ANS104Error(f"key {key!r} is nested", field=key)
        out.append((key, value.decode("utf-8", "replace")))
    return out


def _original_with_current_values(original: tuple[Value, ...],
                                  tabm: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The original tags, each value taken from the message as it is now."""
    counts: dict[str, int] = {}
    pairs = []
    for tag in original:
        if not isinstance(tag, Message):
            raise ANS104Error("original-tags entries must be {name, value}", field="original-tags")
        name, value = tag.text("name") or "", tag.text("value") or ""
        pairs.append((name, value))
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = []
    for name, original_value in pairs:
        current = tabm.get(name) if counts[name.lower()] == 1 else None
        value = current.decode("utf-8", "replace") if isinstance(current, bytes) else original_value
        out.append((name, value))
    return out


def message_to_item(msg: Message) -> DataItem:
    """The data item of ``msg``: signed when ``msg`` carries an ans104 commitment."""
    found = _ans104_commitment(msg)
    tags = tags_for(msg)
    fields = msg._items  # the fields exactly: a Target tag is not the target
    target = _target_bytes(fields["target"]) if "target" in fields else b""
    anchor = _anchor_bytes(fields["anchor"]) if "anchor" in fields else b""
    data = _text(fields["data"]) if "data" in fields else b""
    if found is None:
        sig_type = 1
        info = SIGNATURE_TYPES[sig_type]
        return DataItem(sig_type, bytes(info.signature_length), bytes(info.owner_length),
                        target, anchor, tuple(tags), data)
    _, c = found
    sig_type = int(c.get("signature-type", 1))  # type: ignore[arg-type]
    owner = b64u_decode(c.text("keyid") or "", field="keyid")
    signature = b64u_decode(c.text("signature") or "", field="signature")
    return DataItem(sig_type, signature, owner, target, anchor, tuple(tags), data)


def item_to_message(item: DataItem) -> Message:
    """The message of a data item; signed items carry their ans104@1.0 commitment."""
    fields: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    for name, value in item.tags:
        if name.lower() == "ao-types":
            typed["ao-types"] = value.encode()
            continue
        if name in fields or name in _FIELDS:
            continue  # duplicates: the first value is the key's value; all stay in original-tags
        fields[name] = value.encode("utf-8")
    if typed:
        fields.update(typed)
    decoded = from_tabm(fields)
    msg = decoded if isinstance(decoded, Message) else Message(
        {str(i + 1): v for i, v in enumerate(decoded)})
    extra: dict[str, Value] = {}
    if item.target:
        extra["target"] = b64u_encode(item.target)
    if item.anchor:
        try:
            extra["anchor"] = item.anchor.decode("utf-8")
        except UnicodeDecodeError:
            extra["anchor"] = b64u_encode(item.anchor)
    extra["data"] = _maybe_text(item.data)
    msg = msg.with_(extra)
    if not item.is_signed:
        return msg
    commitment = Message({
        "commitment-device": DEVICE,
        "type": _TYPE_NAMES.get(item.signature_type, str(item.signature_type)),
        "signature-type": item.signature_type,
        "keyid": b64u_encode(item.owner),
        "committer": address_of(item.signature_type, item.owner),
        "signature": b64u_encode(item.signature),
        "committed": tuple(k for k in msg if k != "commitments"),
        "original-tags": tuple({"name": n, "value": v} for n, v in item.tags),
    })
    return msg.with_(commitments=Message({item.id: commitment}))


def _maybe_text(data: bytes) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def commit(msg: Message, signer: Signer, *, salt_length: Any = 32) -> Message:
    """``msg`` signed as an ANS-104 data item by ``signer``."""
    item = sign(message_to_item(msg.without("commitments")), signer, salt_length=salt_length)
    return item_to_message(item)


def verify_commitment(msg: Message, cid: str, commitment: Message) -> bool:
    """Re-encode ``msg`` with the commitment's owner and signature, and verify it."""
    try:
        item = message_to_item(msg)
    except ANS104Error:
        return False
    if item.id != cid:
        return False
    try:
        return verify(item)
    except SignatureError:
        return False


def encode(msg: Message) -> bytes:
    return serialize(message_to_item(msg))


def decode(data: bytes) -> Message:
    return item_to_message(parse(data))


VERIFIERS[DEVICE] = verify_commitment
