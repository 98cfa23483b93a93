"""The kernel side of JupyterLab's AO side panel: a comm target named ``ao.panel``.

The panel (``extension/src/panel.ts``) opens a comm to the active notebook's kernel. This
module answers with a *snapshot* of the node behind the kernel, the processes with their
latest slot and result::

    {"type": "snapshot", "node": ADDRESS, "current": PID | null,
     "processes": [{"id", "name", "slot", "output", "error", "message"}, ...],
     "others": [{"var", "node", "node_short", "processes": [{"id", "name", "slot"}]}]}

``others`` lists the nodes a Python notebook built itself (``node = ao.Node()``), found by
their variable names in the notebook's namespace; a fresh snapshot follows every cell.

and pushes a fresh snapshot whenever the node publishes events (spawned, scheduled,
computed, pushed), batched: at most one every ``INTERVAL`` seconds, however many events
a cell causes. Snapshots are built on the node's own thread (``executor.submit``), so an
update never blocks the kernel or the thread that published the event. The frontend may
send ``{"action": "refresh"}``.

It also registers ``%ao_timeline PID`` (the panel's "timeline" button runs it in the
notebook): the slot timeline widget of any process, not only the current one.

:func:`register_panel` is called by ``load_ipython_extension`` (so the AO kernel and
``%load_ext ao_kernel`` both have it); it is idempotent and harmless outside a kernel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

TARGET = "ao.panel"
#: Seconds between two pushed snapshots at most (a burst of events gives one update).
INTERVAL = 0.25
#: Processes listed at most, and characters of output per process.
MAX_PROCESSES = 200
MAX_OUTPUT = 2000
_EVENTS = ("spawned", "scheduled", "computed", "pushed")


def snapshot(session: Any, namespace: Any = None) -> dict[str, Any]:
    """The panel's view of ``session``'s node (and of the other nodes in the notebook's
    ``namespace``); call it on the node thread."""
    from .display import jsonable, short_id

    node = session.node
    procs = []
    for proc in list(node.processes)[:MAX_PROCESSES]:
        entry: dict[str, Any] = {"id": proc.id, "name": proc.name, "slot": proc.slot,
                                 "output": None, "error": None, "message": None}
        try:
            res = proc.result(proc.slot)
        except Exception as exc:  # one broken process must not hide the others
            entry["error"] = f"{type(exc).__name__}: {exc}"
        else:
            out = res.error if res.error else res.output
            text = None if out is None else str(jsonable(out))
            if text is not None and len(text) > MAX_OUTPUT:
                text = text[: MAX_OUTPUT - 1] + "…"
            entry["output" if not res.error else "error"] = text
            entry["message"] = res.message_id
        procs.append(entry)
    return {"type": "snapshot", "node": str(getattr(node, "address", "")),
            "node_short": short_id(str(getattr(node, "address", ""))),
            "current": session.current_pid, "processes": procs,
            "others": other_nodes(namespace, node) if namespace is not None else []}


def other_nodes(namespace: Any, mine: Any) -> list[dict[str, Any]]:
    """The :class:`~ao_kernel.node.node.Node` objects a notebook holds in variables, other
    than ``mine``: their processes' IDs, names and latest slots (nothing is computed)."""
    from ..node.node import Node
    from .display import short_id

    out, seen = [], {id(mine)}
    for var, value in list(namespace.items()):
        if var.startswith("_") or not isinstance(value, Node) or id(value) in seen:
            continue
        seen.add(id(value))
        procs = []
        try:
            for proc in list(value.processes)[:MAX_PROCESSES]:
                procs.append({"id": proc.id, "name": proc.name, "slot": proc.slot})
        except Exception:  # a closed node: listed without processes
            procs = []
        out.append({"var": var, "node": value.address, "node_short": short_id(value.address),
                    "processes": procs})
    return out


class PanelComm:
    """One open panel: a comm, a subscription to the node's events, a pending flag."""

    def __init__(self, comm: Any, session: Any, interval: float = INTERVAL,
                 namespace: Any = None) -> None:
        self.comm = comm
        self.session = session
        self.namespace = namespace
        self.interval = interval
        self.sent = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self._unsubscribe = session.events.subscribe(self._on_event, kinds=_EVENTS)
        comm.on_msg(self._on_msg)
        comm.on_close(lambda _msg: self.close())

    def _on_event(self, _event: Any) -> None:
        """Node thread: arm one timer per burst (never work here)."""
        with self._lock:
            if self._closed or self._timer is not None:
                return
            self._timer = threading.Timer(self.interval, self._fire)
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
        self.push()

    def _on_msg(self, msg: Any) -> None:
        data = (msg.get("content") or {}).get("data") or {}
        if data.get("action") == "refresh":
            self.push()

    def push(self) -> None:
        """Build a snapshot on the node thread and send it when it is ready."""
        if self._closed:
            return
        future = self.session.executor.submit(snapshot, self.session, self.namespace)
        future.add_done_callback(self._send)

    def _send(self, future: Any) -> None:
        if self._closed:
            return
        exc = future.exception()
        data = ({"type": "error", "error": f"{type(exc).__name__}: {exc}"} if exc is not None
                else future.result())
        try:
            self.comm.send(data)
            self.sent += 1
        except Exception:  # the kernel is shutting down
            self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self._unsubscribe()


def _comm_manager(shell: Any) -> Any:
    kernel = getattr(shell, "kernel", None)
    manager = getattr(kernel, "comm_manager", None)
    if manager is None:
        import comm

        manager = comm.get_comm_manager()
    return manager


def register_panel(magics: Any) -> None:
    """Register the ``ao.panel`` comm target and ``%ao_timeline`` for ``magics``' session.

    ``magics`` is the :class:`~ao_kernel.jupyter.magics.AOMagics` instance; its session is
    created lazily, so the target looks it up when a panel connects.
    """
    shell = magics.shell
    if shell is None or getattr(shell, "_ao_panel", None) is not None:
        return
    panels: list[PanelComm] = []

    def on_open(comm: Any, _open_msg: Any) -> None:
        panel = PanelComm(comm, magics.session, namespace=shell.user_ns)
        panels.append(panel)
        panel.push()

    def after_cell(*_: Any) -> None:  # nodes built in Python publish on no bus of ours
        for panel in list(panels):
            if panel._closed:
                panels.remove(panel)
            elif any(not k.startswith("_") and type(v).__name__ == "Node"
                     for k, v in list(shell.user_ns.items())):
                panel.push()

    try:
        manager = _comm_manager(shell)
        manager.register_target(TARGET, on_open)
    except Exception:  # not in a kernel (terminal IPython): no panel, magics still work
        manager = None
    shell.register_magic_function(_timeline_magic(magics), "line", "ao_timeline")
    shell.events.register("post_run_cell", after_cell)
    shell._ao_panel = panels


def _timeline_magic(magics: Any) -> Callable[[str], Any]:
    def ao_timeline(line: str) -> Any:
        """``%ao_timeline PID|NAME``: the slot timeline widget of a process."""
        from IPython.core.error import UsageError

        from ..core import errors

        ref = line.strip()
        if not ref:
            raise UsageError("%ao_timeline PID|NAME: which process?")
        from .widgets import TimelineWidget

        try:
            proc = magics.session.find(ref)
        except errors.AOError as exc:
            raise UsageError(str(exc)) from None
        return TimelineWidget(proc)

    return ao_timeline
