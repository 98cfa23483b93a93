"""Several nodes together: one schedules, another computes, a third checks.

::

    a, b, c = ao.Node(), ao.Node(), ao.Node()
    ha, hb = a.serve(port=0), b.serve(port=0)
    proc = a.spawn(lua=SOURCE)                       # A is the process's scheduler (SU)
    proc.send(action="Ping", data="hi")

    cu = ComputeUnit(b)                              # B computes (CU) ...
    cu.follow(proc.id, ha.url)                       # ... A's schedule, fetched over HTTP
    cu.install(hb)                                   # /<PID>~process@1.0/compute on B
    report = Verifier(c).check(proc.id, compute_url=hb.url, scheduler_url=ha.url)
    bool(report), report.findings                    # C checked B's signed results

Roles and what is verified where:

* **Scheduler (A)** orders messages into slots and answers
  ``GET /<PID>~process@1.0/schedule?from&to`` (``json@1.0``: the only codec of ours that
  carries the bodies' own signatures through nesting) with a signed checkpoint per page.
* **Compute unit (B)**, :class:`ComputeUnit`: fetches the schedule from A, checks it with
  :func:`~ao_kernel.devices.scheduler.verify.verify_schedule` against the scheduler address
  the process names (every body's commitments, every HMAC, the hash chain, A's RSA-signed
  checkpoints; a page continues from the previous one's verified ``anchor``) and refuses
  to compute anything past a bad slot (:class:`RemoteError` with the report). It computes
  with the node's own engine (:class:`~ao_kernel.devices.process.compute.Computer`) on the
  verified assignments; a slot's state is process@1.0's ``compute`` answer (the device
  code, with the verified replica as its host), signed with httpsig RSA-PSS-SHA512, the
  slot's hashpath as the signature's ``tag`` (HyperBEAM's ``force_signed``).
* **Verifier (C)**, :class:`Verifier`: fetches B's attestations, checks the signature,
  that B is the committer and that ``tag`` equals the stated hashpath; fetches and checks
  A's schedule itself, recomputes every slot and compares hashpath and results.

A :class:`VerificationReport` lists :class:`Finding` s, each naming the slot, the reason,
who is to blame and what differs. Reasons: the schedule's (``tampered-body``,
``broken-chain``, ``tampered-assignment``, ``missing-slot``, ``bad-signature``,
``checkpoint-mismatch``, ``unsigned``, ...), and for attestations ``unsigned-result``,
``bad-signature``, ``wrong-committer``, ``tag-mismatch``, ``wrong-slot``,
``hashpath-mismatch``, ``state-mismatch``, ``unavailable``.

Scheduler locations (protocol brief §5.2, §5.4): :func:`location_record` makes the
signed ``scheduler-location`` record of a node; ``POST /~scheduler@1.0/location`` caches
a validly signed record under its signer (``scheduler-locations/<address>``, a higher
``nonce`` replaces a lower one); ``GET /~scheduler@1.0/location?address=X`` answers it.
A schedule request a node gets for a process whose scheduler is another node whose
location it knows is answered ``307`` to that scheduler (:func:`scheduler_redirect`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import codecs, commitments
from ..core.errors import AOError, ProcessError, ProcessNotFoundError, RemoteError
from ..core.message import Message
from ..core.resolver import DeviceRegistry, Opts, resolve
from ..devices.process import ProcessDevice, ProcessHost
from ..devices.process.compute import ComputeContext, Computer
from ..devices.process.result import SlotResult
from ..devices.scheduler.location import (  # noqa: F401  (re-exported: the node's API)
    LOCATION_TTL_MS,
    LOCATION_TYPE,
    _num,
    find_location,
    location,
    location_record,
    scheduler_redirect,
    store_location,
)
from ..devices.scheduler.log import BlockInfo, parse_schedulers
from ..devices.scheduler.verify import ScheduleReport, verify_schedule
from .events import EventBus
from .remote import HTTPClient, Response

if TYPE_CHECKING:
    from .http.hyperbeam import Exchange
    from .node import Node
    from .wallet import Wallet



# -- scheduler locations -----------------------------------------------------------------------


def publish_location(wallet: Wallet, url: str, peers: Iterable[str], *, nonce: int) -> Message:
    """Sign ``wallet``'s location record and post it to every peer's location route."""
    record = location_record(wallet, url, nonce=nonce)
    for peer in peers:
        with HTTPClient(peer, wallet=wallet) as client:
            client.request("POST", "/~scheduler@1.0/location", message=record)
    return record



# -- fetching and checking a schedule ---------------------------------------------------------


class _Mirror:
    """The read side of a Scheduler over assignments fetched from another node."""

    def __init__(self, pid: str, address: str) -> None:
        self.pid = pid
        self.address = address
        self.assignments: list[Message] = []
        self.checkpoints: list[Message] = []

    def has_process(self, pid: str) -> bool:
        return pid == self.pid and bool(self.assignments)

    def processes(self) -> list[str]:
        return [self.pid]

    def process(self, pid: str) -> Message:
        body = self.assignment(pid, 0).get("body")
        assert isinstance(body, Message)
        return body

    def current_slot(self, pid: str) -> int:
        return len(self.assignments) - 1

    def assignment(self, pid: str, slot: int) -> Message:
        if pid != self.pid or not 0 <= slot < len(self.assignments):
            raise ProcessNotFoundError(f"slot {slot} of {pid} is not in the verified "
                                       "schedule", field="slot")
        return self.assignments[slot]


class Replica:
    """One process's schedule fetched from its scheduler over HTTP, verified, computed."""

    def __init__(self, pid: str, scheduler_url: str, client: HTTPClient, node: Node) -> None:
        self.pid = pid
        self.scheduler_url = scheduler_url.rstrip("/")
        self.client = client
        self.mirror: _Mirror | None = None
        self.node = node
        self.report: ScheduleReport | None = None
        self._computer: Computer | None = None
        self.lock = threading.RLock()

    def _page(self, start: int) -> Message:
        resp = self.client.request(
            "GET", f"{self.scheduler_url}/~scheduler@1.0/schedule?target={self.pid}"
            f"&from={start}", accept="json@1.0")
        return resp.message()

    def sync(self) -> ScheduleReport:
        """Fetch the assignments after the verified ones and verify them; a bad schedule
        is a :class:`RemoteError` carrying the report (nothing past it is kept)."""
        with self.lock:
            while True:
                have = len(self.mirror.assignments) if self.mirror else 0
                page = self._page(have)
                found = page.get("assignments")
                got = ([v for _, v in sorted(found.items(), key=lambda kv: int(kv[0]))
                        if isinstance(v, Message)] if isinstance(found, Message) else [])
                if not got:
                    break
                if self.mirror is None:
                    body = got[0].get("body")
                    if not isinstance(body, Message):
                        raise RemoteError("slot 0 of the schedule carries no process",
                                          field="body")
                    addresses = parse_schedulers(body.get("scheduler")) or parse_schedulers(
                        body.get("scheduler-location"))
                    if not addresses:
                        raise RemoteError(f"process {self.pid} names no scheduler",
                                          field="scheduler")
                    self.mirror = _Mirror(self.pid, addresses[0])
                    # the verified schedule is the compute unit's schedule; unsigned bodies
                    # speak for the scheduler that accepted them
                    self._computer = Computer(ComputeContext(
                        schedule=self.mirror, address=self.mirror.address,
                        clock=self.node.clock, events=EventBus(), read_message=self.node.read))
                anchor = page.get("anchor") if have else None
                if have:
                    assert self.mirror is not None
                    last = self.mirror.assignments[-1]
                    if not isinstance(anchor, Message) or anchor.text(
                            "hash-chain") != last.text("hash-chain") or _num(
                            anchor.get("slot")) != have - 1:
                        self.report = ScheduleReport(
                            False, self.pid, 0, have, have - 1, -1, have, "broken-chain",
                            "the page's anchor does not continue the verified schedule")
                        raise ScheduleRejected(self.scheduler_url, self.report)
                checkpoint = page.get("checkpoint")
                report = verify_schedule(
                    got, [checkpoint] if isinstance(checkpoint, Message) else [],
                    self.mirror.address, process=self.pid,
                    anchor=anchor if isinstance(anchor, Message) else None)
                self.report = report
                if not report:
                    raise ScheduleRejected(self.scheduler_url, report)
                self.mirror.assignments.extend(got)
                if isinstance(checkpoint, Message):
                    self.mirror.checkpoints.append(checkpoint)
                if page.get("continues") is not True:
                    break
            if self.mirror is None:
                raise ProcessNotFoundError(f"{self.scheduler_url} has no schedule for "
                                           f"{self.pid}", field="process")
            assert self.report is not None
            return self.report

    @property
    def scheduler_address(self) -> str:
        assert self.mirror is not None
        return self.mirror.address

    @property
    def current(self) -> int:
        return self.mirror.current_slot(self.pid) if self.mirror else -1

    def compute(self, slot: int | None = None) -> SlotResult:
        """The result of ``slot`` (default: the latest verified), syncing first if needed."""
        with self.lock:
            if self.mirror is None or slot is None or slot > self.current:
                self.sync()
            target = self.current if slot is None else slot
            if target > self.current:
                raise ProcessNotFoundError(f"slot {target} of {self.pid} is not scheduled "
                                           f"(latest {self.current})", field="slot")
            assert self._computer is not None
            return self._computer.compute_to(self.pid, target)


