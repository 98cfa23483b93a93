"""The node's request and response hooks (HyperBEAM ``dev_hook`` + ``dev_meta:handle``).

The node message's ``on`` option maps a hook name to a handler message: ``on/request``
runs before a request is resolved, ``on/response`` after; each handler is resolved on
its own device with the key of the hook (``request`` / ``response``) and a message
describing the request: ``route`` (its path), ``account`` (the verified signer, else
``unknown``), ``messages`` (how many messages it resolves) and, for the response,
``instructions`` (Lua instructions of every slot it computed, from metering) and
``status``. A handler that fails stops the request with its error (``p4@1.0`` answers
402 this way). Hooks run for HTTP requests (wired into the server's hook lists by
:meth:`install_http`) and for ``node.resolve`` of a path or a message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import AOError, PaymentError, ResolveError
from ..core.message import Message
from ..core.resolver import Result, resolve
from ..devices.p4 import UNKNOWN, InsufficientFunds, signer_of

if TYPE_CHECKING:
    from .http.hyperbeam import Exchange
    from .http.server import NodeServer
    from .node import Node


@dataclass
class Ticket:
    """One request on its way through the hooks."""

    route: str
    account: str
    messages: int
    costs: list[dict[str, int]]


class Hooks:
    """Runs the node message's ``on`` hooks around requests (see the module docstring)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._meter = threading.local()
        self._subscribed = False

    def _computed(self, event: Any) -> None:
        acc = getattr(self._meter, "costs", None)
        cost = event.data.get("cost")
        if acc is not None and isinstance(cost, dict):
            acc.append(cost)

    def handler(self, name: str) -> Message | None:
        on = self.node.state.get("on")
        if isinstance(on, Message):
            hook = on.get(name)
            if isinstance(hook, Message):
                return hook
        return None

    @property
    def active(self) -> bool:
        return self.handler("request") is not None or self.handler("response") is not None

    def _run(self, name: str, fields: dict[str, Any]) -> Message | None:
        hook = self.handler(name)
        if hook is None:
            return None
        opts = self.node.opts(caller=fields.get("account"))
        res = resolve(hook, Message({"path": name, **fields}), opts.internal())
        if not res.ok:
            if isinstance(res.value, AOError):
                raise res.value
            raise ResolveError(f"the {name} hook failed: {res.value!r}", field=name)
        return res.value if isinstance(res.value, Message) else None

    def before(self, route: str, request: Message | None, messages: int) -> Ticket:
        """Run the request hook; raises (e.g. 402) to refuse the request."""
        if not self._subscribed:  # metering events only once hooks are in use
            self._subscribed = True
            self.node.events.subscribe(self._computed, ["computed"])
        account = signer_of(request) or UNKNOWN
        ticket = Ticket(route=route, account=account, messages=max(1, messages), costs=[])
        self._meter.costs = ticket.costs
        try:
            self._run("request", {"route": route, "account": account,
                                  "messages": ticket.messages})
        except BaseException:
            self.done()
            raise
        return ticket

    def after(self, ticket: Ticket, result: Result | None) -> None:
        """Run the response hook (charging), for a successful result only."""
        try:
            if result is None or not result.ok:
                return
            instructions = sum(int(c.get("instructions", 0)) for c in ticket.costs)
            self._run("response", {"route": ticket.route, "account": ticket.account,
                                   "messages": ticket.messages,
                                   "instructions": instructions})
        finally:
            self.done()

    def done(self) -> None:
        self._meter.costs = None

    # -- HTTP ---------------------------------------------------------------------------

    def install_http(self, server: NodeServer) -> None:
        """Put the hooks into the server's request and response hook lists."""
        server.request_hooks.append(self._http_request)
        server.response_hooks.append(self._http_response)

    def _http_request(self, ex: Exchange) -> None:
        if not self.active:
            ex.extra["caller"] = signer_of(ex.request)  # the resolution's opts carry it
            return
        try:
            ticket = self.before(ex.path, ex.request, len(ex.steps) - 1)
            ex.extra["p4-ticket"] = ticket
            ex.extra["caller"] = ticket.account
        except PaymentError as exc:
            # answer HyperBEAM's 402 message ({status, body, price, balance}) in place of
            # the request: nothing of the request is resolved, so nothing changes
            fields: dict[str, Any] = {"status": exc.status, "body": str(exc),
                                      "error-type": type(exc).__name__}
            if isinstance(exc, InsufficientFunds):
                fields.update(price=exc.price, balance=exc.balance, account=exc.account)
            ex.steps = [Message(fields)]

    def _http_response(self, ex: Exchange) -> None:
        ticket = ex.extra.get("p4-ticket")
        if ticket is None:
            return
        self.after(ticket, ex.result)
