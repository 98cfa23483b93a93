"""A live aos process: one Lua engine booted with our aos runtime, fed one slot at a time.

::

    AosProcess(process message)            boot: require(".main"), handle(process msg)
        .apply(json1 msg)  -> Outcome      one slot; on Error the state rolls back
        .dry_run(json1 msg) -> Outcome     evaluate without keeping any change
        .inspect(lua)      -> value        read the state (completion, widgets)
        .state()           -> dict         the user's globals as plain Python

**Rollback.** The reference compute unit discards the memory of a call whose result has
an ``Error`` (``notes/aos-behaviours.md`` 1). A Lua state cannot be copied, so on an error
(rare) we rebuild it: a fresh engine replays the process message and every successful
message since. Dry-runs use the same mechanism: they run on a replica rebuilt on demand
and discarded afterwards, so the live state never changes. Both cost one replay of the
process's history; the history is kept as the JSON-1 messages that succeeded.

**Determinism.** Everything the Lua sees comes from the message and its assignment: the
engine's clock is the message timestamp, its random generator is seeded per process, and
tables cross in a fixed order. Replaying the same history always gives the same state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...core.errors import AOError, ComputeLimitError, LuaError, MemoryLimitError
from ..lua import to_lua
from . import BOOT_SOURCE, modules
from .abi import Outcome, outcome_from
from .adapter import adapter_source

EngineFactory = Callable[[bytes], Any]

#: Default budget per message: about a second of Lua on this machine.
INSTRUCTION_LIMIT = 100_000_000
MEMORY_LIMIT = 256 << 20

_STATE_DUMP = adapter_source("state_dump")


def _default_engine(seed: bytes) -> Any:
    from ..lua import LuaEngine

    return LuaEngine(
        modules={**modules(), BOUNDARY_MODULE: _BOUNDARY}, seed=seed,
        instruction_limit=INSTRUCTION_LIMIT, memory_limit=MEMORY_LIMIT,
    )


class AosProcess:
    """One aos process in one Lua engine (see the module docstring)."""

    def __init__(
        self,
        process_msg: Mapping[str, Any],
        env: Mapping[str, Any],
        *,
        seed: bytes = b"",
        engine_factory: EngineFactory = _default_engine,
    ) -> None:
        self.env = dict(env)
        self.process_msg = dict(process_msg)
        self._seed = seed
        self._factory = engine_factory
        self.history: list[dict[str, Any]] = []
        self.engine: Any = None
        self.last_instructions = 0
        self.boot_outcome = self._boot()

    # -- engine life -----------------------------------------------------------------------

    def _new_engine(self) -> tuple[Any, Any]:
        engine = self._factory(self._seed)
        handle, engine._ao_step, engine._ao_make_msg, engine._ao_make_env = engine.execute(
            _OPEN, "boot")
        return engine, handle

    def _boot(self) -> Outcome:
        self.engine, self._handle = self._new_engine()
        self._env_lua = _env_to_lua(self.engine, self.env)
        outcome = self._call(self.engine, self._handle, self.process_msg, self._env_lua)
        self._booted = outcome.error is None
        if not self._booted:  # the CU keeps no memory of a failed call: a fresh state
            self.engine, self._handle = self._new_engine()
            self._env_lua = _env_to_lua(self.engine, self.env)
        return outcome

    def _call(self, engine: Any, handle: Any, msg: Mapping[str, Any], env: Any) -> Outcome:
        try:
            return self._call_inner(engine, handle, msg, env)
        finally:  # metering: what the call cost (the engine counts per call)
            self.last_instructions = int(getattr(engine, "instructions_used", 0) or 0)

    def _call_inner(self, engine: Any, handle: Any, msg: Mapping[str, Any],
                    env: Any) -> Outcome:
        ts = msg.get("Timestamp")
        if isinstance(ts, int) and hasattr(engine, "set_time"):
            engine.set_time(ts)
        try:
            step = getattr(engine, "_ao_step", None)
            args = _flat_args(msg) if step is not None else None
            if args is not None:
                # one crossing: Lua builds the message, runs handle, and answers the
                # common result (no outbox) as plain values instead of a table to walk
                answer = engine.call(step, handle, env, *args)
                if answer[0] == 1:
                    return _plain_outcome(answer)
                raw = answer[1]
            else:
                lua_msg = _message_to_lua(engine, msg)
                raw = engine.call(handle, lua_msg, env) if hasattr(engine, "call") \
                    else handle(lua_msg, env)
        except (ComputeLimitError, MemoryLimitError) as exc:
            return Outcome(error=f"{type(exc).__name__.replace('Error', '')}: {exc}")
        except LuaError as exc:
            return Outcome(error=str(exc))
        except AOError as exc:
            return Outcome(error=str(exc))
        try:
            converted = to_python(raw)
        except UnicodeDecodeError:  # a string in the result is not UTF-8
            converted = _decoded(engine.to_python(raw))
        return outcome_from(converted or {})

    def _replica(self) -> tuple[Any, Any, Any]:
        engine, handle = self._new_engine()
        env = _env_to_lua(engine, self.env)
        if self._booted:
            self._call(engine, handle, self.process_msg, env)
        for old in self.history:
            self._call(engine, handle, old, env)
        return engine, handle, env

    # -- slots -----------------------------------------------------------------------------

    def apply(self, msg: Mapping[str, Any]) -> Outcome:
        """Compute one message; an erroring message leaves the state as it was."""
        outcome = self._call(self.engine, self._handle, msg, self._env_lua)
        used = self.last_instructions
        if outcome.error is None:
            self.history.append(dict(msg))
        else:
            self.engine, self._handle, self._env_lua = self._replica()
        self.last_instructions = used  # the slot's cost, not the replay's
        return outcome

    def dry_run(self, msg: Mapping[str, Any]) -> Outcome:
        """Evaluate ``msg`` on a copy of the current state; nothing is kept."""
        engine, handle, env = self._replica()
        return self._call(engine, handle, msg, env)

    # -- reading state -----------------------------------------------------------------------

    def inspect(self, source: str) -> Any:
        """Evaluate Lua ``source`` in the live state (for completion and inspection)."""
        return to_python(self.engine.execute(source, "inspect"))

    def state(self, depth: int = 6) -> dict[str, Any]:
        """The process's own globals (aos built-ins left out), as plain Python."""
        dump = self.engine.execute(_STATE_DUMP, "state")
        value = to_python(dump(depth))
        return value if isinstance(value, dict) else {}

    def interrupt(self) -> None:
        if hasattr(self.engine, "interrupt"):
            self.engine.interrupt()


