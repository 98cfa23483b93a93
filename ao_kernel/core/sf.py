"""RFC 8941 Structured Field Values for HTTP, parsed and serialized strictly.

Theory of operation
-------------------
A structured field is one of three top-level shapes, each built from *items*:

* an **Item**: a bare item plus parameters (``5;a=1``);
* a **List**: comma-separated members (``a, (b c);x, "d"``);
* a **Dictionary**: comma-separated ``key=member`` pairs (``a=1, b, c=(1 2)``),
  where a bare ``key`` means the boolean ``true``.

A member of a list or dictionary is an :class:`Item` or an :class:`InnerList` (a
parenthesised, space-separated run of items with its own parameters).

Bare items map onto Python values so that ``parse(serialize(x)) == x`` holds with the
*type* preserved, not just the value::

    Integer       int          at most 15 digits
    Decimal       Decimal      at most 12 integer and 3 fractional digits
    String        str          printable ASCII; only \\" and \\\\ are escapes
    Token         Token        a distinct type, never confused with str
    Byte Sequence bytes        :standard-base64:
    Boolean       bool         ?1 / ?0

Serializers also take a ``float`` where a Decimal is expected (rounded half-even to three
fractional digits, as the RFC says) and a bare value where a member is expected.

The parsers follow RFC 8941 section 4.2 step by step: leading and trailing spaces of the
whole field are discarded, anything left over after the value is an error, and every
failure raises :class:`~ao_kernel.core.errors.StructuredFieldError` whose message and
``field`` name the offset of the offending character.

HyperBEAM quirks
----------------
* ``lenient_keys=True`` (dictionaries only) accepts what HyperBEAM's parser accepts for
  dictionary keys, needed for ``ao-ids`` (keys are case-preserved IDs, which may start
  with a digit, ``-`` or ``_``) and ``ao-types`` (percent-escaped keys): any run of
  ``A-Z a-z 0-9 _ - . * %`` plus ``/ ? &`` (which :func:`escape_key` leaves literal).
  Parameter keys stay strict.
* :func:`escape_key` / :func:`unescape_key` implement ``hb_escape``: UTF-8 bytes of the
  key, ``a-z 0-9 . - _ / ? &`` kept, every other byte (uppercase letters included) written
  as ``%xx`` with lowercase hex.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TypeAlias

from .errors import StructuredFieldError

__all__ = [
    "BareItem",
    "InnerList",
    "Item",
    "Member",
    "Token",
    "escape_key",
    "parse_dictionary",
    "parse_item",
    "parse_list",
    "serialize_dictionary",
    "serialize_item",
    "serialize_list",
    "unescape_key",
]


@dataclass(frozen=True, slots=True)
class Token:
    """An SF Token (``foo``, ``*bar``, ``text/html``): distinct from a String."""

    value: str

    def __str__(self) -> str:
        return self.value


BareItem: TypeAlias = int | Decimal | str | Token | bytes | bool
"""A bare item value as parsed. ``bool`` is checked before ``int``."""

_BareIn: TypeAlias = BareItem | float


@dataclass(frozen=True)
class Item:
    """A bare item with its parameters (insertion-ordered)."""

    value: BareItem
    params: dict[str, BareItem] = field(default_factory=dict)


@dataclass(frozen=True)
class InnerList:
    """``(item item ...)`` with its own parameters."""

    items: list[Item]
    params: dict[str, BareItem] = field(default_factory=dict)


Member: TypeAlias = Item | InnerList
_MemberIn: TypeAlias = Item | InnerList | _BareIn

# -- character classes (RFC 8941 / RFC 9110 tchar) ------------------------------------------

_DIGITS = frozenset("0123456789")
_LCALPHA = frozenset("abcdefghijklmnopqrstuvwxyz")
_ALPHA = _LCALPHA | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TCHAR = _ALPHA | _DIGITS | frozenset("!#$%&'*+-.^_`|~")
_TOKEN_REST = _TCHAR | frozenset(":/")
_KEY_FIRST = _LCALPHA | frozenset("*")
_KEY_REST = _LCALPHA | _DIGITS | frozenset("_-.*")
_LENIENT_KEY = _ALPHA | _DIGITS | frozenset("_-.*%/?&")
_B64 = _ALPHA | _DIGITS | frozenset("+/=")

_MAX_INT = 999_999_999_999_999
_KEY_RE = re.compile(r"[a-z*][a-z0-9_\-.*]*\Z")
_LENIENT_KEY_RE = re.compile(r"[A-Za-z0-9_\-.*%/?&]+\Z")
_TOKEN_RE = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*\Z")


def _fail(message: str, pos: int) -> StructuredFieldError:
    return StructuredFieldError(f"{message} at offset {pos}", field=f"offset {pos}")


# -- parsing ----------------------------------------------------------------------------------


class _Parser:
    """A cursor over the field text; each method is one algorithm of RFC 8941 4.2."""

    def __init__(self, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("latin-1")
        for i, ch in enumerate(text):
            if ord(ch) > 0x7F:
                raise _fail(f"non-ASCII character {ch!r}", i)
        self.s = text
        self.i = 0
        self.n = len(text)

    # helpers
    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def skip_sp(self) -> None:
        while self.i < self.n and self.s[self.i] == " ":
            self.i += 1

    def skip_ows(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def done(self) -> None:
        self.skip_sp()
        if self.i < self.n:
            raise _fail(f"unexpected trailing character {self.s[self.i]!r}", self.i)

    # 4.2.1-4.2.2
    def list(self) -> list[Member]:
        members: list[Member] = []
        while self.i < self.n:
            members.append(self.item_or_inner_list())
            self.skip_ows()
            if self.i >= self.n:
                return members
            if self.s[self.i] != ",":
                raise _fail(f"expected ',' between list members, got {self.s[self.i]!r}", self.i)
            self.i += 1
            self.skip_ows()
            if self.i >= self.n:
                raise _fail("trailing ',' in list", self.i)
        return members

    def dictionary(self, lenient: bool) -> dict[str, Member]:
        out: dict[str, Member] = {}
        while self.i < self.n:
            key = self.key(lenient=lenient)
            if self.peek() == "=":
                self.i += 1
                out[key] = self.item_or_inner_list()
            else:
                out[key] = Item(True, self.parameters())
            self.skip_ows()
            if self.i >= self.n:
                return out
            if self.s[self.i] != ",":
                raise _fail(
                    f"expected ',' between dictionary members, got {self.s[self.i]!r}", self.i
                )
            self.i += 1
            self.skip_ows()
            if self.i >= self.n:
                raise _fail("trailing ',' in dictionary", self.i)
        return out

    def item_or_inner_list(self) -> Member:
        if self.peek() == "(":
            return self.inner_list()
        return self.item()

    def inner_list(self) -> InnerList:
        self.i += 1  # "("
        items: list[Item] = []
        while self.i < self.n:
            self.skip_sp()
            if self.peek() == ")":
                self.i += 1
                return InnerList(items, self.parameters())
            items.append(self.item())
            ch = self.peek()
            if ch not in (" ", ")"):
                raise _fail(
                    f"expected ' ' or ')' in inner list, got {ch!r}"
                    if ch
                    else "unterminated inner list",
                    self.i,
                )
        raise _fail("unterminated inner list", self.i)

    # 4.2.3
    def item(self) -> Item:
        value = self.bare_item()
        return Item(value, self.parameters())

    def parameters(self) -> dict[str, BareItem]:
        params: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            key = self.key(lenient=False)
            value: BareItem = True
            if self.peek() == "=":
                self.i += 1
                value = self.bare_item()
            params[key] = value
        return params

    def key(self, *, lenient: bool) -> str:
        start = self.i
        first = self.peek()
        allowed_first = _LENIENT_KEY if lenient else _KEY_FIRST
        if not first or first not in allowed_first:
            raise _fail(f"expected a key, got {first!r}" if first else "expected a key", start)
        rest = _LENIENT_KEY if lenient else _KEY_REST
        self.i += 1
        while self.i < self.n and self.s[self.i] in rest:
            self.i += 1
        return self.s[start : self.i]

    def bare_item(self) -> BareItem:
        ch = self.peek()
        if ch and (ch == "-" or ch in _DIGITS):
            return self.number()
        if ch == '"':
            return self.string()
        if ch == ":":
            return self.byte_sequence()
        if ch == "?":
            return self.boolean()
        if ch and (ch in _ALPHA or ch == "*"):
            return self.token()
        raise _fail(f"expected an item, got {ch!r}" if ch else "expected an item", self.i)

    # 4.2.4
    def number(self) -> int | Decimal:
        start = self.i
        sign = 1
        if self.peek() == "-":
            sign = -1
            self.i += 1
        if not self.peek() or self.peek() not in _DIGITS:
            raise _fail("expected a digit", self.i)
        digits_start = self.i
        is_decimal = False
        while self.i < self.n:
            ch = self.s[self.i]
            length = self.i - digits_start
            if ch in _DIGITS:
                self.i += 1
            elif ch == "." and not is_decimal:
                if length > 12:
                    raise _fail("decimal has more than 12 integer digits", start)
                is_decimal = True
                self.i += 1
            else:
                break
            length = self.i - digits_start
            if not is_decimal and length > 15:
                raise _fail("integer has more than 15 digits", start)
            if is_decimal and length > 16:
                raise _fail("decimal is too long", start)
        text = self.s[digits_start : self.i]
        if not is_decimal:
            return sign * int(text)
        if text.endswith("."):
            raise _fail("decimal ends with '.'", self.i - 1)
        if len(text) - text.index(".") - 1 > 3:
            raise _fail("decimal has more than 3 fractional digits", start)
        return Decimal(text) if sign > 0 else -Decimal(text)

    # 4.2.5
    def string(self) -> str:
        self.i += 1  # '"'
        out: list[str] = []
        while self.i < self.n:
            ch = self.s[self.i]
            self.i += 1
            if ch == "\\":
                if self.i >= self.n:
                    raise _fail("string ends inside an escape", self.i)
                nxt = self.s[self.i]
                if nxt not in ('"', "\\"):
                    raise _fail(f"invalid escape '\\{nxt}' in string", self.i - 1)
                out.append(nxt)
                self.i += 1
            elif ch == '"':
                return "".join(out)
            elif ord(ch) < 0x20 or ord(ch) > 0x7E:
                raise _fail(f"invalid character {ch!r} in string", self.i - 1)
            else:
                out.append(ch)
        raise _fail("unterminated string", self.i)

    # 4.2.6
    def token(self) -> Token:
        start = self.i
        self.i += 1
        while self.i < self.n and self.s[self.i] in _TOKEN_REST:
            self.i += 1
        return Token(self.s[start : self.i])

    # 4.2.7
    def byte_sequence(self) -> bytes:
        start = self.i
        end = self.s.find(":", start + 1)
        if end < 0:
            raise _fail("unterminated byte sequence", start)
        body = self.s[start + 1 : end]
        for k, ch in enumerate(body):
            if ch not in _B64:
                raise _fail(f"invalid base64 character {ch!r}", start + 1 + k)
        stripped = body.rstrip("=")
        if "=" in stripped or len(stripped) % 4 == 1 or len(body) - len(stripped) > 2:
            raise _fail("malformed base64 in byte sequence", start + 1)
        self.i = end + 1
        try:
            return base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:  # pragma: no cover - guarded above
            raise _fail("malformed base64 in byte sequence", start + 1) from exc

    # 4.2.8
    def boolean(self) -> bool:
        self.i += 1  # "?"
        ch = self.peek()
        if ch == "1":
            self.i += 1
            return True
        if ch == "0":
            self.i += 1
            return False
        raise _fail(f"expected '1' or '0' after '?', got {ch!r}", self.i)


def parse_item(text: str | bytes) -> Item:
    """Parse an Item field (``5;a=1``)."""
    p = _Parser(text)
    p.skip_sp()
    item = p.item()
    p.done()
    return item


def parse_list(text: str | bytes) -> list[Member]:
    """Parse a List field; an empty field is an empty list."""
    p = _Parser(text)
    p.skip_sp()
    members = p.list()
    p.done()
    return members


def parse_dictionary(text: str | bytes, *, lenient_keys: bool = False) -> dict[str, Member]:
    """Parse a Dictionary field; ``lenient_keys`` accepts HyperBEAM's key alphabet."""
    p = _Parser(text)
    p.skip_sp()
    out = p.dictionary(lenient_keys)
    p.done()
    return out


