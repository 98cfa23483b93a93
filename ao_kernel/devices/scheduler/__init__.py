"""scheduler@1.0: the AO-Core face of the node's scheduler server.

Keys (HyperBEAM ``dev_scheduler``; protocol brief §5.1, §5.4, §5.5):

==============  ========================================================================
``schedule``    ``GET`` (default): the assignments of ``target`` from ``from`` (default 0)
                to ``to`` (default latest), at most 1000 per call::

                    {type: schedule, process, continues, timestamp, block-height,
                     block-hash, assignments: {<slot>: <assignment>, ...},
                     checkpoint: <signed checkpoint at the last slot returned>,
                     anchor: {slot, hash-chain, assignments-chain}   (when from > 0)}

                ``checkpoint`` and ``anchor`` are this node's extension (see
                ``docs/scheduler.md``): with them :func:`verify_schedule` authenticates
                the page with one RSA signature. The checkpoint is signed on demand.
                ``POST`` (``method: POST``): schedule the message to schedule —
                ``req[req.subject]`` (``subject: self`` is req), else ``req.body``, else
                req itself (without its ``path``/``method``) — on its target process;
                a ``type: Process`` body registers the process and gets slot 0.
                Returns the assignment.
``slot``        ``{process, current, timestamp, block-height, block-hash,
                cache-control: no-store, addresses: [scheduler addresses]}``
``status``      ``{address, processes: [...], cache-control: no-store}``
``next``        for process@1.0: ``{body: <assignment of slot from+1>}`` where ``from``
                is ``req.from``, else the base's ``at-slot``, else -1; a missing slot
                is a 404 error result ("Requested slot not yet available in schedule.")
==============  ========================================================================

Any other key routes to ``schedule`` (HyperBEAM's ``default => router``); ``set`` and
``keys`` go to message@1.0. The server is ``opts.extra["scheduler"]`` (a
:class:`~ao_kernel.devices.scheduler.server.Scheduler`). Errors: no server or a process this node
does not schedule → :class:`SchedulerError`; unknown process →
:class:`ProcessNotFoundError`; a message whose commitments do not verify →
:class:`SignatureError` (nothing is written).

Target process (``find_target_id``): ``req.target`` → ID of req if req is a Process →
ID of ``base.process`` → ID of base if base is a Process → ID of req.
"""

from __future__ import annotations

from typing import Any

from ...core.errors import SchedulerError, SignatureError
from ...core.ids import message_id
from ...core.message import Message, Value
from ...core.resolver import Device, Opts, Result, error
from .location import location, scheduler_redirect
from .log import MAX_ASSIGNMENTS, BlockInfo, _is_process
from .server import Scheduler
from .verify import ScheduleReport, verify_schedule

__all__ = ["ScheduleReport", "Scheduler", "SchedulerDevice", "int_arg", "verify_schedule"]

_REQUEST_KEYS = ("path", "method")


def _server(opts: Opts) -> Scheduler:
    server = opts.extra.get("scheduler")
    if not isinstance(server, Scheduler):
        raise SchedulerError("this node runs no scheduler (opts.extra['scheduler'] is unset)",
                             field="scheduler")
    return server


def find_target_id(base: Message, req: Message) -> str:
    """The process a request is about (HyperBEAM ``find_target_id``)."""
    target = req.text("target")
    if target:
        return target.split("?", 1)[0]
    if _is_process(req):
        return message_id(req, committers="all")
    proc = base.get("process")
    if isinstance(proc, Message):
        return message_id(proc, committers="all")
    if _is_process(base):
        return message_id(base, committers="all")
    return message_id(req, committers="all")


def find_message_to_schedule(req: Message) -> Message:
    """``req[req.subject]`` (``self``: req), else ``req.body``, else req itself."""
    subject = req.text("subject")
    if subject is not None:
        if subject == "self":
            return req
        value = req.get(subject)
        if not isinstance(value, Message):
            raise SchedulerError(f"subject {subject!r} names no message in the request",
                                 field="subject")
        return value
    body = req.get("body")
    if isinstance(body, Message):
        return body
    return req.without(*_REQUEST_KEYS)


def int_arg(req: Message, key: str) -> int | None:
    """``req[key]`` as an integer slot (None when absent; SchedulerError when not one)."""
    if key not in req:
        return None
    value = req[key]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.decode() if isinstance(value, bytes) else str(value)
    try:
        return int(text)
    except ValueError:
        raise SchedulerError(f"{key!r} must be an integer slot, got {text!r}",
                             field=key) from None


