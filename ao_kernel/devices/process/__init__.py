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
               On a signed process message that is no process yet (``POST /push`` of
               a ``Type: Process`` item): register it; the answer is its slot-0
               assignment, whose ``process`` is the new ID (HyperBEAM's spawn).
=============  ==========================================================================

The host is ``opts.node``: anything with the :class:`ProcessHost` methods (the
:class:`ao_kernel.node.Node` facade); a host-less resolution is a :class:`ProcessError`.
The role itself is this package: :mod:`.compute` (the compute unit), :mod:`.result`
(``SlotResult``), :mod:`.state` (the state message), :mod:`.metering` (slot costs);
pushing is :mod:`ao_kernel.devices.push`, publishing :mod:`ao_kernel.devices.patch`.
The process ID is taken from the base: the ``process-id``
private key a node's loader sets, else ``base.process``, else the base's own ID.
Errors: unknown process → :class:`ProcessNotFoundError` (404); a slot not yet scheduled
→ 404; a bad ``slot`` → :class:`SchedulerError` (400).
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from ...core.errors import ProcessError, ProcessNotFoundError, SchedulerError
from ...core.ids import message_id
from ...core.message import Message
from ...core.resolver import Device, Opts
from .._context import Clock
from ..scheduler import SchedulerDevice, int_arg, require_signed
from ..scheduler.location import LocationHost, scheduler_redirect
from ..scheduler.log import BlockInfo
from .compute import ComputeContext, Computer
from .result import SlotResult
from .state import state_message

__all__ = ["ComputeContext", "Computer", "ProcessDevice", "ProcessHost", "SlotResult",
           "state_message"]

_REQUEST_KEYS = ("path", "method", "slot", "device", "accept", "accept-codec",
                 "accept-bundle", "codec-device", "content-type")


class ProcessHost(LocationHost, Protocol):
    """What process@1.0 asks of its node (the Node facade's methods)."""

    @property
    def clock(self) -> Clock: ...

    def current_slot(self, pid: str) -> int: ...

    def block(self) -> BlockInfo: ...

    def result(self, pid: str, slot: int) -> SlotResult: ...

    def schedule_and_compute(self, msg: Message, pid: str) -> SlotResult: ...

    def push(self, result: SlotResult) -> SlotResult: ...


class SpawningHost(ProcessHost, Protocol):
    """A host that also registers processes (the node; a compute-only replica does not)."""

    def register_process(self, definition: Message) -> SlotResult: ...


def _node(opts: Opts) -> ProcessHost:
    node = opts.node
    if node is None or not callable(getattr(node, "schedule_and_compute", None)):
        raise ProcessError("process@1.0 needs a node (opts.node is unset)", field="node")
    return node  # type: ignore[no-any-return]


def process_id(base: Message, node: ProcessHost) -> str:
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
        if node.has_process(pid):
            return pid
    raise ProcessNotFoundError(
        f"no process {candidates[0]} on this node", field="process")


class ProcessDevice(Device):
    """process@1.0 (see the module docstring)."""

    name = "process@1.0"
    exports = ("compute", "now", "slot", "schedule", "push")

    def compute(self, base: Message, req: Message, opts: Opts) -> Message:
        """req: ``slot`` (default: the latest). res: the state message of that slot
        (``results``, ``at-slot``, ``process``, ``hashpath``, published keys)."""
        node = _node(opts)
        pid = process_id(base, node)
        slot = int_arg(req, "slot")
        current = node.current_slot(pid)
        if slot is None:
            slot = current
        if slot < 0:
            raise SchedulerError(f"'slot' must be >= 0, got {slot}", field="slot")
        if slot > current:
            raise ProcessNotFoundError(
                f"slot {slot} of {pid} is not scheduled yet (latest is {current})",
                field="slot")
        return state_message(node.result(pid, slot))

    def now(self, base: Message, req: Message, opts: Opts) -> Message:
        """req: nothing read. res: ``compute`` at the latest slot."""
        return self.compute(base, req.without("slot"), opts)

    def slot(self, base: Message, req: Message, opts: Opts) -> Message:
        """req: nothing read. res: ``process``, ``current``, ``timestamp``,
        ``block-height``, ``block-hash``, ``cache-control``, ``addresses``."""
        node = _node(opts)
        pid = process_id(base, node)
        return SchedulerDevice.slot_message(pid, node.current_slot(pid), node.block(),
                                            node.clock.now_ms(), node.address)

    def schedule(self, base: Message, req: Message, opts: Opts) -> Any:
        """req: ``method`` (POST schedules: ``body``, else the request's own keys),
        ``from``/``to`` for a GET. res: the assignment (POST) or the schedule page (GET),
        or a 307 to the process's scheduler when another node schedules it."""
        node = _node(opts)
        try:
            pid = process_id(base, node)
        except ProcessNotFoundError:
            redirect = scheduler_redirect(node, base, req.without("target"))
            if redirect is None:
                raise
            return redirect
        if (req.text("method") or "GET").upper() == "POST":
            msg = _to_schedule(req)
            require_signed(msg, opts)
            result = node.schedule_and_compute(msg, pid)
            return result.assignment
        return SchedulerDevice().schedule(
            Message({"device": "scheduler@1.0"}),
            req.with_(target=pid).without("method"), opts)

    def push(self, base: Message, req: Message, opts: Opts) -> Message:
        """req: the message (``body``, else the request's own keys), or only ``slot``.
        res: the new slot's state message plus ``slot`` and ``pushed`` (deliveries)."""
        node = _node(opts)
        try:
            pid = process_id(base, node)
        except ProcessNotFoundError:
            if not (_is_process_message(base)
                    and callable(getattr(node, "register_process", None))):
                raise
            return _spawn(base, cast(SpawningHost, node), opts)
        slot = int_arg(req, "slot")
        msg = _to_schedule(req)
        has_message = bool(msg.commitments) or "body" in req or any(
            k not in ("target",) for k in msg)
        if slot is not None and not has_message:
            return self.compute(base, req, opts).with_(slot=slot)
        require_signed(msg, opts)
        result = node.schedule_and_compute(msg, pid)
        result = node.push(result)
        pushed = len(result.all_results()) - 1
        return state_message(result).with_(slot=result.slot, pushed=pushed)


def _spawn(definition: Message, node: SpawningHost, opts: Opts) -> Message:
    """``POST /push`` of a process message: register it (slot 0) and answer its
    assignment (whose ``process`` key is the new ID), as HyperBEAM's push does."""
    require_signed(definition, opts)
    assignment = node.register_process(definition).assignment
    if assignment is None:  # pragma: no cover - a registered process has slot 0
        raise ProcessError("the process was registered without an assignment",
                           field="process")
    return assignment


def _is_process_message(msg: Message) -> bool:
    """A signed process definition (``Type: Process``): what ``POST /push`` spawns."""
    kind = msg.get("type")
    return isinstance(kind, str) and kind.lower() == "process" and bool(msg.commitments)


def _to_schedule(req: Message) -> Message:
    body = req.get("body")
    if isinstance(body, Message):
        return body
    msg = req.without(*_REQUEST_KEYS)
    if isinstance(body, (str, bytes)) and "data" not in msg and not msg.commitments:
        msg = msg.without("body").with_(data=body)  # an HTTP body is the message's Data
    return msg
