"""AO-Core resolution: ``resolve(base, req)`` runs the base's device on the request's key.

This is HyperBEAM's ``hb_ao`` in miniature. Resolving one step::

    base ──device(base)──► handler for key(req) ──► result (+ hashpath)
                              │
          key lookup order:   ├─ info.handler(key, base, req, opts)   (if key exported)
                              ├─ the device's handler named after the key
                              ├─ info.default(key, base, req, opts)
                              └─ message@1.0 (plain key lookup), else KeyNotFoundError

* the device is ``base["device"]`` (case-insensitive name@version), default
  ``message@1.0``; an unknown name raises :class:`DeviceNotFoundError`;
* ``info`` may restrict keys with ``exports`` (only those) and ``excludes`` (never
  those, they fall through to ``message@1.0``); ``info`` itself is always exported;
* a handler returns a value (status ``ok``) or a :class:`Result` with status ``ok``,
  ``error``, ``skip`` or ``pass``; raising :class:`AOError` is status ``error``;
* every ``ok`` message result gets ``priv.hashpath = hashpath(base, req)``;
* with cache control ``store``/``always`` the result is cached by hashpath, and with
  ``cache``/``always``/``only-if-cached`` a cached result is returned without running
  the device (``only-if-cached`` misses are errors);
* a request whose ``path`` has several parts (``a/b/c``) resolves them in turn
  (``resolve_many``), each step carrying the request's other keys; a non-``ok`` step
  stops the chain.

Devices are looked up in a :class:`DeviceRegistry` carried by :class:`Opts`; the node
builds one with every device it offers. The resolver itself does no I/O: loading a
message by ID goes through ``opts.loader``.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

from .b64 import is_id
from .errors import (
    AOError,
    DeviceNotFoundError,
    KeyNotFoundError,
    NotFoundError,
    RecursionLimitError,
    ResolveError,
)
from .ids import hashpath as compute_hashpath
from .message import Message, Value, as_message, fold_key
from .path import As, Resolve

Status = Literal["ok", "error", "skip", "pass"]
HashpathMode = Literal["update", "reset", "ignore"]


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of a resolution step: a status and a value."""

    status: Status
    value: Any

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def ok(value: Any) -> Result:
    return Result("ok", value)


def skip(value: Any) -> Result:
    return Result("skip", value)


def pass_(value: Any) -> Result:
    return Result("pass", value)


def error(value: Any) -> Result:
    return Result("error", value)


class Device:
    """Base class of devices: public handlers are the keys listed in :attr:`exports`.

    A key ``foo-bar`` is handled by the method ``foo_bar(base, req, opts)``. Override
    :meth:`device_info` to compute ``exports``/``excludes``/``handler``/``default`` per base.
    """

    name: ClassVar[str] = ""
    exports: ClassVar[tuple[str, ...]] = ()

    def device_info(self, base: Message, req: Message, opts: Opts) -> Mapping[str, Any]:
        """HyperBEAM's ``info/3``: ``exports``, ``excludes``, ``handler``, ``default``."""
        return {}

    def handler_for(self, key: str) -> Callable[[Message, Message, Opts], Any] | None:
        if key not in self.exports:
            return None
        attr = key.replace("-", "_").replace("@", "_")
        if keyword.iskeyword(attr):
            attr += "_"
        fn = getattr(self, attr, None)
        return fn if callable(fn) else None


class DeviceRegistry:
    """Devices by lowercase name."""

    def __init__(self, devices: Iterable[Device] = ()) -> None:
        self._devices: dict[str, Device] = {}
        for d in devices:
            self.add(d)

    def add(self, device: Device, name: str | None = None) -> None:
        self._devices[(name or device.name).lower()] = device

    def get(self, name: str) -> Device:
        try:
            return self._devices[name.lower()]
        except KeyError:
            raise DeviceNotFoundError(
                f"unknown device {name!r}; this node offers: {', '.join(sorted(self._devices))}",
                field="device",
            ) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._devices

    def names(self) -> list[str]:
        return sorted(self._devices)


@dataclass
class Opts:
    """Options of one resolution (HyperBEAM's ``Opts``). Never change results."""

    registry: DeviceRegistry
    loader: Callable[[str], Message] | None = None
    hashpath: HashpathMode = "update"
    cache: MutableMapping[str, Any] | None = None
    cache_control: tuple[str, ...] = ("no-cache", "no-store")
    force_message: bool = False
    max_depth: int = 200
    depth: int = 0
    on_step: Callable[[Message, Message, Result], None] | None = None
    node: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def internal(self) -> Opts:
        """Options for a device's internal resolutions: no hashpaths, no cache."""
        return replace(self, hashpath="ignore", cache_control=("no-cache", "no-store"),
                       force_message=False)


