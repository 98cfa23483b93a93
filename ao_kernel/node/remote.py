"""A remote AO node with the API of :class:`ao_kernel.Node`: ``ao.connect(url)``.

::

    node = ao.connect("http://127.0.0.1:8734")           # a fresh wallet signs requests
    node = ao.connect(url, wallet=ao.Wallet.load("me.json"))
    proc = node.spawn(lua=SOURCE, name="pinger")          # same calls as ao.Node
    res = proc.send(action="Ping", data="hi")             # a SlotResult, as locally
    res.output, res.messages, res.slot, res.hashpath
    proc.eval("return 1 + 1").output == "2"
    proc.state()["Count"], proc.result(1), proc.slot, proc.schedule, proc.dry_run(...)
    node.resolve("/~meta@1.0/info/address")

The client speaks HyperBEAM's HTTP protocol: every request is an httpsig@1.0 message
signed (RSA-PSS-SHA512) by the client's wallet; answers are decoded with
:mod:`ao_kernel.core.codecs`. What goes where:

===================  =======================================================================
``spawn``            the signed process message, ``POST /~scheduler@1.0/schedule`` (the
                     answer is the slot-0 assignment; the process ID is the signed ID)
``send`` / ``eval``  the signed message, ``POST /<PID>~process@1.0/push`` (slot, hashpath)
``result(slot)``     ``GET /<PID>~process@1.0/compute&slot=N`` (slot, hashpath)
``slot``             ``GET /<PID>~process@1.0/slot/current``
``schedule``         ``GET /<PID>~process@1.0/schedule?from&to`` in ``json@1.0`` (pages of
                     1000, each with the scheduler's signed checkpoint; ``verify()``
                     checks them with :func:`~ao_kernel.devices.scheduler.verify.verify_schedule`)
``resolve(path)``    ``GET <path>``: a Message, or the value of an ``ao-result: body`` answer
===================  =======================================================================

Legacy fallbacks (HyperBEAM's routes do not cover these):

* the exact aos result object of a slot (``Output``, ``Messages`` with their tags in
  order and case, ``Spawns``, ``Assignments``, ``Error``) comes from the CU route
  ``GET /result/<message-id>?process-id=<PID>``: ``compute`` exposes the outbox with
  lower-cased keys only. HyperBEAM answers that route 404; there the object is the one
  its ``genesis-wasm@1.0`` compute unit returned, kept at
  ``/<PID>~process@1.0/compute&slot=N/results/json/body``;
* ``state()`` is ``GET /state/<PID>`` (process globals as JSON; HyperBEAM has no route
  for a Lua process's globals) — the latest state only;
* ``dry_run`` is ``POST /dry-run?process-id=<PID>`` (HyperBEAM has no dry-run).

Redirects (``307``, e.g. a schedule request sent to a node that is not the process's
scheduler) are followed. A connection failure or an unexpected answer is a
:class:`~ao_kernel.core.errors.RemoteError`; an error the node answered with becomes the
error class it names (``ProcessNotFoundError`` for a 404 on a process, ...).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ..core import codecs, commitments
from ..core import errors as _errors
from ..core.errors import AOError, NotFoundError, ProcessNotFoundError, RemoteError
from ..core.ids import message_id
from ..core.message import Message, lowercase_keys
from ..core.values import Link
from ..devices.process.result import SlotResult
from ..runtimes.aos.abi import outcome_from
from .definition import process_fields
from .process_handle import Process
from .wallet import Wallet

#: Response headers that belong to the transport, never to the answered message.
_TRANSPORT = frozenset({"date", "server", "content-length", "connection", "keep-alive",
                        "transfer-encoding"})
MAX_REDIRECTS = 5


class Response:
    """One HTTP answer: ``status``, lower-cased ``headers``, ``body``, final ``url``."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    def message(self) -> Message:
        """The answer decoded in the codec it names (httpsig@1.0 by default)."""
        codec = self.headers.get("codec-device", "httpsig@1.0")
        if codec == "httpsig@1.0":
            fields: dict[str, Any] = {k: v for k, v in self.headers.items()
                                      if k not in _TRANSPORT
                                      and not k.startswith("access-control-")}
            fields["body"] = self.body
            return codecs.decode(fields, "httpsig@1.0")
        return codecs.decode(self.body, codec)

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise RemoteError(f"{self.url} answered {self.body[:200]!r}, not JSON",
                              field="body") from exc


