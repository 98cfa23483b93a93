"""The process state message of one computed slot (what ``/compute`` answers).

::

    {<published state (patch@1.0)>...,
     results: {data, output, outbox: {"1": {...}}, spawns?, assignments?, error?,
               raw: {content-type: application/json, body: <the aos result object>}},
     at-slot: N, process: <PID>, hashpath: <the slot's hashpath>}

``raw`` is the slot's result as a legacy CU answers it (``{Output: {data, prompt},
Messages, Spawns, Assignments, Error?}``) as a JSON document; the HTTP face writes it as
JSON in a json@1.0 answer, which is where aoconnect's mainnet mode (the aos CLI) reads
a result from.

JSON-1 values become message content: text stays text, structures become JSON text;
published (patched) tables stay nested messages.
"""

from __future__ import annotations

import json
from typing import Any

from ...core.message import Message, Value
from ...runtimes.aos.abi import json_text
from .result import SlotResult

__all__ = ["state_message"]


def _jsonable(value: Any) -> Value:
    """A JSON-1 value as message content: text stays text, structures become JSON text."""
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value  # (bytes: binary data a process sent, kept byte for byte)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _as_value(value: Any) -> Value:
    """Published (patched) state as message content: tables stay nested messages."""
    if isinstance(value, dict):
        return Message({str(k): _as_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_as_value(v) for v in value)
    return _jsonable(value)


def _outbox_message(entry: dict[str, Any]) -> Message:
    fields: dict[str, Value] = {}
    for tag in entry.get("Tags") or []:
        if isinstance(tag, dict) and "name" in tag:
            fields.setdefault(str(tag["name"]).lower(), _jsonable(tag.get("value")))
    for key in ("Target", "Data", "Anchor"):
        if key in entry and entry[key] is not None:
            fields[key.lower()] = _jsonable(entry[key])
    return Message(fields)


def _numbered(entries: list[dict[str, Any]]) -> Message:
    return Message({str(i + 1): _outbox_message(e) for i, e in enumerate(entries)})


def state_message(result: SlotResult) -> Message:
    """The process state message of one computed slot (see the module docstring)."""
    outcome = result.outcome
    results: dict[str, Value] = {
        "data": outcome.data,
        "output": _jsonable(outcome.raw.get("Output", "")),
        "outbox": _numbered(outcome.messages),
    }
    if outcome.spawns:
        results["spawns"] = _numbered(outcome.spawns)
    if outcome.assignments:
        results["assignments"] = Message({
            str(i + 1): _jsonable(a) for i, a in enumerate(outcome.assignments)})
    if outcome.error is not None:
        results["error"] = str(outcome.error)
    results["raw"] = Message({"content-type": "application/json", "body": json.dumps(
        result.to_json(), separators=(",", ":"), ensure_ascii=False, default=json_text)})
    # what the process published with patch@1.0 is part of its state (/compute/cache/...)
    out: dict[str, Value] = {k: _as_value(v) for k, v in result.patched_state.items()}
    out.update({
        "results": Message(results),
        "at-slot": result.slot,
        "process": result.process,
    })
    if result.hashpath:
        out["hashpath"] = result.hashpath
    return Message(out)