# -- the step ------------------------------------------------------------------------------


def device_of(base: Message) -> str:
    dev = base.get("device", "message@1.0")
    if isinstance(dev, bytes):
        return dev.decode("utf-8", "replace")
    if not isinstance(dev, str):
        raise DeviceNotFoundError(f"device key holds a {type(dev).__name__}", field="device")
    return dev


def first_key(req: Message) -> str:
    """The key a request asks for: the first element of its path."""
    path = req.get("path")
    if path is None:
        raise KeyNotFoundError("request has no path", field="path")
    text = path.decode() if isinstance(path, bytes) else str(path)
    parts = [p for p in text.split("/") if p]
    if not parts:
        raise KeyNotFoundError(f"request path {text!r} names no key", field="path")
    return parts[0] if is_id(parts[0]) else fold_key(parts[0])


def path_parts(req: Message) -> list[str]:
    path = req.get("path")
    if path is None:
        return []
    text = path.decode() if isinstance(path, bytes) else str(path)
    return [p for p in text.split("/") if p]


def find_handler(
    base: Message, key: str, req: Message, opts: Opts
) -> Callable[[Message, Message, Opts], Any]:
    """The function that resolves ``key`` on ``base`` (lookup order in module doc)."""
    name = device_of(base)
    device = opts.registry.get(name)
    info = device.device_info(base, req, opts)
    excludes = {fold_key(k) for k in info.get("excludes", ())}
    exports = info.get("exports")
    exported = key == "info" or (
        key not in excludes and (exports is None or key in {fold_key(k) for k in exports})
    )
    if exported:
        handler = info.get("handler")
        if handler is not None:
            return lambda b, r, o: handler(key, b, r, o)
        fn = device.handler_for(key)
        if fn is not None:
            return fn
        if key == "info":
            return lambda b, r, o: Message(
                {k: v for k, v in info.items() if isinstance(v, (str, int, tuple))})
        default = info.get("default")
        if default is not None:
            return lambda b, r, o: default(key, b, r, o)
    if name.lower() == "message@1.0":
        raise KeyNotFoundError(f"key {key!r} not found", field=key)
    message_device = opts.registry.get("message@1.0")
    named = message_device.handler_for(key)
    if named is not None:
        return named
    return lambda b, r, o: message_device.get_key(key, b, r, o)  # type: ignore[attr-defined]


def _cache_tokens(opts: Opts, *msgs: Message) -> set[str]:
    tokens = set(opts.cache_control)
    for m in msgs:
        cc = m.get("cache-control")
        if isinstance(cc, (str, bytes)):
            text = cc.decode() if isinstance(cc, bytes) else cc
            tokens.update(t.strip() for t in text.split(",") if t.strip())
        elif isinstance(cc, tuple):
            tokens.update(str(t) for t in cc)
    return tokens


def resolve_step(base: Message, req: Message, opts: Opts) -> Result:
    """Resolve one request (single-element path) on ``base``."""
    if opts.depth > opts.max_depth:
        raise RecursionLimitError(
            f"resolution deeper than {opts.max_depth} steps; does a device call itself?",
            field=first_key(req),
        )
    key = first_key(req)
    hp: str | None = None
    tokens = _cache_tokens(opts, base, req) if opts.cache is not None else set()
    lookup = bool(tokens & {"cache", "always", "only-if-cached"}) and "no-cache" not in tokens
    store = bool(tokens & {"store", "always"}) and opts.hashpath != "ignore"
    if opts.cache is not None and (lookup or store or "only-if-cached" in tokens):
        hp = compute_hashpath(base, req)
        if lookup or "only-if-cached" in tokens:
            cached = opts.cache.get(hp)
            if cached is not None:
                return ok(cached)
            if "only-if-cached" in tokens:
                return error(Message({"status": 504, "cache-status": "miss",
                                      "body": f"{hp} is not cached"}))
    handler = find_handler(base, key, req, opts)
    opts.depth += 1
    try:
        raw = handler(base, req, opts)
    except AOError as exc:
        raw = Result("error", exc)
    finally:
        opts.depth -= 1
    result = raw if isinstance(raw, Result) else ok(raw)
    if result.ok and opts.force_message and not isinstance(result.value, Message):
        result = ok(Message({"ao-result": "body", "body": _as_body(result.value)}))
    if result.ok and isinstance(result.value, Message):
        if opts.hashpath == "update":
            hp = hp or compute_hashpath(base, req)
            result = ok(result.value.with_priv(hashpath=hp))
        elif opts.hashpath == "reset":
            result = ok(result.value.with_priv(hashpath=None))
    if result.ok and store and opts.cache is not None:
        opts.cache[hp or compute_hashpath(base, req)] = result.value
    if opts.on_step is not None:
        opts.on_step(base, req, result)
    return result


