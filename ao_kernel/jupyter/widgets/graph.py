"""``GraphWidget``: the live graph of a node's processes (nodes) and messages (edges).

::

    node = ao.Node(); g = GraphWidget(node); g        # shows the graph
    a = node.spawn(lua=SRC, name="a")                   # a node appears
    a.send(action="Ping")                               # an edge "Ping" appears

The widget subscribes to ``node.events``. Events are only queued as they arrive (in the
node's thread); a :class:`~._base.Batcher` turns them into at most one model update per
``interval`` (100 ms) plus one at the end of a burst, each a single comm message
(``hold_sync``). Clicking a process in the front end sends ``{"type": "select", "kind":
"process", "id": pid}``; the kernel answers by setting ``detail`` to the process's state
and inbox. Clicking a message sends ``{"kind": "message", "process", "slot"}`` and gets
the message, its assignment and its result.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ._base import CSS, Batcher, asset, jsonable, message_summary, short, strip_ansi

if TYPE_CHECKING:
    from ...node.events import Event
    from ...node.node import Node

_EVENT_KINDS = ("spawned", "scheduled", "computed", "pushed", "verified")


class GraphWidget(anywidget.AnyWidget):
    """The live graph of processes and messages of one node."""

    _esm = asset("graph.js")
    _css = CSS

    #: [{id, label, name, kind: process | wallet, slot, errors, verified?}]
    nodes: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    #: [{source, target, action, slot, kind: message | spawn, error}]; a message's edge is
    #: identified by (target, slot): the process it was scheduled on and its slot there
    edges: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    #: messages seen in total (edges keeps only the latest ``max_edges``)
    message_count = traitlets.Int(0).tag(sync=True)
    #: model updates sent so far (one per batch)
    updates = traitlets.Int(0).tag(sync=True)
    #: the cytoscape layout (``cose``, ``circle``, ...); also ``g.layout``. Not synced as
    #: ``layout``: that name is ipywidgets' Layout child model, and the front end's
    #: DOMWidgetView would try to make a view of the string.
    graph_layout = traitlets.Unicode("cose").tag(sync=True)
    #: draw one edge per (sender, target, action) with a count, instead of one per message
    group = traitlets.Bool(True).tag(sync=True)
    #: what the front end selected, and the kernel's answer
    selected = traitlets.Dict().tag(sync=True)
    detail = traitlets.Dict().tag(sync=True)
    #: set by the front end once it has drawn (browser tests wait on it)
    rendered_count = traitlets.Int(0).tag(sync=True)
    height = traitlets.Unicode("420px").tag(sync=True)

    def __init__(self, node: Node, *, interval: float = 0.1, max_edges: int = 2000,
                 history: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node = node
        self.max_edges = max_edges
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: OrderedDict[str, dict[str, Any]] = OrderedDict()  # oldest first
        self._count = 0
        self._batcher: Batcher[Event] = Batcher(self._apply, interval)
        if history:
            self._load_history()
        self._unsubscribe = node.events.subscribe(self._batcher.add, kinds=_EVENT_KINDS)
        self.on_msg(self._on_frontend_msg)

    # -- events -> model ------------------------------------------------------------------

    def _load_history(self) -> None:
        """Processes and (the latest) messages that existed before the widget."""
        per_process = max(1, self.max_edges // max(1, len(self.node.processes)))
        for proc in self.node.processes:
            self._add_process(proc.id, proc.name, None)
            last = proc.slot
            first = max(1, last - per_process + 1)
            if last < first:
                continue
            for assignment in self.node.schedule_of(proc.id, first, last):
                body = assignment.get("body")
                slot = int(assignment["slot"])  # type: ignore[arg-type]
                self._add_message(proc.id, slot, body)
        self._publish()

    def _add_process(self, pid: str, name: str | None, parent: str | None) -> None:
        entry = self._nodes.get(pid)
        if entry is None:
            entry = {"id": pid, "label": name or short(pid), "name": name or "",
                     "kind": "process", "slot": 0, "errors": 0}
            self._nodes[pid] = entry
        elif name and not entry["name"]:
            entry.update(label=name, name=name)
        if parent:
            self._edge(f"spawn:{pid}", parent, pid, action="Spawn", slot=0, kind="spawn")

    def _sender(self, body: Any) -> str:
        """The graph node a message came from: a process, or the wallet that sent it."""
        frm = body.text("from-process") if body is not None and hasattr(body, "text") else None
        if frm:
            return str(frm)
        committer = None
        if body is not None and hasattr(body, "commitments"):
            for c in body.commitments.values():
                if hasattr(c, "text") and (committer := c.text("committer")):
                    break
        wallet = committer or self.node.address
        key = f"wallet:{wallet}"
        if key not in self._nodes:
            label = "node wallet" if wallet == self.node.address else short(wallet)
            self._nodes[key] = {"id": key, "label": label, "name": wallet, "kind": "wallet",
                                "slot": 0, "errors": 0}
        return key

    def _add_message(self, pid: str, slot: int, body: Any) -> None:
        if slot <= 0:
            return
        if pid not in self._nodes:
            self._add_process(pid, None, None)
        action = body.text("action", "") if body is not None and hasattr(body, "text") else ""
        self._edge(f"{pid}:{slot}", self._sender(body), pid, action=action or "", slot=slot,
                   kind="message")
        self._count += 1
        self._nodes[pid]["slot"] = max(self._nodes[pid]["slot"], slot)

    def _edge(self, key: str, source: str, target: str, **fields: Any) -> None:
        entry = self._edges.get(key)
        if entry is None:
            self._edges[key] = {"source": source, "target": target, "error": False, **fields}
            while len(self._edges) > self.max_edges:
                self._edges.popitem(last=False)  # O(1), unlike a dict's first key
        else:
            entry.update(source=source, **fields)

    def _apply(self, events: list[Event]) -> None:
        """One batch of events -> one model update."""
        for ev in events:
            d = ev.data
            if ev.kind == "spawned":
                self._add_process(d["process"], d.get("name"), d.get("parent"))
            elif ev.kind == "scheduled":
                pid, slot = d["process"], int(d["slot"])
                if slot == 0:
                    self._add_process(pid, None, None)
                    continue
                mid = d.get("message")
                body = self.node.find_message(mid) if mid else None
                self._add_message(pid, slot, body)
            elif ev.kind == "pushed":
                pid = d["process"]
                edge = self._edges.get(f"{pid}:{d['slot']}")
                if edge is not None:
                    edge["source"] = d["from_process"]
            elif ev.kind == "computed":
                edge = self._edges.get(f"{d['process']}:{d['slot']}")
                if d.get("error") is not None:
                    if edge is not None:
                        edge["error"] = True
                    if d["process"] in self._nodes:
                        self._nodes[d["process"]]["errors"] += 1
            elif ev.kind == "verified" and d["process"] in self._nodes:
                self._nodes[d["process"]]["verified"] = bool(d.get("ok"))
        self._publish()

    def _publish(self) -> None:
        with self.hold_sync():
            self.nodes = [dict(n) for n in self._nodes.values()]
            self.edges = [dict(e) for e in self._edges.values()]  # copies: the batch owns them
            self.message_count = self._count
            self.updates = self.updates + 1

    def flush(self) -> int:
        """Apply pending events now (they are applied within ``interval`` anyway)."""
        return self._batcher.flush_now()

    @property
    def batcher(self) -> Batcher[Event]:
        return self._batcher

    @property
    def layout(self) -> str:
        """The cytoscape layout name (``graph_layout``); it replaces ipywidgets' Layout."""
        return self.graph_layout

    @layout.setter
    def layout(self, name: str) -> None:
        self.graph_layout = name

    # -- selection -------------------------------------------------------------------------

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Iterable[Any]) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "select":
            kind = content.get("kind")
            if kind == "process":
                self.select(str(content.get("id", "")))
            elif kind == "message":
                self.select(str(content.get("process", "")), int(content.get("slot", 0)))
            else:
                self.select(None)
        elif content.get("type") == "layout" and isinstance(content.get("name"), str):
            self.layout = content["name"]

    def select(self, process: str | None, slot: int | None = None) -> dict[str, Any]:
        """Show a process (its state and inbox) or, with ``slot``, one of its messages."""
        from ...core.errors import AOError

        if not process:
            self.selected, self.detail = {}, {}
            return {}
        self.selected = ({"kind": "process", "id": process} if slot is None
                         else {"kind": "message", "process": process, "slot": slot})
        try:
            if process.startswith("wallet:"):
                detail: dict[str, Any] = {"kind": "wallet", "id": process[7:],
                                          "node": process[7:] == self.node.address}
            elif slot is None:
                detail = self._process_detail(process)
            else:
                detail = self._message_detail(process, slot)
        except AOError as exc:
            detail = {"kind": "error", "error": str(exc)}
        self.detail = detail
        return detail

    def _process_detail(self, pid: str) -> dict[str, Any]:
        proc = self.node.process(pid)
        return {
            "kind": "process", "id": pid, "name": proc.name or "", "slot": proc.slot,
            "state": jsonable(proc.state()),
            "inbox": [message_summary(m) for m in proc.inbox[-100:]],
        }

    def _message_detail(self, pid: str, slot: int) -> dict[str, Any]:
        proc = self.node.process(pid)
        res = proc.result(slot)
        assignment = res.assignment
        body = assignment.get("body") if assignment is not None else None
        return {
            "kind": "message", "process": pid, "process_name": proc.name or "",
            "slot": slot, "id": res.message_id,
            "message": message_summary(body),
            "assignment": {k: jsonable(assignment.get(k)) for k in
                           ("slot", "timestamp", "hash-chain", "block-height", "epoch")
                           if assignment is not None and k in assignment},
            "output": strip_ansi(res.output), "error": res.error,
            "hashpath": res.hashpath,
            "sent": [message_summary(m) for m in res.messages[:50]],
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._unsubscribe()
        self._batcher.close()
        super().close()
