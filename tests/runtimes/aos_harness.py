"""Drive our aos runtime from Python: spawn a process, send it messages, read responses.

``AosHarness`` boots one Lua state with the modules of ``ao_kernel.runtimes.aos``,
feeds it the process (spawn) message, then ``send(fields)`` builds a JSON-1 message,
calls ``process.handle`` and returns the response as plain Python (lists and dicts, the
same shape ``json.loads`` gives for the real module's output).

* ``abi="table"`` (default) passes Lua tables straight to ``process.handle``;
  ``abi="json"`` goes through the global ``handle(msgJSON, envJSON)`` export contract,
  the way a harness drives the real wasm module.
* ``rollback=True`` (default) does what the compute unit does with a result that has
  an ``Error``: the state goes back to before that message -- to the module's
  initial state when no message has succeeded yet (a failed spawn message leaves
  nothing: the CU drops the instance). We rebuild the state by replaying the
  successful messages into a fresh Lua state (errors are rare, Lua states cannot
  be copied).
* ``deliver(message, sender)`` turns an outbox message of another harness into the
  message a messenger unit would push: ``From-Process``/``From-Module`` tags, ``Owner``
  the messenger's address (``MU``, listed in every harness process's ``Authority``).
* ``AosNet`` routes outbox messages between harnesses until nothing is left to deliver.

The engine is ``ao_kernel.runtimes.lua.LuaEngine`` when it exists, else a plain
``lupa.lua53`` state with a ``require`` serving ``modules()``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import lupa.lua53

from ao_kernel.runtimes.aos import BOOT_SOURCE, modules
from ao_kernel.runtimes.aos.lua_process import _decoded, _readable, to_python

OWNER = "OWNER-wallet-address-0000000000000000000000"
MU = "MU-messenger-unit-address-00000000000000000"
MODULE = "MODULE-aos-2-0-6-000000000000000000000000000"
START_TIME = 1_700_000_000_000

ROOT_FIELDS = {
    "Id",
    "Owner",
    "From",
    "Target",
    "Anchor",
    "Data",
    "Timestamp",
    "Block-Height",
    "Epoch",
    "Nonce",
    "Hash-Chain",
    "Cron",
    "Read-Only",
    "Forwarded-By",
    "Signature",
    "Tags",
    "Module",
}
PROTOCOL_TAGS = [
    {"name": "Data-Protocol", "value": "ao"},
    {"name": "Variant", "value": "ao.TN.1"},
]


def make_id(*parts: object) -> str:
    """A deterministic 43-character base64url id."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


_LUA_REQUIRE = """
local sources = ...
local loaded = {}
function require(name)
  local key = name:gsub("^%.", "")
  local m = loaded[key]
  if m ~= nil then return m end
  local src = sources[key]
  if src == nil then error("module '" .. name .. "' not found", 2) end
  local fn = assert(load(src, "." .. key))
  m = fn(key)
  if m == nil then m = true end
  loaded[key] = m
  return m
end
"""


class _LupaEngine:
    """The minimum of the LuaEngine interface the harness needs, on plain lupa."""

    def __init__(self, *, modules: Mapping[str, str]) -> None:
        self.lua = lupa.lua53.LuaRuntime(unpack_returned_tuples=True)
        self.lua.execute(_LUA_REQUIRE, self.lua.table_from(dict(modules)))
        self.globals = self.lua.globals()

    def execute(self, source: str, chunkname: str = "=harness") -> Any:
        fn = self.lua.eval("function(s, n) return assert(load(s, n)) end")(source, chunkname)
        return fn()

    def table_from(self, value: Any) -> Any:
        return self.lua.table_from(value, recursive=True)


def _default_engine(mods: Mapping[str, str]) -> Any:
    try:
        from ao_kernel.runtimes.lua import LuaEngine
    except ImportError:
        return _LupaEngine(modules=mods)
    return LuaEngine(modules=mods, seed=0)