class HTTPClient:
    """A small keep-alive HTTP/1.1 client (standard library) that signs requests.

    ``request`` signs a message with the wallet (httpsig@1.0 RSA-PSS-SHA512) and sends it
    as headers + body; a ``GET`` signs ``{path}``. 307/308 answers are followed.
    """

    def __init__(self, url: str, *, wallet: Wallet | None = None, timeout: float = 60.0,
                 sign: bool = True) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme != "http" or not parts.hostname:
            raise RemoteError(f"expected an http://host:port URL, got {url!r}", field="url")
        self.url = url.rstrip("/")
        self.wallet = wallet or Wallet.generate()
        self.timeout = timeout
        self.sign = sign
        self._pool: dict[tuple[int, str, int], http.client.HTTPConnection] = {}
        self._pool_lock = threading.Lock()

    def _conn(self, host: str, port: int) -> http.client.HTTPConnection:
        key = (threading.get_ident(), host, port)  # one kept-alive connection per thread
        with self._pool_lock:
            conn = self._pool.get(key)
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
                self._pool[key] = conn
            return conn

    def _drop(self, host: str, port: int) -> None:
        with self._pool_lock:
            conn = self._pool.pop((threading.get_ident(), host, port), None)
        if conn is not None:
            conn.close()

    def _exchange(self, url: str, method: str, headers: Mapping[str, str],
                  body: bytes) -> Response:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        # A kept-alive connection the server closed: retry once. Not for a POST: a node
        # may have scheduled it before the connection broke, and a second copy would be
        # scheduled again (seen on HyperBEAM), so a POST goes on a fresh connection, once.
        retries: tuple[int, ...] = (0, 1)
        if method == "POST":
            self._drop(host, port)
            retries = (1,)
        for attempt in retries:
            conn = self._conn(host, port)
            try:
                conn.request(method, target or "/", body=body or None, headers=dict(headers))
                resp = conn.getresponse()
                data = resp.read()
                return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                                data, url)
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self._drop(host, port)
                if attempt == 1 or isinstance(exc, TimeoutError):
                    raise RemoteError(f"{method} {url} failed: {exc}", field="url") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def signed_form(self, msg: Message) -> tuple[dict[str, str], bytes]:
        """``msg`` signed by the wallet (unless already committed) as (headers, body)."""
        from .http.hyperbeam import http_form

        signed = msg
        if self.sign and not msg.commitments:
            signed = commitments.commit(lowercase_keys(msg), self.wallet.rsa_signer)
        form = http_form(signed)
        body = form.pop("body", b"")
        return ({k: v.decode("latin-1") for k, v in form.items()},
                body if isinstance(body, bytes) else bytes(body))

    def request(self, method: str, path: str, *, message: Message | None = None,
                accept: str | None = None, headers: Mapping[str, str] | None = None,
                body: bytes | None = None, check: bool = True) -> Response:
        """Send ``message`` (signed) to ``path`` on the node; follow redirects."""
        out: dict[str, str] = {}
        payload = body or b""
        url = path if path.startswith("http") else self.url + path
        if message is not None:
            out, payload = self.signed_form(message)
        elif self.sign and body is None and method == "GET" and "~" in path:
            loc = urlsplit(url)
            out, payload = self.signed_form(Message({"path": loc.path + (
                f"?{loc.query}" if loc.query else "")}))
        if accept:
            out["accept-codec"] = accept
            if accept == "json@1.0":
                # HyperBEAM (a7227787) drops a signed request's uncommitted keys, so it
                # never sees accept-codec; it reads the HTTP Accept header
                out["accept"] = "application/json"
        out.update(headers or {})
        for _ in range(MAX_REDIRECTS + 1):
            resp = self._exchange(url, method, out, payload)
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                url = resp.headers["location"]
                if not url.startswith("http"):
                    parts = urlsplit(resp.url)
                    url = f"{parts.scheme}://{parts.netloc}{url}"
                if "path" in out:  # a signed GET names its path: sign the new one
                    loc = urlsplit(url)
                    out = {**self.signed_form(Message({"path": loc.path + (
                        f"?{loc.query}" if loc.query else "")}))[0],
                        **({"accept-codec": accept} if accept else {})}
                continue
            if check and resp.status >= 400:
                raise _remote_error(method, resp)
            return resp
        raise RemoteError(f"{method} {path}: more than {MAX_REDIRECTS} redirects", field="url")

    def close(self) -> None:
        """Close every kept-alive connection (of every thread)."""
        with self._pool_lock:
            conns, self._pool = list(self._pool.values()), {}
        for conn in conns:
            conn.close()

    def __enter__(self) -> HTTPClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown
            self.close()


