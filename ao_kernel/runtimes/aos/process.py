"""The aos runtime protocol: what the compute unit asks of a live aos process.

Two runtimes satisfy it: :class:`~ao_kernel.runtimes.aos.lua_process.AosProcess` (our
aos in Lua 5.3) and :class:`~ao_kernel.runtimes.aos.wasm_process.WasmAosProcess` (a real
aos wasm build). :func:`runtime_for` picks one for a process definition: the one place
that reads a definition's execution device, device stack and module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
