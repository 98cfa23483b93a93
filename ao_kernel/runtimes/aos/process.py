"""The aos runtime protocol: what the compute unit asks of a live aos process.

Two runtimes satisfy it: :class:`~ao_kernel.runtimes.aos.lua_process.AosProcess` (our
aos in Lua 5.3) and :class:`~ao_kernel.runtimes.aos.wasm_process.WasmAosProcess` (a real
aos wasm build). :func:`runtime_for` picks one for a process definition: the one place
that reads a definition's execution device, device stack and module.

**Watching prints.** Inside ``with watching_prints(pid, slot, listener)``, whatever slot
``slot`` of process ``pid`` prints is also passed to ``listener``, line by line, as it is
printed (the AO kernel streams a cell's prints to stdout this way). It is a side channel
of the computation on this thread: the result, the state and the metering are the same
with or without it, and no other slot's prints (replays after a rollback, time travel,
pushed messages) reach the listener. Only our Lua runtime streams; a wasm module's prints
reach its result only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from ...core.message import Message
from .abi import Outcome
from .wasm_modules import MessageReader, module_source, wasm_module_of


class AosRuntime(Protocol):
    """One live aos process fed one slot at a time (JSON-1 messages in, outcomes out)."""

    boot_outcome: Outcome
    process_msg: dict[str, Any]
    history: list[dict[str, Any]]

    def apply(self, msg: Mapping[str, Any]) -> Outcome: ...

    def dry_run(self, msg: Mapping[str, Any]) -> Outcome: ...

    def inspect(self, source: str) -> Any: ...

    def state(self, depth: int = ...) -> dict[str, Any]: ...

    def state_at(self, nonce: int, depth: int = ...) -> dict[str, Any] | None:
        """The state after slot ``nonce`` when a checkpoint gives it cheaply, else None."""
        ...

    def interrupt(self) -> None: ...


#: builds a runtime: ``make(process_msg, env, seed=...)``
RuntimeFactory = Callable[..., AosRuntime]


def runtime_for(definition: Message, read_message: MessageReader) -> RuntimeFactory:
    """A constructor ``(process_msg, env, seed=...) -> runtime`` for ``definition``."""
    module_id = wasm_module_of(definition, read_message)
    if module_id is None:
        from .lua_process import AosProcess

        return AosProcess
    from .wasm_process import WasmAosProcess

    compiled, module_entry = module_source(module_id, read_message)

    def make(process_msg: Mapping[str, Any], env: Mapping[str, Any], *,
             seed: bytes = b"") -> WasmAosProcess:
        found = env.get("Module")
        old: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        env = {**env, "Module": {**module_entry, "Owner": old.get("Owner", "")}}
        return WasmAosProcess(process_msg, env, seed=seed, module=compiled)

    return make


#: listens to one line printed by a watched slot
PrintListener = Callable[[str], None]

_WATCHED: ContextVar[tuple[str, int, PrintListener] | None] = ContextVar(
    "ao_kernel_watched_prints", default=None)


@contextmanager
def watching_prints(pid: str, slot: int, listener: PrintListener) -> Iterator[None]:
    """Pass what slot ``slot`` of ``pid`` prints to ``listener`` while inside (see the
    module docstring)."""
    token = _WATCHED.set((pid, int(slot), listener))
    try:
        yield
    finally:
        _WATCHED.reset(token)


def print_listener(pid: str, msg: Mapping[str, Any]) -> PrintListener | None:
    """The listener watching this JSON-1 message (its ``Nonce`` is its slot) of ``pid``."""
    watched = _WATCHED.get()
    if watched is None or watched[0] != pid:
        return None
    nonce = msg.get("Nonce")
    if nonce is None or str(nonce) != str(watched[1]):
        return None
    return watched[2]
