"""What computing one slot gave: :class:`SlotResult` (the Node API's ``res``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...core.message import Message
from ...runtimes.aos.abi import Outcome, tags_to_dict


@dataclass
class SlotResult:
    """The result of one slot of one process, plus what pushing its outbox caused."""

    process: str
    slot: int
    message_id: str
    outcome: Outcome
    hashpath: str
    assignment: Message | None = None
    pushed: list[SlotResult] = field(default_factory=list)
    undelivered: list[dict[str, Any]] = field(default_factory=list)
    spawned: list[str] = field(default_factory=list)
    push_error: str | None = None
    dry_run: bool = False
    patches: list[dict[str, Any]] = field(default_factory=list)
    #: everything the process had published with patch@1.0 up to this slot
    patched_state: dict[str, Any] = field(default_factory=dict)
    #: what computing the slot cost: ``instructions`` (Lua), ``fuel`` (wasm), ``bytes``
    #: (the message stored for it); see :mod:`ao_kernel.devices.process.metering`
    cost: dict[str, int] = field(default_factory=dict)

    @property
    def output(self) -> str:
        """``Output.data``: what the aos prompt would print."""
        return self.outcome.data

    @property
    def prompt(self) -> str | None:
        return self.outcome.prompt

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Outgoing messages, each ``{Target, Data, Anchor, Tags}`` plus its tags as keys."""
        return [_flat(m) for m in self.outcome.messages]

    @property
    def spawns(self) -> list[dict[str, Any]]:
        return [_flat(m) for m in self.outcome.spawns]

    @property
    def assignments(self) -> list[dict[str, Any]]:
        return list(self.outcome.assignments)

    @property
    def error(self) -> str | None:
        return self.outcome.error

    @property
    def ok(self) -> bool:
        return self.outcome.error is None

    def all_results(self) -> list[SlotResult]:
        """This result and every result its pushes caused, depth first."""
        out = [self]
        for r in self.pushed:
            out.extend(r.all_results())
        return out

    def to_json(self) -> dict[str, Any]:
        """The legacy CU's result object (``/result`` answers this)."""
        raw = self.outcome.raw
        if self.outcome.error is not None:
            return {"Error": self.outcome.error, "Messages": [], "Spawns": [], "Assignments": [],
                    "Output": ""}
        return {
            "Output": raw.get("Output", ""),
            "Messages": list(self.outcome.messages),
            "Spawns": list(self.outcome.spawns),
            "Assignments": list(self.outcome.assignments),
            **({"GasUsed": raw["GasUsed"]} if "GasUsed" in raw else {}),
        }

    def __repr__(self) -> str:
        status = f"error={self.error!r}" if self.error else f"output={self.output!r}"
        return (f"<SlotResult {self.process[:8]}… slot {self.slot} {status} "
                f"messages={len(self.outcome.messages)}>")


def _flat(message: dict[str, Any]) -> dict[str, Any]:
    out = dict(message)
    for name, value in tags_to_dict(message.get("Tags")).items():
        out.setdefault(name, value)
    return out