class ScheduleRejected(RemoteError):
    """A scheduler served a schedule that fails verification (``report`` says where)."""

    def __init__(self, url: str, report: ScheduleReport) -> None:
        super().__init__(f"the schedule served by {url} fails verification: {report}",
                         field="schedule")
        self.report = report


class _ReplicaHost:
    """process@1.0's host for the processes a compute unit follows: their verified
    replicas (a ``ProcessHost``; the node's own processes are the node's)."""

    def __init__(self, cu: ComputeUnit) -> None:
        self.cu = cu
        self.address = cu.node.address
        self.clock = cu.node.clock
        self.store = cu.node.store
        self.wallet = cu.node.wallet

    def has_process(self, pid: str) -> bool:
        return pid in self.cu.replicas

    def find_message(self, msg_id: str) -> Message | None:
        return self.cu.node.find_message(msg_id)

    def current_slot(self, pid: str) -> int:
        return self.cu.replica(pid).current  # the verified schedule (attest syncs first)

    def block(self) -> BlockInfo:
        return self.cu.node.block()

    def result(self, pid: str, slot: int) -> SlotResult:
        return self.cu.replica(pid).compute(slot)

    def schedule_and_compute(self, msg: Message, pid: str) -> SlotResult:
        raise ProcessError(f"this compute unit follows {pid}'s schedule; send messages to "
                           "its scheduler", field="method")

    def push(self, result: SlotResult) -> SlotResult:
        return self.schedule_and_compute(Message({}), result.process)


