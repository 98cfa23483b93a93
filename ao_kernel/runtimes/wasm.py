"""A wasmtime engine for Emscripten-built AO modules (wasm64 and wasm32).

::

    module = WasmModule.load(path | bytes)          compiled once, cached on disk
    inst = WasmInstance(module, fuel=..., memory_limit=...)
    inst.call("fac", 5.0)          -> [120.0]     any export, plain numbers
    inst.call_strings("handle", msg_json, env_json) -> str
    snap = inst.snapshot(); ...; inst.restore(snap)

**One host call per message.** ``call_strings`` writes each argument into memory obtained
from the module's exported ``malloc`` (plus a NUL), makes exactly one call into wasm and
reads the NUL-terminated result; everything else (Lua, JSON) happens inside wasm.

**Imports.** Every import of the module is served:

* ``invoke_<sig>`` (Emscripten's setjmp/longjmp trampolines) and
  ``_emscripten_throw_longjmp`` live in a small *shim module* generated in WAT from the
  import signatures and compiled with the exception-handling proposal: ``invoke_*`` saves
  the stack pointer, calls ``__indirect_function_table[index](args...)`` inside a
  ``try_table``; ``_emscripten_throw_longjmp`` throws the shim's tag; the catch restores
  the stack pointer and calls the module's ``setThrew(1, 0)`` -- the contract Emscripten's
  JS glue implements with a thrown ``Infinity``. Lua's ``pcall`` (``luaD_rawrunprotected``)
  therefore never leaves wasm.
* WASI: ``fd_write`` appends to a captured buffer per descriptor, ``fd_read`` reads
  nothing, ``fd_seek``/``fd_close`` fail politely, ``environ_*`` report an empty
  environment, ``clock_time_get`` returns the engine's fixed
  clock (the message timestamp when a process sets it), except ``emscripten_date_now``
  which counts 10000, 10001, ... as ao-loader's deterministic ``Date.now`` does (Lua's
  string-hash seed, hence ``pairs()`` order, depends on it), ``random_get`` is a SHA-256 stream
  of the instance's seed.
* Emscripten: ``emscripten_resize_heap`` grows memory with Emscripten's policy up to the
  memory limit (beyond it the call fails and the call raises ``MemoryLimitError``),
  ``_emscripten_memcpy_js`` copies inside memory, time conversions
  (``_localtime_js``/``_gmtime_js``/``_mktime_js``/``_tzset_js``/``strftime``) are UTC,
  ``exit``/``_abort_js`` trap, file syscalls return ``-ENOSYS`` and WeaveDrive calls
  fail (no Arweave data on a local node).
* Anything else: a stub returning zero that records the call (``undefined_calls``), as
  HyperBEAM's ``undefined_import_stub`` does.

**Limits.** Fuel (about one unit per wasm instruction) is set before every call; running
out traps and becomes :class:`ComputeLimitError`. Memory growth beyond ``memory_limit``
(``Memory-Limit`` tag such as ``1-gb``) raises :class:`MemoryLimitError`. After either, the
instance is *poisoned*: the caller restores a snapshot.

**Snapshots.** ``snapshot()`` copies linear memory and the exported mutable globals;
``restore()`` builds a fresh instance (fresh internal globals: the stack pointer and
asyncify state are at rest between calls, so a fresh instance has exactly those values)
and writes the memory back. Never done per message by this engine: callers decide when.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import wasmtime

from ..core.errors import ComputeLimitError, MemoryLimitError, ProcessError

#: default fuel per call: about 10 s of wasm on this machine.
DEFAULT_FUEL = 10_000_000_000
PAGE = 65536
_ENOSYS = 52
_EBADF = 8

__all__ = [
    "DEFAULT_FUEL",
    "Snapshot",
    "WasmInstance",
    "WasmModule",
    "engine",
    "parse_memory_limit",
]


# -- engine and compiled modules -----------------------------------------------------------

_ENGINE: wasmtime.Engine | None = None


def _wasmtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wasmtime")
    except PackageNotFoundError:
        return "unknown"


_WASMTIME_VERSION = _wasmtime_version()


def engine() -> wasmtime.Engine:
    """The process-wide engine: memory64, exceptions and fuel on."""
    global _ENGINE
    if _ENGINE is None:
        cfg = wasmtime.Config()
        cfg.wasm_memory64 = True
        cfg.wasm_exceptions = True
        cfg.consume_fuel = True
        _ENGINE = wasmtime.Engine(cfg)
    return _ENGINE


def _cache_dir() -> Path:
    base = os.environ.get("AO_KERNEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ao-kernel")
    return Path(base) / "wasm"


def parse_memory_limit(value: str | int | None) -> int | None:
    """``"1-gb"``, ``"512-mb"``, ``"17179869184"`` or an int -> bytes (None if absent)."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().lower().replace("_", "-")
    units = {"b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}
    for unit in ("kb", "mb", "gb", "tb", "b"):
        if text.endswith(unit):
            number = text[: -len(unit)].rstrip("- ")
            try:
                return int(float(number) * units[unit])
            except ValueError:
                break
    try:
        return int(text)
    except ValueError:
        raise ProcessError(f"cannot read Memory-Limit {value!r} (e.g. '1-gb')",
                           field="memory-limit") from None


@dataclass
class WasmModule:
    """A compiled module and what it needs."""

    module: wasmtime.Module
    sha256: str
    memory64: bool
    imports: list[tuple[str, str, wasmtime.FuncType | Any]]

    @classmethod
    def load(cls, source: bytes | str | Path, *, disk_cache: bool = True) -> WasmModule:
        """Compile ``source`` (wasm bytes, WAT text, or a path to either), once per process
        and once per machine (serialized modules are cached under ``~/.cache/ao-kernel``)."""
        if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip()
                                        .startswith("(")):
            data = Path(source).read_bytes()
        elif isinstance(source, str):
            data = source.encode()
        else:
            data = bytes(source)
        if not data.startswith(b"\0asm"):
            data = bytes(wasmtime.wat2wasm(data.decode()))
        digest = hashlib.sha256(data).hexdigest()
        hit = _MODULES.get(digest)
        if hit is not None:
            return hit
        module = _compile_cached(data, digest, disk_cache)
        memory64 = any(isinstance(e.type, wasmtime.MemoryType) and e.type.is_64
                       for e in module.exports)
        imports = [(i.module, i.name or "", i.type) for i in module.imports]
        loaded = cls(module=module, sha256=digest, memory64=memory64, imports=imports)
        _MODULES[digest] = loaded
        return loaded

    def export_names(self) -> list[str]:
        return [e.name for e in self.module.exports]


