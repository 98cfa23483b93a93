"""The Node: one local AO node — a store, a wallet, a scheduler, the processes it runs.

``Node()`` is in memory with a fresh wallet; ``Node(store="sqlite:my.db")`` persists
everything (including the node's wallet, so reopening keeps the same identity and
resumes every process from its schedule). ::

    node = Node()
    proc = node.spawn(lua=SOURCE, name="pinger")     # an aos process
    res = proc.send(action="Ping", data="hi")         # schedule, compute, push
    res.output, res.messages, res.slot, res.hashpath
    proc.eval("return 1 + 1").output == "2"
    node.resolve("/~meta@1.0/info")                   # any AO-Core path

The node plays every AO role for its processes: scheduler (SU), compute (CU) and
messenger (MU); ``node.events`` reports what happens.

Theory of operation
-------------------
The roles live in ``devices/`` and know nothing of the node: the scheduler server
(``devices/scheduler``), the compute unit (``devices/process``), the messenger
(``devices/push``) and cron (``devices/cron``). The node is the edge that builds them and
hands each only the host services it uses (a store, the clock, the event bus, a message
reader: the protocols of ``devices/_context.py``); it implements ``Deliverer`` itself, so
one send is::

    send(msg) ─► scheduler.schedule ─► computer.compute_to ─► messenger.push
                                                                  │ each delivery
                 node.schedule_and_compute(msg, pid) ◄────────────┘

Calls go one way, node → roles; the per-slot path is direct calls, never ``resolve()``.
The node owns the threads (cron: :meth:`start_cron`; a checkpoint flusher:
:class:`~ao_kernel.node.flusher.CheckpointFlusher`) and is the facade its callers use
(:class:`~ao_kernel.node.api.NodeAPI` and the methods below): nothing outside this module
reaches through it to ``scheduler`` or ``computer``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..core.errors import AOError, MessageError, ResolveError, SchedulerError, StoreError
from ..core.ids import message_id
from ..core.limits import check_tags, check_value
from ..core.message import Message, Value, normalize_value
from ..core.resolver import Opts, Result, resolve_many
from ..devices import default_registry
from ..devices.cron import Cron
from ..devices.meta import NodeState
from ..devices.process.compute import ComputeContext, Computer
from ..devices.process.result import SlotResult
from ..devices.push import MAX_DEPTH, MAX_PUSHES, Messenger
from ..devices.scheduler.log import BlockClock, BlockInfo
from ..devices.scheduler.server import Scheduler
from ..devices.scheduler.verify import ScheduleReport, verify_schedule
from ..runtimes.aos.process import PrintListener, watching_prints
from .cache import MessageCache, ResultCache
from .clock import Clock, SystemClock, VirtualClock
from .definition import process_fields
from .events import EventBus
from .flusher import CheckpointFlusher
from .hooks import Hooks
from .operator import OperatorMixin
from .process_handle import Process
from .stores import Store, open_store
from .wallet import Wallet

_WALLET_KEY = "node/wallet.json"
_ANCHOR_KEY = "node/anchor"
_ANCHOR_BLOCK = 1000


#: Where a virtual clock starts (2023-11-14T22:13:20Z): any fixed value keeps runs equal.
VIRTUAL_EPOCH_MS = 1_700_000_000_000


def _make_clock(clock: Clock | str | None) -> Clock:
    if clock is None or clock == "system":
        return SystemClock()
    if clock == "virtual":
        return VirtualClock(VIRTUAL_EPOCH_MS)
    if isinstance(clock, str):
        from ..core.errors import AOError

        raise AOError(f"unknown clock {clock!r}: use 'system', 'virtual' or a Clock",
                      field="clock")
    return clock


def _make_blocks(blocks: str | Callable[[], Any] | None, clock: Clock) -> Any:
    """``None``/``"debug"``: HyperBEAM's debug block (height 0); ``"clock"``: heights that
    follow the node's clock (:class:`BlockClock`); or any provider of ``BlockInfo``."""
    if blocks is None or blocks == "debug":
        return None
    if blocks == "clock":
        return BlockClock(clock)
    if callable(blocks):
        return blocks
    from ..core.errors import AOError

    raise AOError(f"unknown blocks {blocks!r}: use 'debug', 'clock' or a provider",
                  field="blocks")