# -- serialization ------------------------------------------------------------------------------


def _err(message: str, where: str) -> StructuredFieldError:
    return StructuredFieldError(f"cannot serialize {where}: {message}", field=where)


def _ser_key(key: str, *, lenient: bool, where: str) -> str:
    pattern = _LENIENT_KEY_RE if lenient else _KEY_RE
    if not isinstance(key, str) or not pattern.match(key):
        raise _err(f"invalid key {key!r}", where)
    return key


def _ser_decimal(value: Decimal | float, where: str) -> str:
    try:
        dec = value if isinstance(value, Decimal) else Decimal(repr(value))
        if not dec.is_finite():
            raise _err(f"decimal {value!r} is not finite", where)
        rounded = dec.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)
    except InvalidOperation as exc:
        raise _err(f"decimal {value!r} is out of range", where) from exc
    sign = "-" if rounded.is_signed() and rounded != 0 else ""
    int_part, _, frac = f"{abs(rounded):f}".partition(".")
    if len(int_part) > 12:
        raise _err(f"decimal {value!r} has more than 12 integer digits", where)
    frac = frac.rstrip("0") or "0"
    return f"{sign}{int_part}.{frac}"


def _ser_bare(value: _BareIn, where: str) -> str:
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        if abs(value) > _MAX_INT:
            raise _err(f"integer {value} has more than 15 digits", where)
        return str(value)
    if isinstance(value, Decimal | float):
        return _ser_decimal(value, where)
    if isinstance(value, str):
        for ch in value:
            if not 0x20 <= ord(ch) <= 0x7E:
                raise _err(f"string holds a non-printable-ASCII character {ch!r}", where)
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, Token):
        if not _TOKEN_RE.match(value.value):
            raise _err(f"invalid token {value.value!r}", where)
        return value.value
    if isinstance(value, bytes | bytearray | memoryview):
        return ":" + base64.b64encode(bytes(value)).decode("ascii") + ":"
    raise _err(f"unsupported value {value!r}", where)


