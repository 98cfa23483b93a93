"""A live aos process: one Lua engine booted with our aos runtime, fed one slot at a time.

::

    AosProcess(process message)            boot: require(".main"), handle(process msg)
        .apply(json1 msg)  -> Outcome      one slot; on Error the state rolls back
        .dry_run(json1 msg) -> Outcome     evaluate without keeping any change
        .inspect(lua)      -> value        read the state (completion, widgets)
        .state()           -> dict         the user's globals as plain Python

**Rollback.** The reference compute unit discards the memory of a call whose result has
an ``Error`` (``notes/aos-behaviours.md`` 1). A Lua state cannot be copied from outside,
but the engine can capture its own objects' contents and write them back in place
(:meth:`LuaEngine.snapshot`, ``runtimes/lua_snapshot.lua``). So:

* before the first message and then every ``CHECKPOINT_EVERY`` successful messages the
  live state is captured (a checkpoint); on an error the checkpoint is restored and the
  few successful messages since are replayed, in one crossing into Lua: the cost follows
  the state's size and ``CHECKPOINT_EVERY``, not the history's length. After a long
  replay the state is captured again before the next message, so a run of errors costs
  one restore each;
* a dry-run captures the state, runs, and restores it;
* time travel (``state_at``) captures the state, restores the nearest older checkpoint
  (up to ``MAX_CHECKPOINTS`` are kept, spread over the history), replays to the slot,
  reads, and restores the capture;
* where no capture is possible (a handler suspended in ``Receive`` holds a coroutine, or
  the capture would pass the memory limit) we fall back to a fresh engine that replays
  the process message and every successful message since (kept as their JSON-1 form).

**Determinism.** Everything the Lua sees comes from the message and its assignment: the
engine's clock is the message timestamp, its random generator is seeded per process, and
tables cross in a fixed order. Replaying the same history always gives the same state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from ...core.errors import (
    AOError,
    ComputeLimitError,
    LuaError,
    MemoryLimitError,
    SnapshotError,
)
from ..lua import to_lua
from . import BOOT_SOURCE, modules
from .abi import Outcome, outcome_from
from .adapter import adapter_source
from .process import print_listener

EngineFactory = Callable[[bytes], Any]

#: Default budget per message: about a second of Lua on this machine. The environment
#: variable AO_KERNEL_INSTRUCTION_LIMIT sets another for every process of the Python
#: process (an operator's choice; the budget decides when a message fails, so nodes that
#: must agree on results must agree on it).
INSTRUCTION_LIMIT = int(os.environ.get("AO_KERNEL_INSTRUCTION_LIMIT", "100000000"))
MEMORY_LIMIT = 256 << 20
#: Successful messages between two checkpoints of the live state (see Rollback); the
#: first is taken before the first message (a rebuild would cost a fresh engine and a
#: boot). An erroring message costs one restore and on average half this many replays
#: (~26 us each); each capture (~0.3-0.4 ms for a booted aos process, more for a larger
#: state) is spread over this many messages. 48 keeps a send's instructions where they
#: were with 64 and the older, slower capture (callgrind, 2,000 pings: 902.6k against
#: 902.3k) and brings the median isolated error to about 10 normal sends
#: (benchmarks/history_cost.py).
CHECKPOINT_EVERY = 48
#: After a rollback that replayed at least this many messages, capture again before the
#: next message, so a run of erroring messages (anyone can send them) costs one restore
#: each.
RECAPTURE_AFTER = 8
#: Checkpoints kept for time travel; past this, every other older one is dropped, so they
#: stay spread over the whole history (``state_at`` replays at most history/16 messages).
MAX_CHECKPOINTS = 16

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
        process = self.env.get("Process")
        self._pid = str(process.get("Id", "")) if isinstance(process, Mapping) else ""
        self._seed = seed
        self._factory = engine_factory
        self.history: list[dict[str, Any]] = []
        self.engine: Any = None
        self.last_instructions = 0
        # (n, capture of the live engine after history[:n]), oldest first
        self._checkpoints: list[tuple[int, Any]] = []
        self._next_checkpoint = 0  # the first before the first message
        # the boundary arguments of history[_args_from:] (None: not flat), as the first
        # run made them, so a rollback's replay does not make them again; reset at every
        # checkpoint, so at most CHECKPOINT_EVERY are kept
        self._args: list[tuple[Any, ...] | None] = []
        self._args_from = 0
        self._last_args: tuple[Any, ...] | None = None
        self.boot_outcome = self._boot()

    # -- engine life -----------------------------------------------------------------------

    def _new_engine(self) -> tuple[Any, Any]:
        engine = self._factory(self._seed)
        handle, engine._ao_step, engine._ao_make_msg, engine._ao_make_env = engine.execute(
            _OPEN, "boot")
        # the readers, loaded before any user code so they use the sandbox's own functions
        engine._ao_dump, engine._ao_plain = engine.call(
            engine.trusted_chunk(_STATE_DUMP, "=state"))
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
        self._last_args = None
        ts = msg.get("Timestamp")
        if isinstance(ts, int) and hasattr(engine, "set_time"):
            engine.set_time(ts)
        try:
            step = getattr(engine, "_ao_step", None)
            args = self._last_args = _flat_args(msg) if step is not None else None
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
            converted = _readable(_decoded(engine.to_python(raw)))
        return outcome_from(converted or {})

    def _replica(self) -> tuple[Any, Any, Any]:
        engine, handle = self._new_engine()
        env = _env_to_lua(engine, self.env)
        if self._booted:
            self._call(engine, handle, self.process_msg, env)
        for old in self.history:
            self._call(engine, handle, old, env)
        return engine, handle, env

    def _capture(self) -> Any:
        """The live state captured in place, or None where it cannot be (see Rollback)."""
        capture = getattr(self.engine, "snapshot", None)
        if capture is None:
            return None
        engine = self.engine
        try:
            return capture(self._handle, engine._ao_step, engine._ao_make_msg,
                           engine._ao_make_env, self._env_lua)
        except SnapshotError:
            return None

    def _rebuild(self) -> None:
        """The live state rebuilt by a full replay (the fallback); its checkpoint is gone."""
        self.engine, self._handle, self._env_lua = self._replica()
        self._checkpoints.clear()
        self._next_checkpoint = len(self.history)
        self._args, self._args_from = [], len(self.history)

    def _keep(self, at: int, checkpoint: Any) -> None:
        self._checkpoints.append((at, checkpoint))
        if len(self._checkpoints) > MAX_CHECKPOINTS:
            older, last = self._checkpoints[:-1], self._checkpoints[-1]
            self._checkpoints = [*older[1::2], last]

    def _replay(self, first: int, last: int) -> None:
        """Compute ``history[first:last]`` again on the live engine, results dropped. The
        usual messages go into Lua in one crossing (each still under its own budget and
        time, as :meth:`_call` runs it); the others one by one, in order."""
        engine, handle, env = self.engine, self._handle, self._env_lua
        each, step = getattr(engine, "call_each", None), getattr(engine, "_ao_step", None)
        batch: list[tuple[int | None, tuple[Any, ...]]] = []
        known, since = self._args, self._args_from
        for i in range(first, last):
            old = self.history[i]
            if each is None or step is None:
                args = None
            else:
                args = known[i - since] if i >= since else _flat_args(old)
            if args is None:
                if batch:
                    each(step, handle, env, batch)  # type: ignore[misc]
                    batch = []
                self._call(engine, handle, old, env)
                continue
            ts = old.get("Timestamp")
            batch.append((ts if isinstance(ts, int) else None, args))
        if batch:
            each(step, handle, env, batch)  # type: ignore[misc]

    def _roll_back(self) -> None:
        """Back to the state after the last successful message."""
        if not self._checkpoints:
            self._rebuild()
            return
        at, checkpoint = self._checkpoints[-1]
        try:
            self.engine.restore(checkpoint)
        except SnapshotError:
            self._rebuild()
            return
        self._replay(at, len(self.history))
        if len(self.history) - at >= RECAPTURE_AFTER:
            # capture again before the next message, not now: an isolated error then
            # costs a restore and the replay, and a run of errors one restore each
            self._next_checkpoint = len(self.history)

    # -- slots -----------------------------------------------------------------------------

    def apply(self, msg: Mapping[str, Any]) -> Outcome:
        """Compute one message; an erroring message leaves the state as it was. Its
        prints go to the listener watching it, if any, as they happen (``process.py``)."""
        if len(self.history) >= self._next_checkpoint:
            checkpoint = self._capture()
            if checkpoint is not None:
                self._keep(len(self.history), checkpoint)
            self._next_checkpoint = len(self.history) + CHECKPOINT_EVERY
            self._args, self._args_from = [], len(self.history)
        listener = print_listener(self._pid, msg)
        if listener is None:
            outcome = self._call(self.engine, self._handle, msg, self._env_lua)
        else:
            engine = self.engine
            engine.on_print = listener
            try:
                outcome = self._call(engine, self._handle, msg, self._env_lua)
            finally:
                engine.on_print = None
        used = self.last_instructions
        if outcome.error is None:
            self.history.append(dict(msg))
            self._args.append(self._last_args)
        else:
            self._roll_back()
        self.last_instructions = used  # the slot's cost, not the replay's
        return outcome

    def dry_run(self, msg: Mapping[str, Any]) -> Outcome:
        """Evaluate ``msg`` on the current state and put the state back; nothing is kept."""
        before = self._capture()
        if before is None:
            engine, handle, env = self._replica()
            return self._call(engine, handle, msg, env)
        try:
            return self._call(self.engine, self._handle, msg, self._env_lua)
        finally:
            try:
                self.engine.restore(before)
            except SnapshotError:
                self._rebuild()

    # -- reading state -----------------------------------------------------------------------

    def inspect(self, source: str, depth: int = 32) -> Any:
        """Evaluate Lua ``source`` against the live state and put the state back.

        The answer is plain data (one value, or a list for several): a function comes
        back as ``"<function>"``, never as something callable. Whatever ``source``
        changes (globals, the random generator) is undone; where the state cannot be
        captured (a handler waiting in ``Receive``) it runs in a replica instead.
        """
        before = self._capture()
        if before is None:
            replica = self._replica()[0]
            return _plain(replica, source, depth)
        try:
            return _plain(self.engine, source, depth)
        finally:
            try:
                self.engine.restore(before)
            except SnapshotError:
                self._rebuild()

    def state_at(self, nonce: int, depth: int = 6) -> dict[str, Any] | None:
        """The globals after the last successful message with ``Nonce <= nonce``.

        None when it cannot be had from a checkpoint (none old enough, or no capture of
        the live state possible); the caller then replays into a replica.
        """
        count = 0
        for old in self.history:
            stamp = old.get("Nonce")
            if isinstance(stamp, int) and stamp > nonce:
                break
            count += 1
        if count == len(self.history):
            return self.state(depth)
        usable = [(at, cp) for at, cp in self._checkpoints if at <= count]
        if not usable:
            return None
        now = self._capture()
        if now is None:
            return None
        at, checkpoint = usable[-1]
        try:
            self.engine.restore(checkpoint)
            self._replay(at, count)
            return self.state(depth)
        finally:
            try:
                self.engine.restore(now)
            except SnapshotError:
                self._rebuild()

    def state(self, depth: int = 6) -> dict[str, Any]:
        """The process's own globals (aos built-ins left out), as plain Python."""
        value = to_python(self.engine.call(self.engine._ao_dump, depth))
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


def _plain(engine: Any, source: str, depth: int) -> Any:
    """The values of ``source`` run in ``engine``, as plain data (see inspect)."""
    fn = engine.compile(source, "inspect")
    packed = to_python(engine.call(engine._ao_plain, depth, fn))
    count = int(packed.get("n", 0)) if isinstance(packed, dict) else 0
    values = [packed.get(str(i)) for i in range(1, count + 1)] if count else []
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


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


_SCALARS = frozenset({str, bytes, int, float, bool})


def _decoded(value: Any) -> Any:
    """A result converted binary-safely (``LuaEngine.to_python``) in :func:`to_python`'s
    shapes: keys as text, values that are not UTF-8 kept as bytes (binary data comes back
    byte for byte), empty tables as lists."""
    if isinstance(value, dict):
        if not value:
            return []
        return {(k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k)): _decoded(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def _readable(response: Any) -> Any:
    """A response with binary values: what is shown (``Output``, ``Error``) as text with
    replacement characters; messages, spawns and assignments keep their bytes."""
    if not isinstance(response, dict):
        return response
    out = dict(response)
    for key in ("Output", "Error"):
        if key in out:
            out[key] = _text_only(out[key])
    return out


def _text_only(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {k: _text_only(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_only(v) for v in value]
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
