"""The AO-Core message: an immutable map of normalised keys to typed values.

A message is what everything in AO is: a process definition, a request, a result, an
assignment, a commitment. Its keys keep the case they were given (HyperBEAM stopped
lowercasing keys in 2025-06: ``Target`` and ``target`` are two keys, and the case is part
of what is committed). Lookups try the exact key first, then the key equal to it when
case is ignored (its lowercase form first), so ``msg["action"]`` finds an ``Action``
key. Its values are one of:

=================  ==============================================================
binary             ``str`` (UTF-8 text) or ``bytes``; both encode to the same bytes
integer            ``int``
float              ``float``
atom               ``True``/``False``/``None`` (true/false/null) or :class:`Atom`
list               ``tuple`` (lists given by the caller are frozen into tuples)
nested message     :class:`Message` (dicts given by the caller are wrapped)
link               :class:`Link`, a reference to a message by ID
=================  ==============================================================

Keys starting with ``priv`` are private: they travel with the message inside this node
but are never encoded, committed or hashed. Node-private metadata that HyperBEAM keeps
under ``priv`` (the hashpath of a result) lives in :attr:`Message.priv`.

Messages are values: ``with_`` and ``without`` return new messages, and two messages are
equal when their public keys and values are equal (a ``str`` equals the ``bytes`` of its
UTF-8 encoding).
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar, Union, overload

from .errors import MessageError
from .values import Atom, Link

Value: TypeAlias = Union[str, bytes, int, float, bool, Atom, Link, tuple[Any, ...], "Message", None]

_ID_KEY_SIZES = frozenset({32, 42, 43})
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_MISSING: Any = object()
_T = TypeVar("_T")


def normalize_key(key: object) -> str:
    """The normal form of a key: its text, case kept (bytes decoded, integers written)."""
    if key.__class__ is str:  # the common case first
        return key
    if isinstance(key, bytes):
        try:
            key = key.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MessageError(f"key {key!r} is not UTF-8 text", field=repr(key)) from exc
    elif isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    elif not isinstance(key, str):
        raise MessageError(f"key {key!r} is not text", field=repr(key))
    return key


def fold_key(key: object) -> str:
    """A key with case folded (ID-like keys keep theirs): how device functions and path
    elements are matched, which is case-insensitive."""
    text = normalize_key(key)
    return text if len(text) in _ID_KEY_SIZES else text.lower()


_NO_VARIANTS: dict[str, str] = {}  # the (never written) index of an all-lowercase message
_FROZEN = frozenset({str, bytes, int, bool, float})


def is_private(key: str) -> bool:
    """Keys starting with ``priv`` never leave this node and are never committed."""
    return key.startswith("priv")


def normalize_value(value: object, *, key: str = "value") -> Value:
    """Freeze ``value`` into one of the message value types, or raise MessageError."""
    if value.__class__ in _FROZEN:
        return value  # type: ignore[return-value]
    if value is None or isinstance(value, (str, bytes, bool, int, float, Atom, Link, Message)):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, Mapping):
        return Message(value)
    if isinstance(value, (list, tuple)):
        return tuple(normalize_value(v, key=f"{key}/{i + 1}") for i, v in enumerate(value))
    raise MessageError(
        f"value of key {key!r} has type {type(value).__name__}, which a message cannot hold",
        field=key,
    )


def canonical(value: object) -> object:
    """A comparable form of a value: text as bytes, messages as sorted item tuples."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, Message):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, tuple):
        return tuple(canonical(v) for v in value)
    if isinstance(value, bool) or value is None:
        return (Atom, value)
    return value


