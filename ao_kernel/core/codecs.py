"""The codec registry: ``encode(msg, codec)`` and ``decode(data, codec)`` through TABM.

=================  ================================  ========================================
codec              wire value                        notes
=================  ================================  ========================================
structured@1.0     TABM (``dict``)                   the pivot itself
httpsig@1.0        ``{header: bytes, "body": ..}``   HTTP message; commitments as signature
                                                      headers (:mod:`.httpsig`)
ans104@1.0         ``bytes`` (a data item)           Arweave data items (:mod:`.ans104_codec`)
json@1.0           ``bytes`` (JSON text)             the TABM as a JSON object
flat@1.0           ``bytes`` (``key: value`` lines)  nested keys joined with ``/``
=================  ================================  ========================================

Every decoder raises a :class:`MalformedError` subclass naming what was wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .errors import FlatError, JSONCodecError, MalformedError
from .message import Message, Value
from .structured import TABM, from_tabm, to_tabm

Encoder = Callable[[Message], Any]
Decoder = Callable[[Any], Message]


def _structured_encode(msg: Message) -> TABM:
    return to_tabm(msg, links="inline")


def _structured_decode(data: Any) -> Message:
    if not isinstance(data, Mapping):
        raise MalformedError("structured@1.0 decodes a TABM mapping", field="message")
    return _as_message(from_tabm(data))


def _as_message(value: Message | tuple[Value, ...]) -> Message:
    if isinstance(value, tuple):
        return Message({str(i + 1): v for i, v in enumerate(value)})
    return value


# -- httpsig@1.0 ---------------------------------------------------------------------------


def _httpsig_encode(msg: Message) -> dict[str, bytes]:
    from .httpsig import to_http

    return to_http(to_tabm(msg, links="inline"))


def _httpsig_decode(data: Any) -> Message:
    from .httpsig import from_http

    if not isinstance(data, Mapping):
        raise MalformedError("httpsig@1.0 decodes a header mapping", field="message")
    return _as_message(from_tabm(from_http(data)))


# -- json@1.0 ------------------------------------------------------------------------------


def json_encode(msg: Message) -> bytes:
    """The TABM of ``msg`` as a JSON object (nested messages inline)."""
    return json.dumps(_jsonable(to_tabm(msg, links="inline")), sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _jsonable(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v, f"{path}/{k}" if path else k) for k, v in value.items()}
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONCodecError(
                f"value at {path!r} is binary data that JSON cannot carry", field=path
            ) from exc
    return value


def json_decode(data: bytes | str | Mapping[str, Any]) -> Message:
    """A message from a JSON object (TABM-shaped, or plain JSON from a client)."""
    if isinstance(data, Mapping):
        obj: Any = data
    else:
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise JSONCodecError(f"not valid JSON: {exc}", field="body") from exc
    if not isinstance(obj, dict):
        raise JSONCodecError("a JSON message must be an object", field="body")
    return _as_message(from_tabm(_tabm_from_json(obj, "")))


def _tabm_from_json(obj: Mapping[str, Any], path: str) -> TABM:
    """JSON values to TABM: plain JSON scalars become typed values via ao-types."""
    from .structured import decode_ao_types, encode_ao_types, encode_scalar

    out: TABM = {}
    raw_types = obj.get("ao-types")
    types = decode_ao_types(raw_types) if isinstance(raw_types, str) else {}
    for key, value in obj.items():
        where = f"{path}/{key}" if path else key
        if key == "ao-types":
            continue
        if isinstance(value, dict):
            out[key] = _tabm_from_json(value, where)
        elif isinstance(value, list):
            out[key] = _tabm_from_json({str(i + 1): v for i, v in enumerate(value)} |
                                       {"ao-types": '.="list"'}, where)
        elif isinstance(value, str):
            out[key] = value.encode("utf-8")
        elif isinstance(value, (bool, int, float)) or value is None:
            type_name, raw = encode_scalar(value)
            out[key] = raw
            if type_name:
                types[key] = type_name
        else:
            raise JSONCodecError(f"unsupported JSON value at {where!r}", field=where)
    if types:
        out["ao-types"] = encode_ao_types(types)
    return out


# -- flat@1.0 ------------------------------------------------------------------------------


def flat_encode(msg: Message) -> bytes:
    """``key: value`` lines, sorted, nested keys joined with ``/``."""
    flat: dict[str, bytes] = {}
    _flatten(to_tabm(msg, links="inline"), "", flat)
    lines = []
    for key in sorted(flat):
        value = flat[key]
        if b"\n" in value:
            raise FlatError(f"value of {key!r} spans lines; flat@1.0 cannot hold it", field=key)
        lines.append(key.encode("utf-8") + b": " + value + b"\n")
    return b"".join(lines)


def _flatten(tabm: Mapping[str, Any], prefix: str, out: dict[str, bytes]) -> None:
    for key, value in tabm.items():
        path = f"{prefix}/{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(value, path, out)
        else:
            out[path] = value


def flat_decode(data: bytes | str) -> Message:
    """A message from ``key: value`` lines (HyperBEAM ``config.flat`` syntax)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise FlatError(f"flat@1.0 text is not UTF-8 (byte {exc.start})", field="body") from exc
    tabm: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise FlatError(f"line {number} is not 'key: value': {line!r}", field=f"line {number}")
        node = tabm
        parts = [p for p in key.split("/") if p]
        if not parts:
            raise FlatError(f"line {number}: key {key!r} names no key", field=f"line {number}")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FlatError(f"line {number}: {key!r} collides with a value", field=key)
            node = child
        if parts[-1] in node:
            raise FlatError(f"line {number}: key {key!r} given twice", field=key)
        node[parts[-1]] = value.encode("utf-8")
    return _as_message(from_tabm(tabm))