def _ser_params(params: Mapping[str, _BareIn], where: str) -> str:
    out = []
    for key, value in params.items():
        _ser_key(key, lenient=False, where=f"{where} parameter")
        if value is True:
            out.append(f";{key}")
        else:
            out.append(f";{key}={_ser_bare(value, f'{where} parameter {key!r}')}")
    return "".join(out)


def _as_member(value: _MemberIn) -> Member:
    if isinstance(value, Item | InnerList):
        return value
    return _item(value)


def _ser_item(item: Item, where: str) -> str:
    return _ser_bare(item.value, where) + _ser_params(item.params, where)


def _ser_member(member: _MemberIn, where: str) -> str:
    m = _as_member(member)
    if isinstance(m, InnerList):
        inner = " ".join(_ser_item(_item(x), where) for x in m.items)
        return f"({inner})" + _ser_params(m.params, where)
    return _ser_item(m, where)


def _item(value: Item | _BareIn) -> Item:
    if isinstance(value, Item):
        return value
    if isinstance(value, InnerList):
        raise _err("an inner list cannot nest another inner list", "inner list")
    if isinstance(value, float):
        try:
            return Item(Decimal(repr(value)))
        except InvalidOperation as exc:  # pragma: no cover - repr of a float always parses
            raise _err(f"float {value!r}", "item") from exc
    return Item(value)