_MODULES: dict[str, WasmModule] = {}


def _compile_cached(data: bytes, digest: str, disk_cache: bool) -> wasmtime.Module:
    eng = engine()
    path = _cache_dir() / f"{digest}-wasmtime{_WASMTIME_VERSION}.cwasm"
    if disk_cache and len(data) > 64 << 10 and path.exists():
        try:
            return wasmtime.Module.deserialize_file(eng, str(path))
        except Exception:  # stale or foreign cache entry: recompile below
            pass
    try:
        module = wasmtime.Module(eng, data)
    except wasmtime.WasmtimeError as exc:
        raise ProcessError(f"not a valid WebAssembly module: {exc}", field="module") from None
    if disk_cache and len(data) > 64 << 10:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(module.serialize())
            tmp.replace(path)
        except OSError:
            pass
    return module


# -- the longjmp / invoke shim ---------------------------------------------------------------

_LETTER = {"i32": "i32", "i64": "i64", "f32": "f32", "f64": "f64"}


def _vt(v: wasmtime.ValType) -> str:
    return _LETTER.get(str(v), str(v))


def _shim_wat(invokes: Sequence[tuple[str, wasmtime.FuncType]], table_size: int,
              ptr: str) -> str:
    """WAT of the shim that serves ``invoke_*`` and ``_emscripten_throw_longjmp``.

    The shim's own table holds a copy of the module's ``__indirect_function_table`` at the
    same indices, then three helpers at ``table_size + 0/1/2``: the module's
    ``emscripten_stack_get_current``, ``_emscripten_stack_restore`` and ``setThrew``.
    """
    n = table_size
    types: dict[str, str] = {}
    body: list[str] = []

    def typ(params: list[str], results: list[str]) -> str:
        key = f"(func{''.join(f' (param {p})' for p in params)}" \
              f"{''.join(f' (result {r})' for r in results)})"
        if key not in types:
            types[key] = f"$t{len(types)}"
        return types[key]

    t_sp = typ([], [ptr])
    t_restore = typ([ptr], [])
    t_throw = typ([ptr, "i32"], [])
    for name, ft in invokes:
        params = [_vt(p) for p in ft.params]
        results = [_vt(r) for r in ft.results]
        index_t, args = params[0], params[1:]
        t_target = typ(args, results)
        sig = " ".join(f"(param {p})" for p in params)
        res = " ".join(f"(result {r})" for r in results)
        loads = " ".join(f"(local.get {i + 1})" for i in range(len(args)))
        idx = "(i32.wrap_i64 (local.get 0))" if index_t == "i64" else "(local.get 0)"
        zero = " ".join(f"({r}.const 0)" for r in results)
        sp_local = len(params)
        body.append(f"""
  (func (export "{name}") {sig} {res} (local {ptr})
    (local.set {sp_local} (call_indirect $tab (type {t_sp}) (i32.const {n})))
    (block $caught
      (try_table (catch $longjmp $caught)
        (return (call_indirect $tab (type {t_target}) {loads} {idx}))))
    (call_indirect $tab (type {t_restore}) (local.get {sp_local}) (i32.const {n + 1}))
    (call_indirect $tab (type {t_throw}) ({ptr}.const 1) (i32.const 0) (i32.const {n + 2}))
    {zero})""")
    decls = "\n".join(f"  (type {v} {k})" for k, v in types.items())
    return f"""(module
{decls}
  (tag $longjmp)
  (table $tab (export "table") {n + 3} funcref)
  (func (export "_emscripten_throw_longjmp") (throw $longjmp))
{''.join(body)}
)"""


