"""wasm-64@1.0: a WebAssembly instance as a device (HyperBEAM ``dev_wasm``), on wasmtime.

* ``init``: the image is ``image`` (or ``process/image``, or the process's ``module``):
  a known aos module ID, a stored message ID whose data is the wasm, a message with the
  wasm in ``data``/``body``, or raw bytes / WAT text. The live instance is kept in the
  message's private data (``priv.wasm-instance``), never encoded or hashed.
* ``compute`` (first pass only, or without passes): calls ``function`` (from the request
  body, the request, or the base) with ``parameters``: numbers as wasm values, or strings
  written into memory (``handle(msg_json, env_json)``) -- one call into wasm. Writes
  ``results/wasm/type`` (``ok``/``error``) and ``results/wasm/output`` (the list of
  return values, or the returned C string).
* ``snapshot`` -> ``{body: memory}``; ``normalize`` restores a snapshot when the message
  has no live instance.

Fuel per call comes from ``compute-limit`` (default the engine's) and the memory limit from
``memory-limit`` (e.g. ``1-gb``); exceeding them yields an error result.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import AOError, MessageError
from ..core.message import Message
from ..core.resolver import Device, Opts, error, ok
from ..runtimes.wasm import DEFAULT_FUEL, Snapshot, WasmInstance, WasmModule, parse_memory_limit

PRIV_KEY = "wasm-instance"


def instance_of(msg: Message) -> WasmInstance | None:
    inst = msg.priv.get(PRIV_KEY)
    return inst if isinstance(inst, WasmInstance) else None


def _image(base: Message, req: Message, opts: Opts) -> bytes | str:
    from ..runtimes.aos.wasm_modules import KNOWN_MODULES, KNOWN_NAMES, find_aos_wasm

    proc = base.get("process")
    raw: Any = base.get("image") or req.get("image") or (
        proc.get("image") or proc.get("module") if isinstance(proc, Message) else None)
    if raw is None:
        raise MessageError("wasm-64@1.0 needs an image (a module ID, message or bytes)",
                           field="image")
    if isinstance(raw, str) and (raw in KNOWN_MODULES or raw in KNOWN_NAMES):
        return find_aos_wasm(raw).read_bytes()
    if isinstance(raw, str) and len(raw) == 43 and opts.loader is not None \
            and not raw.lstrip().startswith("("):
        raw = opts.loader(raw)
    if isinstance(raw, Message):
        raw = raw.get("body", raw.get("data"))
    if isinstance(raw, str) and not raw.lstrip().startswith("("):
        raw = raw.encode("utf-8")
    if not isinstance(raw, (bytes, str)):
        raise MessageError("the wasm image is not bytes", field="image")
    return raw


class Wasm64Device(Device):
    name = "wasm-64@1.0"
    exports = ("init", "compute", "snapshot", "normalize")

    def init(self, base: Message, req: Message, opts: Opts) -> Any:
        try:
            module = WasmModule.load(_image(base, req, opts))
            limit = parse_memory_limit(_text(base.get("memory-limit")))
            fuel = base.get("compute-limit")
            inst = WasmInstance(module, memory_limit=limit, fuel=int(fuel)
                                if isinstance(fuel, (int, str)) and str(fuel).isdigit()
                                else DEFAULT_FUEL)
        except AOError as exc:
            return error(exc)
        return ok(base.with_priv(**{PRIV_KEY: inst}))

    def compute(self, base: Message, req: Message, opts: Opts) -> Any:
        if base.get("pass") not in (None, 1):
            return ok(base)
        inst = instance_of(base)
        if inst is None:
            res = self.init(base, req, opts)
            if not res.ok:
                return res
            base = res.value
            inst = instance_of(base)
            assert inst is not None
        body = req.get("body")
        fn = (body.get("function") if isinstance(body, Message) else None) or \
            req.get("function") or base.get("function")
        if fn is None:
            return ok(base)
        params = (body.get("parameters") if isinstance(body, Message) else None) or \
            req.get("parameters") or base.get("parameters") or ()
        params = params if isinstance(params, tuple) else (params,)
        ts = req.get("timestamp")
        if isinstance(ts, int):
            inst.clock_ms = ts
        try:
            if any(isinstance(p, (str, bytes)) for p in params):
                output: Any = inst.call_strings(str(fn), *[
                    p if isinstance(p, (str, bytes)) else str(p) for p in params])
            else:
                output = tuple(inst.call(str(fn), *params))
            kind = "ok"
        except AOError as exc:
            output, kind = f"{type(exc).__name__}: {exc}", "error"
        return ok(base.with_(results=_merge(base.get("results"), {
            "wasm": {"type": kind, "output": output}})))

    def snapshot(self, base: Message, req: Message, opts: Opts) -> Any:
        inst = instance_of(base)
        if inst is None:
            return error(MessageError("no live wasm instance to snapshot", field="instance"))
        snap = inst.snapshot()
        return ok(Message({"body": snap.memory}).with_priv(**{"wasm-snapshot": snap}))

    def normalize(self, base: Message, req: Message, opts: Opts) -> Any:
        if instance_of(base) is not None:
            return ok(base)
        snap_msg = base.get("snapshot")
        res = self.init(base, req, opts)
        if not res.ok or not isinstance(snap_msg, Message):
            return res
        inst = instance_of(res.value)
        assert inst is not None
        snap = snap_msg.priv.get("wasm-snapshot")
        if not isinstance(snap, Snapshot):
            body = snap_msg.get("body")
            snap = Snapshot(memory=body if isinstance(body, bytes) else b"", globals={})
        inst.restore(snap)
        return res


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _merge(old: Any, new: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(old.items()) if isinstance(old, Message) else {}
    out.update(new)
    return out