class Message(Mapping[str, Value]):
    """An immutable AO-Core message."""

    __slots__ = ("_folded", "_items", "_memo_id", "_priv")

    _items: dict[str, Value]
    _priv: Mapping[str, Any]
    _memo_id: str | None  # the unsigned ID, memoised by ao_kernel.core.ids (immutable)
    _folded: dict[str, str] | None  # lowercased key -> key, built at the first miss

    def __init__(
        self,
        data: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None,
        /,
        *,
        priv: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        items: dict[str, Value] = {}
        source: Iterable[tuple[Any, Any]]
        if data is None:
            source = ()
        elif isinstance(data, Message):
            items = dict(data._items)
            source = ()
            if priv is None:
                priv = data._priv
        elif isinstance(data, Mapping):
            source = data.items()
        else:
            source = data
        for raw_key, raw_value in source:
            key = normalize_key(raw_key)
            if key in items:
                raise MessageError(
                    f"key {raw_key!r} collides with another key that normalises to {key!r}",
                    field=key,
                )
            items[key] = normalize_value(raw_value, key=key)
        for raw_key, raw_value in kwargs.items():
            key = normalize_key(raw_key)
            items[key] = normalize_value(raw_value, key=key)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_priv", MappingProxyType(dict(priv)) if priv else _EMPTY)
        object.__setattr__(self, "_memo_id", None)
        object.__setattr__(self, "_folded", None)

    @classmethod
    def _trusted(cls, items: dict[str, Value], priv: Mapping[str, Any] | None = None) -> Message:
        """Build a message from already-normalised items (codecs and devices use this)."""
        msg = object.__new__(cls)
        object.__setattr__(msg, "_items", items)
        object.__setattr__(msg, "_priv", MappingProxyType(dict(priv)) if priv else _EMPTY)
        object.__setattr__(msg, "_memo_id", None)
        object.__setattr__(msg, "_folded", None)
        return msg

    def _fold(self, key: object) -> str | None:
        """The stored key equal to ``key`` when case is ignored (None: there is none):
        its lowercase form, else its Header-Case form, else the first other variant."""
        if key.__class__ is not str:
            key = normalize_key(key)  # MessageError for a key that is not text
        items = self._items
        lowered = key.lower()
        folded = self._folded
        if folded is None:
            joined = "".join(items)
            if joined == joined.lower():  # no key has a capital: only the lowercase form
                object.__setattr__(self, "_folded", _NO_VARIANTS)
                return lowered if lowered in items else None
            folded = self._index()
        if folded is _NO_VARIANTS:
            return lowered if lowered in items else None
        return folded.get(lowered)

    def _index(self) -> dict[str, str]:
        """Lowercased key -> the key a case-insensitive read finds, for a message with
        capitals in its keys (built once)."""
        folded: dict[str, str] = {}
        for k in self._items:
            lowered = k.lower()
            held = folded.get(lowered)
            # the lowercase key of a case-variant group, else its Header-Case one, else
            # the first
            if held is None or (held != lowered and (
                    k == lowered or (k == lowered.title() and held != lowered.title()))):
                folded[lowered] = k
        object.__setattr__(self, "_folded", folded)
        return folded

    # -- Mapping --------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Value:
        try:
            return self._items[key]
        except KeyError:
            found = self._fold(key)
            if found is None:
                raise
            return self._items[found]

    def __contains__(self, key: object) -> bool:
        items = self._items
        if key in items:
            return True
        try:
            return self._fold(key) is not None
        except MessageError:
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    # The Mapping mixins go through __getitem__ per key; these read the dict directly.
    @overload
    def get(self, key: str, /) -> Value | None: ...
    @overload
    def get(self, key: str, default: _T, /) -> Value | _T: ...

    def get(self, key: str, default: Any = None, /) -> Any:
        items = self._items
        value = items.get(key, _MISSING)
        if value is not _MISSING:
            return value
        found = self._fold(key)
        return default if found is None else self._items[found]

    def items(self) -> ItemsView[str, Value]:
        return self._items.items()

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[Value]:
        return self._items.values()

    def __len__(self) -> int:
        return len(self._items)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("messages are immutable; use with_() or without()")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return canonical(self) == canonical(other)
        if isinstance(other, Mapping):
            try:
                return canonical(self) == canonical(Message(other))
            except MessageError:
                return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(canonical(self))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self._items.items())
        return f"Message({{{inner}}})"

    # -- private metadata -----------------------------------------------------------------

    @property
    def priv(self) -> Mapping[str, Any]:
        """Node-private metadata (never encoded, committed or hashed)."""
        return self._priv

    @property
    def hashpath(self) -> str | None:
        """The hashpath of the resolution that produced this message, if any."""
        hp = self._priv.get("hashpath")
        return hp if isinstance(hp, str) else None

    def with_priv(self, **updates: Any) -> Message:
        """The same message with private metadata updated (``None`` removes a key)."""
        priv = dict(self._priv)
        for k, v in updates.items():
            if v is None:
                priv.pop(k, None)
            else:
                priv[k] = v
        msg = Message._trusted(self._items, priv)
        object.__setattr__(msg, "_memo_id", self._memo_id)
        return msg

    # -- functional updates ---------------------------------------------------------------

    def with_(self, updates: Mapping[Any, Any] | None = None, /, **kwargs: Any) -> Message:
        """A new message with ``updates`` set (values frozen; keys exact: setting
        ``target`` next to a ``Target`` key adds a key, as HyperBEAM does)."""
        items = dict(self._items)
        for raw_key, raw_value in (*(updates or {}).items(), *kwargs.items()):
            key = normalize_key(raw_key)
            items[key] = normalize_value(raw_value, key=key)
        return Message._trusted(items, self._priv)

    def without(self, *keys: str) -> Message:
        """A new message without ``keys`` (absent keys are ignored; a key not present
        exactly drops the key equal to it when case is ignored)."""
        drop = set()
        for k in keys:
            if k in self._items:
                drop.add(k)
            elif (found := self._fold(k)) is not None:
                drop.add(found)
        return Message._trusted(
            {k: v for k, v in self._items.items() if k not in drop}, self._priv
        )

    def public(self) -> Message:
        """This message without private (``priv*``) keys."""
        for k in self._items:
            if k.startswith("priv"):
                break
        else:
            return self
        return Message._trusted(
            {k: v for k, v in self._items.items() if not is_private(k)}, self._priv
        )

    def to_python(self) -> dict[str, Any]:
        """A plain dict (nested messages as dicts, lists as lists) for display and JSON."""
        return {k: _to_python(v) for k, v in self._items.items()}

    # -- conveniences (protocol logic lives in ao_kernel.core.ids / .commitments) ----------

    @property
    def commitments(self) -> Message:
        """The ``commitments`` of this message (empty when unsigned)."""
        c = self._items.get("commitments")
        return c if isinstance(c, Message) else _NO_COMMITMENTS

    def text(self, key: str, default: str | None = None) -> str | None:
        """The value at ``key`` as text, or ``default``."""
        v = self._items.get(key, _MISSING)
        if v is _MISSING:
            try:
                found = self._fold(key)
            except MessageError:
                return default
            if found is None:
                return default
            v = self._items[found]
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        if isinstance(v, str):
            return v
        return str(v)


