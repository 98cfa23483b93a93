"""ANS-104 data items and bundles: the binary layer of ``ans104@1.0``.

Theory of operation
-------------------
A data item is a signed blob (all integers little-endian)::

    signature type  u16                      1 arweave, 2 ed25519, 3 ethereum, ...
    signature       sig_len(type) bytes      512 for arweave
    owner           owner_len(type) bytes    512 for arweave: the RSA modulus n
    target          0x00 | 0x01 + 32 bytes   presence byte, then the raw target id
    anchor          0x00 | 0x01 + 32 bytes   presence byte, then 32 raw anchor bytes
    tag count       u64
    tag bytes       u64                      <= 4096
    tags            Avro array<record{name: string, value: string}>
    data            the rest

The signature covers the SHA-384 *deep hash* of
``["dataitem", "1", str(type), owner, target, anchor, raw tag bytes, data]``; the item's
id is base64url(SHA-256(signature)) and its owner address base64url(SHA-256(owner)).

:func:`parse` is strict and raises :class:`ANS104Error` naming the field for any
malformed input; :class:`DataItem` keeps the *raw* Avro tag bytes it was parsed from, so
``serialize(parse(b)) == b`` even for encodings another writer chose (several blocks,
negative block counts), and the signing message is computed over exactly those bytes.
Items built in Python get canonical tag bytes (one block, as arbundles writes).
:func:`sign` signs with any :class:`~ao_kernel.core.signers.Signer` (RSA: PSS-SHA256,
salt 32 by default, ``"max"`` for 478 as Node signers do); :func:`verify` accepts any
RSA salt length.

Bundles (ANS-104 §1.2): a 32-byte item count, then for each item a 32-byte size and its
32-byte raw id, then the item binaries back to back. :func:`decode_bundle` checks
every size, every id and that nothing is left over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union, cast

from .b64 import b64u_decode, b64u_encode
from .errors import ANS104Error, EncodingError, SignatureError
from .signers import (
    SIGNATURE_TYPES,
    RSASigner,
    SaltLength,
    Signer,
    owner_address,
    verify_ed25519,
    verify_ethereum,
    verify_rsa_pss,
)

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_BYTES",
    "DataItem",
    "Tags",
    "decode_bundle",
    "decode_tags",
    "deep_hash",
    "encode_bundle",
    "encode_tags",
    "parse",
    "serialize",
    "sign",
    "signing_message",
    "verify",
]

#: Maximum number of tags (ANS-104 §2.1).
MAX_TAGS = 128
#: Maximum size of the Avro tag block (arbundles ``MAX_TAG_BYTES``).
MAX_TAG_BYTES = 4096

Tags = tuple[tuple[str, str], ...]
DeepHashable = Union[bytes, bytearray, memoryview, str, Sequence["DeepHashable"]]  # noqa: UP007


# -- deep hash ------------------------------------------------------------------------------


def _sha384(data: bytes) -> bytes:
    return hashlib.sha384(data).digest()


def deep_hash(value: DeepHashable) -> bytes:
    """Arweave 2.0 deep hash (SHA-384) of a blob or a (nested) list of blobs.

    ``str`` values are hashed as their UTF-8 bytes.
    """
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        blob = bytes(value)
        tag = b"blob" + str(len(blob)).encode("ascii")
        return _sha384(_sha384(tag) + _sha384(blob))
    if isinstance(value, Sequence):
        acc = _sha384(b"list" + str(len(value)).encode("ascii"))
        for item in value:
            acc = _sha384(acc + deep_hash(cast(DeepHashable, item)))
        return acc
    raise EncodingError(
        f"deep hash takes bytes, str or lists of them, not {type(value).__name__}",
        field="deep hash input",
    )


# -- Avro tags ------------------------------------------------------------------------------


def _write_long(out: bytearray, n: int) -> None:
    z = (n << 1) ^ (n >> 63)
    z &= (1 << 64) - 1
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)


def _write_string(out: bytearray, text: str, what: str) -> None:
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ANS104Error(f"tag {what} is not encodable as UTF-8", field=f"tag {what}") from exc
    _write_long(out, len(raw))
    out += raw


def encode_tags(tags: Iterable[tuple[str, str]]) -> bytes:
    """Avro bytes of ``tags`` (one block, as arbundles writes); ``b""`` for no tags."""
    pairs = list(tags)
    if not pairs:
        return b""
    out = bytearray()
    _write_long(out, len(pairs))
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ANS104Error(f"a tag is a (name, value) pair, got {pair!r}", field="tags")
        name, value = pair
        if not isinstance(name, str) or not isinstance(value, str):
            raise ANS104Error(f"tag names and values are str, got {pair!r}", field="tags")
        _write_string(out, name, "name")
        _write_string(out, value, "value")
    out.append(0)
    return bytes(out)


class _Reader:
    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def long(self, what: str) -> int:
        shift = 0
        z = 0
        while True:
            if self.pos >= len(self.buf):
                raise ANS104Error(f"tags: truncated varint ({what})", field="tags")
            b = self.buf[self.pos]
            self.pos += 1
            if shift == 63 and b > 1:
                raise ANS104Error(f"tags: varint overflow ({what})", field="tags")
            z |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
            if shift > 63:
                raise ANS104Error(f"tags: varint overflow ({what})", field="tags")
        return (z >> 1) ^ -(z & 1)

    def string(self, what: str) -> str:
        length = self.long(f"{what} length")
        if length < 0:
            raise ANS104Error(f"tags: negative {what} length {length}", field="tags")
        end = self.pos + length
        if end > len(self.buf):
            raise ANS104Error(f"tags: {what} runs past the tag bytes", field="tags")
        raw = self.buf[self.pos : end]
        self.pos = end
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ANS104Error(f"tags: {what} is not UTF-8", field="tags") from exc


def decode_tags(data: bytes) -> Tags:
    """Tags from Avro bytes: any number of blocks, negative counts with a byte size.

    ``b""`` decodes to no tags. Trailing bytes after the final empty block are an error.
    """
    if not data:
        return ()
    reader = _Reader(bytes(data))
    tags: list[tuple[str, str]] = []
    while True:
        count = reader.long("block count")
        if count == 0:
            break
        if count < 0:
            count = -count
            size = reader.long("block size")
            if size < 0:
                raise ANS104Error(f"tags: negative block size {size}", field="tags")
            start = reader.pos
            if start + size > len(reader.buf):
                raise ANS104Error("tags: block size runs past the tag bytes", field="tags")
        else:
            size, start = -1, reader.pos
        if len(tags) + count > MAX_TAGS:
            raise ANS104Error(f"tags: more than {MAX_TAGS} tags", field="tags")
        for _ in range(count):
            name = reader.string("tag name")
            value = reader.string("tag value")
            tags.append((name, value))
        if size >= 0 and reader.pos - start != size:
            raise ANS104Error(
                f"tags: block size {size} does not match its {reader.pos - start} bytes",
                field="tags",
            )
    if reader.pos != len(reader.buf):
        raise ANS104Error(
            f"tags: {len(reader.buf) - reader.pos} trailing bytes after the tag array",
            field="tags",
        )
    return tuple(tags)


# -- data items -----------------------------------------------------------------------------


def _check_tags(tags: Tags, raw: bytes) -> None:
    if len(tags) > MAX_TAGS:
        raise ANS104Error(f"{len(tags)} tags, at most {MAX_TAGS} allowed", field="tag count")
    if len(raw) > MAX_TAG_BYTES:
        raise ANS104Error(
            f"{len(raw)} tag bytes, at most {MAX_TAG_BYTES} allowed", field="tag bytes"
        )
    for i, (name, _value) in enumerate(tags):
        if not name:
            raise ANS104Error(f"tag {i} has an empty name", field="tag name")


def _normalize_tags(tags: Any) -> Tags:
    if isinstance(tags, Mapping):
        tags = list(tags.items())
    out: list[tuple[str, str]] = []
    for entry in tags:
        pair = entry
        if isinstance(entry, Mapping) and set(entry) == {"name", "value"}:
            pair = (entry["name"], entry["value"])
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ANS104Error(f"a tag is a (name, value) pair, got {pair!r}", field="tags")
        name, value = pair
        if not isinstance(name, str) or not isinstance(value, str):
            raise ANS104Error(f"tag names and values are str, got {pair!r}", field="tags")
        out.append((name, value))
    return tuple(out)


@dataclass(frozen=True)
class DataItem:
    """One ANS-104 data item, signed or not (an unsigned item has a zero signature).

    ``raw_tags`` is the exact Avro encoding of ``tags``; leave it out to get the
    canonical encoding, or pass the bytes an item was parsed from.
    """

    signature_type: int
    signature: bytes
    owner: bytes
    target: bytes = b""
    anchor: bytes = b""
    tags: Tags = ()
    data: bytes = b""
    raw_tags: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        info = SIGNATURE_TYPES.get(self.signature_type)
        if info is None:
            raise ANS104Error(
                f"unknown signature type {self.signature_type!r}", field="signature type"
            )
        for name in ("signature", "owner", "target", "anchor", "data", "raw_tags"):
            value = getattr(self, name)
            if isinstance(value, bytearray | memoryview):
                object.__setattr__(self, name, bytes(value))
            elif not isinstance(value, bytes):
                raise ANS104Error(f"{name} must be bytes, not {type(value).__name__}",
                                  field=name)
        if len(self.signature) != info.signature_length:
            raise ANS104Error(
                f"a {info.name} signature is {info.signature_length} bytes, "
                f"got {len(self.signature)}",
                field="signature",
            )
        if len(self.owner) != info.owner_length:
            raise ANS104Error(
                f"a {info.name} owner is {info.owner_length} bytes, got {len(self.owner)}",
                field="owner",
            )
        if len(self.target) not in (0, 32):
            raise ANS104Error(f"target is 32 bytes or absent, got {len(self.target)}",
                              field="target")
        if len(self.anchor) not in (0, 32):
            raise ANS104Error(f"anchor is 32 bytes or absent, got {len(self.anchor)}",
                              field="anchor")
        tags = _normalize_tags(self.tags)
        object.__setattr__(self, "tags", tags)
        if self.raw_tags:
            if decode_tags(self.raw_tags) != tags:
                raise ANS104Error("raw_tags do not decode to tags", field="raw_tags")
        else:
            object.__setattr__(self, "raw_tags", encode_tags(tags))
        _check_tags(tags, self.raw_tags)

    @property
    def id(self) -> str:
        """base64url(SHA-256(signature))."""
        return b64u_encode(hashlib.sha256(self.signature).digest())

    @property
    def raw_id(self) -> bytes:
        """The 32 raw bytes of the id."""
        return hashlib.sha256(self.signature).digest()

    @property
    def owner_address(self) -> str:
        """base64url(SHA-256(owner)), the SU's owner address for every signature type."""
        return owner_address(self.owner)

    @property
    def is_signed(self) -> bool:
        return any(self.signature)

    def signing_message(self) -> bytes:
        """The 48-byte deep hash the signature covers."""
        return signing_message(
            self.signature_type, owner=self.owner, target=self.target, anchor=self.anchor,
            raw_tags=self.raw_tags, data=self.data,
        )

    def tag(self, name: str, default: str | None = None) -> str | None:
        """The value of the first tag called ``name`` (case-sensitive)."""
        for n, v in self.tags:
            if n == name:
                return v
        return default

    def __repr__(self) -> str:
        return (
            f"DataItem(id={self.id!r}, type={self.signature_type}, "
            f"owner={self.owner_address!r}, target={b64u_encode(self.target)!r}, "
            f"tags={list(self.tags)!r}, data={len(self.data)} bytes)"
        )


