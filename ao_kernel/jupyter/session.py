"""One notebook's view of a node: the node, its thread, the current process, snapshots.

The kernel and the magics hold one :class:`Session`. It owns a :class:`NodeExecutor` (the
node's thread); every node call goes through :meth:`Session.call`, so the node is only
ever driven from that thread, cells block on a future and a ``KeyboardInterrupt`` stops the
running Lua. Nothing here knows the AO protocol: it calls the Node API (``spawn``,
``send``, ``eval``, ``verify``, ``resolve`` ...) and keeps the notebook's choices (which
process is current, which store, which clock, which snapshots).

Snapshots (``%snapshot`` / ``%restore``) copy the node's **store**, the only durable
state of a node (processes are recomputed from their schedules): an in-memory store is
copied in memory, a SQLite store with SQLite's online backup into a file next to it.
Restoring closes the node and opens a new one over a copy of the snapshot (SQLite: the
snapshot is copied back over the store file), keeping the node's wallet; every process
then recomputes from its restored schedule on first use, with the same hashpaths.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from ..core.errors import AOError, ProcessNotFoundError, StoreError
from ..node.stores.sqlite import backup as sqlite_backup
from .executor import NodeExecutor

T = TypeVar("T")

DEFAULT_PROCESS_NAME = "default"
CRON_EVERY_S = 1.0  # how often due cron ticks are fired under the system clock
_IDENT_PATH = re.compile(r"^[A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)*$")


@dataclass
class Snapshot:
    """A copy of a node's store at one moment."""

    name: str
    spec: str  # the store spec of the node it was taken from
    store: Any = None  # an in-memory copy (memory stores)
    path: str | None = None  # the backup file (SQLite stores)
    processes: int = 0
    current: str | None = None


