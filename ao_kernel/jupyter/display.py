"""Rich results: how results, processes, messages, assignments and reports look.

Every object gets three representations (one mimebundle):

* ``text/html`` for notebooks: tables, IDs shortened to ``abcdef…wxyz`` with the full
  value in a ``title`` (hover) and a copy button;
* ``text/plain`` for terminals: for a result, ``Output.data`` exactly as aos prints it
  (ANSI colours included), for the rest a short readable summary;
* ``application/vnd.ao.<kind>+json`` for the JupyterLab extension, with ``kind`` one of
  ``message``, ``result``, ``process``, ``assignment``, ``verification``, ``graph``.

This module only reads what the Node API already returns (``SlotResult``, ``Process``,
``Message``, ``ScheduleReport``): no protocol logic, and the node layer holds no display
code. Each type is registered with IPython's mimebundle formatter, by type name
(:data:`RICH_TYPES`, :func:`register_formatters`), when ``ao_kernel`` is imported inside a
running IPython, by ``%load_ext ao_kernel`` and by the AO kernel.
"""

from __future__ import annotations

import base64
import html
import json
import re
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

MIME = "application/vnd.ao.{kind}+json"
KINDS = ("message", "result", "process", "assignment", "verification", "graph")

_STYLE = """<style>
.ao-box{font-family:var(--jp-code-font-family,monospace);font-size:12px;margin:2px 0}
.ao-box table{border-collapse:collapse;margin:2px 0}
.ao-box th,.ao-box td{border:1px solid var(--jp-border-color2,#ddd);padding:2px 6px;
 text-align:left;vertical-align:top}
.ao-box th{background:var(--jp-layout-color2,#f5f5f5);font-weight:600}
.ao-box pre.ao-out{margin:0 0 4px 0;white-space:pre-wrap}
.ao-box .ao-meta{color:var(--jp-ui-font-color2,#777);font-size:11px}
.ao-box .ao-err{color:#c62828}
.ao-box .ao-ok{color:#2e7d32}
.ao-box button.ao-copy{border:none;background:none;cursor:pointer;padding:0 2px;
 color:var(--jp-ui-font-color2,#777)}
</style>"""


# -- small pieces ----------------------------------------------------------------------------


def short_id(value: str, head: int = 6, tail: int = 4) -> str:
    """``abcdef…wxyz`` for a long ID (hashpaths: each half shortened)."""
    if "/" in value:
        return "/".join(short_id(part, head, tail) for part in value.split("/"))
    if len(value) <= head + tail + 1:
        return value
    return f"{value[:head]}…{value[-tail:]}"


def id_html(value: str | None) -> str:
    """A shortened ID with the full value on hover and a copy button."""
    if not value:
        return ""
    full = html.escape(value, quote=True)
    js = html.escape(json.dumps(value), quote=True)
    return (f'<code title="{full}">{html.escape(short_id(value))}</code>'
            f'<button class="ao-copy" title="copy {full}" '
            f'onclick="navigator.clipboard.writeText({js})">⧉</button>')


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_COLOURS = {
    30: "#000", 31: "#c62828", 32: "#2e7d32", 33: "#b8860b", 34: "#1565c0", 35: "#8e24aa",
    36: "#00838f", 37: "#9e9e9e", 90: "#757575", 91: "#e53935", 92: "#43a047", 93: "#f9a825",
    94: "#1e88e5", 95: "#ab47bc", 96: "#00acc1", 97: "#bdbdbd",
}


def ansi_to_html(text: str) -> str:
    """Escape ``text`` and turn ANSI SGR colour codes (as aos prints) into spans."""
    out: list[str] = []
    open_span = False
    pos = 0
    for m in _SGR.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        pos = m.end()
        codes = [int(c) for c in m.group(1).split(";") if c.isdigit()] or [0]
        style = []
        for code in codes:
            if code in _COLOURS:
                style.append(f"color:{_COLOURS[code]}")
            elif code == 1:
                style.append("font-weight:bold")
        if open_span:
            out.append("</span>")
            open_span = False
        if style:
            out.append(f'<span style="{";".join(style)}">')
            open_span = True
    out.append(html.escape(text[pos:]))
    if open_span:
        out.append("</span>")
    return "".join(out)


def strip_ansi(text: str) -> str:
    return _SGR.sub("", text)


