"""meta@1.0: the node's own configuration message, its entry point for requests.

``GET /~meta@1.0/info`` answers the node message (every option, defaults included) with
private keys (``priv*``) removed, plus the operator's ``address``; sub-paths read single
options (``/~meta@1.0/info/address``). ``POST /~meta@1.0/info`` merges the request's
keys into the node message, only when the request is signed by the operator, and keeps
the history of updates. ``build`` describes this implementation.

The node message lives in a :class:`NodeState` that the node passes to resolutions as
``opts.extra["node_state"]``.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..core import commitments
from ..core.errors import AOError, SignatureError
from ..core.message import Message, is_private
from ..core.resolver import Device, Opts

_REQUEST_KEYS = frozenset({"path", "method", "commitments", "device", "accept", "accept-codec"})


@dataclass
class NodeState:
    """The node message and its update history (newest first)."""

    message: Message
    operator: str | None = None
    history: list[Message] = field(default_factory=list)

    def public(self) -> Message:
        msg = Message._trusted({k: v for k, v in self.message.items() if not is_private(k)})
        if self.operator and "address" not in msg:
            msg = msg.with_(address=self.operator)
        return msg


class MetaDevice(Device):
    name = "meta@1.0"
    exports = ("info", "build")

    def info(self, base: Message, req: Message, opts: Opts) -> Any:
        state = _state(opts)
        if (req.text("method") or "GET").upper() == "POST":
            return self._update(state, req)
        return state.public()

    def _update(self, state: NodeState, req: Message) -> Message:
        try:
            signed = commitments.verify(req)
        except AOError:
            signed = False
        signers = commitments.committers(req) if signed else []
        if state.operator is None or state.operator == "unclaimed":
            allowed = True
        else:
            allowed = state.operator in signers
        if not allowed:
            raise SignatureError(
                "Unauthorized: node configuration changes must be signed by the operator "
                f"{state.operator}",
                field="commitments",
            )
        updates = {k: v for k, v in req.items() if k not in _REQUEST_KEYS and not is_private(k)}
        state.history.insert(0, Message(updates))
        state.message = state.message.with_(updates)
        return Message({
            "body": f"Node message updated. History: {len(state.history)} updates.",
            "history-length": len(state.history),
        })

    def build(self, base: Message, req: Message, opts: Opts) -> Message:
        return Message({
            "node": "ao-kernel",
            "version": __version__,
            "protocol": "ao-core (HyperBEAM 0.9 edge commitment format)",
            "python": platform.python_version(),
        })


def _state(opts: Opts) -> NodeState:
    state = opts.extra.get("node_state")
    if isinstance(state, NodeState):
        return state
    return NodeState(Message({"device": "meta@1.0"}))
