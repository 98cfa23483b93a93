"""``NodeAPI``: what a process handle asks of its node, local or remote.

:class:`~ao_kernel.node.process_handle.Process` calls only these methods, by process ID;
:class:`~ao_kernel.node.node.Node` (the facade over the roles in ``devices/``) and
:class:`~ao_kernel.node.remote.RemoteNode` (the same calls over HTTP) both satisfy it, so
:class:`~ao_kernel.node.remote.RemoteProcess` is a ``Process`` on a remote node. What a
remote node cannot do over HTTP (reading the live Lua state, time travel) raises a
:class:`~ao_kernel.core.errors.RemoteError` naming the local alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from ..core.message import Message
from ..devices.process.result import SlotResult

__all__ = ["NodeAPI"]


class NodeAPI(Protocol):
    """The calls a process handle makes on its node (see the module docstring)."""

    @property
    def address(self) -> str: ...

    def send(self, target: str, *, push: bool = True,
             on_print: Callable[[str], None] | None = None, **kwargs: Any) -> SlotResult: ...

    def send_many(self, target: str, messages: Iterable[Mapping[str, Any] | Message | str],
                  *, push: bool = True) -> list[SlotResult]: ...

    def dry_run(self, target: str, message: Message | None = None,
                **kwargs: Any) -> SlotResult: ...

    def result(self, pid: str, slot: int) -> SlotResult: ...

    def current_slot(self, pid: str) -> int: ...

    def definition(self, pid: str) -> Message: ...

    def schedule_of(self, pid: str, from_: int = 0, to: int | None = None) -> list[Message]: ...

    def process_state(self, pid: str, slot: int | None = None) -> dict[str, Any]: ...

    def inspect(self, pid: str, lua: str) -> Any: ...

    def patched(self, pid: str) -> dict[str, Any]: ...

    def checkpoints(self, pid: str) -> list[Message]: ...

    def process(self, pid: str) -> Any: ...

    def verify(self, proc: Any) -> Any: ...