def jsonable(value: Any, depth: int = 0) -> Any:
    """A value made of JSON types (messages as objects, binary as ``{"base64": ...}``)."""
    if depth > 32:
        return "…"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, depth + 1) for v in value]
    return str(value)


def _filter(bundle: dict[str, Any], include: Iterable[str] | None,
            exclude: Iterable[str] | None) -> dict[str, Any]:
    if include:
        bundle = {k: v for k, v in bundle.items() if k in set(include)}
    if exclude:
        bundle = {k: v for k, v in bundle.items() if k not in set(exclude)}
    return bundle


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _box(kind: str, body: str) -> str:
    return f'{_STYLE}<div class="ao-box ao-{kind}">{body}</div>'


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value))


# -- results ---------------------------------------------------------------------------------


#: Wallet addresses that are "you" in this kernel (the magics' node wallet, registered by
#: the session): a message to one of them reads "to you" on a result card.
_YOURS: set[str] = set()


def remember_wallet(address: str) -> None:
    """Messages to ``address`` are shown as "to you" (the session's wallet)."""
    if address:
        _YOURS.add(str(address))


#: id(result) -> the prints of that result a Lua cell already streamed to stdout (a cell's
#: own copy of its result, see mark_streamed)
_STREAMED: dict[int, str] = {}


def mark_streamed(res: Any, lines: list[str]) -> None:
    """``lines`` (the first prints of ``res``'s ``Output.data``) were shown on stdout while
    the cell ran: ``res``'s card shows only the rest, the cell's value. The magics mark
    the cell's own copy of its result; ``res.output`` itself keeps every print."""
    _STREAMED[id(res)] = "\n".join(lines)
    weakref.finalize(res, _STREAMED.pop, id(res), None)


def card_output(res: Any) -> str:
    """What a card shows as ``res``'s output: ``Output.data`` after the prints already
    streamed to stdout (all of it when nothing was, or when it does not start with them)."""
    out = "" if res.output is None else str(res.output)
    shown = _STREAMED.get(id(res))
    if shown is None:
        return out
    if out == shown:
        return ""
    return out[len(shown) + 1:] if out.startswith(shown + "\n") else out


def card_error(res: Any) -> str:
    """``res``'s Error after the prints already streamed to stdout (aos puts the prints
    first, then a blank line and the error)."""
    err = str(res.error)
    shown = _STREAMED.get(id(res))
    return err[len(shown):] if shown is not None and err.startswith(shown + "\n\n") else err


def _body_field(res: Any, name: str) -> Any:
    assignment = getattr(res, "assignment", None)
    body = assignment.get("body") if assignment is not None else None
    return jsonable(body.get(name)) if isinstance(body, Mapping) else None


def replies_json(res: Any) -> list[dict[str, Any]]:
    """Messages of the whole cascade that left this node's processes (usually replies to
    the wallet that sent: ``msg.reply``), in the order they were sent."""
    out = []
    for r in res.all_results():
        for m in r.undelivered:
            flat = dict(m)
            for tag in m.get("Tags") or []:
                if isinstance(tag, Mapping) and "name" in tag:
                    flat.setdefault(str(tag["name"]), tag.get("value"))
            target = str(m.get("Target") or "")
            out.append({"from": r.process, "target": target, "to_you": target in _YOURS,
                        "action": jsonable(flat.get("Action")),
                        "data": jsonable(flat.get("Data"))})
    return out


def replies_title(replies: list[dict[str, Any]]) -> str:
    """``1 message to you`` / ``2 messages to you, 1 to another address``."""
    yours = sum(1 for r in replies if r["to_you"])
    others = len(replies) - yours
    parts = []
    if yours:
        parts.append(f"{yours} message{'s' if yours != 1 else ''} to you")
    if others:
        where = "another address" if others == 1 else "other addresses"
        parts.append(f"{others} to {where}" if yours else
                     f"{others} message{'s' if others != 1 else ''} to {where}")
    return ", ".join(parts)


