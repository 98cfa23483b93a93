"""``Process``: the handle users hold on one process of a node (``node.spawn(...)``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..core.message import Message
from ..devices.process.result import SlotResult

if TYPE_CHECKING:
    from .api import NodeAPI


class Process:
    """One process of a node: send to it, evaluate Lua in it, read its state.

    It calls only the node's :class:`~ao_kernel.node.api.NodeAPI` methods, by process ID,
    so the same handle works on a local node and (as ``RemoteProcess``) a remote one."""

    def __init__(self, node: NodeAPI, pid: str, *, boot: SlotResult | None = None) -> None:
        self.node = node
        self.id = pid
        self.boot = boot

    def __repr__(self) -> str:
        name = self.name
        return f"<ao.Process {name + ' ' if name else ''}{self.id[:8]}… slot {self.slot}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Process) and other.id == self.id and other.node is self.node

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def definition(self) -> Message:
        """The process message (slot 0)."""
        return self.node.definition(self.id)

    @property
    def name(self) -> str | None:
        return self.definition.text("name")

    @property
    def slot(self) -> int:
        """The latest scheduled slot."""
        return self.node.current_slot(self.id)

    def send(self, action: str | None = None, data: Any = None, *,
             tags: dict[str, Any] | None = None, push: bool = True,
             on_print: Callable[[str], None] | None = None, **fields: Any) -> SlotResult:
        """Send a message (schedule, compute, push); returns its result. ``on_print(line)``
        gets what the message prints as it is printed (a local node's Lua processes)."""
        return self.node.send(self.id, action=action, data=data, tags=tags, push=push,
                              on_print=on_print, **fields)

    def send_many(self, messages: Iterable[Mapping[str, Any] | Message | str], *,
                  push: bool = True) -> list[SlotResult]:
        """Send a batch: each item the keywords of :meth:`send` (``{"action": "Ping"}``),
        an action name, or a built message; scheduled in one store transaction (all or
        nothing), computed and pushed in order. Returns their results."""
        return self.node.send_many(self.id, messages, push=push)

    def eval(self, code: str, *, push: bool = True,
             on_print: Callable[[str], None] | None = None) -> SlotResult:
        """Evaluate Lua in the process, as typing ``code`` into ``aos`` does; ``on_print``
        as for :meth:`send` (the AO kernel streams a cell's prints with it)."""
        return self.send(action="Eval", data=code, push=push, on_print=on_print)

    def load(self, path: str) -> SlotResult:
        """Evaluate a Lua file in the process (aos ``.load``)."""
        from pathlib import Path

        return self.eval(Path(path).read_text(encoding="utf-8"))

    def load_blueprint(self, name: str) -> SlotResult:
        """Evaluate a blueprint by name (aos ``.load-blueprint``): token, chatroom,
        staking, voting, arena."""
        from ..core.errors import MessageError
        from ..runtimes.aos import blueprint, blueprint_names

        if name not in blueprint_names():
            raise MessageError(f"unknown blueprint {name!r}; known: "
                               f"{', '.join(blueprint_names())}", field="blueprint")
        return self.eval(blueprint(name))

    def dry_run(self, action: str | None = None, data: Any = None, **fields: Any) -> SlotResult:
        """Evaluate a message on the current state without scheduling it."""
        return self.node.dry_run(self.id, action=action, data=data, **fields)

    def result(self, slot: int) -> SlotResult:
        """The result of ``slot``."""
        return self.node.result(self.id, slot)

    @property
    def schedule(self) -> list[Message]:
        """Every assignment of this process, slot 0 first."""
        return self.node.schedule_of(self.id)

    def state(self, slot: int | None = None) -> dict[str, Any]:
        """The process's globals after ``slot`` (default latest): time travel."""
        return self.node.process_state(self.id, slot)

    @property
    def inbox(self) -> list[dict[str, Any]]:
        """The aos ``Inbox``: messages no handler took."""
        value = self.node.inspect(self.id,
            "local out = {} for i, m in ipairs(Inbox or {}) do "
            "local c = {} for k, v in pairs(m) do if type(v) ~= 'function' then c[k] = v end end "
            "out[i] = c end return out")
        return value if isinstance(value, list) else []

    @property
    def patched(self) -> dict[str, Any]:
        """State the process published with patch@1.0 (``Send({device = "patch@1.0", ...})``)."""
        return self.node.patched(self.id)

    def inspect(self, lua: str) -> Any:
        """Evaluate a Lua expression in the live state, outside any message (read-only use)."""
        return self.node.inspect(self.id, lua)

    def verify(self) -> Any:
        return self.node.verify(self)
