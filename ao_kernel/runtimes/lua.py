"""The Lua 5.3 engine that ``lua@5.3a`` and our aos-compatible runtime run on.

Theory of operation
-------------------
One :class:`LuaEngine` is one isolated ``lupa.lua53`` state, i.e. the whole Lua state of
one AO process. At construction a trusted bootstrap chunk (``lua_sandbox.lua`` beside
this module, loaded from cached bytecode) runs with the full standard library, captures
in its locals the raw functions it needs (``debug.sethook``, ``load``, ``pcall``,
``coroutine.resume``...) and then rebuilds the globals into a sandbox:

* **gone**: ``io``, ``python``, ``dofile``, ``loadfile``, ``string.dump``, ``package``
  search paths, ``os.execute/exit/getenv/remove/rename/tmpname/setlocale``. ``load``
  accepts text chunks only. ``debug`` is a read-only subset: ``traceback`` and
  ``getinfo`` without the ``f``/``L`` options (aos's ``curry`` reads ``nparams``; no
  function or upvalue can be reached through it). ``setmetatable`` ignores ``__gc``
  (Lua 5.3 runs finalizers with hooks disabled, so they could not be metered).
  ``collectgarbage`` accepts ``"collect"`` (charged by heap size), ``"step"``,
  ``"count"`` and ``"isrunning"``; the options that tune or stop the collector raise.
  ``print`` appends a line to an output buffer the host reads with
  :meth:`LuaEngine.drain_output` (it never writes to the host's stdout).
* **the print stream**: the modules ``require`` serves get, as their second chunk
  argument (where Lua passes a file name), a host table whose ``stream(text)`` hands a
  printed line to :attr:`LuaEngine.on_print` as it happens (our aos ``print`` calls it,
  so a notebook shows a cell's prints while the cell runs). A side channel: it returns
  nothing, changes nothing Lua can see, and runs the same Lua instructions whether or not
  the host listens (only the C function it ends in differs), so metering is unchanged by
  it. User code cannot reach it (it is in no global and no ``package.loaded`` entry).
* **require** serves only the ``modules`` given at construction (name -> source),
  lazily, cached in ``package.loaded``; ``require(".handlers")`` and
  ``require("handlers")`` are the same module. Sources are compiled once per Python
  process into bytecode (a module-level cache keyed by sha256 of name and source,
  compiled in a private runtime with ``string.dump``) and loaded in each engine by a
  host-captured binary ``load`` user code cannot reach.
* **determinism**: ``os.time()`` returns the host-set message time in **milliseconds**
  (aos replaces ``os.time`` with ``function() return msg.Timestamp end`` and
  ``Timestamp`` is in ms, so code written for aos expects ms). ``os.time(t)`` converts a
  date table the standard way (UTC, seconds), ``os.date`` formats UTC in the C locale
  from our own calendar code, its default time being the message time in seconds;
  ``os.clock()`` is the instructions used by the current call divided by 1e8.
  ``math.random`` is xoshiro256** written in Lua, seeded from sha256 of the per-process
  seed, so the same seed and calls give the same numbers on every machine.
  ``pairs`` visits keys in a fixed order (numbers, then strings, ascending), because
  this Lua build seeds its string hashes randomly per state and raw ``pairs`` order
  would differ between replays. Still not deterministic: raw ``next`` order,
  ``tostring`` of tables/functions (addresses) and ``collectgarbage("count")``.
* **metering**: every call runs under ``debug.sethook(hook, "", hook_interval)`` on the
  main thread; wrapped ``coroutine.create/wrap`` install the same hook on every new
  coroutine, all charging one budget. When the budget is spent (or the host called
  :meth:`LuaEngine.interrupt`) the hook raises, and keeps raising at every later hook,
  and the wrapped ``pcall``/``xpcall``/``coroutine.resume`` re-raise it, so user code
  cannot swallow it. Library calls are charged by the work they do, after the call, from
  their arguments and result (so deterministically): functions that make strings
  (``string.rep/format/gsub/sub/upper/lower/reverse``, ``table.concat``) one
  instruction per 2 bytes made, searches (``string.find/match/gmatch``) one per 16 bytes
  scanned, ``utf8.len`` one per 4 bytes, ``tonumber`` one per byte, ``table.insert/
  remove`` one per element shifted, ``table.sort`` one per element. A search whose
  backtracking could run past 2^24 steps in C runs in Lua instead (``lua_patterns.lua``),
  metered step by step. Known gap: work inside a single VM instruction (``..`` and
  ``==`` on huge strings) is bounded by the memory limit, not by the budget.
* **errors**: each call runs in ``xpcall`` with a handler that stringifies the error
  object (under the hook) and takes a traceback; the Python side translates the outcome
  into :mod:`ao_kernel.core.errors` (``LuaError``/``LuaSyntaxError``,
  ``ComputeLimitError``, ``MemoryLimitError``, ``InterruptError``). A raw lupa
  exception never escapes.
* **binary strings**: results are decoded as UTF-8; a returned string that is not valid
  UTF-8 comes back as ``bytes`` (fetched through a slow but exact path).

API::

    LuaEngine(*, modules=None, seed=0, instruction_limit=DEFAULT_INSTRUCTION_LIMIT,
              memory_limit=DEFAULT_MEMORY_LIMIT, chunk_cache=None,
              hook_interval=DEFAULT_HOOK_INTERVAL)
    .execute(source, chunkname="eval", *args) -> Any   # compile + run under the limits
    .call(fn, *args) -> Any          # fn: global name or Lua function; under the limits
    .call_each(fn, a, b, [(ms, args), ...]) -> failures  # many calls in one crossing
    .compile(source, chunkname="eval") -> Lua function (text mode, sandbox globals)
    .set_time(ms); .interrupt(); .globals; .table(*a, **kw); .table_from(obj)
    .to_python(value) -> plain Python (lists/dicts/bytes-or-str), binary safe
    .drain_output() -> list[str]; .instructions_used; .memory_used; .instruction_limit
    .on_print = callable(str) | None  # the print stream's listener (see above)
    precompile(source, chunkname) -> bytes   # warm the process-wide bytecode cache

Results: no value -> ``None``, one value -> that value, several -> a tuple. Calls into
one engine are serialised by lupa; :meth:`interrupt` is the only method meant to be
called from another thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from lupa import lua53

from ao_kernel.core.errors import (
    ComputeLimitError,
    InterruptError,
    LuaError,
    LuaSyntaxError,
    MemoryLimitError,
    SnapshotError,
)

__all__ = [
    "DEFAULT_HOOK_INTERVAL",
    "DEFAULT_INSTRUCTION_LIMIT",
    "DEFAULT_MEMORY_LIMIT",
    "LuaEngine",
    "LuaSnapshot",
    "precompile",
]

DEFAULT_INSTRUCTION_LIMIT = 500_000_000  # a few seconds of Lua
DEFAULT_MEMORY_LIMIT = 256 << 20
DEFAULT_HOOK_INTERVAL = 1000  # instructions between count hooks (metering granularity)
_POLL_EVERY = 64  # hooks between two looks at the interrupt flag (~64k instructions)

# Outcome kinds reported by the bootstrap's run/exec (keep in sync with _BOOTSTRAP).
_OK, _ERROR, _LIMIT, _INTERRUPT, _SYNTAX = 0, 1, 2, 3, 4
_BIN_KEY = "__ao_binary"
_OOM = "not enough memory"

_LuaRaw = lua53.LuaError
_SNAPSHOT_SOURCE = resources.files(__package__).joinpath("lua_snapshot.lua").read_text()
_LuaMemRaw = lua53.LuaMemoryError

# --------------------------------------------------------------------------------------
# The trusted bootstrap (lua_sandbox.lua beside this file). Runs once per engine,
# before any user code, with the raw standard library; everything it captures in
# locals is unreachable from user code.
# --------------------------------------------------------------------------------------
_BOOTSTRAP = (resources.files(__package__).joinpath("lua_sandbox.lua")
              .read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# Process-wide bytecode cache, compiled in a private trusted runtime.
# --------------------------------------------------------------------------------------
_BYTECODE: dict[bytes, bytes] = {}
_COMPILE_LOCK = threading.Lock()
_compiler: Any = None


def _compile_fn() -> Any:
    global _compiler
    if _compiler is None:
        rt = lua53.LuaRuntime(encoding=None, register_eval=False, register_builtins=False,
                              unpack_returned_tuples=True)
        _compiler = rt.execute(
            b"return function(src, name, strip)\n"
            b"  local f, err = load(src, name, 't')\n"
            b"  if not f then return nil, err end\n"
            b"  return string.dump(f, strip)\n"
            b"end"
        )
    return _compiler


def precompile(source: str | bytes, chunkname: str,
               cache: MutableMapping[bytes, bytes] | None = None, *,
               strip: bool = False) -> bytes:
    """Lua 5.3 bytecode for ``source``; compiled once per process.

    Line information is kept unless ``strip`` (it makes error messages point at lines).
    The key is sha256 of chunk name and source (the chunk name lives in the bytecode).
    Raises :class:`LuaSyntaxError` if the source does not compile.
    """
    src = source.encode() if isinstance(source, str) else source
    store = _BYTECODE if cache is None else cache
    key = hashlib.sha256(chunkname.encode() + (b"\1" if strip else b"\0") + src).digest()
    code = store.get(key)
    if code is not None:
        return code
    with _COMPILE_LOCK:
        res = _compile_fn()(src, chunkname.encode(), strip)
    code, err = res if isinstance(res, tuple) else (res, None)
    if code is None:
        msg = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
        raise LuaSyntaxError(msg, field=chunkname)
    store[key] = code
    return bytes(code)


#: (module name, source) -> bytecode; str hashes are cached, so a hit costs no SHA-256
_MODULE_CODE: dict[tuple[str, str], bytes] = {}

_LOADER = "local code = ... return load(code, '=[ao-kernel]', 'b')"
_boot_code: bytes | None = None


_PATTERNS = resources.files(__package__).joinpath("lua_patterns.lua").read_text()
_patterns_bytecode: bytes | None = None


def _patterns_code() -> bytes:
    """lua_patterns.lua compiled once; the sandbox loads it the first time a search needs it."""
    global _patterns_bytecode
    if _patterns_bytecode is None:
        _patterns_bytecode = precompile(_PATTERNS, "=patterns")
    return _patterns_bytecode


def _bootstrap_code() -> bytes:
    global _boot_code
    if _boot_code is None:
        # Stripped: undumping line info would cost ~65 us per engine.
        _boot_code = precompile(_BOOTSTRAP, "=[ao-kernel]", strip=True)
    return _boot_code


def _seed_words(seed: bytes | int | str) -> tuple[int, int, int, int]:
    if isinstance(seed, int):
        raw = b"int:" + str(seed).encode()
    elif isinstance(seed, str):
        raw = b"str:" + seed.encode()
    else:
        raw = b"bytes:" + bytes(seed)
    digest = hashlib.sha256(b"ao-kernel/lua/math.random\0" + raw).digest()
    words = [int.from_bytes(digest[i:i + 8], "big", signed=True) for i in range(0, 32, 8)]
    if not any(words):  # xoshiro must not start from all zeros
        words[0] = 1
    return words[0], words[1], words[2], words[3]


def _attribute_filter(obj: Any, name: Any, is_setting: bool) -> Any:
    if isinstance(name, str) and name.startswith("_"):
        raise AttributeError(f"access to {name!r} is not allowed")
    return name


def _trim_traceback(tb: Any) -> str | None:
    """Lua's traceback without the engine's own frames."""
    if not isinstance(tb, str):
        return None
    lines = [ln for ln in tb.split("\n")
             if not ln.startswith("\t?:") and "in upvalue '?'" not in ln
             and "[ao-kernel]" not in ln]
    while lines and lines[-1].strip() == "(...tail calls...)":
        lines.pop()
    out: list[str] = []
    for ln in lines:
        if not (out and out[-1] == ln):
            out.append(ln)
    return "\n".join(out)


def to_lua(engine: LuaEngine, value: Any) -> Any:
    """``value`` as Lua: mappings become tables, lists and tuples sequences (1..n),
    recursively; anything else as lupa passes it. The one Python -> Lua conversion of the
    package (the aos processes and the lua@5.3a device use it)."""
    if isinstance(value, Mapping):
        return engine.table_from({k: to_lua(engine, v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return engine.table_from([to_lua(engine, v) for v in value])
    return value


def _is_table(value: Any) -> bool:
    return bool(lua53.lua_type(value) == "table")


@dataclass(frozen=True)
class LuaSnapshot:
    """One engine's state, captured inside that engine (see :meth:`LuaEngine.snapshot`)."""

    value: Any      # the Lua table holding what was captured
    objects: int    # tables and closures captured (its cost, in objects)
    rng: tuple[int, ...]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class LuaEngine:
    """One sandboxed, metered Lua 5.3 state (one AO process's state). See the module doc."""

    def __init__(
        self,
        *,
        modules: Mapping[str, str] | None = None,
        seed: bytes | int | str = 0,
        instruction_limit: int | None = DEFAULT_INSTRUCTION_LIMIT,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        chunk_cache: MutableMapping[bytes, bytes] | None = None,
        hook_interval: int = DEFAULT_HOOK_INTERVAL,
    ) -> None:
        self._modules = {(k[1:] if k.startswith(".") else k): v
                         for k, v in (modules or {}).items()}
        self._cache = chunk_cache
        self._stop = False
        self._memory_limit = memory_limit
        self._lua = lua53.LuaRuntime(
            register_eval=False,
            register_builtins=False,
            attribute_filter=_attribute_filter,
            unpack_returned_tuples=True,
            max_memory=memory_limit or 0,
        )
        # the raw functions a snapshot needs, taken before the sandbox removes them
        self._snapshot_raw = self._lua.execute("return debug, coroutine.status, load")
        self._snapshots: Any = None
        boot = self._lua.execute(_LOADER, _bootstrap_code())
        self._on_print: Callable[[str], None] | None = None
        self._pending = bytearray()  # the bytes of a streamed line that is not UTF-8
        ctl = boot(self._poll, self._fetch_module, *_seed_words(seed),
                   int(hook_interval), _POLL_EVERY, _patterns_code(), self._emit)
        self._ctl = ctl
        # Bound once: each attribute lookup on a lupa table costs microseconds.
        self._run, self._run_global, self._exec, self._set_time, self._used = (
            ctl.run, ctl.run_global, ctl.exec, ctl.set_time, ctl.used)
        self._globals = self._lua.globals()
        self.instruction_limit = instruction_limit
        self.freeze()  # the sandbox as built is the trusted base of every snapshot

    # ---------------------------------------------------------------- configuration
    @property
    def instruction_limit(self) -> int | None:
        """The per-call instruction budget (``None`` = unlimited)."""
        return self._limit_value

    @instruction_limit.setter
    def instruction_limit(self, value: int | None) -> None:
        self._limit_value = value
        self._ctl.set_limit((1 << 63) - 1 if value is None else int(value))

    def set_time(self, ms: int) -> None:
        """Set the message time: ``os.time()`` returns ``ms``; ``os.date`` uses ``ms // 1000``."""
        self._set_time(int(ms))

    def interrupt(self) -> None:
        """Stop the running call with :class:`InterruptError` (thread-safe, no Lua access)."""
        self._stop = True

    def _poll(self) -> bool:
        return bool(self._stop)

    @property
    def on_print(self) -> Callable[[str], None] | None:
        """The print stream's listener: called with each streamed line, on the thread
        running the Lua, while it runs (None: nobody listens)."""
        return self._on_print

    @on_print.setter
    def on_print(self, listener: Callable[[str], None] | None) -> None:
        self._on_print = listener
        self._ctl.listen(listener is not None)

    def _emit(self, text: str | bool | None, *codes: int) -> None:
        """The print stream (``stream`` in lua_sandbox.lua): a line, or a line that is not
        UTF-8 as ``False`` calls with its bytes then a ``None`` call. A failing listener
        never fails the Lua."""
        listener = self._on_print
        if listener is None:
            return
        if text is False:
            self._pending += bytes(codes)
            return
        if text is None:
            line, self._pending = self._pending.decode("utf-8", "replace"), bytearray()
        else:
            line = str(text)
        with contextlib.suppress(Exception):  # the listener's problem, not the process's
            listener(line)

    def _fetch_module(self, name: str) -> tuple[bytes | None, str | None]:
        source = self._modules.get(name)
        if source is None:
            return None, None
        try:
            # named like the real aos module's chunks, so errors read [string ".handlers"]:N:
            if self._cache is None:  # the process-wide cache, keyed without re-hashing
                key = (name, source)
                code = _MODULE_CODE.get(key)
                if code is None:
                    if len(_MODULE_CODE) > 1_000:
                        _MODULE_CODE.clear()
                    code = _MODULE_CODE[key] = precompile(source, "." + name)
                return code, None
            return precompile(source, "." + name, self._cache), None
        except LuaSyntaxError as exc:
            return None, exc.message

    # ---------------------------------------------------------------- running code
    def execute(self, source: str, chunkname: str = "eval", *args: Any) -> Any:
        """Compile ``source`` (text only) and run it under the limits; return its values."""
        self._stop = False
        try:
            res = self._exec(source, chunkname, *args)
        except UnicodeDecodeError:
            return self._binary_results()
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None
        if res.__class__ is tuple:
            if res[0] == _OK:
                return res[1] if len(res) == 2 else res[1:]
            raise self._translate(res)
        if res == _OK:
            return None
        raise self._translate((res,))

    def call(self, fn: Any, *args: Any) -> Any:
        """Call a Lua function (or the global named ``fn``) under the limits."""
        self._stop = False
        try:
            res = self._run_global(fn, *args) if fn.__class__ is str else self._run(fn, *args)
        except UnicodeDecodeError:
            return self._binary_results()
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None
        if res.__class__ is tuple:
            if res[0] == _OK:
                return res[1] if len(res) == 2 else res[1:]
            raise self._translate(res)
        if res == _OK:
            return None
        raise self._translate((res,))

    def call_each(self, fn: Any, a: Any, b: Any,
                  calls: Iterable[tuple[int | None, tuple[Any, ...]]]) -> int:
        """``fn(a, b, *args)`` for each ``(ms, args)`` of ``calls``, in one crossing into
        Lua: each call runs as :meth:`call` runs one (its own budget), after
        :meth:`set_time` of ``ms`` unless it is None. The results are dropped (a replay);
        answers how many calls failed."""
        flat: list[Any] = []
        for ms, args in calls:
            flat += (False if ms is None else int(ms), len(args), *args)
        self._stop = False
        try:
            return int(self._ctl.run_each(fn, a, b, *flat))
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None

    def compile(self, source: str, chunkname: str = "eval") -> Any:
        """Compile text ``source`` into a Lua function over the sandbox globals."""
        try:
            res = self._ctl.compile(source, chunkname)
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None
        if res.__class__ is tuple:
            if res[0] is None:
                raise LuaSyntaxError(str(res[1]), field=chunkname)
            return res[0]
        return res

    # ---------------------------------------------------------------- errors
    def _translate(self, res: tuple[Any, ...]) -> Exception:
        kind = res[0]
        err: Any = res[1] if len(res) > 1 else None
        traceback: str | None = None
        if _is_table(err):
            msg, traceback = err[1], _trim_traceback(err[2])
        else:
            msg = err
        text = msg if isinstance(msg, str) else repr(msg)
        if kind == _LIMIT:
            return ComputeLimitError(text)
        if kind == _INTERRUPT:
            return InterruptError("Lua execution interrupted by the host")
        if kind == _SYNTAX:
            return LuaSyntaxError(text)
        if _OOM in text:
            self._recover_memory()
            return MemoryLimitError(
                f"Lua memory limit exceeded ({self._memory_limit} bytes): {text}")
        error = LuaError(text)
        error.lua_traceback = traceback
        return error

    def _translate_raw(self, exc: BaseException) -> Exception:
        text = str(exc)
        if isinstance(exc, _LuaMemRaw) or _OOM in text:
            self._recover_memory()
            return MemoryLimitError(f"Lua memory limit exceeded ({self._memory_limit} bytes)")
        head, _, tb = text.partition("\nstack traceback:")
        error = LuaError(head)
        error.lua_traceback = _trim_traceback("stack traceback:" + tb) if tb else None
        return error

    def _recover_memory(self) -> None:
        with contextlib.suppress(_LuaRaw):
            self._lua.gccollect()

    # ---------------------------------------------------------------- conversion
    def _unwrap(self, value: Any) -> Any:
        if _is_table(value) and value[_BIN_KEY] is True:
            n = self._ctl.len(value)
            out = bytearray()
            for i in range(1, n + 1, 4096):
                chunk = self._ctl.chunk(value, i, min(i + 4095, n))
                out += bytes(chunk) if isinstance(chunk, tuple) else bytes((chunk,))
            return bytes(out)
        return value

    def _binary_results(self) -> Any:
        packed = self._ctl.last_results()
        values = tuple(self._unwrap(packed[i]) for i in range(1, packed["n"] + 1))
        if not values:
            return None
        return values[0] if len(values) == 1 else values

    def to_python(self, value: Any, *, max_depth: int = 64) -> Any:
        """Deep-convert a Lua value: sequences -> list, other tables -> dict.

        Strings that are not UTF-8 come back as ``bytes``. Raises :class:`LuaError` on
        tables nested deeper than ``max_depth`` (or cyclic).
        """
        if not _is_table(value):
            return value
        if max_depth <= 0:
            raise LuaError("table nested too deeply (or cyclic) to convert")
        try:
            flat = self._ctl.entries(value)
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None
        n = flat["n"]
        items = [(self._unwrap(flat[i]), self.to_python(self._unwrap(flat[i + 1]),
                                                         max_depth=max_depth - 1))
                 for i in range(1, n + 1, 2)]
        keys = [k for k, _ in items]
        if keys and all(isinstance(k, int) for k in keys) and sorted(keys) == list(
                range(1, len(keys) + 1)):
            return [v for _, v in sorted(items, key=lambda kv: kv[0])]
        return dict(items)

    def table(self, *items: Any, **kwargs: Any) -> Any:
        """A new Lua table from positional items (1..n) and keyword entries."""
        return self._lua.table(*items, **kwargs)

    def table_from(self, obj: Any, *, recursive: bool = True) -> Any:
        """A Lua table from a Python mapping or sequence (nested ones too by default)."""
        try:
            return self._lua.table_from(obj, recursive=recursive)
        except _LuaRaw as exc:
            raise self._translate_raw(exc) from None

    # ---------------------------------------------------------------- snapshots
    def trusted_chunk(self, source: str, chunkname: str) -> Any:
        """Host code as a Lua function of this engine: compiled once per Python process
        (bytecode cache) and loaded with the sandbox's globals as its environment. For the
        host's own Lua only (readers, the snapshot module); user code goes through
        :meth:`execute`, which takes text only."""
        raw_load = self._snapshot_raw[2]
        loaded = raw_load(precompile(source, chunkname), chunkname, "b", self._globals)
        if loaded.__class__ is tuple:  # (nil, message)
            raise LuaSyntaxError(_text(loaded[1]))
        return loaded

    def _snapshot_module(self) -> Any:
        if self._snapshots is None:
            debug, costatus, _ = self._snapshot_raw
            chunk = self.trusted_chunk(_SNAPSHOT_SOURCE, "=snapshot")
            self._snapshots = chunk(debug, costatus, self._globals)
        return self._snapshots

    def freeze(self) -> None:
        """Mark what is reachable now as the trusted base (done once, before user code)."""
        self._snapshot_module().freeze(self._globals)

    def snapshot(self, *roots: Any) -> LuaSnapshot:
        """Capture the whole state, inside it; ``roots`` are Lua values the host holds.

        Raises :class:`SnapshotError` when the state cannot be captured now (a suspended
        coroutine is reachable, or the capture would pass the memory limit).
        """
        module = self._snapshot_module()
        try:
            value, info = module.snapshot(self._lua.table(*roots))
        except (_LuaRaw, _LuaMemRaw) as exc:
            self._recover_memory()
            raise SnapshotError(f"the Lua state cannot be captured: {exc}") from None
        if value is None:
            self._recover_memory()
            raise SnapshotError(f"the Lua state cannot be captured: {_text(info)}")
        return LuaSnapshot(value, int(info), tuple(self._ctl.rng_state()))

    def restore(self, snapshot: LuaSnapshot) -> None:
        """Put every object back as it was at ``snapshot`` (which stays restorable)."""
        try:
            self._snapshot_module().restore(snapshot.value)
        except (_LuaRaw, _LuaMemRaw) as exc:
            self._recover_memory()
            raise SnapshotError(f"the Lua state could not be restored: {exc}") from None
        self._ctl.set_rng_state(*snapshot.rng)

    # ---------------------------------------------------------------- introspection
    @property
    def globals(self) -> Any:
        """The sandbox's global table (a lupa table; host access is unmetered)."""
        return self._globals

    def drain_output(self) -> list[str]:
        """Lines written by ``print`` since the last drain (the buffer is emptied)."""
        lines = self.to_python(self._ctl.drain_output())
        if isinstance(lines, dict):  # an empty table converts to {}
            return []
        return [ln.decode("utf-8", "replace") if isinstance(ln, bytes) else str(ln)
                for ln in lines]

    @property
    def instructions_used(self) -> int:
        """Instructions charged to the last call (hook granularity plus C-function charges)."""
        return int(self._used())

    @property
    def memory_used(self) -> int:
        """Bytes currently allocated by this Lua state."""
        return int(self._lua.get_memory_used())

