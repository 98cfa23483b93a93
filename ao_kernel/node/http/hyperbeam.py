"""HyperBEAM's HTTP API: a request becomes a message list, a result becomes a response.

Ingress (protocol brief §10.2)::

    codec-device / content-type     the request message
    ─────────────────────────────   ───────────────────────────────────────────────────
    ans104@1.0, application/ans104   the body is a signed data item; it must verify
    json@1.0                         the body is a JSON object
    httpsig@1.0 (default), signed    headers + body decoded by httpsig; every commitment
                                     must verify (else 400); only committed keys are kept
    httpsig@1.0, unsigned            headers are globals (typed like query keys), the
                                     body is the ``body`` key

The path (the message's committed ``path``, else the raw request path) is parsed by
:func:`ao_kernel.core.path.parse_path`; query keys and the request message's keys are
merged into every step that takes keys (inline keys win, then the query, then the
request), and every step gets ``method``.

Egress (§10.4): codec from ``require-codec`` (the request message's, as HyperBEAM
reads it), else ``accept-codec``, else ``accept: application/<x>``, else
``httpsig@1.0``; in an unsigned json@1.0 answer a nested JSON document
(``{content-type: application/json, body}``, e.g. a compute result's ``raw``) is written
as JSON, not as text (a signed answer is written as signed, so it still verifies);
literal results come back as ``ao-result: body`` with the value as the
body; the status is the result's ``status`` key, else 200; an error is its
:attr:`AOError.status` with ``{status, body: <what was wrong>, error-type}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core import codecs
from ...core.errors import AOError, HttpsigError, MalformedError, SignatureError
from ...core.httpsig import (
    _commitments_to_siginfo,
    _group_ids,
    _multipart,
    content_digest,
    inline_key,
)
from ...core.message import Message, Value, is_private
from ...core.path import As, parse_path
from ...core.resolver import Result
from ...core.structured import to_tabm

#: Request headers that describe the transport, never message keys.
TRANSPORT_HEADERS = frozenset({
    "host", "connection", "content-length", "user-agent", "accept", "accept-encoding",
    "accept-language", "accept-codec", "accept-bundle", "codec-device", "origin",
    "referer", "keep-alive", "transfer-encoding", "te", "upgrade", "cookie",
    "access-control-request-method", "access-control-request-headers", "pragma",
    "priority", "dnt", "x-forwarded-for", "x-real-ip", "expect", "content-type",
    "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest", "sec-fetch-user",
    "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform",
})

_SAFE_HEADER = re.compile(r"[\x20-\x7e\x80-\xff\t]*\Z")


@dataclass
class Exchange:
    """One HTTP request on its way through the pipeline; hooks may change it.

    Request hooks run after the request became ``steps`` (they may replace ``steps`` or
    raise an :class:`AOError` to answer with its status); response hooks run after
    resolution (they may replace ``result``). ``extra`` is free for hooks.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    request: Message | None = None
    steps: list[Any] = field(default_factory=list)
    result: Result | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def ingress_codec(headers: Mapping[str, str]) -> str:
    """The codec the request body is in."""
    h = _lower_headers(headers)
    explicit = h.get("codec-device")
    if explicit:
        return explicit.strip().lower()
    ctype = h.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype == "application/ans104":
        return "ans104@1.0"
    return "httpsig@1.0"