def result_json(res: Any) -> dict[str, Any]:
    pushed = [{"process": r.process, "slot": r.slot, "message": r.message_id,
               "action": _body_field(r, "action"), "output": r.output, "error": r.error}
              for r in res.all_results()[1:]]
    replies = replies_json(res)
    return {
        "process": res.process,
        "slot": res.slot,
        "message": res.message_id,
        "output": card_output(res),
        "streamed": _STREAMED.get(id(res), ""),  # shown on stdout while the cell ran
        "prompt": res.prompt,
        "error": None if res.error is None else card_error(res),
        "hashpath": res.hashpath,
        "messages": jsonable(res.messages),
        "spawns": jsonable(res.spawns),
        "assignments": jsonable(res.assignments),
        "pushed": pushed,
        "replies": replies,
        "replies_title": replies_title(replies),
        "undelivered": len(res.undelivered),
        "dry_run": res.dry_run,
    }


def _reply_line(r: Mapping[str, Any]) -> str:
    who = "you" if r["to_you"] else short_id(r["target"])
    action = f"[{r['action']}] " if r.get("action") else ""
    data = "" if r.get("data") is None else str(r["data"])
    return f"→ {who}: {action}{data}"


def result_text(res: Any) -> str:
    """``Output.data`` as aos prints it; an error as aos prints it; then what came back to
    you; else a summary."""
    if res.error:
        return card_error(res)
    replies = replies_json(res)
    output = card_output(res)
    lines = [output] if output else []
    lines += [_reply_line(r) for r in replies]
    if lines:
        return "\n".join(lines)
    return repr(res)


def result_html(res: Any) -> str:
    parts = []
    output = card_output(res)
    if res.error:
        parts.append(f'<pre class="ao-out ao-err">{ansi_to_html(card_error(res))}</pre>')
    elif output:
        parts.append(f'<pre class="ao-out">{ansi_to_html(output)}</pre>')
    replies = replies_json(res)
    if replies:
        lines = "".join(f"<div>{ansi_to_html(_reply_line(r))}</div>" for r in replies)
        parts.append(f'<div class="ao-replies"><b>{_text(replies_title(replies))}</b>'
                     f"{lines}</div>")
    meta = [f"slot {res.slot}"]
    if res.dry_run:
        meta.append("dry-run")
    parts.append(f'<div class="ao-meta">process {id_html(res.process)} · '
                 + " · ".join(meta) + "</div>")
    pushed = res.all_results()[1:]
    if pushed:
        rows = "".join(
            f"<tr><td>{id_html(r.process)}</td><td>{r.slot}</td>"
            f"<td>{_text(_body_field(r, 'action') or '')}</td>"
            f"<td>{ansi_to_html(str(r.error or r.output or ''))}</td></tr>" for r in pushed)
        parts.append(f"<details><summary>{_delivered_title(len(pushed))}</summary>"
                     "<table><tr><th>Process</th><th>Slot</th><th>Action</th><th>Output</th>"
                     f"</tr>{rows}</table></details>")
    ids = f"message {id_html(res.message_id)}"
    if res.hashpath:
        ids += f" · hashpath {id_html(res.hashpath)}"
    parts.append(f'<details><summary>message and hashpath</summary><div class="ao-meta">'
                 f"{ids}</div></details>")
    return _box("result", "".join(parts))


def _delivered_title(n: int) -> str:
    return f"{n} message{'s' if n != 1 else ''} delivered on this node"


def result_bundle(res: Any, include: Iterable[str] | None = None,
                  exclude: Iterable[str] | None = None) -> dict[str, Any]:
    return _filter({
        "text/plain": result_text(res),
        "text/html": result_html(res),
        MIME.format(kind="result"): result_json(res),
    }, include, exclude)