class ComputeUnit:
    """Node B's role: compute processes scheduled elsewhere and sign the results.

    ``tamper(slot, state) -> state`` changes a state before it is signed (a dishonest
    compute unit, for tests and demos: its signature is valid, its content is wrong).
    """

    def __init__(self, node: Node, *, tamper: Callable[[int, Message], Message] | None = None
                 ) -> None:
        self.node = node
        self.client = HTTPClient("http://127.0.0.1:1", wallet=node.wallet)
        self.replicas: dict[str, Replica] = {}
        self.tamper = tamper
        self._signed: dict[tuple[str, int], Message] = {}
        host: ProcessHost = _ReplicaHost(self)
        self._opts = Opts(registry=DeviceRegistry([ProcessDevice()]), node=host)

    def follow(self, pid: str, scheduler_url: str) -> ScheduleReport:
        """Compute ``pid``, whose schedule is at ``scheduler_url``; fetches and verifies
        it now and keeps the process definition (for redirects to its scheduler)."""
        replica = Replica(pid, scheduler_url, self.client, self.node)
        report = replica.sync()
        self.replicas[pid] = replica
        assert replica.mirror is not None
        self.node.write(replica.mirror.process(pid))
        return report

    def replica(self, pid: str) -> Replica:
        found = self.replicas.get(pid)
        if found is None:
            raise ProcessNotFoundError(f"this compute unit does not follow {pid}",
                                       field="process")
        return found

    def compute(self, pid: str, slot: int | None = None) -> SlotResult:
        return self.replica(pid).compute(slot)

    def attest(self, pid: str, slot: int | None = None) -> Message:
        """The signed state of ``slot`` (default: latest): process@1.0's ``compute`` over
        the verified replica (the device code the node's own processes answer with)."""
        replica = self.replica(pid)
        with replica.lock:
            if replica.mirror is None or slot is None or slot > replica.current:
                replica.sync()
            req = Message({"path": "compute"} if slot is None else
                          {"path": "compute", "slot": slot})
            res = resolve(Message({"device": "process@1.0"}).with_priv(**{"process-id": pid}),
                          req, self._opts)
        if not res.ok:
            raise res.value if isinstance(res.value, AOError) else RemoteError(
                f"computing {pid} failed: {res.value!r}", field="compute")
        state = res.value
        at = _num(state.get("at-slot"))
        signed = self._signed.get((pid, at))
        if signed is None:
            if self.tamper is not None:
                state = self.tamper(at, state)
            hashpath = state.text("hashpath") or ""
            signed = commitments.commit(state.with_priv(hashpath=hashpath),
                                        self.node.wallet.rsa_signer)
            self._signed[(pid, at)] = signed
        return signed

    def install(self, handle: Any) -> None:
        """Answer ``/<PID>~process@1.0/compute`` (and ``now``) for followed processes on
        the node's HTTP server (``node.serve()``'s handle) with the signed state."""
        handle.request_hooks.append(self._hook)

    def _hook(self, ex: Exchange) -> None:
        from ..core.path import As

        steps = ex.steps
        if len(steps) < 2 or not isinstance(steps[0], As) or not isinstance(steps[1], dict):
            return
        if steps[0].device != "process@1.0":
            return
        pid = steps[0].message.get("path")
        key = steps[1].get("path")
        if pid not in self.replicas or key not in ("compute", "now"):
            return
        slot = steps[1].get("slot") if key == "compute" else None
        ex.steps = [self.attest(str(pid), None if slot is None else int(str(slot))),
                    *steps[2:]]