def request_message(method: str, raw_path: str, headers: Mapping[str, str],
                    body: bytes) -> tuple[Message | None, str]:
    """(the verified request message, or None for an unsigned httpsig request; path)."""
    h = _lower_headers(headers)
    codec = ingress_codec(h)
    if codec == "ans104@1.0":
        msg = codecs.decode(body, "ans104@1.0")
        if not msg.commitments:
            raise SignatureError("an ans104@1.0 request must be a signed data item",
                                 field="body")
        _verify(msg)
        return msg, msg.text("path") or raw_path
    if codec == "json@1.0":
        msg = codecs.decode(body or b"{}", "json@1.0")
        if msg.commitments:
            _verify(msg)
        return msg, msg.text("path") or raw_path
    if codec != "httpsig@1.0":
        raise MalformedError(f"unsupported codec-device {codec!r}; this node reads "
                             "httpsig@1.0, ans104@1.0 and json@1.0", field="codec-device")
    if "signature" not in h and "signature-input" not in h:
        return None, raw_path
    http: dict[str, bytes | str] = {
        k: v for k, v in h.items()
        if k not in ("host", "connection", "content-length", "accept-encoding",
                     "user-agent", "transfer-encoding")
    }
    http.setdefault("path", raw_path)
    if body:
        http["body"] = body
    try:
        msg = codecs.decode(http, "httpsig@1.0")
    except HttpsigError:
        raise
    except AOError as exc:
        raise HttpsigError(f"the signed request does not decode: {exc}",
                           field="signature-input") from exc
    _verify(msg)
    from ..scheduler import only_committed

    kept = only_committed(msg)
    return kept, kept.text("path") or raw_path


def _verify(msg: Message) -> None:
    from ...core import commitments

    try:
        good = commitments.verify(msg)
    except AOError as exc:
        raise SignatureError(f"the request's signature does not verify: {exc}",
                             field="signature") from exc
    if not good:
        raise SignatureError("the request's signature does not verify", field="signature")


def _takes_keys(step: Any) -> bool:
    if isinstance(step, dict):
        return True
    if isinstance(step, As):
        from ...core.b64 import is_id

        p = step.message.get("path")
        return not (isinstance(p, str) and is_id(p))
    return False


