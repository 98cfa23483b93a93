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


def _write(tabm: dict[str, Any], out: bytearray) -> None:
    out += b"M" + _varint(len(tabm))
    # UTF-8 preserves code point order, so sorting the str keys sorts their bytes
    for key in sorted(tabm):
        raw_key = key.encode("utf-8")
        value = tabm[key]
        if value.__class__ is bytes:
            out += _varint(len(raw_key)) + raw_key + b"B" + _varint(len(value)) + value
            continue
        out += _varint(len(raw_key)) + raw_key
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
