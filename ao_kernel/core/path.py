"""HyperBEAM's URL path grammar (``hb_singleton``): a request path becomes a message list.

Theory of operation
-------------------
``GET /<PID>~process@1.0/compute&slot+integer=3/results?x=1`` means: take the base
message (process ``<PID>``, executed as ``process@1.0``), resolve ``compute`` on it with
``slot = 3``, then resolve ``results`` on that. :func:`parse_path` turns the text into
exactly that list::

    [As("process@1.0", {"path": PID}),
     {"path": "compute", "slot": 3, "x": "1"},
     {"path": "results", "x": "1"}]

and :func:`to_path` writes such a list back (``parse_path(to_path(s)) == s``).

Grammar (after HyperBEAM's ``hb_singleton``)::

    path     := ["/"] segment ("/" segment)* ["?" query]
    segment  := ID                              43-char base64url: a message to load
              | "(" path ")"                    a sub-resolution (Resolve)
              | key ["~" device] ("&" kv)*      a request; with a device: As
              | key ["+" type] "=" value ("&" kv)*   shorthand for key&key[+type]=value
    kv       := key ["+" type] "=" value | key  (a bare key is True)
    type     := integer | float | atom | list | map | binary | resolve   (any case)

Steps, in order:

1. **Split the raw text.** The first ``?`` outside parentheses and quotes separates the
   query; the path is split on ``/`` outside parentheses and quotes. Empty segments are
   dropped; parentheses must balance and quotes must close (else :class:`PathError`).
2. **Percent-decode each segment once** (a malformed ``%`` escape or non-UTF-8 result is a
   PathError); a decoded segment over 512 UTF-8 bytes is a PathError. A sub-path inside
   ``( )`` is parsed with this same algorithm, so it is percent-decoded once more (as in
   HyperBEAM), which is what lets :func:`to_path` nest paths by escaping ``%`` only.
3. **Parse each segment.** Inside a decoded segment, ``& ~ + = space`` split only outside
   parentheses and ``"…"`` quotes. A key, device or untyped value that is one complete
   quoted string is unquoted (escapes ``\\"`` and ``\\\\`` only), so ``greeting="Hello"``
   gives ``Hello`` (HyperBEAM's current behaviour; quotes let values hold ``& = ( ) /``).
   An untyped value ``( … )`` is a sub-resolution. A space may replace ``+``.
4. **Pick the base.** A first segment that is an ID, ``As`` or ``Resolve`` is the base;
   ``~device[&kv…]`` with an empty key at the start is the base ``{"device": device, …}``;
   otherwise an empty base ``{}`` is inserted.
5. **Merge globals.** Query parameters (the ``?`` part, ``+`` read as space, each key and
   value percent-decoded; then the ``query`` mapping) and every header except ``path`` are
   typed like inline keys (``k+integer``; a bare query key is True). Query values that
   are one quoted string are unquoted; header values are taken literally, and an untyped
   ``( … )`` global is text, not a sub-path (only ``+resolve`` resolves). ``N.key``
   (N digits) scopes a key to the N-th step after the base (``0.key`` is the base
   itself); other keys are global and merged into every dict step and ``As`` message,
   but never into an ID, a ``Resolve`` or an ``As`` whose ``path`` is an ID.
   Precedence: inline keys > scoped > globals; later sources (headers < ``query``
   mapping < ``?`` query) override earlier ones. Sub-paths get no globals and nest at
   most ``MAX_DEPTH`` (32) levels.

Typed values (``key+type=value``):

* ``integer``: an RFC 8941 Integer (``42``); ``float``: a decimal/exponent literal
  (``1.5``, ``-2e-3``), finite; ``binary``: the text itself (unquoted if quoted);
* ``atom``: an SF Token or String naming the atom (``true``/``false``/``null`` become
  True/False/None, others :class:`~ao_kernel.core.values.Atom`); ``?1``/``?0`` also work;
* ``list``: an SF List (``"apple",1``); ``map``: an SF Dictionary with ``,`` between
  members (``k1="v", k2=true``; uppercase keys accepted). Their members become Python
  values: Integer → int, Decimal → float, String → str, Token → atom, Byte Sequence →
  str if UTF-8 else bytes, Boolean → bool, Inner List → list; a String
  ``"(ao-type-T) V"`` is V decoded as type T (HyperBEAM's convention, used for floats and
  nesting). SF parameters are rejected: HyperBEAM silently drops them, so the brief's
  ``k1="v";k2=true`` would lose ``k2`` — write ``k1="v",k2=true``.
* ``resolve``: a path (``(/a/b)`` or ``/a/b``) resolved first: :class:`Resolve`.

Strictness beyond HyperBEAM: an empty key (except before ``~device``), an inline ``path``
key, a typed bare key, a scoped key that names no step or a step that cannot take keys
(an ID or ``Resolve``) are PathErrors instead of being ignored. ``a.b`` with a non-numeric
prefix is an ordinary key (HyperBEAM throws ``invalid_scope``). A ``%22`` quote is only a
quote after decoding, so it cannot protect a raw ``/`` (write a raw ``"`` or ``%2F``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

from . import sf
from .b64 import is_id
from .errors import PathError, StructuredFieldError
from .values import Atom

__all__ = [
    "MAX_DEPTH",
    "MAX_SEGMENT_BYTES",
    "TYPES",
    "As",
    "Resolve",
    "Step",
    "parse_path",
    "to_path",
]

MAX_SEGMENT_BYTES = 512
MAX_DEPTH = 32  # nested sub-paths; deeper input is an error, not a RecursionError
TYPES = frozenset({"integer", "float", "atom", "list", "map", "binary", "resolve"})


@dataclass(frozen=True)
class As:
    """Execute ``message`` with ``device`` overriding its device (``key~device``)."""

    device: str
    message: dict[str, Any]


@dataclass(frozen=True)
class Resolve:
    """A sub-resolution ``( … )`` whose result is used in its place."""

    steps: list[Step]


Step: TypeAlias = str | dict[str, Any] | As | Resolve

# -- scanning -----------------------------------------------------------------------------------


def _end_quote(text: str, start: int) -> int:
    """Index just past the quoted string opening at ``start``."""
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        i += 1
    raise PathError(f"unterminated quoted string at offset {start} in {text!r}", field=text)


def _scan(text: str, seps: str, maxsplit: int = -1) -> list[tuple[str, str]]:
    """Split ``text`` on ``seps`` outside parentheses and quotes: [(part, separator)]."""
    parts: list[tuple[str, str]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _end_quote(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                raise PathError(f"unbalanced ')' at offset {i} in {text!r}", field=text)
            depth -= 1
        elif depth == 0 and ch in seps:
            parts.append((text[start:i], ch))
            start = i + 1
            if len(parts) == maxsplit:
                break
        i += 1
    else:
        if depth:
            raise PathError(f"unbalanced '(' in {text!r}", field=text)
    parts.append((text[start:], ""))
    return parts


def _unquote(text: str, what: str) -> str:
    """The content of ``text`` if it is one quoted string, else ``text`` itself."""
    if not text.startswith('"'):
        return text
    end = _end_quote(text, 0)
    if end != len(text):
        raise PathError(f"{what} {text!r} has text after its closing quote", field=text)
    out: list[str] = []
    i = 1
    while i < end - 1:
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1]
            if nxt not in '"\\':
                raise PathError(f"invalid escape '\\{nxt}' in {what} {text!r}", field=text)
            out.append(nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _pct_decode(text: str, *, plus_is_space: bool = False) -> str:
    if plus_is_space:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        return sf.unescape_key(text)  # the same percent-decoding as hb_escape
    except StructuredFieldError as exc:
        reason = ("does not percent-decode to UTF-8" if "UTF-8" in exc.message
                  else exc.message.replace("in key", "in"))
        raise PathError(f"{text!r} {reason}", field=text) from exc


# -- typed values -------------------------------------------------------------------------------

_FLOAT_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")


def _atom(name: str) -> Any:
    return {"true": True, "false": False, "null": None}.get(name, Atom(name))


def _from_sf(member: sf.Member, where: str, depth: int) -> Any:
    if member.params:
        raise PathError(f"{where}: SF parameters are not allowed", field=where)
    if isinstance(member, sf.InnerList):
        return [_from_sf(item, where, depth) for item in member.items]
    value = member.value
    if isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, sf.Token):
        return _atom(value.value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if value.startswith("(ao-type-"):
        type_name, sep, rest = value[len("(ao-type-") :].partition(") ")
        if not sep:
            raise PathError(f"{where}: malformed typed string {value!r}", field=where)
        return _decode_typed(type_name, rest, where, depth)
    return value


def _decode_typed(type_name: str, text: str, where: str, depth: int) -> Any:
    """``text`` read as ``type_name``; ``where`` names the key in error messages."""
    kind = type_name.lower()
    try:
        if kind == "integer":
            item = sf.parse_item(text)
            if isinstance(item.value, bool) or not isinstance(item.value, int) or item.params:
                raise PathError(f"{where}: {text!r} is not an integer", field=where)
            return item.value
        if kind == "float":
            if not _FLOAT_RE.match(text) or not math.isfinite(float(text)):
                raise PathError(f"{where}: {text!r} is not a finite float", field=where)
            return float(text)
        if kind == "atom":
            item = sf.parse_item(text)
            if item.params or not isinstance(item.value, sf.Token | str | bool):
                raise PathError(f"{where}: {text!r} is not an atom", field=where)
            if isinstance(item.value, bool):
                return item.value
            return _atom(str(item.value))
        if kind == "list":
            return [_from_sf(m, where, depth) for m in sf.parse_list(text)]
        if kind == "map":
            entries = sf.parse_dictionary(text, lenient_keys=True)
            return {k: _from_sf(m, f"{where} member {k!r}", depth) for k, m in entries.items()}
        if kind == "binary":
            return _unquote(text, f"{where} value")
        if kind == "resolve":
            inner = _subpath(text, where) if text.startswith("(") else text
            return Resolve(_parse(inner, None, None, depth + 1))
    except StructuredFieldError as exc:
        raise PathError(f"{where}: {text!r} is not a valid {kind}: {exc}", field=where) from exc
    raise PathError(
        f"{where}: unknown type {type_name!r} (expected one of {', '.join(sorted(TYPES))})",
        field=type_name,
    )


def _split_type(text: str, what: str) -> tuple[str, str | None]:
    """``key+type`` (or ``key type``) → (unquoted key, type or None)."""
    parts = _scan(text, "+ ", maxsplit=1)
    key = _unquote(parts[0][0], what)
    if not key:
        raise PathError(f"empty {what} in {text!r}", field=text)
    if len(parts) == 1:
        return key, None
    return key, parts[1][0]


def _inline_value(value: str, where: str, depth: int) -> Any:
    if value.startswith("("):
        return _decode_typed("resolve", value, where, depth)
    return _unquote(value, f"{where} value")


# -- segments -----------------------------------------------------------------------------------


def _parse_kvs(text: str, msg: dict[str, Any], segment: str, depth: int) -> None:
    for part, _ in _scan(text, "&"):
        if not part:
            continue
        kv = _scan(part, "=", maxsplit=1)
        key, type_name = _split_type(kv[0][0], "key")
        where = f"key {key!r} in segment {segment!r}"
        if key == "path":
            raise PathError(f"inline key 'path' in segment {segment!r}", field=segment)
        if len(kv) == 1:
            if type_name is not None:
                raise PathError(f"typed key {kv[0][0]!r} has no value", field=segment)
            msg[key] = True
        elif type_name is None:
            msg[key] = _inline_value(kv[1][0], where, depth)
        else:
            msg[key] = _decode_typed(type_name, kv[1][0], where, depth)


def _parse_segment(seg: str, depth: int) -> Step:
    if is_id(seg):
        return seg
    if seg.startswith("("):
        return Resolve(_parse(_subpath(seg, f"segment {seg!r}"), None, None, depth + 1))
    head = _scan(seg, "&~+ =", maxsplit=1)
    key = _unquote(head[0][0], "key")
    sep = head[0][1]
    rest = head[1][0] if len(head) > 1 else ""
    if sep == "~":
        dev = _scan(rest, "&", maxsplit=1)
        if dev[0][0].startswith("("):
            raise PathError(f"a device cannot be a sub-path: segment {seg!r}", field=seg)
        device = _unquote(dev[0][0], "device")
        if not device:
            raise PathError(f"empty device in segment {seg!r}", field=seg)
        msg: dict[str, Any] = {"path": key} if key else {}
        if len(dev) > 1:
            _parse_kvs(dev[1][0], msg, seg, depth)
        return As(device, msg)
    if not key:
        raise PathError(f"empty key in segment {seg!r}", field=seg)
    msg = {"path": key}
    if sep == "&":
        _parse_kvs(rest, msg, seg, depth)
    elif sep:  # "key=v…", "key+type=v…": the key also names the value
        _parse_kvs(seg, msg, seg, depth)
    return msg


def _subpath(text: str, where: str) -> str:
    """The inside of ``text``, which must be exactly one balanced ``( … )`` group."""
    _scan(text, "")  # balance and quotes
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _end_quote(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                break
        i += 1
    if i != len(text) - 1:
        raise PathError(f"text after the sub-path {text[: i + 1]!r} in {where}", field=text)
    return text[1:-1]


# -- globals ------------------------------------------------------------------------------------


def _globals(
    raw_query: str | None,
    query: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    depth: int,
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    entries: list[tuple[str, Any, bool, str]] = []  # key, raw value, unquote?, source
    for key, value in (headers or {}).items():
        if key.lower() != "path":
            entries.append((key, value, False, "header"))
    for key, value in (query or {}).items():
        entries.append((key, value, True, "query parameter"))
    if raw_query:
        for pair in raw_query.split("&"):
            if not pair:
                continue
            k, eq, v = pair.partition("=")
            key = _pct_decode(k, plus_is_space=True)
            entries.append(
                (key, _pct_decode(v, plus_is_space=True) if eq else True, True, "query parameter")
            )
    global_keys: dict[str, Any] = {}
    scoped: dict[int, dict[str, Any]] = {}
    for raw_key, raw_value, unquote, source in entries:
        prefix, dot, rest = raw_key.partition(".")
        index: int | None = None
        if dot and prefix.isascii() and prefix.isdigit():
            index, raw_key_rest = int(prefix), rest
        else:
            raw_key_rest = raw_key
        key, type_name = _split_type(raw_key_rest, f"{source} key")
        where = f"{source} {raw_key!r}"
        if key == "path":
            raise PathError(f"{where} would replace the step's path", field=raw_key)
        if raw_value is True:
            if type_name is not None:
                raise PathError(f"typed {where} has no value", field=raw_key)
            parsed: Any = True
        elif type_name is not None:
            parsed = _decode_typed(type_name, raw_value, where, depth)
        else:
            parsed = _unquote(raw_value, f"{where} value") if unquote else raw_value
        if index is None:
            global_keys[key] = parsed
        else:
            scoped.setdefault(index, {})[key] = parsed
    return global_keys, scoped


def _takes_keys(step: Step) -> bool:
    if isinstance(step, dict):
        return True
    if isinstance(step, As):
        path = step.message.get("path")
        return not (isinstance(path, str) and is_id(path))
    return False


# -- parse --------------------------------------------------------------------------------------


def parse_path(
    path: str,
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[Step]:
    """The message list of ``path``; ``query`` and ``headers`` are merged as globals."""
    if not isinstance(path, str):
        raise PathError(f"a path must be text, not {type(path).__name__}", field="path")
    for text in (path, *(query or {}).items(), *(headers or {}).items()):
        for part in text if isinstance(text, tuple) else (text,):
            if not isinstance(part, str):
                raise PathError(f"{part!r} is not text", field="path")
            try:
                part.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise PathError(f"{part!r} is not valid Unicode text", field="path") from exc
    return _parse(path, query, headers, 0)


def _parse(
    path: str,
    query: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    depth: int,
) -> list[Step]:
    if depth > MAX_DEPTH:
        raise PathError(f"sub-paths nest deeper than {MAX_DEPTH} levels", field=path[:80])
    split = _scan(path, "?", maxsplit=1)
    raw_path = split[0][0]
    raw_query = split[1][0] if len(split) > 1 else None
    steps: list[Step] = []
    for raw_seg, _ in _scan(raw_path, "/"):
        if not raw_seg:
            continue
        seg = _pct_decode(raw_seg)
        size = len(seg.encode("utf-8"))
        if size > MAX_SEGMENT_BYTES:
            raise PathError(
                f"segment of {size} bytes exceeds {MAX_SEGMENT_BYTES}: {seg[:40]!r}…",
                field=seg[:80],
            )
        if seg:
            steps.append(_parse_segment(seg, depth))
    first = steps[0] if steps else None
    if isinstance(first, As) and "path" not in first.message:
        if "device" in first.message:
            raise PathError(f"device given twice in the base: {first!r}", field="device")
        steps[0] = {"device": first.device, **first.message}
    elif first is None or isinstance(first, dict):
        steps.insert(0, {})
    global_keys, scoped = _globals(raw_query, query, headers, depth)
    for index, keys in scoped.items():
        if index >= len(steps):
            raise PathError(
                f"scoped keys {sorted(keys)} name step {index}, but the path has "
                f"{len(steps) - 1} steps after the base",
                field=f"{index}.{next(iter(keys))}",
            )
        if not _takes_keys(steps[index]):
            raise PathError(
                f"scoped keys {sorted(keys)} name step {index}, which cannot take keys "
                f"({steps[index]!r})",
                field=f"{index}.{next(iter(keys))}",
            )
    for index, step in enumerate(steps):
        if not _takes_keys(step):
            continue
        extra = {**global_keys, **scoped.get(index, {})}
        if not extra:
            continue
        if isinstance(step, As):
            steps[index] = As(step.device, {**extra, **step.message})
        elif isinstance(step, dict):
            steps[index] = {**extra, **step}
    return steps


# -- to_path ------------------------------------------------------------------------------------

# Characters written as-is in a path; everything else is percent-encoded.
_SAFE_PATH = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'*+,;=:@"
)
_SAFE_QUERY = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'*,;:@/"
)
_TOKEN_RE = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%'*+\-.^_`|~:/]*\Z")  # SF token without '&'
_MAP_KEY_RE = re.compile(r"[A-Za-z0-9_\-.*%/?]+\Z")


def _pct(text: str, safe: frozenset[str]) -> str:
    return "".join(
        ch if ch in safe else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _maybe_quote(text: str, specials: str) -> str:
    if any(c in specials for c in text) or text.startswith(('"', "(")):
        return _quote(text)
    return text


def _sf_atom(name: str, where: str) -> str:
    """SF text naming an atom: a token when possible, else a string."""
    if _TOKEN_RE.match(name) and name not in ("true", "false", "null"):
        return name
    try:
        return sf.serialize_item(name)
    except StructuredFieldError as exc:
        raise PathError(f"{where}: atom {name!r} cannot be written in a path", field=where) from exc


def _typed_text(value: Any, where: str) -> tuple[str, str]:
    """(type, text) for a typed value; the text is decoded-level (not yet %-encoded)."""
    if isinstance(value, bool) or value is None:
        return "atom", {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, Atom):
        return "atom", _sf_atom(value.name, where)
    if isinstance(value, int):
        if abs(value) > 999_999_999_999_999:
            raise PathError(f"{where}: integer {value} has more than 15 digits", field=where)
        return "integer", str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PathError(f"{where}: {value!r} is not a finite float", field=where)
        return "float", repr(value)
    if isinstance(value, list | tuple):
        return "list", sf.serialize_list([_sf_member(v, where) for v in value])
    if isinstance(value, Mapping):
        for k in value:
            if not isinstance(k, str) or not _MAP_KEY_RE.match(k):
                raise PathError(f"{where}: map key {k!r} cannot be written in a path", field=where)
        return "map", sf.serialize_dictionary(
            {k: _sf_member(v, where) for k, v in value.items()}, lenient_keys=True
        )
    raise PathError(f"{where}: {type(value).__name__} value cannot be written", field=where)


def _sf_member(value: Any, where: str) -> sf.Item:
    if isinstance(value, bool):
        return sf.Item(value)
    if value is None:
        return sf.Item(sf.Token("null"))
    if isinstance(value, Atom):
        text = _sf_atom(value.name, where)
        return sf.Item(sf.Token(text) if text == value.name else f"(ao-type-atom) {text}")
    if isinstance(value, int):
        _typed_text(value, where)  # range check
        return sf.Item(value)
    if isinstance(value, str):
        if value.isascii() and value.isprintable() and not value.startswith("(ao-type-"):
            return sf.Item(value)
        return sf.Item(value.encode("utf-8"))
    if isinstance(value, bytes):
        return sf.Item(value)
    if isinstance(value, float | list | tuple | Mapping):
        kind, text = _typed_text(value, where)
        return sf.Item(f"(ao-type-{kind}) {text}")
    raise PathError(f"{where}: {type(value).__name__} value cannot be written", field=where)


def _text_value(value: Any, where: str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PathError(f"{where}: non-UTF-8 bytes cannot be written", field=where) from exc
    if not isinstance(value, str):
        raise PathError(f"{where}: {type(value).__name__} is not text", field=where)
    return value


def _inline_kv(key: str, value: Any) -> str:
    """``&key…`` for one inline pair, already percent-encoded."""
    where = f"key {key!r}"
    if not isinstance(key, str) or not key:
        raise PathError(f"invalid key {key!r}", field=str(key))
    if key == "path":
        raise PathError("'path' can only be the step's own key", field="path")
    k = _pct(_maybe_quote(key, '&=+ "()'), _SAFE_PATH)
    if value is True:
        return k
    if isinstance(value, Resolve):
        return f"{k}=({_nested(value)})"
    if isinstance(value, str | bytes):
        text = _maybe_quote(_text_value(value, where), '&"()')
        return f"{k}={_pct(text, _SAFE_PATH)}"
    kind, text = _typed_text(value, where)
    return f"{k}+{kind}={_pct(text, _SAFE_PATH)}"


def _query_kv(key: str, value: Any) -> str:
    """``0.key…=value`` for one base key, percent-encoded for the query string."""
    where = f"base key {key!r}"
    if not isinstance(key, str) or not key:
        raise PathError(f"invalid key {key!r}", field=str(key))
    if key == "path":
        raise PathError("the base message cannot have a 'path'", field="path")
    k = _pct("0." + _maybe_quote(key, '+ "()'), _SAFE_QUERY)
    if value is True:
        return k
    if isinstance(value, Resolve):
        return f"{k}%2Bresolve={_pct(to_path(value.steps), _SAFE_QUERY)}"
    if isinstance(value, str | bytes):
        text = _text_value(value, where)
        text = _quote(text) if text.startswith('"') else text
        return f"{k}={_pct(text, _SAFE_QUERY)}"
    kind, text = _typed_text(value, where)
    return f"{k}%2B{kind}={_pct(text, _SAFE_QUERY)}"


def _nested(res: Resolve) -> str:
    return to_path(res.steps).replace("%", "%25")


def _segment(step: Step) -> str:
    if isinstance(step, str):
        if not is_id(step):
            raise PathError(f"a text step must be a 43-character ID, not {step!r}", field=step)
        return step
    if isinstance(step, Resolve):
        return f"({_nested(step)})"
    if isinstance(step, As):
        msg = dict(step.message)
        key = msg.pop("path", "")
        if not isinstance(key, str):
            raise PathError(f"the path of {step!r} is not text", field="path")
        device = step.device
        if not isinstance(device, str) or not device:
            raise PathError(f"invalid device {device!r}", field="device")
        head = _pct(_maybe_quote(key, '&~+ ="()'), _SAFE_PATH) if key else ""
        head += "~" + _pct(_maybe_quote(device, '&"()'), _SAFE_PATH)
        return head + "".join("&" + _inline_kv(k, v) for k, v in msg.items())
    if isinstance(step, dict):
        msg = dict(step)
        key = msg.pop("path", None)
        if not isinstance(key, str) or not key:
            raise PathError(f"a request needs a non-empty text 'path': {step!r}", field="path")
        quoted = _maybe_quote(key, '&~+ ="()')
        if is_id(key) and not msg:
            quoted = _quote(key)  # a bare ID would be read as a message to load
        return _pct(quoted, _SAFE_PATH) + "".join("&" + _inline_kv(k, v) for k, v in msg.items())
    raise PathError(f"{type(step).__name__} is not a step", field="path")


def to_path(steps: Sequence[Step]) -> str:
    """The path text of a message list, so that ``parse_path(to_path(s)) == s``.

    Canonical input (what :func:`parse_path` returns) round-trips exactly. Keys of a dict
    base go into the query as ``0.key``, except a text ``device``, written ``/~device``.
    """
    if not steps:
        raise PathError("an empty step list has no path", field="path")
    base, rest = steps[0], list(steps[1:])
    segments: list[str] = []
    query: list[str] = []
    if isinstance(base, dict):
        msg = dict(base)
        device = msg.get("device")
        if isinstance(device, str) and device and "path" not in msg:
            del msg["device"]
            segments.append(_segment(As(device, msg)))
        else:
            query = [_query_kv(k, v) for k, v in msg.items()]
            if rest and not isinstance(rest[0], dict):
                raise PathError(
                    f"a path cannot start with {rest[0]!r} after a base without a device: "
                    "it would become the base",
                    field="path",
                )
    else:
        segments.append(_segment(base))
    segments.extend(_segment(step) for step in rest)
    text = "/" + "/".join(segments)
    return text + "?" + "&".join(query) if query else text
