"""Metering: what computing one slot cost, recorded on its :class:`SlotResult`.

``res.cost`` is a dict with

* ``instructions`` — Lua VM instructions the aos handler call used (the engine's own
  count for that call, ``LuaEngine.instructions_used``; deterministic for a given
  schedule, so every replay charges the same);
* ``fuel`` — wasmtime fuel the call used, for processes on a real aos wasm module;
* ``bytes`` — the size of the message the slot stored (keys and values, nested messages
  included).

Pricing devices read it (``simple-pay@1.0`` in ``metered`` mode charges per block of
instructions); :func:`cost_table` turns results into rows for a plot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...core.message import Message


def message_bytes(value: Any) -> int:
    """The bytes a message's keys and values take (nested messages counted whole)."""
    if value is None:
        return 0
    if value.__class__ is Message:  # the common case: read the dict, skip the ABC checks
        value = value._items
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, Mapping):
        total = 0
        for key, item in value.items():
            total += len(str(key))
            if item.__class__ is str and item.isascii():
                total += len(item)
            else:
                total += message_bytes(item)
        return total
    if isinstance(value, (list, tuple)):
        return sum(message_bytes(v) for v in value)
    return len(str(value))


def slot_cost(runtime: Any, body: Any) -> dict[str, int]:
    """The cost of the call ``runtime`` just made for a slot whose message is ``body``."""
    cost: dict[str, int] = {}
    instructions = getattr(runtime, "last_instructions", None)
    if isinstance(instructions, int):
        cost["instructions"] = instructions
    fuel = getattr(runtime, "last_fuel", None)
    if isinstance(fuel, int):
        cost["fuel"] = fuel
    cost["bytes"] = message_bytes(body) if body is not None else 0
    return cost


def cost_table(results: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per slot result: ``process``, ``slot``, and each cost it recorded."""
    rows: list[dict[str, Any]] = []
    for res in results:
        rows.append({"process": res.process, "slot": res.slot, **dict(res.cost)})
    return rows