class Session:
    """The node a notebook talks to, on its own thread (see the module docstring)."""

    def __init__(self, store: str | None = None, *, clock: Any = None,
                 wallet: Any = None) -> None:
        from ..node.events import EventBus

        self.executor = NodeExecutor()
        # One bus for the whole session: widgets subscribed to it survive %ao_store/%restore.
        self.events = EventBus()
        self.store_spec = store or "memory"
        self.current_pid: str | None = None
        self.remote_url: str | None = None  # set while the magics talk to a remote node
        self.remote_names: dict[str, str] = {}
        self._local_node: Any = None
        self._local_pid: str | None = None
        self.snapshots: dict[str, Snapshot] = {}
        self._snapdir: tempfile.TemporaryDirectory[str] | None = None
        self._node_future = self.executor.submit(self._make_node, store, clock, wallet)
        self._node: Any = None

    # -- the node and its thread -----------------------------------------------------------

    def _make_node(self, store: Any, clock: Any, wallet: Any) -> Any:
        from ..node.node import Node

        if wallet is None:
            from ..node.wallet import user_wallet

            wallet = user_wallet()
        node = Node(store=store, clock=clock, wallet=wallet, events=self.events)
        from .display import remember_wallet

        remember_wallet(node.address)  # replies to it read "to you" on result cards
        self.executor.loop.call_later(CRON_EVERY_S, self._cron_tick, node)
        return node

    def _cron_tick(self, node: Any) -> None:
        """Fire due cron ticks on the node's thread, between cells (system clock only)."""
        from ..node.clock import VirtualClock

        if self._node_future.done() and self._node_future.result() is not node:
            return  # the node was replaced (%ao_store, %restore)
        run = getattr(node, "run_crons", None)
        if callable(run) and not isinstance(node.clock, VirtualClock):
            try:
                run()
            except AOError as exc:  # a broken process must not stop the ticks
                self.events.errors.append((None, exc))  # type: ignore[arg-type]
            except Exception:  # a closed node: stop ticking
                return
        self.executor.loop.call_later(CRON_EVERY_S, self._cron_tick, node)

    @property
    def node(self) -> Any:
        """The node (waits for it to be built on first use)."""
        if self._node is None:
            if self.executor.in_thread() and not self._node_future.done():
                # only this thread can build it: waiting here would wait for ever
                raise RuntimeError("the node is not built yet (it is built after this call)")
            self._node = self._node_future.result()
        return self._node

    def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None,
             **kwargs: Any) -> T:
        """Run ``fn`` on the node's thread and wait; interruptible (stops running Lua)."""
        return self.executor.call(fn, *args, on_interrupt=self._on_interrupt,
                                  timeout=timeout, **kwargs)

    def _on_interrupt(self) -> Callable[[], None]:
        interrupt = getattr(self._node, "interrupt", None)  # a remote node runs nothing here

        def poke() -> None:
            if callable(interrupt):
                interrupt()

        poke()
        return poke

    def close(self) -> None:
        """Close the node (signing the unsigned tails of its schedules) and its thread."""
        node = self.node
        self.call(node.close)
        self.executor.close()
        if self._snapdir is not None:
            self._snapdir.cleanup()

    # -- processes ---------------------------------------------------------------------------

    @property
    def current(self) -> Any:
        """The current process; a process named ``default`` is spawned on first use."""
        if self.current_pid is None:
            proc = self.call(self.node.spawn, name=DEFAULT_PROCESS_NAME)
            self.current_pid = proc.id
            return proc
        return self.node.process(self.current_pid)

    def spawn(self, *, name: str | None = None, tags: Mapping[str, str] | None = None,
              module: str | None = None, cron: str | None = None,
              lua: str | None = None) -> Any:
        if self.remote_url is not None:
            proc = self.call(self.node.spawn, lua, name=name, tags=dict(tags or {}))
            if name:
                self.remote_names[name] = proc.id
        else:
            proc = self.call(self.node.spawn, lua, name=name, tags=dict(tags or {}),
                             module=module, cron=cron)
        self.current_pid = proc.id
        return proc

    # -- local or remote -------------------------------------------------------------------

    def use_remote(self, url: str) -> Any:
        """Talk to the node at ``url`` (HyperBEAM HTTP API) instead of the embedded one;
        the embedded node keeps running and ``use_local()`` switches back."""
        from ..node.remote import connect

        if self.remote_url is None:
            self._local_node, self._local_pid = self.node, self.current_pid
        wallet = self._local_node.wallet
        remote = self.call(connect, url, wallet=wallet)
        self.call(remote.info)  # fail now, with a clear error, if nothing answers there
        self._node, self.remote_url, self.current_pid = remote, url, None
        self.remote_names = {}
        return remote

    def use_local(self) -> Any:
        """Back to the embedded node (and its current process)."""
        if self.remote_url is not None:
            self.call(self._node.close)
            self._node, self.current_pid = self._local_node, self._local_pid
            self.remote_url = None
        return self.node

    def find(self, ref: str) -> Any:
        """A process by ID or by name (the most recently spawned of that name)."""
        node = self.node
        if self.remote_url is not None:  # a remote node: names known from this session
            return node.process(self.remote_names.get(ref, ref))
        if node.has_process(ref):
            return node.process(ref)
        named = [p for p in node.processes if p.name == ref]
        if named:
            return named[-1]
        known = ", ".join(f"{p.name or '-'} ({p.id})" for p in node.processes) or "none"
        raise ProcessNotFoundError(f"no process with ID or name {ref!r} (processes: {known})",
                                   field=ref)

    def connect(self, ref: str) -> Any:
        proc = self.find(ref)
        self.current_pid = proc.id
        return proc

    def process(self, ref: str | None) -> Any:
        return self.current if ref is None else self.find(ref)

    def eval(self, code: str, ref: str | None = None, *,
             on_print: Callable[[str], None] | None = None) -> Any:
        """Evaluate Lua in a process; ``on_print`` gets its prints as they happen (called
        on the node's thread)."""
        proc = self.process(ref)
        return self.call(proc.eval, code, on_print=on_print)

    def send(self, *, to: str | None, action: str | None, data: str | None,
             tags: Mapping[str, str]) -> Any:
        proc = self.process(to)
        return self.call(self.node.send, proc.id, action=action, data=data, tags=dict(tags))

    def result(self, slot: int | None, ref: str | None = None) -> Any:
        proc = self.process(ref)
        target = proc.slot if slot is None else slot
        if target < 0 or target > proc.slot:
            raise ProcessNotFoundError(
                f"process {proc.id} has no slot {target} (latest {proc.slot})", field="slot")
        return self.call(proc.result, target)

    def assignment(self, slot: int | None, ref: str | None = None) -> Any:
        proc = self.process(ref)
        target = proc.slot if slot is None else slot
        if target < 0 or target > proc.slot:
            raise ProcessNotFoundError(
                f"process {proc.id} has no slot {target} (latest {proc.slot})", field="slot")
        return self.call(self.node.assignment, proc.id, target)

    def signed_assignment(self, slot: int | None, ref: str | None = None) -> Any:
        proc = self.process(ref)
        target = proc.slot if slot is None else slot
        self.assignment(target, ref)  # range check
        return self.call(self.node.signed_assignment, proc.id, target)

    # -- Lua introspection (completion, inspection) -----------------------------------------

    def lua_members(self, path: str, *, timeout: float = 2.0) -> dict[str, str]:
        """Names (-> Lua type) of the table at ``path`` ("" = globals) in the current process."""
        if (path and not _IDENT_PATH.match(path)) or self.remote_url is not None:
            return {}  # a remote node's Lua state cannot be read outside a message
        proc = self.current
        value = self.call(proc.inspect, _MEMBERS_LUA.replace("@PATH@", path), timeout=timeout)
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    def lua_describe(self, name: str, *, timeout: float = 2.0) -> dict[str, Any]:
        """What ``name`` (a global, a dotted field, or a handler's name) is, for inspection."""
        if not _IDENT_PATH.match(name) or self.remote_url is not None:
            return {}
        proc = self.current
        value = self.call(proc.inspect, _DESCRIBE_LUA.replace("@PATH@", name), timeout=timeout)
        return value if isinstance(value, dict) else {}

    # -- store, clock, snapshots -------------------------------------------------------------

    def use_store(self, spec: str) -> Any:
        """Close the node and open a new one over ``spec`` (``memory`` or ``sqlite:path``)."""
        from ..node.stores import open_store

        store = self.call(open_store, spec)  # validate before closing anything
        old = self.node
        clock = old.clock
        self.call(old.close)
        self._node = None
        self._node_future = self.executor.submit(self._make_node, store, clock, None)
        self.store_spec = spec
        node = self.node
        self.current_pid = None
        pids = node.process_ids()
        if pids:
            self.current_pid = pids[-1]
        return node

    def clock_advance(self, ms: int) -> list[Any]:
        """Advance the node's clock, firing due cron ticks; returns their results.

        A system clock is first replaced by a virtual one at the current time."""
        from ..node.clock import VirtualClock

        node = self.node
        if not isinstance(node.clock, VirtualClock):
            self.call(node.use_clock, VirtualClock(node.clock.now_ms()))
        advance = getattr(node, "advance", None)
        if callable(advance):
            return list(self.call(advance, ms))
        self.call(node.clock.advance, ms)
        return []

    def snapshot(self, name: str | None = None) -> Snapshot:
        node = self.node
        name = name or f"snap-{len(self.snapshots) + 1}"
        self.call(node.sign_checkpoints)
        snap = Snapshot(name=name, spec=self.store_spec, current=self.current_pid,
                        processes=len(node.process_ids()))
        if self.store_spec.startswith("sqlite:"):
            if self._snapdir is None:
                self._snapdir = tempfile.TemporaryDirectory(prefix="ao-snapshots-")
            snap.path = os.path.join(self._snapdir.name, f"{name}.db")
            self.call(node.copy_store, snap.path)
        else:
            snap.store = self.call(node.copy_store)
        self.snapshots[name] = snap
        return snap

    def restore(self, name: str | None = None) -> Snapshot:
        if not self.snapshots:
            raise StoreError("no snapshot taken yet; take one with %snapshot", field="name")
        key = name or list(self.snapshots)[-1]
        snap = self.snapshots.get(key)
        if snap is None:
            raise StoreError(f"no snapshot named {key!r} (taken: {', '.join(self.snapshots)})",
                             field=key)
        old = self.node
        wallet, clock = old.wallet, old.clock
        self.call(old.close)
        self._node = None
        if snap.path is not None:
            target = snap.spec[len("sqlite:"):].partition("?")[0]
            self.call(sqlite_backup, snap.path, target)
            store: Any = snap.spec
        else:
            store = self.call(_copy_memory_store, snap.store)
        self._node_future = self.executor.submit(self._make_node, store, clock, wallet)
        self.store_spec = snap.spec
        self.node  # noqa: B018 - build it now, so errors surface in %restore
        self.current_pid = snap.current
        return snap


def _copy_memory_store(store: Any) -> Any:
    """The store's own copy (only in-memory stores are copied; SQLite ones back up)."""
    copy = getattr(store, "copy", None)
    if not callable(copy):
        raise StoreError(f"cannot snapshot a {type(store).__name__}; use memory or sqlite:",
                         field="store")
    return copy()


#: the Lua the completer and inspector evaluate in a process (files beside this module)
_MEMBERS_LUA = resources.files(__package__).joinpath("members.lua").read_text(encoding="utf-8")
_DESCRIBE_LUA = resources.files(__package__).joinpath("describe.lua").read_text(
    encoding="utf-8")
