"""The node's HTTP server: aiohttp on its own thread and event loop.

::

    handle = node.serve(port=8734)          # returns at once; the kernel cell is free
    handle.url                              # http://127.0.0.1:8734
    handle.env()                            # {MU_URL, CU_URL, GATEWAY_URL, SCHEDULER}
    handle.stop()

One port serves every face of the node (HyperBEAM's and the legacy units'):

* ``OPTIONS *`` → 204 with CORS; reads answer any origin (brief §10.4), requests that
  change state only the origins the operator allows (see Security below);
* the legacy routes of :mod:`.legacy` by their first path segment (``result``,
  ``results``, ``dry-run``, ``state``, ``cron``, ``processes``, ``timestamp``,
  ``graphql``, ``monitor``, ``raw``), ``POST /`` (MU), ``GET /`` (the unit's ``{address,
  timestamp}``), and ``GET /<ID>`` when it carries ``process-id`` or schedule-page keys
  (SU);
* everything else is HyperBEAM's API (:mod:`.hyperbeam`): the request becomes a message
  list, request hooks run, the node resolves it (``force_message``), response hooks run,
  the result is encoded in the codec the client asked for.

Security (docs/security.md): a request that schedules a message (``POST .../push``,
``.../schedule``, ``~scheduler@1.0/schedule``) must be signed, because an unsigned
message would speak as this node, the owner of every process it spawned; the legacy MU
takes only signed data items. A browser page (a request with an ``Origin``) may change
state only from an allowed origin, so a "simple" cross-origin POST from any web page is
refused. ``~lua@5.3a`` with caller-supplied code is off unless the operator enables it,
and then runs on its own one-worker pool, so it cannot starve process routes. Bodies
must arrive within ``read_timeout_s``; nesting too deep for the decoders is a 400.

Threads: the event loop only parses and writes; node work runs in a small thread pool
(the node is thread-safe: a lock per process, a lock per scheduler log). Bodies are
limited to ``max_body`` bytes (10 MiB, the SU's limit) → 413. Any :class:`AOError`
becomes its ``status`` with a body saying what was wrong; anything else is a 500 with
the exception named, and the server keeps serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from ...core.errors import AOError, ForbiddenError, MalformedError
from ...core.message import Message
from ...runtimes.aos.abi import json_text
from . import hyperbeam
from .hyperbeam import Exchange
from .legacy import LegacyAPI, Reply, check_id

if TYPE_CHECKING:
    from ..node import Node

log = logging.getLogger("ao_kernel.http")

MAX_BODY = 10 * 1024 * 1024  # the SU's PayloadConfig limit
CORS_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
RequestHook = Callable[[Exchange], None]
ResponseHook = Callable[[Exchange], None]
_LEGACY_HEADS = frozenset({"result", "results", "dry-run", "state", "cron", "processes",
                           "timestamp", "graphql", "monitor", "health", "raw"})
_SU_PAGE_KEYS = ("from", "to", "limit", "from-nonce", "to-nonce")


class PayloadTooLarge(MalformedError):
    status = 413


class RequestTimeout(MalformedError):
    status = 408


#: methods that change state: from a browser page, only an allowed origin may use them
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NodeServer:
    """One node's HTTP faces (see the module docstring)."""

    def __init__(self, node: Node, *, host: str = "127.0.0.1", port: int = 8734,
                 max_body: int = MAX_BODY, workers: int = 4,
                 force_signed: bool = False, cron_poll_s: float = 1.0,
                 allow_origins: Iterable[str] = (), allow_unsigned: bool = False,
                 lua_device: bool = False, read_timeout_s: float = 30.0) -> None:
        self.node = node
        self.host = host
        self.port = port
        self.max_body = max_body
        self.force_signed = force_signed
        self.cron_poll_s = cron_poll_s
        self.allow_origins = frozenset(o.rstrip("/") for o in allow_origins)
        self.allow_unsigned = allow_unsigned
        self.lua_device = lua_device
        self.read_timeout_s = read_timeout_s
        self.request_hooks: list[RequestHook] = []
        self.response_hooks: list[ResponseHook] = []
        self.legacy = LegacyAPI(node)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ao-http")
        # caller-supplied Lua (when enabled) never takes a worker of the process routes
        self._lua_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ao-http-lua")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._cron_task: asyncio.Task[None] | None = None
        self.requests = 0
        self.errors = 0

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServerHandle:
        """Bind and serve on a background thread; returns once the socket listens."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:  # bind errors: report to the caller
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name=f"ao-http-{self.port}", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return ServerHandle(self)

    async def _start(self) -> None:
        app = web.Application(client_max_size=self.max_body + 1)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(runner, sock, backlog=2048)
        await site.start()
        self._runner = runner
        self.legacy.url = self.url
        self._cron_task = asyncio.get_running_loop().create_task(self._cron())

    async def _shutdown(self) -> None:
        if self._cron_task is not None:
            self._cron_task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop serving (idempotent); in-flight requests finish first."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._pool.shutdown(wait=True)
        self._lua_pool.shutdown(wait=True)
        self.legacy.close()
        self._loop = None
        self._thread = None

    async def _cron(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.cron_poll_s)
            if self.legacy.monitored:
                try:
                    await loop.run_in_executor(self._pool, self.legacy.tick)
                except AOError as exc:
                    log.warning("cron tick failed: %s", exc)

    # -- requests -----------------------------------------------------------------------

    def _origin_allowed(self, request: web.Request) -> bool:
        origin = request.headers.get("origin")
        return origin is None or origin.rstrip("/") in self.allow_origins

    def _cors(self, request: web.Request, headers: dict[str, str]) -> dict[str, str]:
        method = request.headers.get("access-control-request-method", request.method)
        if method.upper() in _READ_METHODS:
            headers["access-control-allow-origin"] = "*"
        elif request.headers.get("origin") and self._origin_allowed(request):
            headers["access-control-allow-origin"] = request.headers["origin"]
            headers["vary"] = "origin"
        else:  # a browser may not change state from another origin: no CORS grant
            return headers
        headers["access-control-allow-methods"] = CORS_METHODS
        headers["access-control-expose-headers"] = "*"
        headers["access-control-allow-headers"] = request.headers.get(
            "access-control-request-headers", "*")
        return headers

    def _check_origin(self, request: web.Request) -> None:
        if request.method.upper() in _READ_METHODS or self._origin_allowed(request):
            return
        raise ForbiddenError(
            f"a {request.method} from the web page at {request.headers.get('origin')} may "
            "not change state on this node; its operator can allow that origin "
            "(ao-node serve --allow-origin ORIGIN, node.serve(allow_origins=[...]))",
            field="origin")

    def _check_lua(self, request: web.Request) -> bool:
        """Whether the request runs caller-supplied Lua (~lua@5.3a); refused when off."""
        raw = request.raw_path + " " + " ".join(
            v for k, v in request.headers.items() if k.lower() == "device")
        if "lua@5.3a" not in raw.lower():
            return False
        if not self.lua_device:
            raise ForbiddenError(
                "caller-supplied Lua (lua@5.3a) is off on this node; its operator can "
                "enable it (ao-node serve --allow-lua-device, node.serve(lua_device=True))",
                field="device")
        return True

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        try:
            if request.method == "OPTIONS":
                if not self._origin_allowed(request) and request.headers.get(
                        "access-control-request-method", "GET").upper() not in _READ_METHODS:
                    return web.Response(status=403)
                return web.Response(status=204, headers=self._cors(request, {}))
            self._check_origin(request)
            body = await self._read_body(request)
            raw = request.raw_path
            split = urlsplit(raw)
            segments = [s for s in split.path.split("/") if s]
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            legacy = self._legacy_route(request.method, segments, query, body)
            if legacy is not None:
                reply = await self._run(legacy)
                return self._legacy_response(request, reply)
            return await self._hyperbeam(request, raw, query, body)
        except RecursionError:
            self.errors += 1
            return self._error(request, MalformedError(
                "the request nests too deeply to decode", field="body"))
        except AOError as exc:
            self.errors += 1
            return self._error(request, exc)
        except Exception as exc:  # keep serving; say what broke
            self.errors += 1
            log.exception("HTTP request %s %s failed", request.method, request.raw_path)
            return self._error(request, exc)

    async def _read_body(self, request: web.Request) -> bytes:
        length = request.content_length
        if length is not None and length > self.max_body:
            raise PayloadTooLarge(
                f"request body of {length} bytes exceeds the limit of {self.max_body} bytes",
                field="body")
        try:
            return await asyncio.wait_for(request.read(), self.read_timeout_s)
        except web.HTTPRequestEntityTooLarge as exc:
            raise PayloadTooLarge(
                f"request body exceeds the limit of {self.max_body} bytes", field="body"
            ) from exc
        except TimeoutError:
            raise RequestTimeout(
                f"the request body did not arrive within {self.read_timeout_s:g} s",
                field="body") from None

    async def _run(self, fn: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn)

    def _legacy_route(self, method: str, seg: list[str], query: dict[str, str],
                      body: bytes) -> Callable[[], Reply] | None:
        api = self.legacy
        if not seg:
            if method == "POST":
                if "process-id" in query or "assign" in query:
                    pid, assign = query.get("process-id"), query.get("assign")
                    if not pid or not assign:
                        raise MalformedError("You must set both process-id and assign to "
                                             "assign a message", field="assign")
                    return lambda: api.assign(check_id(pid, "process-id"),
                                              check_id(assign, "assign"))
                return lambda: api.post_item(body)
            if method == "GET" and not query:
                return api.info
            return None
        head = seg[0]
        if head in _LEGACY_HEADS:
            return self._legacy_named(method, head, seg, query, body)
        if method == "GET" and len(seg) <= 2 and "~" not in head and "&" not in head:
            from ...core.b64 import is_id

            if is_id(head) and ("process-id" in query or (
                    self.node.has_process(head)
                    and (len(seg) == 2 or any(k in query for k in _SU_PAGE_KEYS)))):
                if len(seg) == 2:
                    if seg[1] != "latest":
                        return None
                    return lambda: api.su_latest(head)
                return lambda: api.su_get(head, query)
        return None

    def _legacy_named(self, method: str, head: str, seg: list[str], query: dict[str, str],
                      body: bytes) -> Callable[[], Reply]:
        api = self.legacy
        arg = seg[1] if len(seg) > 1 else ""
        route = f"{method} /{head}"
        if len(seg) > 2:
            raise _not_found(method, "/".join(seg))
        if route == "GET /result" and arg:
            return lambda: api.result(check_id(arg, "message"), query.get("process-id"))
        if route in ("GET /results", "GET /cron") and arg:
            return lambda: api.results(check_id(arg, "process"), query,
                                       cron_only=head == "cron")
        if route == "POST /dry-run" and not arg:
            return lambda: api.dry_run(query.get("process-id"), body)
        if route == "GET /state" and arg:
            return lambda: api.state(check_id(arg, "process"))
        if route == "GET /processes" and arg:
            return lambda: api.su_process(check_id(arg, "process"))
        if route == "GET /timestamp" and not arg:
            return api.timestamp
        if route == "GET /health" and not arg:
            return lambda: Reply(200, "")
        if route in ("GET /raw", "HEAD /raw") and arg:  # HEAD: the headers alone
            return lambda: api.raw(check_id(arg, "id"))
        if route == "POST /graphql" and not arg:
            return lambda: api.graphql(body)
        if head == "monitor" and arg and method in ("POST", "DELETE"):
            return lambda: api.monitor(check_id(arg, "process"), body,
                                       start=method == "POST")
        raise _not_found(method, "/".join(seg))

    def _legacy_response(self, request: web.Request, reply: Reply) -> web.Response:
        headers = self._cors(request, dict(reply.headers))
        if isinstance(reply.body, bytes):
            return web.Response(status=reply.status, body=reply.body, headers=headers)
        if isinstance(reply.body, str):
            headers.setdefault("content-type", "text/plain; charset=utf-8")
            return web.Response(status=reply.status, body=reply.body.encode(), headers=headers)
        headers["content-type"] = "application/json"
        return web.Response(status=reply.status, headers=headers,
                            body=json.dumps(reply.body, ensure_ascii=False,
                                            default=json_text).encode("utf-8"))

    def _error(self, request: web.Request, exc: BaseException) -> web.Response:
        status, msg = hyperbeam.error_message(exc)
        first = request.path.strip("/").split("/", 1)[0]
        legacy = first in _LEGACY_HEADS or request.path == "/" or (
            "~" not in request.path and "process-id" in request.query)
        if legacy or "json" in request.headers.get("accept", ""):
            body = {"error": msg.text("body"), "status": status,
                    "type": msg.text("error-type")}
            if msg.text("field"):
                body["field"] = msg.text("field")
            return web.Response(status=status, headers=self._cors(request, {
                "content-type": "application/json"}), body=json.dumps(body).encode())
        headers, payload = hyperbeam.encode_response(msg, "httpsig@1.0")
        headers["content-type"] = "text/plain; charset=utf-8"
        return web.Response(status=status, headers=self._cors(request, headers),
                            body=payload)

    async def _hyperbeam(self, request: web.Request, raw: str, query: dict[str, str],
                         body: bytes) -> web.Response:
        headers = dict(request.headers)
        hyperbeam.response_codec(headers, query)  # a bad accept-codec is a 400 at once
        runs_lua = self._check_lua(request)

        def work() -> tuple[int, dict[str, str], bytes]:
            steps, req_msg = hyperbeam.to_steps(request.method, raw, headers, body)
            steps = hyperbeam.as_process(steps, self._plain_process)
            codec = hyperbeam.response_codec(headers, query, req_msg)
            ex = Exchange(request.method, raw, headers, body, request=req_msg, steps=steps)
            for hook in self.request_hooks:
                hook(ex)
            ex.result = self.node.resolve_result(ex.steps, force_message=True,
                                                 loader=self._loader,
                                                 caller=ex.extra.get("caller"),
                                                 ingress="http",
                                                 allow_unsigned=self.allow_unsigned,
                                                 allow_lua=self.lua_device)
            for hook in self.response_hooks:
                hook(ex)
            status, msg = hyperbeam.result_message(ex.result)
            if self.force_signed and status < 400 and not hyperbeam.is_signed(msg):
                from ...core.commitments import commit

                msg = commit(msg, self.node.wallet.rsa_signer)
            out_headers, payload = hyperbeam.encode_response(msg, codec)
            return status, out_headers, payload

        if runs_lua:
            loop = asyncio.get_running_loop()
            status, out_headers, payload = await loop.run_in_executor(self._lua_pool, work)
        else:
            status, out_headers, payload = await self._run(work)
        return web.Response(status=status, headers=self._cors(request, out_headers),
                            body=payload)

    def _plain_process(self, pid: str) -> bool:
        """A process of this node whose message names no device."""
        return self.node.has_process(pid) and "device" not in self.node.definition(pid)

    def _loader(self, id_: str) -> Message:
        """Messages by ID: processes from the scheduler, else the node's messages."""
        if self.node.has_process(id_):
            return self.node.definition(id_).with_priv(**{"process-id": id_})
        found = self.node.find_message(id_)
        if found is not None:
            return found
        return self.node.read(id_)


def _not_found(method: str, path: str) -> AOError:
    from ...core.errors import NotFoundError

    return NotFoundError(f"no route {method} /{path}", field="path")


class ServerHandle:
    """A running server: ``url``, ``env()``, ``stop()``; a context manager."""

    def __init__(self, server: NodeServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def request_hooks(self) -> list[RequestHook]:
        return self.server.request_hooks

    @property
    def response_hooks(self) -> list[ResponseHook]:
        return self.server.response_hooks

    def env(self) -> dict[str, str]:
        """What aoconnect and the aos CLI need to use this node."""
        return {"MU_URL": self.url, "CU_URL": self.url, "GATEWAY_URL": self.url,
                "SCHEDULER": self.server.node.address}

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<ao.Server {self.url} node={self.server.node.address[:8]}…>"