def _clip(value: Any, n: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


# -- processes -------------------------------------------------------------------------------


def process_json(proc: Any) -> dict[str, Any]:
    definition = proc.definition
    return {
        "id": proc.id,
        "name": proc.name,
        "slot": proc.slot,
        "module": definition.text("module"),
        "scheduler": definition.text("scheduler"),
        "authority": definition.text("authority"),
        "tags": {k: jsonable(v) for k, v in definition.items()
                 if k not in ("data", "commitments")},
    }


def process_text(proc: Any) -> str:
    info = process_json(proc)
    return (f"process {info['name'] or '(unnamed)'} {info['id']}\n"
            f"  slot {info['slot']}  module {info['module']}\n"
            f"  scheduler {info['scheduler']}")


def process_html(proc: Any) -> str:
    info = process_json(proc)
    rows = [("name", _text(info["name"] or "(unnamed)")), ("id", id_html(info["id"])),
            ("slot", str(info["slot"])), ("module", id_html(info["module"])),
            ("scheduler", id_html(info["scheduler"])), ("authority", id_html(info["authority"]))]
    tags = "".join(f"<tr><td>{_text(k)}</td><td>{_text(_clip(v))}</td></tr>"
                   for k, v in info["tags"].items())
    return _box("process", f"<table>{_rows(rows)}</table>"
                f"<details><summary>{len(info['tags'])} tags</summary>"
                f"<table>{tags}</table></details>")


def process_bundle(proc: Any, include: Iterable[str] | None = None,
                   exclude: Iterable[str] | None = None) -> dict[str, Any]:
    return _filter({
        "text/plain": process_text(proc),
        "text/html": process_html(proc),
        MIME.format(kind="process"): process_json(proc),
    }, include, exclude)


# -- messages and assignments ---------------------------------------------------------------


def is_assignment(msg: Mapping[str, Any]) -> bool:
    return "slot" in msg and "process" in msg and ("body" in msg or "message" in msg)


def _commitments(msg: Any) -> list[dict[str, Any]]:
    out = []
    commitments = getattr(msg, "commitments", None) or {}
    for cid, value in commitments.items():
        c = value if isinstance(value, Mapping) else {}
        out.append({"id": cid, "device": jsonable(c.get("commitment-device")),
                    "type": jsonable(c.get("type")),
                    "committer": jsonable(c.get("committer") or c.get("keyid"))})
    return out


def _message_id(msg: Any) -> str | None:
    try:
        from .. import id as message_id

        return message_id(msg, "all")
    except Exception:  # a message the ID functions refuse still displays
        return None


def message_json(msg: Any) -> dict[str, Any]:
    return {"id": _message_id(msg),
            "fields": {k: jsonable(v) for k, v in msg.items() if k != "commitments"},
            "commitments": _commitments(msg)}


def assignment_json(msg: Any) -> dict[str, Any]:
    body = msg.get("body")
    return {
        "id": _message_id(msg),
        "process": jsonable(msg.get("process")),
        "slot": jsonable(msg.get("slot")),
        "timestamp": jsonable(msg.get("timestamp")),
        "block-height": jsonable(msg.get("block-height")),
        "hash-chain": jsonable(msg.get("hash-chain")),
        "message": _message_id(body) if isinstance(body, Mapping) else jsonable(
            msg.get("message")),
        "body": jsonable(body) if isinstance(body, Mapping) else None,
        "commitments": _commitments(msg),
    }


def _commitments_html(commitments: list[dict[str, Any]]) -> str:
    if not commitments:
        return "<div class='ao-meta'>no commitments</div>"
    rows = "".join(
        f"<tr><td>{id_html(c['id'])}</td><td>{_text(c['device'])}</td><td>{_text(c['type'])}"
        f"</td><td>{id_html(str(c['committer'] or ''))}</td></tr>" for c in commitments)
    return ("<table><tr><th>commitment</th><th>device</th><th>type</th><th>committer</th>"
            f"</tr>{rows}</table>")


def _value_html(key: str, value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]{43}", value):
        return id_html(value)
    return _text(_clip(text, 120))


def message_bundle(msg: Any, include: Iterable[str] | None = None,
                   exclude: Iterable[str] | None = None) -> dict[str, Any]:
    if is_assignment(msg):
        info = assignment_json(msg)
        rows = [(k, _value_html(k, info[k]) if k not in ("process", "message", "hash-chain")
                 else id_html(str(info[k] or ""))) for k in
                ("process", "slot", "message", "timestamp", "block-height", "hash-chain")]
        body = info["body"] or {}
        summary = ", ".join(f"{k}={_clip(v, 30)}" for k, v in body.items()
                            if k in ("action", "target", "type"))
        text = (f"assignment slot {info['slot']} of {info['process']}\n"
                f"  message {info['message']}  {summary}\n"
                f"  {len(info['commitments'])} commitment(s)")
        page = _box("assignment", f"<table>{_rows(rows)}</table>"
                    + _commitments_html(info["commitments"]))
        kind = "assignment"
    else:
        info = message_json(msg)
        rows = [("id", id_html(info["id"]))] + [
            (k, _value_html(k, v)) for k, v in info["fields"].items()]
        text = f"message {info['id']}\n" + "\n".join(
            f"  {k}: {_clip(json.dumps(v) if not isinstance(v, str) else v)}"
            for k, v in info["fields"].items())
        page = _box("message", f"<table>{_rows(rows)}</table>"
                    + _commitments_html(info["commitments"]))
        kind = "message"
    return _filter({"text/plain": text, "text/html": page, MIME.format(kind=kind): info},
                   include, exclude)


# -- verification reports ---------------------------------------------------------------------


def verification_json(report: Any) -> dict[str, Any]:
    return {k: getattr(report, k, None) for k in (
        "ok", "process", "checked", "first_slot", "last_slot", "signed_through", "bad_slot",
        "reason", "detail")}


def verification_bundle(report: Any, include: Iterable[str] | None = None,
                        exclude: Iterable[str] | None = None) -> dict[str, Any]:
    info = verification_json(report)
    mark = ('<span class="ao-ok">✔ verified</span>' if info["ok"]
            else '<span class="ao-err">✘ failed</span>')
    rows = [("result", mark), ("process", id_html(info["process"])),
            ("slots", f"{info['first_slot']}..{info['last_slot']}"),
            ("checked", str(info["checked"])), ("signed through", str(info["signed_through"]))]
    if not info["ok"]:
        rows += [("bad slot", str(info["bad_slot"])), ("reason", _text(info["reason"])),
                 ("detail", _text(info["detail"]))]
    return _filter({
        "text/plain": str(report),
        "text/html": _box("verification", f"<table>{_rows(rows)}</table>"),
        MIME.format(kind="verification"): info,
    }, include, exclude)


# -- graphs ----------------------------------------------------------------------------------


class Graph:
    """Who messaged whom in one result and everything its pushes caused."""

    def __init__(self, res: Any) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        seen: set[str] = set()

        def visit(r: Any) -> None:
            if r.process not in seen:
                seen.add(r.process)
                self.nodes.append({"id": r.process})
            for child in r.pushed:
                self.edges.append({"from": r.process, "to": child.process,
                                   "message": child.message_id, "slot": child.slot})
                visit(child)

        visit(res)

    def to_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges}

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None) -> dict[str, Any]:
        lines = [f"{short_id(e['from'])} -> {short_id(e['to'])} (slot {e['slot']})"
                 for e in self.edges]
        rows = "".join(f"<tr><td>{id_html(e['from'])}</td><td>{id_html(e['to'])}</td>"
                       f"<td>{id_html(e['message'])}</td><td>{e['slot']}</td></tr>"
                       for e in self.edges)
        return _filter({
            "text/plain": f"graph: {len(self.nodes)} process(es), {len(self.edges)} "
                          "message(s)" + "".join("\n  " + ln for ln in lines),
            "text/html": _box("graph", "<table><tr><th>from</th><th>to</th><th>message</th>"
                              f"<th>slot</th></tr>{rows}</table>"),
            MIME.format(kind="graph"): self.to_json(),
        }, include, exclude)


