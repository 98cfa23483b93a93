"""process@1.0: the AO-Core face of the node's processes (HyperBEAM ``dev_process``).

``/<PID>~process@1.0/<key>`` resolves ``key`` on process ``PID`` of this node:

=============  ==========================================================================
``compute``    the process state after slot ``slot`` (default: the latest slot),
               computing every earlier slot first::

                   {results: {data: <Output.data>, output: <Output as JSON>,
                              outbox: {"1": {target, data, anchor, <tags>...}, ...},
                              spawns: {...}, assignments: {...}, error?: <text>},
                    at-slot: N, process: <PID>, hashpath: <slot's hashpath>}

               so ``/compute&slot=1/results/outbox/1/data`` reads one outgoing message.
``now``        ``compute`` at the latest slot.
``slot``       the scheduler's slot message ``{process, current, ...}``
               (``/slot/current`` is the latest slot number).
``schedule``   ``GET``: the schedule (``from``/``to``) as scheduler@1.0 answers it;
               ``POST``: schedule the request's message on the process and compute it;
               the answer is the assignment.
``push``       ``POST``: schedule, compute, and push what the message causes (the node's
               messenger); the answer is the ``compute`` state of the new slot plus
               ``slot`` and ``pushed`` (the number of deliveries it caused). With
               ``slot=N`` and no message: the state of slot N (this node pushes every
               slot's outbox when the slot is scheduled, so nothing is pushed twice).
=============  ==========================================================================

The node is ``opts.node`` (an :class:`ao_kernel.node.Node`); a node-less resolution is
a :class:`ProcessError`. The process ID is taken from the base: the ``process-id``
private key a node's loader sets, else ``base.process``, else the base's own ID.
Errors: unknown process → :class:`ProcessNotFoundError` (404); a slot not yet scheduled
→ 404; a bad ``slot`` → :class:`SchedulerError` (400).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..core.errors import ProcessError, ProcessNotFoundError, SchedulerError
from ..core.ids import message_id
from ..core.message import Message, Value
from ..core.resolver import Device, Opts

if TYPE_CHECKING:
    from ..node.node import Node
    from ..node.results import SlotResult

_REQUEST_KEYS = ("path", "method", "slot", "device", "accept", "accept-codec",
                 "accept-bundle", "codec-device", "content-type")


def _node(opts: Opts) -> Node:
    node = opts.node
    if node is None or not hasattr(node, "computer"):
        raise ProcessError("process@1.0 needs a node (opts.node is unset)", field="node")
    return node  # type: ignore[no-any-return]


def process_id(base: Message, node: Node) -> str:
    """The ID of the process ``base`` stands for."""
    hinted = base.priv.get("process-id")
    if isinstance(hinted, str):
        return hinted
    candidates: list[str] = []
    proc = base.get("process")
    if isinstance(proc, str):
        candidates.append(proc)
    elif isinstance(proc, Message):
        candidates.append(message_id(proc, "all"))
    bare = base.without("device")
    candidates += [message_id(bare, "all"), message_id(base, "all")]
    for pid in candidates:
        if node.scheduler.has_process(pid):
            return pid
    raise ProcessNotFoundError(
        f"no process {candidates[0]} on this node", field="process")


def _slot_arg(req: Message) -> int | None:
    if "slot" not in req:
        return None
    value = req["slot"]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.decode() if isinstance(value, bytes) else str(value)
    try:
        return int(text)
    except ValueError:
        raise SchedulerError(f"'slot' must be an integer, got {text!r}", field="slot") from None


def _jsonable(value: Any) -> Value:
    """A JSON-1 value as message content: text stays text, structures become JSON text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
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


class ProcessDevice(Device):
    """process@1.0 (see the module docstring)."""

    name = "process@1.0"
    exports = ("compute", "now", "slot", "schedule", "push")

    def compute(self, base: Message, req: Message, opts: Opts) -> Message:
        node = _node(opts)
        pid = process_id(base, node)
        slot = _slot_arg(req)
        current = node.scheduler.current_slot(pid)
        if slot is None:
            slot = current
        if slot < 0:
            raise SchedulerError(f"'slot' must be >= 0, got {slot}", field="slot")
        if slot > current:
            raise ProcessNotFoundError(
                f"slot {slot} of {pid} is not scheduled yet (latest is {current})",
                field="slot")
        return state_message(node.computer.compute_to(pid, slot))

    def now(self, base: Message, req: Message, opts: Opts) -> Message:
        return self.compute(base, req.without("slot"), opts)

    def slot(self, base: Message, req: Message, opts: Opts) -> Message:
        node = _node(opts)
        pid = process_id(base, node)
        block = node.scheduler.block()
        return Message({
            "process": pid,
            "current": node.scheduler.current_slot(pid),
            "timestamp": node.clock.now_ms(),
            "block-height": block.height,
            "block-hash": block.hash,
            "cache-control": "no-store",
            "addresses": (node.scheduler.address,),
        })

    def schedule(self, base: Message, req: Message, opts: Opts) -> Any:
        node = _node(opts)
        try:
            pid = process_id(base, node)
        except ProcessNotFoundError:
            from .scheduler.location import scheduler_redirect  # 307 to its scheduler (§5.2)

            redirect = scheduler_redirect(node, base, req.without("target"))
            if redirect is None:
                raise
            return redirect
        if (req.text("method") or "GET").upper() == "POST":
            result = node.schedule_and_compute(_to_schedule(req), pid)
            return result.assignment
        from .scheduler import SchedulerDevice

        return SchedulerDevice().schedule(
            Message({"device": "scheduler@1.0"}),
            req.with_(target=pid).without("method"), opts)

    def push(self, base: Message, req: Message, opts: Opts) -> Message:
        node = _node(opts)
        pid = process_id(base, node)
        slot = _slot_arg(req)
        msg = _to_schedule(req)
        has_message = bool(msg.commitments) or "body" in req or any(
            k not in ("target",) for k in msg)
        if slot is not None and not has_message:
            return self.compute(base, req, opts).with_(slot=slot)
        result = node.schedule_and_compute(msg, pid)
        result = node.computer.push(result)
        pushed = len(result.all_results()) - 1
        return state_message(result).with_(slot=result.slot, pushed=pushed)


def _to_schedule(req: Message) -> Message:
    body = req.get("body")
    if isinstance(body, Message):
        return body
    msg = req.without(*_REQUEST_KEYS)
    if isinstance(body, (str, bytes)) and "data" not in msg and not msg.commitments:
        msg = msg.without("body").with_(data=body)  # an HTTP body is the message's Data
    return msg