def _to_python(value: Value) -> Any:
    if isinstance(value, Message):
        return value.to_python()
    if isinstance(value, tuple):
        return [_to_python(v) for v in value]
    return value


def lowercase_keys(value: Any) -> Any:
    """``value`` with every key lowercased (ID-like keys excepted), nested ones too.

    For messages that travel as HTTP headers, whose names HTTP lowercases: a signature
    over ``Scheduler`` cannot be checked against the ``scheduler`` header that arrives.
    (Also the key form of the 0.9-edge format.) On a name clash the first key wins."""
    if isinstance(value, Message):
        items: dict[str, Value] = {}
        for k, v in value._items.items():
            key = k if len(k) in _ID_KEY_SIZES else k.lower()
            if key not in items:
                items[key] = lowercase_keys(v)
        return Message._trusted(items, value._priv)
    if isinstance(value, tuple):
        return tuple(lowercase_keys(v) for v in value)
    return value


def as_message(value: object, *, field: str = "message") -> Message:
    """Coerce a mapping into a Message (MessageError naming ``field`` otherwise)."""
    if isinstance(value, Message):
        return value
    if isinstance(value, Mapping):
        return Message(value)
    raise MessageError(f"{field} must be a message, got {type(value).__name__}", field=field)


_NO_COMMITMENTS = Message()  # immutable, so one empty value serves every unsigned message
