"""Message IDs and hashpaths.

IDs are commitments (HyperBEAM ``hb_message:id/3``, ``dev_message:id/3``):

* ``message_id(msg)`` — the *unsigned* ID: the HMAC commitment over every key (an
  existing HMAC commitment is reused);
* ``message_id(msg, committers="all")`` — the sum modulo 2**256 of the IDs of every
  *signed* commitment (those with a ``committer``), or the unsigned ID when unsigned;
  this is the ID of a process and the input of the scheduler's hash chain;
* ``message_id(msg, committers=[addr, ...])`` — the sum over those signers only;
* ``message_id(msg, commitments="all")`` — the sum over EVERY commitment, HMAC included,
  which is what a hashpath starts from.

Hashpaths (``hb_path``) link a result to the inputs that produced it::

    hashpath(base)      = base.priv.hashpath  or  id(base, commitments="all")
    hashpath(base, req) = compress(hashpath(base)) + "/" + part(req)

    part(req)   = the first path element, when req has nothing but a path
                  the ID of req (all commitments), otherwise
    compress(a/b) = b64u(SHA-256(raw(a) || raw(b) or bytes(b)))   (sha-256-chain)
    compress(a)   = a                                              (first step)

so a hashpath always has two parts: ``<43-char history>/<last request>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Literal

from .b64 import b64u_decode, b64u_encode, is_id
from .erlmap import FLATMAP_MAX, map_keys_order
from .errors import MessageError
from .httpsig import (
    DEFAULT,
    DERIVED_COMPONENTS,
    MAX_HEADER_LENGTH,
    CommitmentFormat,
    content_digest,
    get_format,
    unsigned_id,
)
from .message import Message, Value, lowercase_keys
from .structured import TABM, escape_key, format_float, to_tabm
from .values import Atom, Link

Committers = Literal["none", "all"] | Sequence[str]

_MOD = 1 << 256
_ID_KEY_LENGTHS = frozenset({32, 42, 43})

_META_KEYS = frozenset({"path", "hashpath"})


def accumulate(ids: Sequence[str]) -> str:
    """Sum of 32-byte IDs modulo 2**256 (order-independent), as an ID."""
    if len(ids) == 1:
        return ids[0]
    total = 0
    for i in ids:
        total = (total + int.from_bytes(b64u_decode(i, field="commitment id"), "big")) % _MOD
    return b64u_encode(total.to_bytes(32, "big"))


def _committer_of(commitment: Value) -> str | None:
    if isinstance(commitment, Message):
        c = commitment.get("committer")
        if isinstance(c, (str, bytes)):
            return c.decode() if isinstance(c, bytes) else c
    return None


def _is_hmac(commitment: Value) -> bool:
    return (
        isinstance(commitment, Message)
        and _committer_of(commitment) is None
        and commitment.text("commitment-device", "httpsig@1.0") == "httpsig@1.0"
    )


def message_id(
    msg: Message | tuple[Value, ...] | dict[str, Value],
    committers: Committers = "none",
    *,
    commitments: Literal["all"] | None = None,
    fmt: CommitmentFormat | str | None = None,
) -> str:
    """The ID of a message; see the module docstring for the selection rules.

    ``fmt`` is the commitment format of unsigned IDs (default :data:`DEFAULT`)."""
    if isinstance(msg, dict):
        msg = Message(msg)
    if fmt is not None and (form := get_format(fmt)) is not DEFAULT:
        return _id_in_format(msg, committers, commitments, form)
    if isinstance(msg, tuple):
        return _calculate(to_tabm(msg, links="discard"))
    if not isinstance(msg, Message):
        raise MessageError(f"cannot compute the ID of a {type(msg).__name__}", field="message")
    if "commitments" in msg._items:
        selected = _selected(msg.commitments, committers, commitments)
        if selected:
            return accumulate(selected)
    cached = msg._memo_id
    if cached is None:
        cached = _fast_unsigned(msg._items) or _calculate(to_tabm(msg, links="discard"))
        object.__setattr__(msg, "_memo_id", cached)
    return cached


def _selected(comms: Message, committers: Committers,
              commitments: Literal["all"] | None) -> list[str]:
    """The commitment IDs an ID accumulates (module docstring), sorted; [] for none."""
    selected: list[str] = []
    if commitments == "all":
        selected = sorted(comms)
    elif committers == "all":
        selected = sorted(cid for cid, c in comms.items() if _committer_of(c) is not None)
    elif committers != "none":
        wanted = set(committers)
        selected = sorted(cid for cid, c in comms.items() if _committer_of(c) in wanted)
    if not selected:
        selected = sorted(cid for cid, c in comms.items() if _is_hmac(c))
    return selected


def _id_in_format(msg: Message | tuple[Value, ...], committers: Committers,
                  commitments: Literal["all"] | None, form: CommitmentFormat) -> str:
    """:func:`message_id` in a format other than the default (not memoised)."""
    if form.lowercase_keys:
        msg = lowercase_keys(msg)
    if isinstance(msg, Message) and "commitments" in msg._items:
        selected = _selected(msg.commitments, committers, commitments)
        if selected:
            return accumulate(selected)
    if not isinstance(msg, (Message, tuple)):
        raise MessageError(f"cannot compute the ID of a {type(msg).__name__}", field="message")
    return unsigned_id(tabm_in_format(msg, form), form)


def tabm_in_format(msg: Message | tuple[Value, ...],
                   fmt: CommitmentFormat | str | None = None) -> TABM:
    """The TABM of ``msg`` as format ``fmt`` encodes it (keys lowercased for the 0.9 edge,
    nested messages linked by their IDs in that format)."""
    form = get_format(fmt)
    if form is DEFAULT:
        return to_tabm(msg, links="discard")
    if form.lowercase_keys:
        msg = lowercase_keys(msg)
    return to_tabm(msg, links="discard", child_id=lambda v: message_id(v, "all", fmt=form))


_ATOMS = {True: b"true", False: b"false", None: b"null"}
_SKIP = frozenset({"commitments", "unsigned_id", "content-digest", "ao-types"})


_KEYS: dict[str, tuple[bytes, bytes] | None] = {}
_TYPED: dict[tuple[str, str], str] = {}


def _key_parts(key: str) -> tuple[bytes, bytes] | None:
    """(``"key": `` line prefix, ``"key"`` params entry) of a key; None for keys the fast
    path leaves to the general one (ID-like keys, derived components). Memoised: the same
    tag names recur in every message."""
    try:
        return _KEYS[key]
    except KeyError:
        pass
    parts: tuple[bytes, bytes] | None
    if len(key) in _ID_KEY_LENGTHS or '"' in key or "\\" in key:
        parts = None
    else:
        quoted = f'"{key}"'.encode()
        # a key named like an HTTP derived component (authority, path ...) is listed in
        # the signature params as that component, "@authority", its line as the key
        parts = (quoted + b": ", f'"@{key}"'.encode() if key in DERIVED_COMPONENTS else quoted)
    if len(_KEYS) > 50_000:
        _KEYS.clear()
    _KEYS[key] = parts
    return parts


def _typed_entry(key: str, kind: str) -> str:
    try:
        return _TYPED[(key, kind)]
    except KeyError:
        if len(_TYPED) > 50_000:
            _TYPED.clear()
        entry = _TYPED[(key, kind)] = f'{escape_key(key)}="{kind}"'
        return entry


# -- the unsigned ID of a flat message, from a plan per message shape -----------------------
#
# Messages of one shape (the same keys in the same order, each value of the same class)
# share everything in their signature base but the values: which lines exist, their sorted
# order, the ao-types line, the params. A plan records that once per shape; an ID is then
# the values dropped into their slots, one HMAC. Values are scalars, or nested messages,
# lists and links, which are committed by reference (``key+link: <their ID>``); any other
# shape (ID-like keys, an explicit ao-body-key) has no plan and takes the general path.

_STR, _BYTES, _INT, _ATOM, _FLOAT, _ATOMV, _LINK = range(7)
_KIND_CODES: dict[type, tuple[int, str | None]] = {
    str: (_STR, None), bytes: (_BYTES, None), int: (_INT, "integer"), bool: (_ATOM, "atom"),
    type(None): (_ATOM, "atom"), float: (_FLOAT, "float"), Atom: (_ATOMV, "atom"),
    Message: (_LINK, None), tuple: (_LINK, None), Link: (_LINK, None),
}
_DIGEST_SLOT = -1
_CONST_SLOT = -2

#: (value index or _DIGEST_SLOT/_CONST_SLOT, line prefix or constant line, kind code)
_Slot = tuple[int, bytes, int]
_PLANS: dict[tuple[tuple[str, ...], tuple[type, ...]], tuple[list[_Slot], int, bytes] | None] = {}


def _make_plan(keys: tuple[str, ...],
               kinds: tuple[type, ...]) -> tuple[list[_Slot], int, bytes] | None:
    """(slots in signature-base order, index of the inline body or -1, params tail)."""
    if "ao-body-key" in keys:
        return None
    # the inline body: `body`, unless it is committed by reference, else `data`
    body_linked = "body" in keys and _KIND_CODES.get(kinds[keys.index("body")]) == (_LINK, None)
    inline = "body" if "body" in keys and not body_linked else "data"
    lines: list[tuple[str, _Slot, bytes]] = []  # (sort key, slot, params name)
    types: list[tuple[str, str]] = []
    body_index = -1
    for index, (key, kind) in enumerate(zip(keys, kinds, strict=True)):
        if key in _SKIP or key[:4] == "priv":
            continue
        known = _KIND_CODES.get(kind)
        if known is None:
            return None
        code, typ = known
        if typ is not None:
            types.append((key, typ))
        if code != _LINK and key == inline:
            body_index = index
            continue
        line_key = f"{key}+link" if code == _LINK else key  # a nested value: its ID
        parts = _key_parts(line_key)
        if parts is None:
            return None
        lines.append((line_key, (index, parts[0], code), parts[1]))
    if types:
        types.sort()
        raw_types = ", ".join([_typed_entry(k, t) for k, t in types]).encode()
        lines.append(("ao-types", (_CONST_SLOT, b'"ao-types": ' + raw_types + b"\n", 0),
                      b'"ao-types"'))
    if body_index >= 0:
        if inline == "data":
            lines.append(("ao-body-key", (_CONST_SLOT, b'"ao-body-key": data\n', 0),
                          b'"ao-body-key"'))
        lines.append(("content-digest", (_DIGEST_SLOT, b'"content-digest": ', 0),
                      b'"content-digest"'))
    lines.sort(key=lambda line: line[0])
    if len(lines) > FLATMAP_MAX:  # HyperBEAM's order: Erlang/OTP 27's map (HAMT) walk
        rank = {name: i for i, name in enumerate(map_keys_order([k for k, _, _ in lines]))}
        lines.sort(key=lambda line: rank[line[0]])
    params = b'"@signature-params": (' + b" ".join([name for _, _, name in lines])
    return [slot for _, slot, _ in lines], body_index, params


def _raw(value: Value, code: int) -> bytes:
    if code == _STR:
        return value.encode()  # type: ignore[union-attr]
    if code == _BYTES:
        return value  # type: ignore[return-value]
    if code == _INT:
        return str(value).encode()
    if code == _ATOM:
        return _ATOMS[value]  # type: ignore[index]
    if code == _FLOAT:
        return format_float(value).encode()  # type: ignore[arg-type]
    if code == _LINK:
        if isinstance(value, Link):
            return value.id.encode()
        return message_id(value, "all").encode()  # type: ignore[arg-type]
    return value.name.encode()  # type: ignore[union-attr]


def _fast_unsigned(items: Mapping[str, Value]) -> str | None:
    """The unsigned ID of a flat message of scalars (None: take the general path)."""
    values = tuple(items.values())
    shape = (tuple(items), tuple([v.__class__ for v in values]))
    try:
        plan = _PLANS[shape]
    except KeyError:
        if len(_PLANS) > 4_096:
            _PLANS.clear()
        plan = _PLANS[shape] = _make_plan(*shape)
    if plan is None:
        return None
    slots, body_index, params = plan
    body = b""
    if body_index >= 0:
        value = values[body_index]
        body = value if value.__class__ is bytes else _raw(value, _KIND_CODES[value.__class__][0])
        if len(body) > MAX_HEADER_LENGTH:
            return None
    pieces: list[bytes] = []
    for index, prefix, code in slots:
        if index >= 0:
            value = values[index]
            raw = value.encode() if code == _STR else _raw(value, code)  # type: ignore[union-attr]
            if len(raw) > MAX_HEADER_LENGTH:
                return None
            pieces.append(prefix + raw + b"\n")
        elif index == _CONST_SLOT:
            pieces.append(prefix)
        else:
            pieces.append(prefix + content_digest(body) + b"\n")
    base = b"".join(pieces) or b"\n"  # params follow a newline
    return DEFAULT.hmac_id(base + params + DEFAULT.hmac_params)


def _calculate(tabm: TABM) -> str:
    return unsigned_id(tabm)


def tabm_id(tabm: TABM) -> str:
    """The unsigned ID of an already-encoded TABM."""
    return _calculate(tabm)


def hashpath(base: Message | str, req: Message | None = None, *, alg: str | None = None,
             fmt: CommitmentFormat | str | None = None) -> str:
    """The hashpath of ``base`` alone, or of resolving ``req`` on ``base``."""
    if isinstance(base, str):
        hp1 = base
    elif fmt is None:
        hp1 = base.hashpath or message_id(base, commitments="all")
    else:
        hp1 = base.hashpath or message_id(base, commitments="all", fmt=fmt)
    if req is None:
        return hp1
    algorithm = alg or (base.text("hashpath-alg") if isinstance(base, Message) else None)
    part = request_part(req) if fmt is None else request_part(req, fmt=fmt)
    return f"{compress(hp1, algorithm or 'sha-256-chain')}/{part}"


def request_part(req: Message, *, fmt: CommitmentFormat | str | None = None) -> str:
    """The last element of a hashpath for request ``req``."""
    rest = [k for k in req if k not in _META_KEYS and not k.startswith("priv")]
    path = req.get("path")
    if not rest and path is not None:
        text = path.decode() if isinstance(path, bytes) else str(path)
        first = [p for p in text.split("/") if p]
        return first[0] if first else text
    if fmt is None:
        return message_id(req, commitments="all")
    return message_id(req, commitments="all", fmt=fmt)


def compress(hp: str, alg: str = "sha-256-chain") -> str:
    """Fold a two-part hashpath into one ID (a one-part hashpath is returned as is)."""
    parts = hp.split("/")
    if len(parts) == 1:
        return hp
    if len(parts) != 2:
        raise MessageError(f"hashpath {hp!r} does not have two parts", field="hashpath")
    first, second = parts
    raw1 = b64u_decode(first, field="hashpath")
    raw2 = b64u_decode(second, field="hashpath") if is_id(second) else second.encode("utf-8")
    if alg == "accumulate-256":
        if len(raw2) != 32:
            raw2 = hashlib.sha256(raw2).digest()
        total = (int.from_bytes(raw1, "big") + int.from_bytes(raw2, "big")) % _MOD
        return b64u_encode(total.to_bytes(32, "big"))
    if alg != "sha-256-chain":
        raise MessageError(f"unknown hashpath algorithm {alg!r}", field="hashpath-alg")
    return b64u_encode(hashlib.sha256(raw1 + raw2).digest())


def hash_chain(previous: str | bytes, message_id_: str) -> str:
    """The scheduler hash chain: b64u(SHA-256(previous raw bytes || ascii(ID)))."""
    prev = previous if isinstance(previous, bytes) else (
        b64u_decode(previous, field="hash-chain") if previous else b""
    )
    return b64u_encode(hashlib.sha256(prev + message_id_.encode("ascii")).digest())
