"""A live aos process on the REAL aos WebAssembly module (wasmtime), fed one slot at a time.

::

    WasmAosProcess(process msg, env, module=...)  boot: handle(process msg, env)
        .apply(json1 msg)  -> Outcome          one slot; on Error the state rolls back
        .dry_run(json1 msg) -> Outcome         evaluate without keeping any change
        .inspect(lua)      -> str              Output.data of an owner Eval, not kept
        .state()           -> dict             the user's globals as plain Python

Same interface as :class:`~ao_kernel.runtimes.aos.lua_process.AosProcess`, so the Computer runs a
process whose ``Module`` is a real aos build with this class instead of our Lua runtime.

**One instance, checkpoints, rollback.** The process owns one live wasmtime instance; a
message is one call into it (``handle(msg_json, env_json)``). Memory is never copied per
message. A *checkpoint* is a sparse snapshot (the non-zero 64 KiB pages: about 2 MiB of the
68+ MiB heap after boot) plus the messages applied since. A message whose result has an
``Error`` (or that hits a limit) is undone by restoring the checkpoint into a fresh
instance and replaying the messages since it. A new checkpoint is taken when replaying
would cost more than ``REPLAY_FACTOR`` times a snapshot, measured as we go, so snapshots
cost at most ~1/REPLAY_FACTOR of compute time and a rollback stays around a tenth of a
second. Dry-runs checkpoint, run, and restore.

**Modules.** Which wasm a module ID names is :mod:`.wasm_modules`' business.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.errors import AOError, ComputeLimitError, MemoryLimitError, ProcessError
from ..wasm import PAGE, WasmInstance, WasmModule, parse_memory_limit
from .abi import Outcome, json_text, outcome_from
from .adapter import adapter_source
from .wasm_modules import load_module

if TYPE_CHECKING:
    pass

#: the memory limit of the aos CLI / reference CU when a module names none
DEFAULT_MEMORY_LIMIT = 1 << 30
#: per-message fuel (about one unit per wasm instruction; an Eval of 1 + 1 uses ~9e6,
#: loading the token blueprint ~1e8): a looping handler stops after about a second
DEFAULT_FUEL = 2_000_000_000
REPLAY_FACTOR = 10
#: the execution device a wasm process names (as HyperBEAM's aos processes do)
# -- the process ------------------------------------------------------------------------------


class _Checkpoint:
    """A sparse memory image: page index -> 64 KiB of bytes, for the non-zero pages."""

    __slots__ = ("pages", "size", "stdout", "ticks")

    def __init__(self, inst: WasmInstance) -> None:
        base = inst._base()
        self.size = inst.memory_size()
        zero = bytes(PAGE)
        pages: dict[int, bytes] = {}
        for i in range(self.size // PAGE):
            page = ctypes.string_at(base + i * PAGE, PAGE)
            if page != zero:
                pages[i] = page
        self.pages = pages
        self.stdout = bytes(inst.stdout)
        self.ticks = inst.ticks

    @property
    def bytes(self) -> int:
        return len(self.pages) * PAGE

    def restore_into(self, inst: WasmInstance, dirty: set[int]) -> None:
        """Write the image into a fresh instance whose non-zero pages are ``dirty``."""
        mem = inst._mem()
        have = inst.memory_size()
        if self.size > have:
            inst.store.set_fuel(1 << 62)
            if mem.grow(inst.store, (self.size - have) // PAGE) < 0:
                raise MemoryLimitError("the checkpoint is larger than the memory limit")
        base = inst._base()
        for i in dirty - self.pages.keys():
            ctypes.memset(base + i * PAGE, 0, PAGE)
        for i, page in self.pages.items():
            ctypes.memmove(base + i * PAGE, page, PAGE)
        inst.stdout = bytearray(self.stdout)
        inst.ticks = self.ticks


def _fresh_pages(inst: WasmInstance) -> set[int]:
    base = inst._base()
    zero = bytes(PAGE)
    return {i for i in range(inst.memory_size() // PAGE)
            if ctypes.string_at(base + i * PAGE, PAGE) != zero}


_FRESH: dict[str, set[int]] = {}


class WasmAosProcess:
    """One aos process on one live wasm instance (see the module docstring)."""

    def __init__(
        self,
        process_msg: Mapping[str, Any],
        env: Mapping[str, Any],
        *,
        seed: bytes = b"",
        module: WasmModule | bytes | str | Path | None = None,
        memory_limit: int | str | None = None,
        fuel: int = DEFAULT_FUEL,
        engine_factory: Any = None,
    ) -> None:
        self.env = dict(env)
        self.process_msg = dict(process_msg)
        self._seed = seed
        if module is None:
            module = str((env.get("Module") or {}).get("Id") or "")
        self.module = load_module(module)
        limit = memory_limit if memory_limit is not None else _tag(env.get("Module"),
                                                                     "Memory-Limit")
        self.memory_limit = parse_memory_limit(limit) or DEFAULT_MEMORY_LIMIT
        self.fuel = fuel
        self._env_json = json.dumps(self.env, separators=(",", ":"))
        self.history: list[dict[str, Any]] = []
        self._since: list[dict[str, Any]] = []
        self._since_cost = 0.0
        self._snapshot_cost = 0.02
        self.rollbacks = 0
        self.checkpoints = 0
        self.instance = WasmInstance(self.module, fuel=fuel, memory_limit=self.memory_limit,
                                     seed=seed)
        if self.module.sha256 not in _FRESH:
            fresh = WasmInstance(self.module, fuel=fuel, memory_limit=self.memory_limit,
                                 init=False)
            _FRESH[self.module.sha256] = _fresh_pages(fresh)
        self.boot_outcome = self._call(self.process_msg)
        self.last_fuel = int(self.instance.fuel_used)
        if self.boot_outcome.error is not None:  # the CU keeps no memory of a failed call:
            self.instance = WasmInstance(self.module, fuel=fuel,  # here, the initial heap
                                         memory_limit=self.memory_limit, seed=seed)
        self._checkpoint: _Checkpoint | None = None
        self._take_checkpoint()

    # -- calls -----------------------------------------------------------------------------

    def _call(self, msg: Mapping[str, Any]) -> Outcome:
        inst = self.instance
        ts = msg.get("Timestamp")
        if isinstance(ts, int):
            inst.clock_ms = ts
        try:
            raw = inst.call_strings("handle", json.dumps(msg, separators=(",", ":"),
                                                         default=json_text),
                                    self._env_json)
        except (ComputeLimitError, MemoryLimitError) as exc:
            return Outcome(error=f"{type(exc).__name__.replace('Error', '')}: {exc}")
        except AOError as exc:
            return Outcome(error=str(exc))
        try:
            doc = json.loads(raw)
        except ValueError:
            return Outcome(error=f"the module returned no JSON: {raw[:200]!r}")
        if not isinstance(doc, dict):
            return Outcome(error=f"the module returned {raw[:200]!r}")
        response = doc.get("response")
        if doc.get("ok") is False or not isinstance(response, Mapping):
            # aos answers {ok=false, response=<error>}: ao-loader throws it, the CU makes it
            # the result's Error
            text = response if isinstance(response, str) else json.dumps(response)
            return Outcome(error=text)
        return outcome_from(response)

    def _take_checkpoint(self) -> None:
        t0 = time.perf_counter()
        self._checkpoint = _Checkpoint(self.instance)
        self._snapshot_cost = max(time.perf_counter() - t0, 0.001)
        self._since = []
        self._since_cost = 0.0
        self.checkpoints += 1

    def _rollback(self) -> None:
        """Back to the state after the last successful message."""
        assert self._checkpoint is not None
        self.rollbacks += 1
        inst = self.instance
        inst.restore_empty()
        self._checkpoint.restore_into(inst, _FRESH[self.module.sha256])
        for old in self._since:
            self._call(old)

    # -- slots -----------------------------------------------------------------------------

    def apply(self, msg: Mapping[str, Any]) -> Outcome:
        """Compute one message; an erroring message leaves the state as it was."""
        t0 = time.perf_counter()
        outcome = self._call(msg)
        cost = time.perf_counter() - t0
        self.last_fuel = int(self.instance.fuel_used)  # metering: before any rollback
        if outcome.error is None:
            kept = dict(msg)
            self.history.append(kept)
            self._since.append(kept)
            self._since_cost += cost
            if self._since_cost > REPLAY_FACTOR * self._snapshot_cost:
                self._take_checkpoint()
        else:
            self._rollback()
        return outcome

    def dry_run(self, msg: Mapping[str, Any]) -> Outcome:
        """Evaluate ``msg`` on the current state; nothing is kept."""
        if self._since:
            self._take_checkpoint()
        outcome = self._call(msg)
        self._rollback()
        return outcome

    # -- reading state ---------------------------------------------------------------------

    def inspect(self, source: str) -> Any:
        """``Output.data`` of evaluating ``source`` as the owner (nothing is kept)."""
        owner = str(self.process_msg.get("Owner") or self.env.get("Process", {}).get("Owner"))
        msg = {
            "Id": "INSPECT" + "0" * 36, "Owner": owner, "From": owner,
            "Target": self.process_msg.get("Id", ""), "Anchor": "", "Data": source,
            "Tags": [{"name": "Action", "value": "Eval"}],
            "Timestamp": self.instance.clock_ms, "Block-Height":
                self.process_msg.get("Block-Height", 0), "Read-Only": True,
        }
        outcome = self.dry_run(msg)
        if outcome.error is not None:
            raise ProcessError(outcome.error)
        return outcome.data

    def state_at(self, nonce: int, depth: int = 6) -> dict[str, Any] | None:
        """No checkpoints here yet: the caller replays into a replica."""
        return None

    def state(self, depth: int = 6) -> dict[str, Any]:
        """The process's own globals (aos built-ins left out), as plain Python."""
        text = self.inspect(_STATE_JSON.replace("DEPTH", str(int(depth))))
        try:
            value = json.loads(_strip_ansi(text))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def interrupt(self) -> None:
        """Stop a running message at the next fuel check (it fails with Compute-Limit)."""
        with contextlib.suppress(Exception):  # not running: nothing to stop
            self.instance.store.set_fuel(0)

    def resident_bytes(self) -> int:
        """Bytes this process keeps besides the live heap: its checkpoint."""
        return self._checkpoint.bytes if self._checkpoint else 0


_STATE_JSON = adapter_source("state_json")


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _tag(entity: Any, name: str) -> str | None:
    if not isinstance(entity, Mapping):
        return None
    for tag in entity.get("Tags") or []:
        if isinstance(tag, Mapping) and str(tag.get("name", "")).lower() == name.lower():
            return str(tag.get("value"))
    return None

