"""Live widgets for a node (anywidget; the front ends are bundled, nothing loads from a CDN).

::

    from ao_kernel.jupyter.widgets import graph, timeline, explorer
    graph(node)            # processes and messages, live; click for state / message
    timeline(proc)         # scrub the slots of a process: state, diff, assignment, result
    explorer(res)          # hashpath and commitments of a result, with Verify buttons

The widgets only call the Node API (``node.events``, ``proc.state(slot=...)``,
``proc.result(slot)``, ``node.verify``). ``plots`` has matplotlib figures (messages per
slot, a value over slots). See docs/widgets.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .explorer import ExplorerWidget
from .graph import GraphWidget
from .timeline import TimelineWidget

if TYPE_CHECKING:
    from ...node.node import Node
    from ...node.process_handle import Process

__all__ = ["ExplorerWidget", "GraphWidget", "TimelineWidget", "explorer", "graph", "timeline"]


def graph(node: Node, **kwargs: Any) -> GraphWidget:
    """The live graph of ``node``'s processes and messages."""
    return GraphWidget(node, **kwargs)


def timeline(proc: Process, slot: int | None = None, **kwargs: Any) -> TimelineWidget:
    """The slot timeline of ``proc`` (at ``slot``, default the latest)."""
    return TimelineWidget(proc, slot, **kwargs)


def explorer(target: Any, *, node: Node | None = None, slot: int | None = None,
             **kwargs: Any) -> ExplorerWidget:
    """The hashpath / commitment explorer of a result, a process (at ``slot``) or a message.

    Pass ``node=`` with a bare result to check its links against the previous slot.
    """
    return ExplorerWidget(target, node=node, slot=slot, **kwargs)