def _remote_error(method: str, resp: Response) -> AOError:
    """The error an error answer stands for: the class it names, else RemoteError."""
    kind = resp.headers.get("error-type", "")
    text = resp.body.decode("utf-8", "replace")
    if resp.headers.get("content-type", "").startswith("application/json"):
        try:
            obj = json.loads(text)
            text, kind = str(obj.get("error", text)), str(obj.get("type") or kind)
        except ValueError:
            pass
    cls = getattr(_errors, kind, None)
    where = f"{method} {resp.url}"
    if isinstance(cls, type) and issubclass(cls, AOError) and cls is not AOError:
        err = cls(f"{text} ({where} answered {resp.status})")
    else:
        err = RemoteError(f"{where} answered {resp.status}: {text[:500]}")
    err.status = resp.status
    return err


class RemoteNode:
    """A node reached over HTTP, with the notebook API of :class:`~ao_kernel.Node`."""

    def __init__(self, url: str, *, wallet: Wallet | None = None, timeout: float = 60.0) -> None:
        self.client = HTTPClient(url, wallet=wallet, timeout=timeout)
        self.url = self.client.url
        self.wallet = self.client.wallet
        self._address: str | None = None
        self._anchor = itertools.count(time.time_ns() // 1000)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<ao.RemoteNode {self.url} as {self.wallet.address[:8]}…>"

    # -- the node ------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """The node operator's (and scheduler's) address."""
        if self._address is None:
            value = self.resolve("/~meta@1.0/info/address")
            self._address = value if isinstance(value, str) else str(value)
        return self._address

    def info(self) -> Message:
        """The node message (``/~meta@1.0/info``)."""
        return self.client.request("GET", "/~meta@1.0/info").message()

    def resolve(self, path: str) -> Any:
        """Resolve a HyperBEAM path on the node: a Message, or a literal value."""
        if not path.startswith("/"):
            path = "/" + path
        msg = self.client.request("GET", path).message()
        if msg.text("ao-result") == "body":
            value = msg.get("body")
            return value.decode("utf-8") if isinstance(value, bytes) else value
        return msg

    def _next_anchor(self) -> str:
        with self._lock:
            return f"{next(self._anchor):032d}"

    # -- processes -------------------------------------------------------------------------

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
    ) -> RemoteProcess:
        """Spawn an aos process on the node (signed by this client's wallet)."""
        fields, body = process_fields(self.address, lua=lua, name=name, tags=tags, data=data,
                                      module=module, authority=authority, cron=cron)
        definition = Message(fields).with_(anchor=self._next_anchor())
        if body:  # an empty body does not survive HTTP: leave it out rather than sign it
            definition = definition.with_(data=body)
        # header names reach the node lowercased: sign them so (HyperBEAM keeps only keys
        # that are committed exactly as they arrive)
        signed = commitments.commit(lowercase_keys(definition), self.wallet.rsa_signer)
        pid = message_id(signed, "all")
        assignment = self.client.request("POST", "/~scheduler@1.0/schedule",
                                         message=signed, accept="json@1.0").message()
        if assignment.text("process") != pid:
            raise RemoteError(f"the node scheduled process {assignment.text('process')}, "
                              f"expected {pid}", field="process")
        proc = RemoteProcess(self, pid, definition=signed)
        proc.boot = proc.result(0)
        return proc

    def process(self, pid: str) -> RemoteProcess:
        """A handle on a process of the node (404 → ProcessNotFoundError)."""
        proc = RemoteProcess(self, pid)
        try:
            proc.slot  # noqa: B018  (raises when the node does not know the process)
        except NotFoundError as exc:
            raise ProcessNotFoundError(f"no process {pid} on {self.url}",
                                       field="process") from exc
        return proc

    def message(self, target: str, *, action: str | None = None, data: Any = None,
                tags: Mapping[str, Any] | None = None, **fields: Any) -> Message:
        """A message to ``target`` as :meth:`ao_kernel.Node.message` builds it (unsigned)."""
        body: dict[str, Any] = {}
        if action is not None:
            body["Action"] = action
        body.update({**(tags or {}), **fields})
        body.update({"Data-Protocol": "ao", "Variant": "ao.TN.1", "Type": "Message"})
        msg = Message(body).with_(target=target, anchor=self._next_anchor())
        # an empty HTTP body carries no ``data`` key: leave it out (aos reads Data = "")
        return msg if data is None or data == "" else msg.with_(data=data)

    def send(self, target: str, *, push: bool = True,
             on_print: Callable[[str], None] | None = None, **kwargs: Any) -> SlotResult:
        """Send a signed message: the node schedules, computes and (``push``) delivers it.
        (``on_print`` is accepted for the API's sake: a remote node's prints arrive in its
        result, after the message, so nothing is streamed.)"""
        msg = self.message(target, **kwargs)
        signed = commitments.commit(lowercase_keys(msg), self.wallet.rsa_signer)
        route = "push" if push else "schedule"
        answer = self.client.request("POST", f"/{target}~process@1.0/{route}",
                                     message=signed, accept="json@1.0").message()
        slot = _int(answer.get("slot"))
        if slot is None:
            raise RemoteError(f"the node's {route} answer names no slot", field="slot")
        mid = message_id(signed, "all")
        state = answer if route == "push" else self._compute(target, slot)
        return self._slot_result(target, slot, mid, state)

    def _compute(self, pid: str, slot: int) -> Message:
        return self.client.request("GET", f"/{pid}~process@1.0/compute&slot={slot}",
                                   accept="json@1.0").message()

    def _slot_result(self, pid: str, slot: int, mid: str, state: Message,
                     assignment: Message | None = None) -> SlotResult:
        resp = self.client.request("GET", f"/result/{mid}?process-id={quote(pid)}",
                                   check=False)
        if resp.status == 404:
            # HyperBEAM has no /result route; a process computed on genesis-wasm@1.0 keeps
            # its compute unit's answer, the same aos result object, in results/json
            resp = self.client.request(
                "GET", f"/{pid}~process@1.0/compute&slot={slot}/results/json/body",
                check=False)
        if resp.status >= 400:
            raise _remote_error("GET", resp)
        obj = resp.json()
        return SlotResult(process=pid, slot=slot, message_id=mid, outcome=outcome_from(obj),
                          hashpath=state.text("hashpath") or "", assignment=assignment)

    def result(self, pid: str, slot: int) -> SlotResult:
        """The result of ``slot`` of ``pid``."""
        state = self._compute(pid, slot)
        assignment = None
        if slot == 0:
            mid = pid
        else:
            page = self.schedule_of(pid, slot, slot)
            if not page:
                raise ProcessNotFoundError(f"slot {slot} of {pid} is not scheduled",
                                           field="slot")
            assignment = page[0]
            body = assignment.get("body")
            mid = message_id(body, "all") if isinstance(body, Message) else ""
        return self._slot_result(pid, slot, mid, state, assignment)

    def dry_run(self, target: str, message: Message | None = None, *,
                action: str | None = None, data: Any = None,
                tags: Mapping[str, Any] | None = None, **fields: Any) -> SlotResult:
        """Evaluate a message on ``target``'s latest state; nothing is kept (legacy CU).
        ``message`` (a built message) is sent as its fields."""
        if message is not None:
            fields = {**{k: v for k, v in message.items()
                         if k not in ("target", "anchor", "commitments", "data")}, **fields}
            data = message.get("data") if data is None else data
        tag_list = [{"name": "Action", "value": action}] if action is not None else []
        tag_list += [{"name": str(k), "value": v if isinstance(v, str) else json.dumps(v)}
                     for k, v in {**(tags or {}), **fields}.items()]
        tag_list += [{"name": "Data-Protocol", "value": "ao"},
                     {"name": "Variant", "value": "ao.TN.1"},
                     {"name": "Type", "value": "Message"}]
        payload = {"Target": target, "Owner": self.wallet.address, "Tags": tag_list,
                   "Data": "" if data is None else data}
        obj = self.client.request(
            "POST", f"/dry-run?process-id={quote(target)}",
            headers={"content-type": "application/json"},
            body=json.dumps(payload).encode("utf-8")).json()
        return SlotResult(process=target, slot=self.current_slot(target), message_id="",
                          outcome=outcome_from(obj), hashpath="", dry_run=True)

    def current_slot(self, pid: str) -> int:
        value = self.resolve(f"/{pid}~process@1.0/slot/current")
        slot = _int(value)
        if slot is None:
            raise RemoteError(f"the node answered slot {value!r}", field="slot")
        return slot

    def schedule_of(self, pid: str, from_: int = 0, to: int | None = None) -> list[Message]:
        """Every assignment of ``pid`` from ``from_`` to ``to`` (inclusive)."""
        return [a for page in self.schedule_pages(pid, from_, to)
                for a in _assignments(page)]

    def schedule_pages(self, pid: str, from_: int = 0, to: int | None = None) -> list[Message]:
        """The schedule answers (``json@1.0``) covering ``from_``..``to``, page by page."""
        pages: list[Message] = []
        start = from_
        while True:
            query = f"from={start}" + ("" if to is None else f"&to={to}")
            page = self.client.request("GET", f"/{pid}~process@1.0/schedule?{query}",
                                       accept="json@1.0").message()
            page = self._with_links_loaded(page)
            pages.append(page)
            got = _assignments(page)
            if page.get("continues") is not True or not got:
                return pages
            start = int(got[-1]["slot"]) + 1  # type: ignore[arg-type]

    def _with_links_loaded(self, page: Message) -> Message:
        """A schedule page with its assignments inline. HyperBEAM answers nested
        messages as links (``assignments+link``, each slot's ``+link``, each assignment's
        ``body+link``); each is read with ``GET /<id>``."""
        def load(value: Any) -> Any:
            if isinstance(value, Link):
                return self.client.request("GET", f"/{value.id}", accept="json@1.0").message()
            return value

        found = load(page.get("assignments"))
        if not isinstance(found, Message):
            return page
        slots = {}
        for key, raw in found.items():
            if key == "commitments":
                continue
            assignment = load(raw)
            if isinstance(assignment, Message) and isinstance(assignment.get("body"), Link):
                assignment = assignment.with_(body=load(assignment["body"]))
            slots[key] = assignment
        return page.with_(assignments=Message(slots))

    def state(self, pid: str) -> dict[str, Any]:
        """The process's globals at the latest slot (legacy CU ``/state``)."""
        value = self.client.request("GET", f"/state/{pid}").json()
        if not isinstance(value, dict):
            raise RemoteError(f"/state/{pid} answered {type(value).__name__}", field="state")
        return value

    def process_state(self, pid: str, slot: int | None = None) -> dict[str, Any]:
        """The process's globals; a remote node serves the latest slot's only."""
        if slot is not None and slot != self.current_slot(pid):
            raise RemoteError("a remote node serves the latest state only (legacy /state); "
                              "replay earlier slots locally", field="slot")
        return self.state(pid)

    def definition(self, pid: str) -> Message:
        """The process message (the body of slot 0)."""
        page = self.schedule_of(pid, 0, 0)
        body = page[0].get("body") if page else None
        if not isinstance(body, Message):
            raise RemoteError(f"the node served no slot 0 for {pid}", field="slot")
        return body

    def send_many(self, target: str, messages: Iterable[Mapping[str, Any] | Message | str],
                  *, push: bool = True) -> list[SlotResult]:
        """Send each message in turn (over HTTP a batch is one signed request each);
        items as :meth:`ao_kernel.Node.send_many` takes them."""
        out: list[SlotResult] = []
        for item in messages:
            if isinstance(item, str):
                out.append(self.send(target, action=item, push=push))
            elif isinstance(item, Message):
                fields: dict[str, Any] = {k: v for k, v in item.items()
                                          if k not in ("target", "anchor", "commitments")}
                out.append(self.send(target, push=push, **fields))
            else:
                out.append(self.send(target, push=push, **dict(item)))
        return out

    def checkpoints(self, pid: str) -> list[Message]:
        """The signed checkpoints the node serves with the schedule's pages."""
        return [ck for page in self.schedule_pages(pid)
                if isinstance(ck := page.get("checkpoint"), Message)]

    def inspect(self, pid: str, lua: str) -> Any:
        raise RemoteError("a remote node's live Lua state is not served over HTTP; use "
                          "proc.state() or proc.dry_run(...)", field="inspect")

    def patched(self, pid: str) -> dict[str, Any]:
        raise RemoteError("read a remote process's published state with "
                          f"node.resolve('/{pid}~process@1.0/compute/<key>')", field="patched")

    def verify(self, proc: RemoteProcess | str) -> Any:
        """Fetch and check a process's schedule: chain, slots, signed checkpoints."""
        from ..devices.scheduler.verify import verify_schedule

        pid = proc if isinstance(proc, str) else proc.id
        pages = self.schedule_pages(pid)
        assignments = [a for page in pages for a in _assignments(page)]
        checkpoints = [ck for p in pages if isinstance(ck := p.get("checkpoint"), Message)]
        return verify_schedule(assignments, checkpoints, self.address, process=pid)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RemoteNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RemoteProcess(Process):
    """One process of a remote node: a :class:`~ao_kernel.node.process_handle.Process`
    whose node is a :class:`RemoteNode` (the same calls over HTTP)."""

    node: RemoteNode

    def __init__(self, node: RemoteNode, pid: str, *, definition: Message | None = None,
                 boot: SlotResult | None = None) -> None:
        super().__init__(node, pid, boot=boot)
        self._definition = definition

    def __repr__(self) -> str:
        return f"<ao.RemoteProcess {self.id[:8]}… on {self.node.url}>"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, RemoteProcess) and other.id == self.id
                and other.node.url == self.node.url)

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def definition(self) -> Message:
        """The process message (the body of slot 0), fetched once."""
        if self._definition is None:
            self._definition = self.node.definition(self.id)
        return self._definition

    @property
    def inbox(self) -> list[dict[str, Any]]:
        inbox = self.state().get("Inbox")
        return inbox if isinstance(inbox, list) else []


def connect(url: str, *, wallet: Wallet | None = None, timeout: float = 60.0) -> RemoteNode:
    """A client of the AO node at ``url`` with the API of :class:`ao_kernel.Node`.

    Requests are signed by ``wallet`` (default: a fresh wallet for this client).
    """
    node = RemoteNode(url, wallet=wallet, timeout=timeout)
    node.address  # noqa: B018  (fail now, with a clear error, when nothing answers)
    return node


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, (str, bytes)):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _assignments(page: Message) -> list[Message]:
    found = page.get("assignments")
    if not isinstance(found, Message):
        return []
    out = [v for _, v in sorted(found.items(), key=lambda kv: _int(kv[0]) or 0)
           if isinstance(v, Message)]
    return out
