"""The node's HTTP faces: HyperBEAM's API and the legacy MU/CU/SU/gateway routes.

``serve(node, port=8734)`` (or ``node.serve()``) starts :class:`NodeServer` on its own
thread and returns a :class:`ServerHandle` (``url``, ``env()``, ``stop()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hyperbeam import Exchange
from .server import MAX_BODY, NodeServer, ServerHandle

if TYPE_CHECKING:
    from ..node import Node

__all__ = ["MAX_BODY", "Exchange", "NodeServer", "ServerHandle", "serve"]


def serve(node: Node, port: int = 8734, host: str = "127.0.0.1", **options: Any) -> ServerHandle:
    """Serve ``node`` over HTTP on ``host:port`` (``port=0``: any free port)."""
    return NodeServer(node, host=host, port=port, **options).start()