#: the fields aoconnect adds to every message (keys in normal form)
# The node's own protocol fields, in AO-Core's lowercase form (JSON-1 Header-Cases them:
# the process sees Data-Protocol ...); tags the caller gives keep the case given.
_AOCONNECT_FIELDS: dict[str, Value] = {"data-protocol": "ao", "variant": "ao.TN.1",
                                       "type": "Message"}


def _slot_number(slot: Any) -> int:
    """``slot`` as given to result/state: a slot number >= 0, or a clear error."""
    if isinstance(slot, bool) or not isinstance(slot, int):
        raise SchedulerError(f"'slot' must be a slot number, got {slot!r}", field="slot")
    if slot < 0:
        raise SchedulerError(f"'slot' must be >= 0, got {slot}", field="slot")
    return slot


def message_id_of_body(body: Message) -> str:
    return message_id(body, "all")


class Node(OperatorMixin):
    """A local AO node."""

    def __init__(
        self,
        store: str | Store | None = None,
        *,
        wallet: Wallet | None = None,
        config: Mapping[str, Any] | None = None,
        config_file: str | Any | None = None,
        clock: Clock | str | None = None,
        blocks: str | Callable[[], Any] | None = None,
        events: EventBus | None = None,
    ) -> None:
        self.store = open_store(store)
        self.clock: Clock = _make_clock(clock)
        self.cache = MessageCache(self.store)
        self.wallet = wallet or self._load_or_create_wallet()
        defaults: dict[str, Any] = {
            "device": "meta@1.0",
            "port": 8734,
            "operator": self.wallet.address,
            "hashpath-alg": "sha-256-chain",
            "commitment-device": "httpsig@1.0",
            "store": self.store.describe() if hasattr(self.store, "describe") else "memory",
            "devices": tuple(default_registry().names()),
            "simple-pay-mode": "flat",
            "gateway": "",
        }
        from ..devices.meta import OfferedRegistry, coerce_config, load_config_file

        file_options = dict(load_config_file(config_file)) if config_file else {}
        options = coerce_config(defaults, {**file_options, **(config or {})})
        self.state = NodeState(Message({**defaults, **options}),
                               operator=self.wallet.address)
        self.registry = OfferedRegistry(default_registry(), self.state)
        self._events = events if events is not None else EventBus()
        self.hooks = Hooks(self)
        # the roles (devices/), each given only the host services it uses
        self.scheduler = Scheduler(self.store, self.wallet.signer, clock=self.clock,
                                   block_info=_make_blocks(blocks, self.clock),
                                   events=self._events)
        self.computer = Computer(ComputeContext(
            schedule=self.scheduler, address=self.address, clock=self.clock,
            events=self.events, read_message=self.read))
        self.messenger = Messenger(self, self.scheduler, self.events, self.address)
        self.cron = Cron(self.scheduler, self.store, self._deliver_tick)
        self._cron_thread: threading.Thread | None = None
        self._flusher: CheckpointFlusher | None = None
        self._cron_stop = threading.Event()
        self._anchor_lock = threading.Lock()
        self._anchor = self._anchor_reserved = self._load_anchor()
        # recent message bodies by ID, oldest first (an OrderedDict: dropping the oldest
        # from a plain dict rescans its deleted slots, ~10 us a message once full)
        self._recent: OrderedDict[str, Message] = OrderedDict()

    def _load_or_create_wallet(self) -> Wallet:
        if self.store.scope == "in_memory":
            return Wallet.generate()
        raw = self.store.read(_WALLET_KEY)
        if raw is not None:
            return Wallet.from_jwk(json.loads(raw))
        wallet = Wallet.generate()
        with self.store.transaction():
            self.store.write(_WALLET_KEY, json.dumps(wallet.jwk).encode())
        return wallet

    @property
    def events(self) -> EventBus:
        """What happens in the node, for whoever subscribes (see :mod:`.events`)."""
        return self._events

    @events.setter
    def events(self, bus: EventBus) -> None:
        """Publish to ``bus`` from now on (every role is switched with the node)."""
        self._events = bus
        self.scheduler.events = bus
        self.computer.ctx = dataclasses.replace(self.computer.ctx, events=bus)
        self.messenger.events = bus

    @property
    def address(self) -> str:
        """The node operator's (and scheduler's) address."""
        return str(self.wallet.address)

    def opts(self, *, caller: str | None = None, ingress: str | None = None,
             allow_unsigned: bool = False, allow_lua: bool = False,
             **overrides: Any) -> Opts:
        """Resolution options bound to this node; ``caller`` is who asks (the verified
        signer of the request being served), which payment and meta devices read;
        ``ingress`` the face the request came in by (``"http"``: the devices that
        schedule then take only signed messages, and lua@5.3a runs caller-supplied Lua only
        where the operator set ``allow_lua``; see docs/security.md)."""
        extra: dict[str, Any] = {"node_state": self.state, "wallet": self.wallet,
                                 "scheduler": self.scheduler}
        if caller:
            extra["caller"] = caller
        if ingress:
            extra["ingress"] = ingress
        if allow_unsigned:
            extra["allow_unsigned"] = True
        if allow_lua:
            extra["allow_lua"] = True
        opts = Opts(
            registry=self.registry,
            loader=self.load,
            cache=ResultCache(self.cache),  # type: ignore[arg-type]
            node=self,
            extra=extra,
        )
        for key, value in overrides.items():
            setattr(opts, key, value)
        return opts

    def resolve_result(self, request: str | Sequence[Any] | Message, **opts: Any) -> Result:
        """Resolve a HyperBEAM path (``/~meta@1.0/info``) or a message list; the Result."""

        if isinstance(request, (str, Message)) and self.hooks.active:
            ticket = self.hooks.before(
                request if isinstance(request, str) else request.text("path") or "/",
                request if isinstance(request, Message) else None, 1)
            result: Result | None = None
            opts.setdefault("caller", ticket.account)
            try:
                result = self._resolve_steps(request, **opts)
            finally:
                self.hooks.after(ticket, result)
            return result
        return self._resolve_steps(request, **opts)

    def _resolve_steps(self, request: str | Sequence[Any] | Message, **opts: Any) -> Result:
        from ..core.path import parse_path

        if isinstance(request, str):
            steps: Sequence[Any] = parse_path(request)
        elif isinstance(request, Message):
            steps = parse_path(request.text("path") or "/", query={
                k: v for k, v in request.items()  # type: ignore[misc]
                if k not in ("path", "commitments")
            })
        else:
            steps = request
        return resolve_many(steps, self.opts(**opts))

    def resolve(self, request: str | Sequence[Any] | Message, **opts: Any) -> Any:
        """Resolve and return the value; a non-ok status raises its error."""
        result = self.resolve_result(request, **opts)
        if result.ok:
            return result.value
        if isinstance(result.value, AOError):
            raise result.value
        raise ResolveError(f"resolution ended with status {result.status}: {result.value!r}")

    def write(self, msg: Message | Mapping[str, Any]) -> str:
        """Store a message; returns its ID."""
        return self.cache.write(msg if isinstance(msg, Message) else Message(msg))

    def read(self, id_: str) -> Message:
        """A stored message by any of its IDs."""
        return self.cache.read(id_)

    # -- processes ---------------------------------------------------------------------------

    def _load_anchor(self) -> int:
        raw = self.store.read(_ANCHOR_KEY)
        return int(raw) if raw else 0

    def _next_anchor(self) -> str:
        """A fresh 32-digit anchor (as aos anchors look) that keeps node-sent messages
        unique. The high-water mark is stored ahead in blocks, so a restart (even after a
        kill) never reuses an anchor, without a store write per message."""
        with self._anchor_lock:
            self._anchor += 1
            if self._anchor > self._anchor_reserved:
                self._anchor_reserved = self._anchor + _ANCHOR_BLOCK
                with self.store.transaction():
                    self.store.write(_ANCHOR_KEY, str(self._anchor_reserved).encode())
            return f"{self._anchor:032d}"

    def spawn(
        self,
        lua: str | None = None,
        *,
        name: str | None = None,
        tags: Mapping[str, Any] | None = None,
        data: str | None = None,
        module: str | None = None,
        authority: str | None = None,
        cron: str | None = None,
        wallet: Wallet | None = None,
        wasm: bytes | str | Any | None = None,
    ) -> Process:
        """Spawn an aos process; ``lua`` is evaluated at boot (aos ``On-Boot: Data``).
        ``wasm`` (a path, wasm bytes, or a known aos module ID) runs it on that real wasm
        module instead of our Lua runtime."""
        runtime = None
        if wasm is not None:
            from ..runtimes.aos.wasm_modules import spawn_fields

            runtime = spawn_fields(self.write, wasm)
        fields, body = process_fields(self.address, lua=lua, name=name, tags=tags, data=data,
                                      module=module, authority=authority, cron=cron,
                                      runtime=runtime)
        definition = Message(fields).with_(data=body, anchor=self._next_anchor())
        if wallet is not None:
            from ..core.commitments import commit

            definition = commit(definition, wallet.rsa_signer)
        result = self.register_process(definition)
        self.events.publish("spawned", process=result.process, name=name, parent=None)
        return Process(self, result.process, boot=result)

    def register_process(self, definition: Message) -> SlotResult:
        """Schedule a process definition (slot 0) and compute its boot."""
        assignment = self.scheduler.schedule(definition)  # publishes "scheduled"
        return self.computer.compute_to(str(assignment["process"]), 0)

    def has_process(self, pid: str) -> bool:
        """Whether this node schedules process ``pid``."""
        return self.scheduler.has_process(pid)

    # -- facade: what callers read of the parts (nobody reaches through the node) ------------

    def process_ids(self) -> list[str]:
        """IDs of every process this node schedules, in registration order."""
        return self.scheduler.processes()

    def definition(self, pid: str) -> Message:
        """The process message of ``pid`` (the body of slot 0)."""
        return self.scheduler.process(pid)

    def current_slot(self, pid: str) -> int:
        """The latest scheduled slot of ``pid``."""
        return self.scheduler.current_slot(pid)

    def assignment(self, pid: str, slot: int) -> Message:
        """The assignment of ``slot`` (HMAC-committed)."""
        return self.scheduler.assignment(pid, slot)

    def signed_assignment(self, pid: str, slot: int) -> Message:
        """The assignment of ``slot`` RSA-signed by this node's scheduler (HyperBEAM's form)."""
        return self.scheduler.signed_assignment(pid, slot)

    def checkpoints(self, pid: str) -> list[Message]:
        """Every signed schedule checkpoint of ``pid``, by slot."""
        return self.scheduler.checkpoints(pid)

    def sign_checkpoints(self) -> int:
        """Sign a checkpoint for every unsigned schedule tail; how many were signed."""
        return self.scheduler.flush()

    def block(self) -> BlockInfo:
        """The block info assignments are stamped with now."""
        return self.scheduler.block()

    def use_blocks(self, provider: Callable[[], BlockInfo]) -> None:
        """Stamp assignments from now on with ``provider()`` (e.g. a :class:`BlockClock`)."""
        self.scheduler.block_info = provider

    def use_clock(self, clock: Clock) -> None:
        """Switch the node's clock (assignment timestamps, cron, the compute context)."""
        self.clock = clock
        self.scheduler.clock = clock
        self.computer.ctx = dataclasses.replace(self.computer.ctx, clock=clock)

    def result(self, pid: str, slot: int) -> SlotResult:
        """The result of ``slot`` of ``pid``, computing every earlier slot first."""
        return self.computer.compute_to(pid, _slot_number(slot))

    def process_state(self, pid: str, slot: int | None = None) -> dict[str, Any]:
        """The globals of ``pid`` after ``slot`` (default: the latest); ``node.state`` is
        the node's own configuration (meta@1.0)."""
        return self.computer.state(pid, None if slot is None else _slot_number(slot))

    def inspect(self, pid: str, lua: str) -> Any:
        """Evaluate a Lua expression in the live state of ``pid``, outside any message."""
        return self.computer.inspect(pid, lua)

    def interrupt(self) -> None:
        """Stop the Lua or wasm call running in any process (thread-safe, takes no process
        lock): the call fails with an interrupt or compute-limit error, the node runs on."""
        for runtime in self.computer.running():
            runtime.interrupt()

    def computed(self, pid: str) -> list[SlotResult]:
        """The results of ``pid`` computed since this node started, by slot."""
        live = self.computer.live(pid)
        return [live.results[slot] for slot in sorted(live.results)]

    def patched(self, pid: str) -> dict[str, Any]:
        """What ``pid`` published with patch@1.0, as of its latest slot."""
        live = self.computer.live(pid)
        self.computer.runtime(pid)  # computes up to the latest slot
        return dict(live.patched)

    def process(self, pid: str) -> Process:
        """A handle on an existing process of this node."""
        self.computer.live(pid)
        return Process(self, pid)

    @property
    def processes(self) -> list[Process]:
        return [Process(self, pid) for pid in self.scheduler.processes()]

    def message(self, target: str, *, action: str | None = None, data: Any = None,
                tags: Mapping[str, Any] | None = None, wallet: Wallet | None = None,
                **fields: Any) -> Message:
        """A message to ``target`` as aoconnect would build it (optionally signed)."""
        check_value(data, "data")
        if not tags and not fields and wallet is None and (action is None or
                                                            action.__class__ is str):
            check_value(action, "action")
            return self._plain_message(target, action, data)
        check_value(action, "action")
        check_tags(tags)
        for key, value in fields.items():
            check_value(value, key)
        body: dict[str, Any] = {}
        if action is not None:
            body["action"] = action
        for key, value in {**(tags or {}), **fields}.items():
            body[key] = value
        body.update(_AOCONNECT_FIELDS)
        # the fields, set below; tags of the same names in another case (a "Target" tag)
        # stay next to them, as in a data item
        body["target"] = target
        body["data"] = "" if data is None else data
        body["anchor"] = self._next_anchor()
        msg = Message(body)
        if wallet is not None:
            from ..core.commitments import commit

            msg = commit(msg, wallet.rsa_signer)
        return msg

    def _plain_message(self, target: str, action: str | None, data: Any) -> Message:
        """``message`` for the common case (an action and data, no tags, unsigned), built
        straight in normal form; the same message as the general path (tests pin this)."""
        items: dict[str, Value] = {"action": action} if action is not None else {}
        items.update(_AOCONNECT_FIELDS)
        items["target"] = target
        items["data"] = "" if data is None else normalize_value(data, key="data")
        items["anchor"] = self._next_anchor()
        return Message._trusted(items)

    def schedule_and_compute(self, msg: Message, pid: str, *,
                             on_print: PrintListener | None = None) -> SlotResult:
        """Schedule ``msg`` on ``pid`` and compute up to its slot (no push); ``on_print``
        gets each line that slot prints, as it is printed."""
        assignment = self.scheduler.schedule(msg, process=pid)  # publishes "scheduled"
        slot = int(assignment["slot"])  # type: ignore[arg-type]
        body = assignment["body"]
        if isinstance(body, Message):
            self._remember(body)
        if on_print is None:
            return self.computer.compute_to(pid, slot)
        with watching_prints(pid, slot, on_print):
            return self.computer.compute_to(pid, slot)

    def send(self, target: str, *, push: bool = True, on_print: PrintListener | None = None,
             **kwargs: Any) -> SlotResult:
        """Send a message to ``target``: schedule, compute, and push what it sends.

        ``on_print(line)`` is called with each line the message prints while it is
        computed, as it is printed (the messages it causes are not watched; the result
        holds every print either way)."""
        result = self.schedule_and_compute(self.message(target, **kwargs), target,
                                           on_print=on_print)
        return self.messenger.push(result) if push else result

    def send_many(self, target: str, messages: Iterable[Mapping[str, Any] | Message | str], *,
                  push: bool = True) -> list[SlotResult]:
        """Send several messages to ``target`` as one batch; their results, in order.

        Each item is the keyword arguments of :meth:`send` (``{"action": "Ping", "data":
        ...}``), an action name, or an already built message addressed to ``target``. The
        batch is scheduled all or nothing in one store transaction (one commit for all,
        where SQLite otherwise commits per message), then computed in slot order and
        pushed: the results of the same messages sent one by one, except that messages
        the batch causes to come back to ``target`` get slots after the whole batch."""
        if isinstance(messages, (str, bytes, Mapping, Message)) or not isinstance(
                messages, Iterable):
            raise MessageError(
                f"send_many takes a list of messages, got {type(messages).__name__}"
                " (wrap one message in a list)", field="messages")
        built: list[Message] = []
        for item in messages:
            if isinstance(item, Message):
                if item.text("target") != target:
                    raise SchedulerError(
                        f"a message of the batch is addressed to {item.text('target')!r}, "
                        f"not {target}", field="target")
                built.append(item)
            elif isinstance(item, str):
                built.append(self.message(target, action=item))
            elif isinstance(item, Mapping):
                built.append(self.message(target, **item))
            else:
                raise MessageError(
                    f"item {len(built) + 1} of the batch is of type {type(item).__name__}; each "
                    "item is an action name, the keywords of send() as a dict, or a message",
                    field="messages")
        assignments = self.scheduler.schedule_many(built, target)
        for assignment in assignments:
            body = assignment["body"]
            if isinstance(body, Message):
                self._remember(body)
        if not assignments:
            return []
        first, last = int(assignments[0]["slot"]), int(assignments[-1]["slot"])  # type: ignore[arg-type]
        results = self.computer.compute_range(target, first, last)  # in grouped passes
        return [self.messenger.push(r) for r in results] if push else results

    def deliver(self, msg: Message, *, push: bool = True) -> SlotResult:
        """Schedule an already built (e.g. signed) message on its target."""
        target = msg.text("target")
        if not target:
            raise SchedulerError("the message has no target process", field="target")
        result = self.schedule_and_compute(msg, target)
        return self.messenger.push(result) if push else result

    def dry_run(self, target: str, message: Message | None = None, **kwargs: Any) -> SlotResult:
        """Evaluate a message (``message``, or one built from ``kwargs`` as :meth:`send`
        builds it) against ``target``'s current state; nothing is kept."""
        if message is None:
            message = self.message(target, **kwargs)
        return self.computer.dry_run(target, message)

    def push(self, result: SlotResult, *, max_pushes: int = MAX_PUSHES,
             max_depth: int = MAX_DEPTH) -> SlotResult:
        """Deliver what ``result`` sent, spawned and assigned (push@1.0), recursively,
        breadth first, stopping after ``max_pushes`` deliveries or ``max_depth`` hops."""
        return self.messenger.push(result, max_pushes=max_pushes, max_depth=max_depth)

    def _deliver_tick(self, tick: Message, pid: str) -> SlotResult:
        return self.messenger.push(self.schedule_and_compute(tick, pid))

    def _remember(self, msg: Message) -> None:
        mid = message_id_of_body(msg)
        self._recent[mid] = msg
        if len(self._recent) > 10_000:
            self._recent.popitem(last=False)

    def load(self, msg_id: str) -> Message:
        """Any message this node holds by ID: stored, scheduled, or a process definition
        (what an ID at the start of a path loads)."""
        if self.scheduler.has_process(msg_id):
            return self.scheduler.process(msg_id)
        found = self.find_message(msg_id)
        if found is None:
            from ..core.errors import NotFoundError

            raise NotFoundError(f"message {msg_id} is not known to this node", field=msg_id)
        return found

    def find_message(self, msg_id: str) -> Message | None:
        """A message this node scheduled or stored, by ID."""
        found = self._recent.get(msg_id)
        if found is not None:
            return found
        try:
            return self.cache.read(msg_id)
        except AOError:
            return None

    def verify(self, proc: Process | str) -> ScheduleReport:
        """Check a process's schedule: every hash-chain link, slot and signature."""
        pid = proc if isinstance(proc, str) else proc.id
        self.scheduler.checkpoint(pid)
        report = verify_schedule(self.schedule_of(pid), self.scheduler.checkpoints(pid),
                                 self.address)
        self.events.publish("verified", process=pid, ok=bool(report))
        return report

    # -- time ----------------------------------------------------------------------------

    def advance(self, ms: int) -> list[SlotResult]:
        """Move the virtual clock ``ms`` forward, firing every cron tick due on the way."""
        if not isinstance(self.clock, VirtualClock):
            raise SchedulerError(
                "advancing time needs a virtual clock: ao.Node(clock='virtual')", field="clock")
        target = self.clock.now_ms() + ms
        results = self.cron.fire(target, set_clock=self.clock.set)
        self.clock.set(target)
        return results

    def run_crons(self) -> list[SlotResult]:
        """Fire every cron tick due by now (the real clock's counterpart of advance)."""
        return self.cron.fire(self.clock.now_ms())

    def start_cron(self, every_s: float = 1.0) -> None:
        """Fire due cron ticks in a background thread (for the real clock)."""
        if self._cron_thread is not None:
            return

        def loop() -> None:
            while not self._cron_stop.wait(every_s):
                try:
                    self.run_crons()
                except AOError as exc:  # a broken process must not stop the others
                    self.events.errors.append((None, exc))  # type: ignore[arg-type]

        self._cron_thread = threading.Thread(target=loop, name="ao-cron", daemon=True)
        self._cron_thread.start()

    def start_flusher(self, poll_ms: int = 1000) -> None:
        """Sign due schedule checkpoints on a background thread (off the path of
        ``send``): without it, the send that makes a tail due signs inline."""
        if self._flusher is None:
            self._flusher = CheckpointFlusher(self.scheduler, poll_ms=poll_ms).start()

    def schedule_of(self, pid: str, from_: int = 0, to: int | None = None) -> list[Message]:
        """Every assignment of ``pid`` from ``from_`` to ``to`` (inclusive)."""
        out: list[Message] = []
        start = from_
        while True:
            page, more = self.scheduler.assignments(pid, start, to)
            out.extend(page)
            if not more or not page:
                return out
            start = int(page[-1]["slot"]) + 1  # type: ignore[arg-type]

    def serve(self, port: int = 8734, host: str = "127.0.0.1", **options: Any) -> Any:
        """Serve this node over HTTP (HyperBEAM's API and the legacy MU/CU/SU routes) on
        its own thread; returns a handle with ``url``, ``env()`` and ``stop()``."""
        from .http import serve

        handle = serve(self, port=port, host=host, **options)
        self.hooks.install_http(handle.server)  # request/response hooks (p4 payments)
        return handle

    def copy_store(self, path: str | None = None) -> Any:
        """A copy of this node's store as it is now (what ``%snapshot`` keeps): an
        in-memory store is copied and the copy returned; a SQLite store is backed up to
        ``path`` with SQLite's online backup (``None`` is returned). Reopening a node over
        the copy resumes every process from its schedule."""
        store = self.store
        if isinstance(getattr(store, "path", None), str):
            if path is None:
                raise StoreError("a SQLite store is copied into a file: pass path=",
                                 field="path")
            store.backup_to(path)  # type: ignore[attr-defined]
            return None
        copy = getattr(store, "copy", None)
        if not callable(copy):
            raise StoreError(f"cannot copy a {type(store).__name__}; use memory or sqlite:",
                             field="store")
        return copy()

    def close(self) -> None:
        self._cron_stop.set()
        if self._cron_thread is not None:
            self._cron_thread.join(timeout=5)
        if self._flusher is not None:
            self._flusher.stop()
            self._flusher = None
        self.scheduler.close()
        self.store.close()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ao.Node {self.address[:8]}… store={self.state.message.text('store')}>"