class SchedulerDevice(Device):
    """scheduler@1.0 (see the module docstring)."""

    name = "scheduler@1.0"
    exports = ("schedule", "slot", "status", "next", "location")

    def device_info(self, base: Message, req: Message, opts: Opts) -> dict[str, Any]:
        # No ``exports`` here: with an export list the resolver would send other keys to
        # message@1.0; HyperBEAM's router sends them to ``schedule`` instead.
        return {
            "excludes": ("set", "keys"),
            "default": lambda key, b, r, o: self.schedule(b, r, o),
        }

    # -- schedule ------------------------------------------------------------------------

    def schedule(self, base: Message, req: Message, opts: Opts) -> Message:
        server = _server(opts)
        if opts.node is not None and not server.has_process(find_target_id(base, req)):
            redirect = scheduler_redirect(opts.node, base, req)
            if redirect is not None:
                return redirect
        if (req.text("method") or "GET").upper() == "POST":
            return self._post(server, base, req, opts)
        return self._get(server, base, req)

    def _post(self, server: Scheduler, base: Message, req: Message,
              opts: Opts | None = None) -> Message:
        to_schedule = find_message_to_schedule(req)
        if opts is not None:
            require_signed(to_schedule, opts)
        if _is_process(to_schedule):
            return server.schedule(to_schedule)
        target = to_schedule.text("target")
        pid = target.split("?", 1)[0] if target else find_target_id(base, req)
        return server.schedule(to_schedule, pid)

    def _get(self, server: Scheduler, base: Message, req: Message) -> Message:
        pid = find_target_id(base, req)
        start = int_arg(req, "from") or 0
        end = int_arg(req, "to")
        page, continues = server.assignments(pid, start, end, limit=MAX_ASSIGNMENTS)
        block = server.block()
        out: dict[str, Value] = {
            "type": "schedule",
            "process": pid,
            "continues": continues,
            "timestamp": server.clock.now_ms(),
            "block-height": block.height,
            "block-hash": block.hash,
            "assignments": Message._trusted({str(a["slot"]): a for a in page}),
        }
        if page:
            last = page[-1]["slot"]
            if isinstance(last, int):
                out["checkpoint"] = server.checkpoint(pid, last)
        if start > 0:
            chain, achain = server.chains_at(pid, start - 1)
            out["anchor"] = Message({"slot": start - 1, "hash-chain": chain,
                                     "assignments-chain": achain})
        return Message._trusted(out)

    def location(self, base: Message, req: Message, opts: Opts) -> Message:
        """Scheduler location records (see :mod:`.location`)."""
        if opts.node is None:
            raise SchedulerError("scheduler locations need a node", field="node")
        return location(opts.node, req)

    # -- slot / status / next ------------------------------------------------------------

    def slot(self, base: Message, req: Message, opts: Opts) -> Message:
        server = _server(opts)
        pid = find_target_id(base, req)
        return self.slot_message(pid, server.current_slot(pid), server.block(),
                                 server.clock.now_ms(), server.address)

    @staticmethod
    def slot_message(pid: str, current: int, block: BlockInfo, now_ms: int,
                     address: str) -> Message:
        """``{process, current, timestamp, block-*, cache-control, addresses}``: the answer
        of ``slot`` here and in process@1.0."""
        return Message({
            "process": pid,
            "current": current,
            "timestamp": now_ms,
            "block-height": block.height,
            "block-hash": block.hash,
            "cache-control": "no-store",
            "addresses": (address,),
        })

    def status(self, base: Message, req: Message, opts: Opts) -> Message:
        server = _server(opts)
        return Message({
            "address": server.address,
            "processes": tuple(server.processes()),
            "cache-control": "no-store",
        })

    def next(self, base: Message, req: Message, opts: Opts) -> Message | Result:
        server = _server(opts)
        pid = find_target_id(base, req)
        after = int_arg(req, "from")
        if after is None:
            after = int_arg(base, "at-slot")
        if after is None:
            after = -1
        assignment = server.next_assignment(pid, after)
        if assignment is None:
            return error(Message({
                "status": 404,
                "body": "Requested slot not yet available in schedule.",
                "process": pid,
                "slot": after + 1,
            }))
        return Message({"body": assignment})


class UnsignedMessageError(SignatureError):
    """A message that would be scheduled, from a face that takes only signed ones."""

    status = 401


def require_signed(msg: Message, opts: Opts) -> None:
    """Refuse to schedule an unsigned ``msg`` that came in over HTTP.

    Scheduled unsigned, a message speaks as this node (JSON-1 gives it the node's
    address as Owner), and the node owns every process it spawned: anyone who can reach
    the port could run Lua as the owner. The Python API (the node's own user) is not an
    ingress and is not checked; ``allow_unsigned`` (set by the operator) turns this off.
    """
    extra = opts.extra or {}
    if extra.get("ingress") != "http" or extra.get("allow_unsigned"):
        return
    commitments = msg.commitments
    if any(isinstance(c, Message) and "committer" in c for c in commitments.values()):
        return
    raise UnsignedMessageError(
        "this node schedules only signed messages over HTTP: sign the request "
        "(httpsig@1.0) or send a signed ans104@1.0 data item. Unsigned, the message "
        "would speak as the node itself, the owner of its processes (the operator can "
        "allow it on a node only they can reach: node.serve(allow_unsigned=True))",
        field="signature")