# -- ans104@1.0 ----------------------------------------------------------------------------


def _ans104_encode(msg: Message) -> bytes:
    from .ans104 import serialize
    from .ans104_codec import message_to_item

    return serialize(message_to_item(msg))


def _ans104_decode(data: Any) -> Message:
    from .ans104 import parse
    from .ans104_codec import item_to_message

    if not isinstance(data, (bytes, bytearray)):
        raise MalformedError("ans104@1.0 decodes bytes", field="message")
    return item_to_message(parse(bytes(data)))


CODECS: dict[str, tuple[Encoder, Decoder, str]] = {
    "structured@1.0": (_structured_encode, _structured_decode, "application/x-ao-tabm"),
    "httpsig@1.0": (_httpsig_encode, _httpsig_decode, "message/http"),
    "json@1.0": (json_encode, json_decode, "application/json"),
    "flat@1.0": (flat_encode, flat_decode, "text/plain"),
    "ans104@1.0": (_ans104_encode, _ans104_decode, "application/ans104"),
}


def _codec(name: str) -> tuple[Encoder, Decoder, str]:
    try:
        return CODECS[name.lower()]
    except KeyError:
        raise MalformedError(
            f"unknown codec {name!r}; known: {', '.join(sorted(CODECS))}", field="codec"
        ) from None


def encode(msg: Message | Mapping[str, Any], codec: str = "httpsig@1.0") -> Any:
    """Encode ``msg`` with ``codec``."""
    return _codec(codec)[0](msg if isinstance(msg, Message) else Message(msg))


def decode(data: Any, codec: str = "httpsig@1.0") -> Message:
    """Decode ``data`` with ``codec``."""
    return _codec(codec)[1](data)


def content_type(codec: str) -> str:
    return _codec(codec)[2]


def codec_devices() -> list[Any]:
    """A device per codec, with ``to``/``from`` keys (built lazily: devices need the resolver)."""
    from .resolver import Device, Opts

    devices = []
    for name, (enc, dec, _) in CODECS.items():

        class CodecDevice(Device):
            exports = ("to", "from", "commit", "verify")
            _enc = staticmethod(enc)
            _dec = staticmethod(dec)

            def to(self, base: Message, req: Message, opts: Opts) -> Any:
                return self._enc(base)

            def from_(self, base: Message, req: Message, opts: Opts) -> Message:
                return self._dec(req.get("body", base.get("body")))

            def commit(self, base: Message, req: Message, opts: Opts) -> Message:
                from .commitments import commit

                wallet = opts.extra.get("wallet")
                if wallet is None:
                    raise MalformedError("this node has no wallet to commit with", field="wallet")
                return commit(base, wallet.rsa_signer)

            def verify(self, base: Message, req: Message, opts: Opts) -> bool:
                from .commitments import verify

                return verify(base)

        CodecDevice.name = name
        CodecDevice.__name__ = CodecDevice.__qualname__ = "Codec_" + name.split("@")[0]
        devices.append(CodecDevice())
    return devices