def graph(res: Any) -> Graph:
    """The message graph of a result (its pushes, recursively)."""
    return Graph(res)


# -- registration ----------------------------------------------------------------------------


#: (module, class) -> bundle builder: the AO types IPython shows richly. Registered by
#: name, so registering imports none of them (and nothing of the node layer).
RICH_TYPES: tuple[tuple[str, str, Any], ...] = (
    ("ao_kernel.devices.process.result", "SlotResult", result_bundle),
    ("ao_kernel.node.process_handle", "Process", process_bundle),
    ("ao_kernel.node.remote", "RemoteProcess", process_bundle),
    ("ao_kernel.core.message", "Message", message_bundle),
    ("ao_kernel.devices.scheduler.verify", "ScheduleReport", verification_bundle),
)


def register_formatters(shell: Any) -> None:
    """Teach IPython's mimebundle formatter about the AO objects it shows richly.

    Core ``Message``, ``ScheduleReport``, ``SlotResult``, ``Process`` and ``RemoteProcess``
    (:data:`RICH_TYPES`): the node layer holds no display code (it imports nothing from
    ``jupyter/``). ``import ao_kernel`` inside a running IPython, ``%load_ext ao_kernel``
    and the AO kernel register them.
    """
    formatter = shell.display_formatter.mimebundle_formatter
    for module, name, bundle in RICH_TYPES:
        formatter.for_type_by_name(module, name, _printer(bundle))


def _printer(bundle: Any) -> Any:
    return lambda obj, include=None, exclude=None: bundle(obj, include, exclude)