def signing_message(
    signature_type: int, *, owner: bytes, target: bytes, anchor: bytes, raw_tags: bytes,
    data: bytes,
) -> bytes:
    """deepHash(["dataitem", "1", str(type), owner, target, anchor, raw tags, data])."""
    return deep_hash(
        [b"dataitem", b"1", str(signature_type).encode("ascii"), owner, target, anchor,
         raw_tags, data]
    )


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def serialize(item: DataItem) -> bytes:
    """The binary form of ``item``."""
    out = bytearray(item.signature_type.to_bytes(2, "little"))
    out += item.signature
    out += item.owner
    for part in (item.target, item.anchor):
        out += b"\x01" + part if part else b"\x00"
    out += _u64(len(item.tags))
    out += _u64(len(item.raw_tags))
    out += item.raw_tags
    out += item.data
    return bytes(out)


class _Cursor:
    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise ANS104Error(
                f"data item truncated: {what} needs {n} bytes at offset {self.pos}, "
                f"{len(self.buf) - self.pos} left",
                field=what,
            )
        chunk = self.buf[self.pos : end]
        self.pos = end
        return chunk

    def optional32(self, what: str) -> bytes:
        flag = self.take(1, f"{what} presence byte")[0]
        if flag == 0:
            return b""
        if flag != 1:
            raise ANS104Error(
                f"{what} presence byte must be 0 or 1, got {flag}", field=f"{what} presence byte"
            )
        return self.take(32, what)


