"""A compact, deterministic byte form of TABMs, for stores and snapshots (not a wire codec).

::

    tabm   := b"M" varint(count) (key value)*        keys sorted by their UTF-8 bytes
    key    := varint(len) utf8
    value  := b"B" varint(len) bytes | tabm

The same TABM always gives the same bytes, so blobs can be content-addressed.
"""

from __future__ import annotations

from typing import Any

from .errors import MalformedError


def _varint(n: int) -> bytes:
    if n < 128:
        return _SMALL[n]
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


_SMALL = tuple(bytes((i,)) for i in range(128))


def dumps(tabm: dict[str, Any]) -> bytes:
    """The bytes of ``tabm`` (values: bytes or nested TABMs)."""
    out = bytearray()
    _write(tabm, out)
    return bytes(out)


#: key -> its encoded form (varint length + UTF-8); the same keys recur in every message
_KEYS: dict[str, bytes] = {}
#: the b"B" + varint(length) header of short binaries
_BIN = tuple(b"B" + bytes((i,)) for i in range(128))


def _key(key: str) -> bytes:
    encoded = _KEYS.get(key)
    if encoded is None:
        if len(_KEYS) > 50_000:
            _KEYS.clear()
        raw = key.encode("utf-8")
        encoded = _KEYS[key] = _varint(len(raw)) + raw
    return encoded


def dumps_text_map(items: dict[str, Any]) -> bytes | None:
    """``dumps`` of a one-level TABM given as its text/binary values in any key order (the
    common stored message), with the key order planned once per set of keys; None when a
    value is neither text nor bytes."""
    keys = tuple(items)
    plan = _TEXT_PLANS.get(keys)
    if plan is None:
        if len(_TEXT_PLANS) > 4_096:
            _TEXT_PLANS.clear()
        order = sorted(range(len(keys)), key=lambda i: keys[i])
        plan = _TEXT_PLANS[keys] = (b"M" + _varint(len(keys)),
                                    tuple((i, _key(keys[i])) for i in order))
    head, slots = plan
    values = tuple(items.values())
    out = [head]
    for index, key in slots:
        value = values[index]
        if value.__class__ is str:
            value = value.encode("utf-8")
        elif value.__class__ is not bytes:
            return None
        size = len(value)
        out.append(key)
        out.append(_BIN[size] if size < 128 else b"B" + _varint(size))
        out.append(value)
    return b"".join(out)


_TEXT_PLANS: dict[tuple[str, ...], tuple[bytes, tuple[tuple[int, bytes], ...]]] = {}


def _write(tabm: dict[str, Any], out: bytearray) -> None:
    out += b"M" + _varint(len(tabm))
    # UTF-8 preserves code point order, so sorting the str keys sorts their bytes
    for key in sorted(tabm):
        value = tabm[key]
        if value.__class__ is bytes:
            size = len(value)
            out += _key(key)
            out += _BIN[size] if size < 128 else b"B" + _varint(size)
            out += value
            continue
        out += _key(key)
        if isinstance(value, dict):
            _write(value, out)
        elif isinstance(value, (bytes, bytearray)):
            out += b"B" + _varint(len(value)) + value
        elif isinstance(value, str):
            raw = value.encode("utf-8")
            out += b"B" + _varint(len(raw)) + raw
        else:
            raise MalformedError(f"TABM value of {key!r} is a {type(value).__name__}", field=key)


def loads(data: bytes) -> dict[str, Any]:
    """Inverse of :func:`dumps`; MalformedError on truncated or trailing data."""
    value, pos = _read_map(memoryview(data), 0)
    if pos != len(data):
        raise MalformedError("trailing bytes after a stored message", field="store")
    return value


def _read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise MalformedError("truncated stored message", field="store")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _read_map(buf: memoryview, pos: int) -> tuple[dict[str, Any], int]:
    if pos >= len(buf) or buf[pos] != ord("M"):
        raise MalformedError("stored message does not start a map", field="store")
    count, pos = _read_varint(buf, pos + 1)
    out: dict[str, Any] = {}
    for _ in range(count):
        klen, pos = _read_varint(buf, pos)
        try:
            key = bytes(buf[pos : pos + klen]).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedError("a stored message key is not UTF-8", field="store") from exc
        pos += klen
        if pos >= len(buf):
            raise MalformedError("truncated stored message", field="store")
        tag = buf[pos]
        if tag == ord("M"):
            out[key], pos = _read_map(buf, pos)
        elif tag == ord("B"):
            vlen, pos = _read_varint(buf, pos + 1)
            if pos + vlen > len(buf):
                raise MalformedError("truncated stored message", field="store")
            out[key] = bytes(buf[pos : pos + vlen])
            pos += vlen
        else:
            raise MalformedError(f"bad tag {tag} in stored message", field="store")
    return out, pos