# -- Python <-> Lua ------------------------------------------------------------------------

# The boundary between Python and an aos process, a module of its own (precompiled once
# per Python process, like the aos modules) required at engine creation, before any user
# code, so the locals it captures are the real ones:
#   step(handle, env, n, ...)  one slot in one call: the message arrives as flat arguments
#       (n root fields as key, value pairs, then the tags as name, value pairs); a result
#       with an empty outbox and a plain Output comes back as values (1, data, prompt,
#       print, test, has_output), anything else whole (0, result)
#   make_msg(fields, names, values)  the message from a table of scalars and two arrays
#       (for messages with nested values, which step does not take)
#   make_env(pid, owner, module, module_owner, ...)  the JSON-1 env, tags as name, value
BOUNDARY_MODULE = "ao-kernel-boundary"
_BOUNDARY = adapter_source("boundary")

# Requires the aos runtime and the boundary: handle, step, make_msg, make_env.
_OPEN = (BOOT_SOURCE + "\nlocal b = require('." + BOUNDARY_MODULE + "')\n"
         "return require('.process').handle, b.step, b.make_msg, b.make_env")


def _flat_args(msg: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """``msg`` as the boundary step's arguments, or None when a value is not a scalar."""
    fields: list[Any] = []
    tags = msg.get("Tags")
    if not isinstance(tags, list):
        return None
    for key, value in msg.items():
        if key == "Tags":
            continue
        if value is not None and value.__class__ not in _SCALARS:
            return None
        fields.append(key)
        fields.append(value)
    flat = [len(fields) // 2, *fields]
    for tag in tags:
        if tag.__class__ is not dict:
            return None
        name, value = tag.get("name"), tag.get("value")
        if name.__class__ is not str or value.__class__ is not str:
            return None
        flat.append(name)
        flat.append(value)
    return tuple(flat)


_SCALARS = frozenset({str, int, float, bool})


def _decoded(value: Any) -> Any:
    """A result converted binary-safely (``LuaEngine.to_python``) in :func:`to_python`'s
    shapes: text decoded with replacement characters, empty tables as lists."""
    if isinstance(value, dict):
        if not value:
            return []
        return {(k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)): _decoded(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _plain_outcome(answer: tuple[Any, ...]) -> Outcome:
    """The Outcome of the boundary step's short answer (the same as reading the whole table)."""
    _, data, prompt, printed, test, has_output = answer
    if bytes in (data.__class__, prompt.__class__, test.__class__):  # text that is not UTF-8
        data, prompt, test = (v.decode("utf-8", "replace") if v.__class__ is bytes else v
                              for v in (data, prompt, test))
    output: Any = []  # an empty Lua table reads as a list
    if has_output:
        output = {k: v for k, v in (("data", data), ("prompt", prompt), ("print", printed),
                                    ("test", test)) if v is not None}
    raw = {"Output": output, "Messages": [], "Spawns": [], "Assignments": []}
    return Outcome(output=output, raw=raw)


def _env_to_lua(engine: Any, env: Mapping[str, Any]) -> Any:
    """``env`` as a Lua table: one call for the usual shape, else converted generally."""
    make = getattr(engine, "_ao_make_env", None)
    process, module = env.get("Process"), env.get("Module")
    if (make is not None and set(env) == {"Process", "Module"}
            and isinstance(process, dict) and set(process) == {"Id", "Owner", "Tags"}
            and isinstance(module, dict) and set(module) == {"Id", "Owner", "Tags"}
            and module["Tags"] == [] and isinstance(process["Tags"], list)):
        flat: list[Any] = []
        for tag in process["Tags"]:
            if not (isinstance(tag, dict) and set(tag) == {"name", "value"}
                    and isinstance(tag["name"], str) and isinstance(tag["value"], str)):
                return to_lua(engine, env)
            flat += (tag["name"], tag["value"])
        return make(process["Id"], process["Owner"], module["Id"], module["Owner"], *flat)
    return to_lua(engine, env)


def _message_to_lua(engine: Any, msg: Mapping[str, Any]) -> Any:
    make = getattr(engine, "_ao_make_msg", None)
    tags = msg.get("Tags")
    flat = all(not isinstance(v, (Mapping, list, tuple)) for k, v in msg.items() if k != "Tags")
    if make is None or not flat or not isinstance(tags, list) or not all(
        isinstance(t, Mapping) for t in tags
    ):
        return to_lua(engine, msg)
    fields = engine.table_from({k: v for k, v in msg.items() if k != "Tags"})
    names = engine.table_from([t.get("name") for t in tags])
    values = engine.table_from([t.get("value") for t in tags])
    return make(fields, names, values)



def to_python(value: Any) -> Any:
    """A Lua value as JSON-shaped Python (sequences as lists, empty tables as lists)."""
    if hasattr(value, "items") and not isinstance(value, dict):
        items = list(value.items())
        if not items:
            return []
        keys = [k for k, _ in items]
        if all(isinstance(k, int) for k in keys) and sorted(keys) == list(range(1, len(keys) + 1)):
            return [to_python(v) for _, v in sorted(items)]
        return {str(k): to_python(v) for k, v in items}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