def to_lua(engine: Any, value: Any) -> Any:
    """``value`` as Lua tables, nested ones included, whatever ``table_from`` recurses into."""
    if isinstance(engine, _LupaEngine):
        return engine.table_from(value)
    if isinstance(value, Mapping):
        return engine.table_from({k: to_lua(engine, v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return engine.table_from([to_lua(engine, v) for v in value])
    return value


class AosHarness:
    """One aos process in one Lua state, driven message by message from Python."""

    def __init__(
        self,
        *,
        name: str = "test",
        process_id: str | None = None,
        owner: str = OWNER,
        module: str = MODULE,
        authority: str | None = MU,
        data: str = "",
        on_boot: str | None = None,
        tags: Iterable[tuple[str, str]] = (),
        abi: str = "table",
        rollback: bool = True,
        weavedrive: Mapping[str, str] | None = None,
        engine_factory: Callable[[Mapping[str, str]], Any] = _default_engine,
        spawn: bool = True,
    ) -> None:
        self.name = name
        self.process_id = process_id or make_id("process", name, owner)
        self.owner = owner
        self.module = module
        self.abi = abi
        self.rollback = rollback
        self.weavedrive = dict(weavedrive or {})
        self.engine_factory = engine_factory
        self.clock = START_TIME
        self.block_height = 1_000
        self.nonce = 0
        self.history: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        process_tags = [
            *PROTOCOL_TAGS,
            {"name": "Type", "value": "Process"},
            {"name": "Module", "value": module},
            {"name": "Scheduler", "value": "SCHEDULER"},
            {"name": "Name", "value": name},
        ]
        if authority:
            process_tags.append({"name": "Authority", "value": authority})
        if on_boot:
            process_tags.append({"name": "On-Boot", "value": on_boot})
        process_tags += [{"name": k, "value": v} for k, v in tags]
        self.process_tags = process_tags
        self.process_message = {
            "Id": self.process_id,
            "Owner": owner,
            "From": owner,
            "Target": self.process_id,
            "Tags": process_tags,
            "Data": data,
            "Timestamp": self.clock,
            "Block-Height": self.block_height,
            "Epoch": 0,
            "Nonce": 0,
        }
        self._boot()
        self.spawn_result = self._handle(self.process_message) if spawn else None

    # -- engine -------------------------------------------------------------
    def _boot(self) -> None:
        self.engine = self.engine_factory(modules())
        self.engine.execute(BOOT_SOURCE, "=boot")
        self.lua_handle = self.engine.execute('return require(".process").handle', "=boot")
        self.lua_json_handle = self.engine.globals.handle
        if self.weavedrive:
            files = to_lua(self.engine, self.weavedrive)
            boot = self.engine.execute('return require(".boot")', "=boot")
            boot.read = self.engine.execute(_WEAVEDRIVE_READER, "=boot")(files)

    @property
    def env(self) -> dict[str, Any]:
        return {
            "Process": {"Id": self.process_id, "Owner": self.owner, "Tags": self.process_tags},
            "Module": {"Id": self.module, "Owner": self.owner, "Tags": []},
        }

    def _call(self, msg: dict[str, Any]) -> dict[str, Any]:
        if self.abi == "json":
            out = json.loads(self.lua_json_handle(json.dumps(msg), json.dumps(self.env)))
            if not out["ok"]:
                return {"Error": out["response"]}
            return out["response"]
        try:
            res = self.lua_handle(to_lua(self.engine, msg), to_lua(self.engine, self.env))
        except Exception as exc:  # the engine's LuaError: the call itself failed
            return {"Error": str(exc)}
        try:
            return to_python(res)
        except UnicodeDecodeError:  # text that is not UTF-8 (a cut multi-byte character)
            return _readable(_decoded(self.engine.to_python(res)))

    def _handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        res = self._call(json.loads(json.dumps(msg)))
        # Roll back to the memory after the last successful message, as the compute
        # unit does (it drops the instance and loads that memory into a new one).
        # Before the first success that is the module's initial heap: a failed
        # process message leaves nothing behind (corpus sequences on_boot_error*).
        if "Error" in res and self.rollback:
            self._boot()
            for old in self.history:
                self._call(json.loads(json.dumps(old)))
        else:
            self.history.append(msg)
        self.responses.append(res)
        return res

    # -- messages -------------------------------------------------------------
    def message(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON-1 message for ``fields``: root fields as given, the rest as tags."""
        self.clock += 1_000
        self.nonce += 1
        owner = fields.get("Owner", fields.get("From", self.owner))
        msg: dict[str, Any] = {
            "Id": make_id(self.process_id, "msg", self.nonce),
            "Owner": owner,
            "From": fields.get("From", owner),
            "Target": self.process_id,
            "Data": "",
            "Timestamp": self.clock,
            "Block-Height": self.block_height,
            "Epoch": 0,
            "Nonce": self.nonce,
        }
        tags: list[dict[str, Any]] = []
        for key, value in fields.items():
            if key in ROOT_FIELDS and key != "Tags":
                msg[key] = value
            elif key != "Tags":
                tags.append({"name": key, "value": value})
        tags += list(fields.get("Tags", []))
        if not any(t["name"] == "Type" for t in tags):
            tags += [*PROTOCOL_TAGS, {"name": "Type", "value": "Message"}]
        msg["Tags"] = tags
        return msg

    def send(self, fields: Mapping[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Schedule and compute one message; returns the response object."""
        return self._handle(self.message({**(fields or {}), **kw}))

    def send_raw(self, msg: Mapping[str, Any]) -> dict[str, Any]:
        """Compute a fully formed JSON-1 message as given."""
        return self._handle(dict(msg))

    def eval(self, code: str, *, From: str | None = None) -> dict[str, Any]:
        """An aos REPL line: an Eval message from the owner (or ``From``)."""
        fields = {"Action": "Eval", "Data": code}
        if From is not None:
            fields["From"] = From
        return self.send(fields)

    def deliver(self, message: Mapping[str, Any], sender: AosHarness) -> dict[str, Any]:
        """Push an outbox message of ``sender`` into this process, as a messenger would."""
        tags = [
            *message.get("Tags", []),
            {"name": "From-Process", "value": sender.process_id},
            {"name": "From-Module", "value": sender.module},
        ]
        return self.send_raw(
            {
                **self.message({"From": sender.process_id, "Owner": MU}),
                "Anchor": message.get("Anchor"),
                "Data": message.get("Data", ""),
                "Tags": tags,
                "Forwarded-By": MU,
            }
        )

    def lua(self, source: str) -> Any:
        """Run Lua in the process state (outside any message) and return its value."""
        return to_python(self.engine.execute(source, "=inspect"))


_WEAVEDRIVE_READER = """
return function(files)
  return function(id) return files[id] or error("no WeaveDrive data for " .. id, 0) end
end
"""


class AosNet:
    """A few harness processes and a messenger: outbox messages reach their Target."""

    def __init__(self, *procs: AosHarness) -> None:
        self.procs = {p.process_id: p for p in procs}
        self.log: list[tuple[str, str, dict[str, Any]]] = []

    def add(self, proc: AosHarness) -> AosHarness:
        self.procs[proc.process_id] = proc
        return proc

    def pump(self, sender: AosHarness, response: Mapping[str, Any], limit: int = 1000) -> None:
        """Deliver ``response``'s messages, and theirs, until none targets a known process."""
        queue = [(sender, m) for m in response.get("Messages", [])]
        while queue:
            limit -= 1
            if limit < 0:
                raise RuntimeError("message loop did not settle")
            src, m = queue.pop(0)
            target = self.procs.get(m.get("Target"))
            if target is None:
                continue
            res = target.deliver(m, src)
            self.log.append((src.process_id, target.process_id, res))
            queue += [(target, m2) for m2 in res.get("Messages", [])]

    def send(self, proc: AosHarness, fields: Mapping[str, Any]) -> dict[str, Any]:
        res = proc.send(fields)
        self.pump(proc, res)
        return res


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: Any) -> Any:
    """``text`` without ANSI colour codes (the real module colours prompts and prints)."""
    return _ANSI.sub("", text) if isinstance(text, str) else text


def journal(handlers: str, sends: Iterable[Mapping[str, Any]], name: str
            ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """A real process's JSON-1 env, spawn message and scheduled messages: ``handlers``
    spawned on a node with a virtual clock, then each of ``sends`` sent to it."""
    import ao_kernel as ao
    from ao_kernel.node.clock import VirtualClock
    from ao_kernel.testing.wallets import dev_wallet

    node = ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    proc = node.spawn(lua=handlers, name=name)
    for send in sends:
        proc.send(**send)
    live = node.computer.live(proc.id)
    slots = [node.scheduler.assignment(proc.id, slot)
             for slot in range(node.scheduler.current_slot(proc.id) + 1)]
    messages = [node.computer._json1(live, a["body"], a) for a in slots]
    return node.computer._env(live), messages[0], messages[1:]
