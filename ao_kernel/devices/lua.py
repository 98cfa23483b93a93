"""lua@5.3a: run Lua functions as device keys (HyperBEAM's ``dev_lua`` convention).

A message ``{device: lua@5.3a, module: <Lua>}`` resolves any key that is not one of its
own keys by calling the Lua global function of that name::

    function greet(base, req) return { greeting = "hello " .. (req.name or "you") } end
    resolve({device: lua@5.3a, module: SRC}, {path: greet, name: "ao"})
        -> {greeting: "hello ao"}

* ``module`` is Lua source text, a message with the source in ``body`` (or ``data``)
  and optionally a ``name``, an ID of such a message (loaded from the store), or a list
  of those, executed in order;
* the function receives the base (private keys removed) and the request as Lua tables
  and returns a table (a message; sequences become lists), a scalar, or
  ``status, value`` where status is ``"ok"`` / ``"error"`` / ``"skip"`` / ``"pass"``;
* every call runs in a fresh, sandboxed and metered :class:`LuaEngine`, so a
  resolution depends only on its inputs; Lua errors, runaway loops and memory bombs
  become ``error`` results naming the Lua line, and the node keeps going.

aos processes (Handlers, Send, Inbox ...) run on the same engine through
:mod:`ao_kernel.runtimes.aos.lua_process`; this device is the plain-function form.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import AOError, ForbiddenError, MessageError
from ..core.message import Message, Value
from ..core.resolver import Device, Opts, Result, error
from ..core.values import Atom, Link

_STATUSES = frozenset({"ok", "error", "skip", "pass"})
_OWN_KEYS = ("keys", "set", "encode", "decode", "module", "device", "path")


class LuaDevice(Device):
    name = "lua@5.3a"

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        return {"default": self.call, "excludes": [*_OWN_KEYS, *base.keys()]}

    def call(self, key: str, base: Message, req: Message, opts: Opts) -> Any:
        from ..runtimes.lua import LuaEngine, to_lua

        extra = opts.extra or {}
        if extra.get("ingress") == "http" and not extra.get("allow_lua"):
            # however the request named this device (path, header, a json@1.0 body)
            return error(ForbiddenError(
                "caller-supplied Lua (lua@5.3a) is off on this node; its operator can "
                "enable it (ao-node serve --allow-lua-device, node.serve(lua_device=True))",
                field="device"))
        sources = list(_module_sources(base.get("module"), opts))
        if not sources:
            return error(MessageError("a lua@5.3a message needs a 'module' with Lua source",
                                      field="module"))
        engine = LuaEngine()
        try:
            for name, source in sources:
                engine.execute(source, name)
            fn = engine.globals[key]
            if fn is None:
                return error(MessageError(f"the Lua module defines no function {key!r}",
                                          field=key))
            out = engine.call(fn, to_lua(engine, _plain(base.public())),
                              to_lua(engine, _plain(req)))
        except AOError as exc:
            return error(exc)
        return _result(engine, out)


def _module_sources(module: Value | None, opts: Opts) -> list[tuple[str, str]]:
    if module is None:
        return []
    if isinstance(module, tuple):
        return [s for m in module for s in _module_sources(m, opts)]
    if isinstance(module, Link) or (isinstance(module, str) and len(module) == 43
                                    and " " not in module and "\n" not in module):
        ref = module.id if isinstance(module, Link) else module
        if opts.loader is None:
            raise MessageError(f"module {ref} cannot be loaded: no store", field="module")
        return _module_sources(opts.loader(ref), opts)
    if isinstance(module, Message):
        body = module.get("body", module.get("data"))
        if body is None:
            raise MessageError("a module message needs its Lua in 'body' or 'data'",
                               field="module")
        name = module.text("name") or "module"
        return [(name, body.decode() if isinstance(body, bytes) else str(body))]
    if isinstance(module, (str, bytes)):
        return [("module", module.decode() if isinstance(module, bytes) else module)]
    raise MessageError(f"unsupported module value {type(module).__name__}", field="module")


def _plain(msg: Message) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in msg.items():
        if k == "commitments":
            continue
        out[k] = _plain_value(v)
    return out


def _plain_value(v: Value) -> Any:
    if isinstance(v, Message):
        return _plain(v)
    if isinstance(v, tuple):
        return [_plain_value(x) for x in v]
    if isinstance(v, (Atom, Link)):
        return str(v) if isinstance(v, Atom) else v.id
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v


def _result(engine: Any, out: Any) -> Any:
    if isinstance(out, tuple) and len(out) == 2 and out[0] in _STATUSES:
        status, value = out
        return Result(status, _from_lua(engine, value))
    if isinstance(out, tuple):
        out = out[0] if out else None
    return _from_lua(engine, out)


def _from_lua(engine: Any, value: Any) -> Any:
    python = engine.to_python(value)
    return _freeze(python)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(
                range(1, len(keys) + 1)):
            return tuple(_freeze(value[k]) for k in sorted(keys))
        return Message({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