def serialize_item(item: Item | _BareIn) -> str:
    """Serialize an Item field (a bare value is an Item without parameters)."""
    return _ser_item(_item(item), "item")


def serialize_list(members: Iterable[_MemberIn]) -> str:
    """Serialize a List field (``""`` for an empty list)."""
    return ", ".join(_ser_member(m, f"list member {i}") for i, m in enumerate(members))


def serialize_dictionary(members: Mapping[str, _MemberIn], *, lenient_keys: bool = False) -> str:
    """Serialize a Dictionary field; ``key`` alone stands for ``true`` (``key;params``)."""
    out = []
    for key, value in members.items():
        where = f"dictionary key {key!r}"
        _ser_key(key, lenient=lenient_keys, where=where)
        m = _as_member(value)
        if isinstance(m, Item) and m.value is True:
            out.append(key + _ser_params(m.params, where))
        else:
            out.append(f"{key}={_ser_member(m, where)}")
    return ", ".join(out)


# -- hb_escape ----------------------------------------------------------------------------------

_ESCAPE_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789.-_/?&")
_HEX = frozenset("0123456789abcdefABCDEF")


def escape_key(key: str) -> str:
    """Percent-escape ``key`` like HyperBEAM's ``hb_escape:encode`` (for ``ao-types`` keys)."""
    return "".join(chr(b) if b in _ESCAPE_KEEP else f"%{b:02x}" for b in key.encode("utf-8"))


def unescape_key(text: str) -> str:
    """Inverse of :func:`escape_key`; ``%`` must be followed by two hex digits (any case)."""
    raw = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) != 2 or not set(pair) <= _HEX:
                raise StructuredFieldError(
                    f"malformed percent escape {text[i : i + 3]!r} in key {text!r} at offset {i}",
                    field=f"offset {i}",
                )
            raw.append(int(pair, 16))
            i += 3
        else:
            raw.extend(ch.encode("utf-8"))
            i += 1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StructuredFieldError(
            f"escaped key {text!r} is not UTF-8 (byte offset {exc.start})",
            field=f"offset {exc.start}",
        ) from exc