def parse(data: bytes) -> DataItem:
    """The data item in ``data`` (the whole buffer); strict."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ANS104Error(f"a data item is bytes, not {type(data).__name__}", field="data item")
    cur = _Cursor(bytes(data))
    sig_type = int.from_bytes(cur.take(2, "signature type"), "little")
    info = SIGNATURE_TYPES.get(sig_type)
    if info is None:
        raise ANS104Error(f"unknown signature type {sig_type}", field="signature type")
    signature = cur.take(info.signature_length, "signature")
    owner = cur.take(info.owner_length, "owner")
    target = cur.optional32("target")
    anchor = cur.optional32("anchor")
    tag_count = int.from_bytes(cur.take(8, "tag count"), "little")
    tag_bytes = int.from_bytes(cur.take(8, "tag bytes"), "little")
    if tag_count > MAX_TAGS:
        raise ANS104Error(f"{tag_count} tags, at most {MAX_TAGS} allowed", field="tag count")
    if tag_bytes > MAX_TAG_BYTES:
        raise ANS104Error(
            f"{tag_bytes} tag bytes, at most {MAX_TAG_BYTES} allowed", field="tag bytes"
        )
    raw_tags = cur.take(tag_bytes, "tags")
    tags = decode_tags(raw_tags)
    if len(tags) != tag_count:
        raise ANS104Error(
            f"tag count says {tag_count} but the tag bytes hold {len(tags)}", field="tag count"
        )
    body = cur.buf[cur.pos :]
    return DataItem(sig_type, signature, owner, target, anchor, tags, body, raw_tags)


# -- signing and verification ---------------------------------------------------------------


def _as_id_bytes(value: Any, what: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, str):
        if not value:
            return b""
        if what == "anchor" and len(value.encode("utf-8")) == 32:
            return value.encode("utf-8")  # arbundles: an anchor string is its UTF-8 bytes
        try:
            raw = b64u_decode(value, field=what)
        except EncodingError as exc:
            raise ANS104Error(f"{what} is not a base64url id", field=what) from exc
        if len(raw) != 32:
            raise ANS104Error(f"{what} is not a 32-byte id: {value!r}", field=what)
        return raw
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise ANS104Error(f"{what} must be bytes or str, not {type(value).__name__}", field=what)


def sign(
    fields: DataItem | Mapping[str, Any],
    signer: Signer,
    *,
    salt_length: SaltLength = 32,
) -> DataItem:
    """A data item with ``fields`` signed by ``signer``.

    ``fields`` is a :class:`DataItem` (its signature type, signature and owner are
    replaced) or a mapping with optional keys ``target`` (32 bytes or a 43-char id),
    ``anchor`` (32 bytes, or a 32-byte UTF-8 string as aos anchors are, or an id),
    ``tags`` (pairs, ``{"name", "value"}`` dicts or a mapping) and ``data`` (bytes or
    str). ``salt_length`` applies to RSA keys: 32 (default) or ``"max"``.
    """
    sig_type = signer.signature_type
    info = SIGNATURE_TYPES[sig_type]
    owner = signer.public_key
    if len(owner) != info.owner_length:
        raise ANS104Error(
            f"a {info.name} owner is {info.owner_length} bytes; this key gives {len(owner)}"
            " (ANS-104 needs RSA-4096)",
            field="owner",
        )
    if isinstance(fields, DataItem):
        target, anchor, tags, data = fields.target, fields.anchor, fields.tags, fields.data
        raw_tags = fields.raw_tags
    else:
        unknown = set(fields) - {"target", "anchor", "tags", "data"}
        if unknown:
            raise ANS104Error(f"unknown data item fields {sorted(unknown)}", field="fields")
        target = _as_id_bytes(fields.get("target"), "target")
        anchor = _as_id_bytes(fields.get("anchor"), "anchor")
        tags = _normalize_tags(fields.get("tags", ()))
        raw_data = fields.get("data", b"")
        if isinstance(raw_data, str):
            raw_data = raw_data.encode("utf-8")
        if not isinstance(raw_data, bytes | bytearray | memoryview):
            raise ANS104Error(f"data must be bytes or str, not {type(raw_data).__name__}",
                              field="data")
        data = bytes(raw_data)
        raw_tags = b""
    unsigned = DataItem(sig_type, bytes(info.signature_length), owner, target, anchor, tags,
                        data, raw_tags)
    message = unsigned.signing_message()
    if isinstance(signer, RSASigner):
        signature = signer.sign(message, salt_length=salt_length)
    else:
        signature = signer.sign(message)
    return DataItem(sig_type, signature, owner, target, anchor, unsigned.tags, data,
                    unsigned.raw_tags)


def verify(item: DataItem) -> bool:
    """True when ``item``'s signature verifies against its owner.

    Supports types 1 (RSA-PSS-SHA256, any salt length), 2 and 4 (Ed25519) and 3
    (EIP-191 secp256k1); other types raise :class:`SignatureError`.
    """
    message = item.signing_message()
    t = item.signature_type
    if t == 1:
        try:
            return verify_rsa_pss(item.owner, message, item.signature, "sha256", None)
        except SignatureError:
            return False  # an owner that is no RSA key signs nothing
    if t in (2, 4):
        try:
            return verify_ed25519(item.owner, message, item.signature)
        except SignatureError:
            return False
    if t == 3:
        try:
            return verify_ethereum(item.owner, message, item.signature)
        except SignatureError:
            return False
    raise SignatureError(
        f"verifying signature type {t} ({SIGNATURE_TYPES[t].name}) is not supported",
        field="signature type",
    )


# -- bundles --------------------------------------------------------------------------------


def encode_bundle(items: Sequence[DataItem]) -> bytes:
    """ANS-104 bundle binary of ``items`` (in order)."""
    binaries = [serialize(item) for item in items]
    out = bytearray(len(items).to_bytes(32, "little"))
    for item, binary in zip(items, binaries, strict=True):
        out += len(binary).to_bytes(32, "little")
        out += item.raw_id
    for binary in binaries:
        out += binary
    return bytes(out)


def decode_bundle(data: bytes) -> list[DataItem]:
    """The data items of an ANS-104 bundle; strict about sizes, ids and leftovers."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ANS104Error(f"a bundle is bytes, not {type(data).__name__}", field="bundle")
    buf = bytes(data)
    if len(buf) < 32:
        raise ANS104Error(f"bundle truncated: {len(buf)} bytes, no item count",
                          field="bundle item count")
    count = int.from_bytes(buf[:32], "little")
    header_end = 32 + 64 * count
    if header_end > len(buf):
        raise ANS104Error(
            f"bundle says {count} items but is too short for their headers",
            field="bundle item count",
        )
    entries: list[tuple[int, bytes]] = []
    for i in range(count):
        off = 32 + 64 * i
        size = int.from_bytes(buf[off : off + 32], "little")
        entries.append((size, buf[off + 32 : off + 64]))
    pos = header_end
    items: list[DataItem] = []
    for i, (size, raw_id) in enumerate(entries):
        if pos + size > len(buf):
            raise ANS104Error(f"bundle item {i} size {size} runs past the bundle",
                              field=f"bundle item {i} size")
        try:
            item = parse(buf[pos : pos + size])
        except ANS104Error as exc:
            raise ANS104Error(f"bundle item {i}: {exc.message}",
                              field=f"bundle item {i} {exc.field}") from exc
        if item.raw_id != raw_id:
            raise ANS104Error(
                f"bundle item {i} id {item.id} does not match its header {b64u_encode(raw_id)}",
                field=f"bundle item {i} id",
            )
        items.append(item)
        pos += size
    if pos != len(buf):
        raise ANS104Error(f"{len(buf) - pos} trailing bytes after the last bundle item",
                          field="bundle")
    return items