# -- checking a compute unit --------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem: the slot, why, and who is to blame (a URL)."""

    slot: int
    reason: str
    detail: str
    blame: str

    def __str__(self) -> str:
        return f"slot {self.slot}: {self.reason} ({self.blame}): {self.detail}"


@dataclass
class VerificationReport:
    """What :meth:`Verifier.check` found. True when there is no finding."""

    process: str
    scheduler: str
    compute_unit: str
    slots: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    schedule: ScheduleReport | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def __bool__(self) -> bool:
        return self.ok

    @property
    def bad_slot(self) -> int | None:
        return self.findings[0].slot if self.findings else None

    @property
    def reason(self) -> str | None:
        return self.findings[0].reason if self.findings else None

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.process, "scheduler": self.scheduler,
                "compute-unit": self.compute_unit, "ok": self.ok, "slots": self.slots,
                "findings": [{"slot": f.slot, "reason": f.reason, "detail": f.detail,
                              "blame": f.blame} for f in self.findings]}

    def __str__(self) -> str:
        head = (f"process {self.process}: slots {self.slots[0]}..{self.slots[-1]} "
                if self.slots else f"process {self.process}: ")
        if self.ok:
            return head + f"verified (scheduler {self.scheduler}, compute {self.compute_unit})"
        return head + "; ".join(str(f) for f in self.findings)