# -- the instance ------------------------------------------------------------------------------


class _Poisoned(Exception):
    pass


@dataclass
class Snapshot:
    """Linear memory and exported mutable globals at a call boundary."""

    memory: bytes
    globals: dict[str, Any]
    stdout: bytes = b""
    ticks: int = 10_000

    @property
    def size(self) -> int:
        return len(self.memory)


class WasmInstance:
    """One live instance of a module in its own store (see the module docstring)."""

    def __init__(
        self,
        module: WasmModule,
        *,
        fuel: int | None = DEFAULT_FUEL,
        memory_limit: int | None = None,
        seed: bytes = b"",
        clock_ms: int = 0,
        extra_imports: dict[tuple[str, str], Callable[..., Any]] | None = None,
        init: bool = True,
    ) -> None:
        self.module = module
        self.fuel = fuel
        self.memory_limit = memory_limit
        self.seed = seed
        self.clock_ms = clock_ms
        self.fuel_used = 0
        self.stdout = bytearray()
        self.stderr = bytearray()
        self.undefined_calls: list[tuple[str, str, tuple[Any, ...]]] = []
        self._extra = dict(extra_imports or {})
        self._random_counter = 0
        self.ticks = 10_000
        self._grow_refused = False
        self.poisoned = False
        self._instantiate(init=init)

    # -- building ---------------------------------------------------------------------------

    def _instantiate(self, *, init: bool) -> None:
        mod = self.module
        self.store = store = wasmtime.Store(engine())
        if self.memory_limit is not None:
            store.set_limits(memory_size=self.memory_limit)
        self._ptr = "i64" if mod.memory64 else "i32"
        invokes = [(name, ft) for (m, name, ft) in mod.imports
                   if m == "env" and name.startswith("invoke_")
                   and isinstance(ft, wasmtime.FuncType)]
        needs_longjmp = invokes or any(name == "_emscripten_throw_longjmp"
                                       for _, name, _ in mod.imports)
        shim = None
        table_size = 0
        if needs_longjmp:
            for exp in mod.module.exports:
                if exp.name == "__indirect_function_table" and isinstance(
                        exp.type, wasmtime.TableType):
                    table_size = exp.type.limits.min
            shim_mod = _SHIMS.get((mod.sha256, table_size))
            if shim_mod is None:
                shim_mod = wasmtime.Module(engine(), _shim_wat(invokes, table_size, self._ptr))
                _SHIMS[(mod.sha256, table_size)] = shim_mod
            store.set_fuel(1 << 62)
            shim = wasmtime.Instance(store, shim_mod, [])
        shim_exports = shim.exports(store) if shim is not None else None
        imports: list[Any] = []
        for m, name, ty in mod.imports:
            if shim_exports is not None and m == "env" and (
                    name.startswith("invoke_") or name == "_emscripten_throw_longjmp"):
                imports.append(shim_exports[name])
            elif isinstance(ty, wasmtime.FuncType):
                imports.append(wasmtime.Func(store, ty, self._host(m, name, ty),
                                             access_caller=False))
            else:
                raise ProcessError(f"the module imports {m}.{name} ({type(ty).__name__}), "
                                   "which this engine cannot provide", field="module")
        store.set_fuel(1 << 62)
        for exp in mod.module.exports:
            if isinstance(exp.type, wasmtime.MemoryType) and self.memory_limit is not None \
                    and exp.type.limits.min * PAGE > self.memory_limit:
                raise MemoryLimitError(
                    f"the module starts with {exp.type.limits.min * PAGE:,} bytes of memory, "
                    f"more than its Memory-Limit ({self.memory_limit:,} bytes)")
        try:
            self.instance = wasmtime.Instance(store, mod.module, imports)
        except wasmtime.WasmtimeError as exc:
            raise ProcessError(f"cannot instantiate the module: {exc}", field="module") from None
        ex = self.instance.exports(store)
        self.exports = ex
        mem = ex.get("memory") if "memory" in [e.name for e in mod.module.exports] else None
        self.memory: wasmtime.Memory | None = mem if isinstance(mem, wasmtime.Memory) else None
        if shim is not None and shim_exports is not None:
            own = ex["__indirect_function_table"]
            tab = shim_exports["table"]
            assert isinstance(own, wasmtime.Table)
            assert isinstance(tab, wasmtime.Table)
            for i in range(table_size):
                value = own.get(store, i)
                if isinstance(value, wasmtime.Func):
                    tab.set(store, i, value)
            for offset, helper in enumerate(
                    ("emscripten_stack_get_current", "_emscripten_stack_restore", "setThrew")):
                tab.set(store, table_size + offset, ex[helper])
        self._sp_rest: int | None = None
        self._stack_room = 0
        self._malloc = self._export_func("malloc")
        self._free = self._export_func("free")
        if init:
            for ctor in ("emscripten_stack_init", "_initialize", "__wasm_call_ctors"):
                fn = self._export_func(ctor)
                if fn is not None:
                    fn(store)
        else:
            fn = self._export_func("emscripten_stack_init")
            if fn is not None:
                fn(store)

    def _export_func(self, name: str) -> wasmtime.Func | None:
        try:
            value = self.exports[name]
        except KeyError:
            return None
        return value if isinstance(value, wasmtime.Func) else None

    # -- calls ------------------------------------------------------------------------------

    def _run(self, fn: Callable[[], Any]) -> Any:
        if self.poisoned:
            raise ProcessError("this instance was stopped by a limit; restore a snapshot first")
        store = self.store
        budget = self.fuel if self.fuel is not None else 1 << 62
        store.set_fuel(budget)
        self._grow_refused = False
        try:
            result = fn()
        except wasmtime.Trap as trap:
            self.poisoned = True
            self.fuel_used = budget - store.get_fuel()
            if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
                raise ComputeLimitError(
                    f"the message used more than its compute limit ({budget:,} fuel)") from None
            if self._grow_refused:
                raise MemoryLimitError(self._memory_message()) from None
            raise ProcessError(f"the module trapped: {trap.message.splitlines()[0]}") from None
        except _Poisoned as exc:
            self.poisoned = True
            raise ProcessError(str(exc)) from None
        except wasmtime.WasmtimeError as exc:
            self.poisoned = True
            raise ProcessError(f"the module failed: {exc}") from None
        self.fuel_used = budget - store.get_fuel()
        if self._grow_refused:
            self.poisoned = True
            raise MemoryLimitError(self._memory_message())
        return result

    def _memory_message(self) -> str:
        limit = self.memory_limit or 0
        return f"the process needs more memory than its Memory-Limit ({limit:,} bytes)"

    def call(self, name: str, *args: int | float) -> list[Any]:
        """Call export ``name`` with numbers; the results as a list."""
        fn = self._export_func(name)
        if fn is None:
            raise ProcessError(f"the module exports no function {name!r}", field="function")
        out = self._run(lambda: fn(self.store, *args))
        if out is None:
            return []
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def call_strings(self, name: str, *args: str | bytes) -> str:
        """``name(char*...) -> char*``: one call into wasm; the result as text.

        The arguments go on the wasm stack below the resting stack pointer, exactly where
        Emscripten's ``ccall`` (ao-loader) puts them: Lua seeds its string hashing with a
        stack address, so the same placement reproduces the real loader's ``pairs()``
        order. An argument too large for the stack goes through the exported ``malloc``.
        """
        fn = self._export_func(name)
        if fn is None:
            raise ProcessError(f"the module exports no function {name!r}", field="function")
        store = self.store
        raws = [a.encode() if isinstance(a, str) else bytes(a) for a in args]
        ptrs: list[int] = []
        heap: list[int] = []
        restore = self._export_func("_emscripten_stack_restore")
        rest = self._stack_rest()

        def go() -> Any:
            sp = rest
            for raw in raws:
                size = len(raw) + 1
                if rest is not None and sp is not None and size < self._stack_room - (
                        rest - sp) - (256 << 10):
                    sp = (sp - size) & ~15
                    ptr = sp
                else:
                    if self._malloc is None:
                        raise ProcessError("the module exports no malloc")
                    ptr = int(self._malloc(store, size))
                    if not ptr:
                        raise MemoryLimitError("malloc failed for the message")
                    heap.append(ptr)
                self._write(ptr, raw + b"\0")
                ptrs.append(ptr)
            if restore is not None and sp is not None and sp != rest:
                restore(store, sp)
            result = fn(store, *ptrs)
            if restore is not None and rest is not None and sp != rest:
                restore(store, rest)
            return result

        out = self._run(go)
        text = self.read_cstring(int(out))
        if self._free is not None:
            for ptr in heap:
                self._free(store, ptr)
        return text

    def _stack_rest(self) -> int | None:
        """The stack pointer at rest (between calls), read once per instance."""
        if self._sp_rest is None:
            cur = self._export_func("emscripten_stack_get_current")
            end = self._export_func("emscripten_stack_get_end")
            if cur is None or end is None:
                return None
            self.store.set_fuel(1 << 62)
            self._sp_rest = int(cur(self.store))
            self._stack_room = self._sp_rest - int(end(self.store))
        return self._sp_rest

    # -- memory ---------------------------------------------------------------------------

    def _mem(self) -> wasmtime.Memory:
        if self.memory is None:
            raise ProcessError("the module exports no memory")
        return self.memory

    def _base(self) -> int:
        return ctypes.addressof(self._mem().data_ptr(self.store).contents)

    def memory_size(self) -> int:
        return self._mem().data_len(self.store)

    def _write(self, ptr: int, data: bytes) -> None:
        if ptr + len(data) > self.memory_size():
            raise _Poisoned("write outside memory")
        ctypes.memmove(self._base() + ptr, data, len(data))

    def read(self, ptr: int, length: int) -> bytes:
        if ptr < 0 or ptr + length > self.memory_size():
            raise ProcessError("read outside memory")
        return ctypes.string_at(self._base() + ptr, length)

    def read_cstring(self, ptr: int) -> str:
        if not ptr:
            return ""
        base = self._base()
        size = self.memory_size()
        if ptr >= size:
            raise ProcessError("result pointer outside memory")
        # strlen in C via ctypes: bounded by the memory size
        length = _strnlen(base + ptr, size - ptr)
        return ctypes.string_at(base + ptr, length).decode("utf-8", "replace")

    # -- snapshots --------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """A copy of linear memory and the exported mutable globals."""
        if self.poisoned:
            raise ProcessError("cannot snapshot an instance stopped by a limit")
        glob: dict[str, Any] = {}
        for exp in self.module.module.exports:
            if isinstance(exp.type, wasmtime.GlobalType) and exp.type.mutable:
                g = self.exports[exp.name]
                assert isinstance(g, wasmtime.Global)
                glob[exp.name] = g.value(self.store)
        mem = ctypes.string_at(self._base(), self.memory_size()) if self.memory else b""
        return Snapshot(memory=mem, globals=glob, stdout=bytes(self.stdout), ticks=self.ticks)

    def restore_empty(self) -> None:
        """A fresh instance whose constructors have NOT run: memory as the module's data
        segments leave it, internal globals at rest. Callers write a memory image next."""
        self._instantiate(init=False)
        self.poisoned = False

    def restore(self, snap: Snapshot) -> None:
        """Return to ``snap``: a fresh instance (internal globals at rest) with its memory."""
        self._instantiate(init=False)
        self.poisoned = False
        if self.memory is not None:
            mem = self.memory
            have = mem.data_len(self.store)
            if snap.size > have:
                self.store.set_fuel(1 << 62)
                if mem.grow(self.store, (snap.size - have) // PAGE) < 0:
                    raise MemoryLimitError("the snapshot is larger than the memory limit")
            ctypes.memmove(self._base(), snap.memory, snap.size)
        for name, value in snap.globals.items():
            g = self.exports[name]
            assert isinstance(g, wasmtime.Global)
            g.set_value(self.store, value)
        self.stdout = bytearray(snap.stdout)
        self.ticks = snap.ticks

    # -- host imports -----------------------------------------------------------------------

    def _host(self, module: str, name: str, ty: wasmtime.FuncType) -> Callable[..., Any]:
        custom: Callable[..., Any] | None = self._extra.get((module, name))
        if custom is not None:
            return custom
        impl = getattr(self, f"_imp_{name}", None)
        if impl is not None and module in ("env", "wasi_snapshot_preview1", "wasi_unstable"):
            return impl  # type: ignore[no-any-return]
        if module == "env" and name.startswith("__syscall_"):
            return _const(-_ENOSYS, len(ty.results))
        results = len(ty.results)

        def stub(*args: Any) -> Any:
            self.undefined_calls.append((module, name, args))
            return _zero(ty) if results else None

        return stub

    # WASI

    def _imp_fd_write(self, fd: int, iovs: int, count: int, nwritten: int) -> int:
        size = 16 if self.module.memory64 else 8
        fmt = "<QQ" if self.module.memory64 else "<II"
        raw = self.read(iovs, size * count)
        total = 0
        target = self.stdout if fd == 1 else self.stderr if fd == 2 else None
        if target is None:
            return _EBADF
        for i in range(count):
            ptr, length = struct.unpack_from(fmt, raw, i * size)
            if length:
                target += self.read(ptr, length)
                total += length
        if len(target) > 1 << 20:  # keep the captured output bounded
            del target[: len(target) - (1 << 20)]
        self._write(nwritten, struct.pack("<Q" if self.module.memory64 else "<I", total))
        return 0

    def _imp_fd_read(self, fd: int, iovs: int, count: int, nread: int) -> int:
        self._write(nread, struct.pack("<Q" if self.module.memory64 else "<I", 0))
        return 0

    def _imp_fd_close(self, fd: int) -> int:
        return 0

    def _imp_fd_seek(self, fd: int, offset: int, whence: int, newoffset: int) -> int:
        return 70  # ESPIPE: the standard streams do not seek

    def _imp_environ_sizes_get(self, count: int, size: int) -> int:
        fmt = "<Q" if self.module.memory64 else "<I"
        self._write(count, struct.pack(fmt, 0))
        self._write(size, struct.pack(fmt, 0))
        return 0

    def _imp_environ_get(self, environ: int, buf: int) -> int:
        return 0

    def _imp_clock_time_get(self, clock_id: int, precision: int, out: int) -> int:
        self._write(out, struct.pack("<Q", self.clock_ms * 1_000_000))
        return 0

    def _imp_random_get(self, buf: int, length: int) -> int:
        out = bytearray()
        while len(out) < length:
            self._random_counter += 1
            out += hashlib.sha256(self.seed + self._random_counter.to_bytes(8, "little")).digest()
        self._write(buf, bytes(out[:length]))
        return 0

    def _imp_proc_exit(self, code: int) -> None:
        raise _Poisoned(f"the module called exit({code})")

    # Emscripten

    def _imp_exit(self, code: int) -> None:
        raise _Poisoned(f"the module called exit({code})")

    def _imp__abort_js(self) -> None:
        raise _Poisoned("the module aborted")

    def _imp_emscripten_date_now(self) -> float:
        # ao-loader's deterministic JS clock: Date.now() counts 10000, 10001, ... per
        # instance. Lua seeds its string hashing with time(NULL) (= 10 s here) at state
        # creation, so serving the same counter reproduces the real module's pairs() order.
        self.ticks += 1
        return float(self.ticks - 1)

    def _imp__emscripten_get_now_is_monotonic(self) -> int:
        return 1

    def _imp_emscripten_get_now(self) -> float:
        return self._imp_emscripten_date_now()

    def _imp__emscripten_memcpy_js(self, dest: int, src: int, num: int) -> None:
        base = self._base()
        ctypes.memmove(base + dest, base + src, num)

    def _imp_emscripten_resize_heap(self, requested: int) -> int:
        mem = self._mem()
        old = mem.data_len(self.store)
        cap = self.memory_limit or (1 << 34 if self.module.memory64 else 1 << 32)
        if requested > cap:
            self._grow_refused = True
            return 0
        # Emscripten's policy: over-grow by up to 20% (at most 96 MiB beyond the request),
        # retrying with less over-growth if the engine refuses.
        cut = 1
        while cut <= 4:
            over = min(int(old * (1 + 0.2 / cut)), requested + 100663296)
            size = min(cap, _align(max(requested, over), PAGE))
            try:
                if mem.grow(self.store, (size - old + PAGE - 1) // PAGE) >= 0:
                    return 1
            except wasmtime.WasmtimeError:
                pass
            cut *= 2
        self._grow_refused = True
        return 0

    def _imp__tzset_js(self, timezone: int, daylight: int, std_name: int, dst_name: int) -> None:
        self._write(timezone, struct.pack("<Q" if self.module.memory64 else "<i", 0))
        self._write(daylight, struct.pack("<i", 0))
        self._write(std_name, b"UTC\0")
        self._write(dst_name, b"UTC\0")

    def _imp__gmtime_js(self, t: int, tm: int) -> None:
        self._write_tm(t, tm)

    def _imp__localtime_js(self, t: int, tm: int) -> None:
        self._write_tm(t, tm)

    def _write_tm(self, t: int, tm: int) -> None:
        st = time.gmtime(_signed64(t))
        yday = st.tm_yday - 1
        wday = (st.tm_wday + 1) % 7  # C: Sunday = 0
        fields = [st.tm_sec, st.tm_min, st.tm_hour, st.tm_mday, st.tm_mon - 1,
                  st.tm_year - 1900, wday, yday, 0]
        data = struct.pack("<9i", *fields)
        if self.module.memory64:
            data += struct.pack("<qQ", 0, 0)  # tm_gmtoff, tm_zone (NULL)
        else:
            data += struct.pack("<iI", 0, 0)
        self._write(tm, data)

    def _imp__mktime_js(self, tm: int) -> int:
        import calendar

        f = struct.unpack("<9i", self.read(tm, 36))
        try:
            value = calendar.timegm((f[5] + 1900, f[4] + 1, f[3], f[2], f[1], f[0], 0, 0, 0))
        except (OverflowError, ValueError):
            return -1
        self._write_tm(value, tm)
        return value

    def _imp_strftime(self, s: int, maxsize: int, fmt: int, tm: int) -> int:
        f = struct.unpack("<9i", self.read(tm, 36))
        pattern = self.read_cstring(fmt)
        st = time.struct_time((f[5] + 1900, f[4] + 1, f[3], f[2], f[1], f[0],
                               (f[6] - 1) % 7, f[7] + 1, 0))
        try:
            text = time.strftime(pattern, st).encode()
        except ValueError:
            return 0
        if len(text) + 1 > maxsize:
            return 0
        self._write(s, text + b"\0")
        return len(text)

    def _imp__emscripten_system(self, command: int) -> int:
        return 0 if command == 0 else -_ENOSYS

    def _imp___asyncjs__weavedrive_open(self, name: int, mode: int) -> int:
        return 0

    def _imp___asyncjs__weavedrive_read(self, fd: int, buf: int, size: int) -> int:
        return 0

    def _imp___asyncjs__weavedrive_close(self, fd: int) -> int:
        return 0


_SHIMS: dict[tuple[str, int], wasmtime.Module] = {}


def _align(x: int, n: int) -> int:
    return x + (n - x % n) % n


def _signed64(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


def _zero(ty: wasmtime.FuncType) -> Any:
    vals = [0.0 if str(r) in ("f32", "f64") else 0 for r in ty.results]
    return vals[0] if len(vals) == 1 else vals


def _const(value: int, results: int) -> Callable[..., Any]:
    def fn(*args: Any) -> Any:
        return value if results else None

    return fn


_libc = ctypes.CDLL(None)
_libc.strnlen.restype = ctypes.c_size_t
_libc.strnlen.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def _strnlen(addr: int, limit: int) -> int:
    return int(_libc.strnlen(addr, limit))