def to_steps(method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> tuple[
        list[Any], Message | None]:
    """The message list of one request (see the module docstring)."""
    request, path = request_message(method, raw_path, headers, body)
    if request is None:
        h = _lower_headers(headers)
        globals_ = {k: v for k, v in h.items()
                    if k not in TRANSPORT_HEADERS and not k.startswith("sec-")}
        steps = parse_path(path, headers=globals_)
        extra: dict[str, Value] = {"method": method}
        if body:
            ctype = h.get("content-type", "")
            if ctype.startswith("multipart/"):
                decoded = codecs.decode({"content-type": ctype, "body": body}, "httpsig@1.0")
                extra.update(decoded.items())
            else:
                try:
                    extra["body"] = body.decode("utf-8")
                except UnicodeDecodeError:
                    extra["body"] = body
            if ctype and "content-type" not in extra:
                extra["content-type"] = ctype
    else:
        steps = parse_path(path)
        extra = {k: v for k, v in request.items() if k != "path"}
        extra.setdefault("method", method)
    out: list[Any] = []
    for step in steps:
        if not _takes_keys(step):
            out.append(step)
        elif isinstance(step, As):
            out.append(As(step.device, {**extra, **step.message}))
        elif isinstance(step, dict):
            out.append({**extra, **step})
    _results_slot(out)
    return out, request


#: the keys of process@1.0 that ``/<pid>/<key>`` reaches on a process without a device
PROCESS_KEYS = frozenset({"compute", "now", "slot", "schedule", "push"})


def as_process(steps: list[Any], is_plain_process: Callable[[str], bool]) -> list[Any]:
    """``/<pid>/slot/...`` (``compute``, ``now``, ``schedule``, ``push``) on a process of
    this node whose message has no ``device`` key (spawned in legacy mode, or from Python)
    is read as ``/<pid>~process@1.0/slot/...``: without a device the message would answer
    ``key not found``. (aoconnect's mainnet mode, and so the aos CLI's live feed, asks
    these paths without the device.)"""
    if len(steps) < 2 or not isinstance(steps[0], str) or not isinstance(steps[1], dict):
        return steps
    pid, key = steps[0], steps[1].get("path")
    if not (isinstance(key, str) and key in PROCESS_KEYS and is_plain_process(pid)):
        return steps
    return [As("process@1.0", {"path": pid}), *steps[1:]]


def _results_slot(steps: list[Any]) -> None:
    """``compute/results=N`` (how aoconnect's mainnet mode asks for one slot's result)
    computes slot ``N``: the number moves into the ``compute`` step as its ``slot``.
    (HyperBEAM reads ``compute=N`` or ``slot=N``; both keep working.)"""
    for i in range(len(steps) - 1):
        step, nxt = steps[i], steps[i + 1]
        if not (isinstance(step, dict) and isinstance(nxt, dict)):
            continue
        wanted = nxt.get("results")
        if (step.get("path") == "compute" and nxt.get("path") == "results"
                and isinstance(wanted, str) and wanted.isdigit()
                and "slot" not in step and "compute" not in step):
            steps[i] = {**step, "slot": wanted}


# -- egress --------------------------------------------------------------------------------


def response_codec(headers: Mapping[str, str], query: Mapping[str, str],
                   request: Message | None = None) -> str:
    """The codec of the answer, in HyperBEAM's order (``hb_http:accept_to_codec``):
    ``require-codec`` (the request message's key first: a signed data item carries it as
    a tag; then the header or query), then ``accept-codec``, then ``accept:
    application/<x>``, else httpsig@1.0. ``require-codec`` takes a media type
    (``application/json``), ``device/<codec>`` or a codec name; one this node does not
    know answers in httpsig@1.0, as HyperBEAM falls back to its default codec."""
    h = _lower_headers(headers)
    required = request.get("require-codec") if request is not None else None
    if not isinstance(required, str):
        required = query.get("require-codec") or h.get("require-codec")
    if required:
        return _mime_to_codec(required.strip().lower())
    explicit = query.get("accept-codec") or h.get("accept-codec")
    if explicit:
        name = explicit.strip().lower()
        if name in codecs.CODECS:
            return name
        raise MalformedError(f"unknown accept-codec {explicit!r}; known: "
                             f"{', '.join(sorted(codecs.CODECS))}", field="accept-codec")
    for part in h.get("accept", "").split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media.startswith("device/"):
            name = media[len("device/"):]
            if name in codecs.CODECS:
                return name
        if media.startswith("application/"):
            name = media[len("application/"):] + "@1.0"
            if name in codecs.CODECS and name != "structured@1.0":
                return name
    return "httpsig@1.0"


def _mime_to_codec(media: str) -> str:
    if media.startswith("application/"):
        name = media[len("application/"):]
        name = name if "@" in name else name + "@1.0"
    elif media.startswith("device/"):
        name = media[len("device/"):]
    else:
        name = media
    return name if name in codecs.CODECS and name != "structured@1.0" else "httpsig@1.0"


def status_of(msg: Message, default: int = 200) -> int:
    value = msg.get("status")
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    if isinstance(value, (str, bytes)):
        text = value.decode() if isinstance(value, bytes) else value
        if text.isdigit() and 100 <= int(text) <= 599:
            return int(text)
    return default


def error_message(exc: BaseException) -> tuple[int, Message]:
    """An error as ``(status, {status, body, error-type, field?})``."""
    if isinstance(exc, AOError):
        status = exc.status
        fields: dict[str, Value] = {"status": status, "body": str(exc),
                                    "error-type": type(exc).__name__}
        if exc.field is not None:
            fields["field"] = exc.field
        return status, Message(fields)
    return 500, Message({"status": 500, "error-type": "InternalError",
                         "body": f"internal error: {type(exc).__name__}: {exc}"})


def result_message(result: Result) -> tuple[int, Message]:
    """The status and message a resolution result is answered with."""
    value = result.value
    if result.ok:
        if not isinstance(value, Message):
            value = Message({"ao-result": "body", "body": _scalar(value)})
        return status_of(value), value
    if isinstance(value, BaseException):
        return error_message(value)
    if isinstance(value, Message):
        status = status_of(value, 400 if result.status == "error" else 500)
        return status, value.with_(status=status)
    return 500, Message({"status": 500, "body": f"resolution ended with {result.status}: "
                         f"{value!r}"})


def _scalar(value: Any) -> Value:
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return str(value)


def _header_safe(value: bytes) -> bool:
    try:
        return _SAFE_HEADER.match(value.decode("latin-1")) is not None
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes anything
        return False


def http_form(msg: Message) -> dict[str, bytes]:
    """``msg`` as httpsig@1.0 headers + ``body``, with values HTTP cannot carry in a
    header (line breaks, control characters) moved into the multipart body."""
    out = codecs.encode(msg.public(), "httpsig@1.0")
    unsafe = {k for k, v in out.items() if k != "body" and not _header_safe(v)}
    if not unsafe:
        return out  # type: ignore[no-any-return]
    tabm = to_tabm(msg.public(), links="inline")
    tabm = {k: v for k, v in tabm.items() if not is_private(k)}
    stripped = {k: v for k, v in tabm.items()
                if k not in ("commitments", "signature", "signature-input")}
    grouped = _group_ids(stripped)
    extra, inline = inline_key(grouped)
    headers: dict[str, bytes] = dict(extra)
    parts: dict[str, Any] = {}
    for key, value in grouped.items():
        if (key in ("body", inline) or isinstance(value, dict) or len(value) > 4096
                or key in unsafe):
            parts[key] = value
        else:
            headers[key] = value
    ctype, body = _multipart(parts, inline)
    headers["content-type"] = ctype
    headers["body"] = body
    headers["content-digest"] = content_digest(body)
    commitments = tabm.get("commitments")
    if isinstance(commitments, Mapping) and commitments:
        headers.update(_commitments_to_siginfo(tabm, commitments))
    return headers


def is_signed(msg: Message | None) -> bool:
    """Whether ``msg`` carries a signature (a commitment with a committer)."""
    if msg is None:
        return False
    return any(isinstance(c, Message) and "committer" in c for c in msg.commitments.values())


def _json_document(value: Any) -> Any:
    """A nested ``{content-type: application/json, body: <JSON text>}`` as its JSON value
    (``_MISSING`` when ``value`` is anything else)."""
    if (isinstance(value, dict) and set(value) == {"content-type", "body"}
            and value["content-type"] == "application/json"
            and isinstance(value["body"], str)):
        try:
            return json.loads(value["body"])
        except ValueError:
            return _MISSING
    return _MISSING


_MISSING = object()


def _inline_json_documents(body: bytes) -> bytes:
    """json@1.0 egress: nested JSON documents written as JSON (see the module docstring)."""
    if b'"application/json"' not in body:
        return body

    def walk(value: Any) -> Any:
        doc = _json_document(value)
        if doc is not _MISSING:
            return doc
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(json.loads(body)), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def encode_response(msg: Message, codec: str) -> tuple[dict[str, str], bytes]:
    """(headers, body) of ``msg`` in ``codec``."""
    if codec == "httpsig@1.0":
        form = http_form(msg)
        body = form.pop("body", b"")
        headers = {k: v.decode("latin-1") for k, v in form.items()}
        if msg.get("ao-result") == "body" and "content-type" not in headers:
            headers["content-type"] = "text/plain; charset=utf-8"
        return headers, body if isinstance(body, bytes) else bytes(body)
    if codec == "json@1.0":
        body = codecs.json_encode(msg.public())
        if not is_signed(msg):  # a signed answer stays as signed, so it verifies
            body = _inline_json_documents(body)
        headers = {"codec-device": "json@1.0", "content-type": "application/json"}
        for key, value in msg.public().items():
            if isinstance(value, str) and key != "body" and _header_safe(
                    value.encode("utf-8")) and len(value) < 1024 and key.isascii():
                headers.setdefault(key, value)
        return headers, body
    if codec == "ans104@1.0":
        body = codecs.encode(msg.public(), "ans104@1.0")
        return {"codec-device": "ans104@1.0", "content-type": "application/ans104"}, body
    body = codecs.encode(msg.public(), codec)
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, bytes):
        body = json.dumps(body, default=str).encode("utf-8")
    return {"codec-device": codec, "content-type": codecs.content_type(codec)}, body