class Verifier:
    """Node C's role: check a compute unit's signed results against a recomputation."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.client = HTTPClient("http://127.0.0.1:1", wallet=node.wallet)

    def check(self, pid: str, *, compute_url: str, scheduler_url: str,
              slots: Iterable[int] | None = None,
              compute_address: str | None = None) -> VerificationReport:
        """Check ``compute_url``'s results for ``slots`` (default: every scheduled slot)."""
        compute_url = compute_url.rstrip("/")
        expected = compute_address or self._address(compute_url)
        report = VerificationReport(pid, scheduler_url, compute_url)
        replica = Replica(pid, scheduler_url, self.client, self.node)
        try:
            report.schedule = replica.sync()
        except ScheduleRejected as exc:
            r = exc.report
            report.schedule = r
            report.findings.append(Finding(r.bad_slot if r.bad_slot is not None else -1,
                                           r.reason or "bad-schedule", r.detail,
                                           scheduler_url))
            return report
        wanted = list(slots) if slots is not None else list(range(replica.current + 1))
        report.slots = wanted
        for slot in wanted:
            finding = self._check_slot(pid, slot, replica, compute_url, expected)
            if finding is not None:
                report.findings.append(finding)
        return report

    def _address(self, url: str) -> str:
        resp = self.client.request("GET", f"{url}/~meta@1.0/info/address")
        return resp.body.decode("utf-8")

    def fetch(self, pid: str, slot: int, compute_url: str) -> Response:
        return self.client.request(
            "GET", f"{compute_url}/{pid}~process@1.0/compute&slot={slot}",
            accept="json@1.0", check=False)

    def _check_slot(self, pid: str, slot: int, replica: Replica, url: str,
                    expected: str) -> Finding | None:
        def finding(reason: str, detail: str) -> Finding:
            return Finding(slot, reason, detail, url)

        resp = self.fetch(pid, slot, url)
        if resp.status != 200:
            return finding("unavailable", f"the compute unit answered {resp.status}: "
                           f"{resp.body[:200].decode('utf-8', 'replace')}")
        try:
            state = resp.message()
        except AOError as exc:
            return finding("bad-signature", f"the answer does not decode: {exc}")
        signed = [c for c in state.commitments.values()
                  if isinstance(c, Message) and c.text("committer")]
        if not signed:
            return finding("unsigned-result", "the answer carries no signature")
        try:
            good = commitments.verify(state)
        except AOError:
            good = False
        if not good:
            return finding("bad-signature", "the answer's signature does not verify: "
                           "its content changed after signing")
        who = [c.text("committer") for c in signed]
        if expected not in who:
            return finding("wrong-committer", f"signed by {who}, not by the compute unit "
                           f"{expected}")
        stated = state.text("hashpath") or ""
        tags = [c.text("tag") for c in signed if c.text("committer") == expected]
        if stated not in tags:
            return finding("tag-mismatch", f"the signature's tag {tags} is not the stated "
                           f"hashpath {stated!r}")
        if _num(state.get("at-slot")) != slot:
            return finding("wrong-slot", f"the answer is for slot {state.text('at-slot')}")
        from ..devices.process import state_message

        mine = replica.compute(slot)
        if stated != mine.hashpath:
            return finding("hashpath-mismatch", f"stated {stated!r}, recomputed "
                           f"{mine.hashpath!r}")
        theirs = _plain(state.without("commitments"))
        ours = _plain(state_message(mine))
        diff = _first_difference(ours, theirs)
        if diff is not None:
            return finding("state-mismatch", diff)
        return None


def _plain(msg: Message) -> Any:
    """A message as JSON-comparable data (the codec's view, so types compare equal)."""
    return json.loads(codecs.json_encode(msg))


def _first_difference(ours: Any, theirs: Any, path: str = "") -> str | None:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key == "ao-types" and path == "":
                continue
            sub = f"{path}/{key}" if path else key
            if key not in theirs:
                return f"{sub}: missing from the compute unit's answer"
            if key not in ours:
                return f"{sub}: present in the answer, absent from the recomputation"
            found = _first_difference(ours[key], theirs[key], sub)
            if found is not None:
                return found
        return None
    if ours != theirs:
        if isinstance(ours, str) and isinstance(theirs, str) and ours[:1] in "{[":
            # JSON text (``results/output``): a Lua table's key order is not part of it
            try:
                if json.loads(ours) == json.loads(theirs):
                    return None
            except ValueError:
                pass
        return f"{path}: recomputed {ours!r}, the compute unit says {theirs!r}"
    return None