def _as_body(value: Any) -> Value:
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return str(value)


# -- many steps ----------------------------------------------------------------------------


def split_request(req: Message) -> list[Message]:
    """One request per path element, each carrying the request's other keys."""
    parts = path_parts(req)
    if len(parts) <= 1:
        return [req]
    return [req.with_(path=p) for p in parts]


def resolve(base: Message | Mapping[str, Any], req: Message | Mapping[str, Any] | str,
            opts: Opts) -> Result:
    """Resolve ``req`` (a message or a path string) on ``base``; multi-part paths chain."""
    b = as_message(base, field="base")
    r = Message({"path": req}) if isinstance(req, str) else as_message(req, field="request")
    parts = split_request(r)
    if len(parts) == 1:
        return resolve_step(b, parts[0], opts)
    return resolve_many([b, *parts], opts)


def resolve_many(steps: Sequence[Any], opts: Opts) -> Result:
    """Resolve a message list: the first element is the base, each next a request.

    Elements may be messages, IDs (loaded through ``opts.loader``), ``As`` (execute
    with a device override) or ``Resolve`` (a sub-resolution whose result is used).
    """
    if not steps:
        raise ResolveError("nothing to resolve", field="path")
    first = steps[0]
    if len(steps) == 1:
        if isinstance(first, str) and is_id(first):
            return ok(_load(first, opts))
        if isinstance(first, Resolve):
            return resolve_many(first.steps, opts)
        if isinstance(first, As):
            return _as_base(first, opts)
        return ok(as_message(first))
    current = _base(first, opts)
    if not current.ok:
        return current
    value: Any = current.value
    for step in steps[1:]:
        if not isinstance(value, Message):
            if isinstance(value, str) and is_id(value):
                value = _load(value, opts)
            else:
                return error(ResolveError(
                    f"cannot resolve further: the previous step returned {value!r}",
                    field="path",
                ))
        res = _request(value, step, opts)
        if not res.ok:
            return res
        value = res.value
    return ok(value)


def _base(first: Any, opts: Opts) -> Result:
    if isinstance(first, Resolve):
        return resolve_many(first.steps, opts)
    if isinstance(first, As):
        return _as_base(first, opts)
    if isinstance(first, str):
        if is_id(first):
            return ok(_load(first, opts))
        raise ResolveError(f"base {first!r} is not an ID", field="base")
    return ok(as_message(first, field="base"))


def _as_base(step: Any, opts: Opts) -> Result:
    sub = step.message if isinstance(step.message, Mapping) else {"path": step.message}
    sub = Message(sub)
    path = sub.get("path")
    if isinstance(path, str) and is_id(path):
        loaded = _load(path, opts)
        return ok(loaded.with_(sub.without("path")).with_(device=step.device))
    base = Message({"device": step.device})
    if path is None:
        return ok(base.with_(sub) if sub else base)
    return resolve(base, sub, opts)


def _request(base: Message, step: Any, opts: Opts) -> Result:
    if isinstance(step, Resolve):
        sub = resolve_many(step.steps, opts)
        if not sub.ok:
            return sub
        req = sub.value if isinstance(sub.value, Message) else Message({"path": sub.value})
        return resolve_step(base, req, opts)
    if isinstance(step, As):
        inner = step.message if isinstance(step.message, Mapping) else {"path": step.message}
        return resolve(base.with_(device=step.device), Message(inner), opts)
    if isinstance(step, str):
        step = Message({"path": step})
    req = as_message(step, field="request")
    parts = split_request(req)
    result: Result = ok(base)
    for part in parts:
        if not isinstance(result.value, Message):
            return error(ResolveError(
                f"cannot resolve {first_key(part)!r} below a non-message value", field="path"))
        result = resolve_step(result.value, part, opts)
        if not result.ok:
            return result
    return result


def _load(id_: str, opts: Opts) -> Message:
    if opts.loader is None:
        raise NotFoundError(f"message {id_} is not available (no store)", field=id_)
    return opts.loader(id_)


def get(base: Message, key: str, opts: Opts, default: Any = None) -> Any:
    """``resolve(base, key)`` returning the value, or ``default`` when not ok."""
    try:
        res = resolve(base, Message({"path": key}), opts.internal())
    except AOError:
        return default
    return res.value if res.ok else default
