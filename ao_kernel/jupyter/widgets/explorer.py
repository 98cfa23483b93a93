"""``ExplorerWidget``: a result's hashpath back to its inputs, and every commitment on the way.

::

    res = proc.send(action="Ping")
    ExplorerWidget(res, node=node)      # or explorer(proc) for the latest slot, explorer(msg)

For the result of slot ``n`` of process ``P`` the chain is::

    result n ── hashpath H_n = X/Y
       ├─ X: the state before, compress(H_n-1)          (checked against slot n-1's result)
       ├─ Y: the assignment's ID                        (checked: id(assignment) == Y)
       │     └─ hash-chain C_n = SHA-256(C_n-1 ‖ id(body))  (checked against slot n-1)
       ├─ the message (body): its ID, sender, action
       └─ the process P: id(process message) == P

Each check is a call to the public API (``ao.hashpath``, ``ao.id``, ``ao_kernel.core.ids
.hash_chain``) on values the node returns. Each commitment (of the body, the assignment,
the process message and the scheduler's signed checkpoint covering the slot) is listed
with its device, type and signer; its Verify button sends ``{"type": "verify", "key"}``
and the kernel answers in ``verifications``. "Verify schedule" runs ``node.verify(proc)``.
Without ``node`` (a bare ``SlotResult``), checks that need slot ``n-1`` are skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ._base import CSS, asset, jsonable, message_summary, strip_ansi

if TYPE_CHECKING:
    from ...core.message import Message
    from ...node.api import NodeAPI
    from ...node.results import SlotResult


def _check(ok: bool | None, what: str) -> dict[str, Any]:
    return {"ok": ok, "what": what}


class ExplorerWidget(anywidget.AnyWidget):
    """Hashpath and commitment explorer for a result, a process or a message."""

    _esm = asset("explorer.js")
    _css = CSS

    title = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Unicode("").tag(sync=True)
    process = traitlets.Unicode("").tag(sync=True)
    slot = traitlets.Int(-1).tag(sync=True)
    #: the links from the result back to its inputs: {role, label, id, fields, check}
    chain: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    #: {key, where, id, device, type, signer, committed, tag}
    commitments: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    #: key -> {ok, detail}, answers to Verify
    verifications = traitlets.Dict().tag(sync=True)
    #: node.verify(proc) as {ok, text, signed_through}
    schedule = traitlets.Dict().tag(sync=True)

    def __init__(self, target: Any, *, node: NodeAPI | None = None, slot: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.node = node
        self._messages: dict[str, Message] = {}  # where -> the message whose commitments
        self.on_msg(self._on_frontend_msg)
        self.load(target, slot=slot)

    # -- loading ---------------------------------------------------------------------------

    def load(self, target: Any, *, slot: int | None = None) -> None:
        """Explore ``target``: a ``SlotResult``, a ``Process`` (``slot``, default latest)
        or a ``Message``."""
        from ...core.message import Message
        from ...node.process_handle import Process
        from ...node.results import SlotResult

        if isinstance(target, Process):
            self.node = target.node
            target = target.result(target.slot if slot is None else slot)
        self._messages = {}
        if isinstance(target, SlotResult):
            self._load_result(target)
        elif isinstance(target, Message):
            self._load_message(target)
        else:
            raise TypeError(f"explorer() takes a result, a process or a message, "
                            f"not {type(target).__name__}")
        self._collect_commitments()

    def _result(self, pid: str, slot: int) -> SlotResult | None:
        if self.node is None or slot < 0:
            return None
        return self.node.process(pid).result(slot)

    def _load_result(self, res: SlotResult) -> None:
        import ao_kernel as ao

        from ...core.ids import hash_chain
        from ...core.message import Message

        pid, n = res.process, res.slot
        prev = self._result(pid, n - 1)
        assignment = res.assignment
        found = assignment.get("body") if assignment is not None else None
        body = found if isinstance(found, Message) else None
        x, _, y = res.hashpath.partition("/")
        chain: list[dict[str, Any]] = []
        chain.append({
            "role": "result", "label": f"result of slot {n}", "id": res.hashpath,
            "fields": {"output": strip_ansi(res.output)[:2000], "error": res.error,
                       "messages sent": len(res.messages)},
            "check": None,
        })
        if n == 0:
            base_check = _check(x == pid, "slot 0 starts from the process ID")
        elif prev is not None:
            expected = ao.hashpath(prev.hashpath, assignment)
            base_check = _check(expected == res.hashpath,
                                f"hashpath(H_{n - 1}, assignment) = {expected}")
        else:
            base_check = _check(None, "pass node= to check against slot n-1")
        chain.append({
            "role": "hashpath", "label": "hashpath part 1: the state before",
            "id": x, "fields": {"previous hashpath": prev.hashpath if prev else None},
            "check": base_check, "goto": n - 1 if n > 0 and self.node is not None else None,
        })
        if assignment is not None:
            aid = ao.id(assignment, "all")
            chain.append({
                "role": "assignment", "label": f"hashpath part 2: assignment of slot {n}",
                "id": y,
                "fields": {k: jsonable(assignment[k]) for k in
                           ("slot", "process", "timestamp", "block-height", "epoch")
                           if k in assignment},
                "check": _check(aid == y, f"id(assignment) = {aid}"),
            })
            stated = assignment.text("hash-chain") or ""
            if body is not None:
                body_id = ao.id(body, "all")
                if prev is not None and prev.assignment is not None:
                    link = hash_chain(prev.assignment.text("hash-chain") or "", body_id)
                    chain_check = _check(link == stated, "SHA-256(C_n-1 ‖ id(body))")
                elif n == 0:
                    link = hash_chain("", body_id)
                    chain_check = _check(link == stated, "SHA-256(id(process message))")
                else:
                    chain_check = _check(None, "pass node= to check against slot n-1")
                chain.append({
                    "role": "hash-chain", "label": "scheduler hash-chain", "id": stated,
                    "fields": {"previous": prev.assignment.text("hash-chain")
                               if prev is not None and prev.assignment is not None else None},
                    "check": chain_check,
                })
                chain.append({
                    "role": "message", "label": "the message (assignment body)",
                    "id": body_id, "fields": message_summary(body),
                    "check": _check(body_id == res.message_id or n == 0,
                                    "the ID the process saw"),
                })
                self._messages["body"] = body
            self._messages["assignment"] = assignment
        if self.node is not None:
            definition = self.node.process(pid).definition
            pdef_id = ao.id(definition, "all")
            chain.append({
                "role": "process", "label": "the process", "id": pid,
                "fields": message_summary(definition) | {"data": "…"},
                "check": _check(pdef_id == pid, "id(process message) = process ID"),
            })
            self._messages["process"] = definition
            checkpoint = next((ck for ck in self.node.checkpoints(pid)
                               if int(ck.get("slot", -1)) >= n), None)  # type: ignore[arg-type]
            if checkpoint is not None:
                self._messages["checkpoint"] = checkpoint
        with self.hold_sync():
            self.kind, self.process, self.slot = "result", pid, n
            self.title = f"slot {n} of {pid}"
            self.chain = chain
            self.verifications = {}
            self.schedule = {}

    def _load_message(self, msg: Message) -> None:
        import ao_kernel as ao

        unsigned, signed = ao.id(msg), ao.id(msg, "all")
        chain = [{"role": "message", "label": "message", "id": signed,
                  "fields": message_summary(msg) | {"unsigned id": unsigned},
                  "check": None}]
        if msg.hashpath:
            chain.insert(0, {"role": "hashpath", "label": "hashpath", "id": msg.hashpath,
                             "fields": {}, "check": None})
        from ...core.message import Message

        body = msg.get("body")
        if msg.get("slot") is not None and isinstance(body, Message):
            self._messages["body"] = body  # an assignment: explore its body's commitments too
        self._messages["message"] = msg
        with self.hold_sync():
            self.kind, self.process, self.slot = "message", msg.text("process") or "", -1
            self.title = f"message {signed}"
            self.chain = chain
            self.verifications = {}
            self.schedule = {}

    def _collect_commitments(self) -> None:
        from ...core.message import Message

        rows: list[dict[str, Any]] = []
        for where, msg in self._messages.items():
            for cid, c in msg.commitments.items():
                if not isinstance(c, Message):
                    continue
                committed = c.get("committed", ())
                rows.append({
                    "key": f"{where}:{cid}", "where": where, "id": cid,
                    "device": c.text("commitment-device", "httpsig@1.0"),
                    "type": c.text("type", ""),
                    "signer": c.text("committer") or (
                        "(HMAC: the unsigned ID)" if c.text("type") == "hmac-sha256" else ""),
                    "committed": [str(k) for k in committed]
                    if isinstance(committed, tuple) else [],
                    "tag": c.text("tag") or "",
                })
        self.commitments = rows

    # -- verification ----------------------------------------------------------------------

    def verify(self, key: str = "*") -> dict[str, dict[str, Any]]:
        """Verify one commitment (``"where:id"``) or all (``"*"``); returns the outcomes."""
        from ...core.commitments import verify_commitment
        from ...core.errors import AOError

        out = dict(self.verifications)
        for row in self.commitments:
            if key not in ("*", row["key"]):
                continue
            msg = self._messages[row["where"]]
            commitment = msg.commitments[row["id"]]
            try:
                ok = verify_commitment(msg, row["id"], commitment)  # type: ignore[arg-type]
                detail = "valid" if ok else "does not verify against the message as it is"
            except AOError as exc:
                ok, detail = False, str(exc)
            out[row["key"]] = {"ok": ok, "detail": detail}
        self.verifications = out
        return out

    def verify_schedule(self) -> dict[str, Any]:
        """``node.verify(process)``: every link, slot and signature of the schedule."""
        if self.node is None or not self.process:
            self.schedule = {"ok": None, "text": "no node to verify against (pass node=)"}
            return dict(self.schedule)
        report = self.node.verify(self.process)
        self.schedule = {"ok": bool(report), "text": str(report),
                         "signed_through": getattr(report, "signed_through", None)}
        if self.slot >= 0 and "checkpoint" not in self._messages:
            checkpoint = next((ck for ck in self.node.checkpoints(self.process)
                               if int(ck.get("slot", -1)) >= self.slot),  # type: ignore[arg-type]
                              None)
            if checkpoint is not None:
                self._messages["checkpoint"] = checkpoint
                self._collect_commitments()
        return dict(self.schedule)

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "verify":
            self.verify(str(content.get("key", "*")))
        elif kind == "verify-schedule":
            self.verify_schedule()
        elif kind == "goto" and self.node is not None and self.process:
            self.load(self.node.process(self.process), slot=int(content.get("slot", 0)))
