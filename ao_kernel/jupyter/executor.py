"""The node's own thread: one executor thread owns the node, cells block on its futures.

Why a thread: the node is synchronous and its Lua engines must be driven from one place,
while ipykernel (7.x) already runs an asyncio loop in the kernel thread, where
``run_until_complete`` raises "This event loop is already running". So the node lives on
a dedicated thread with its own event loop (HTTP servers, cron tickers can run there
later) and every call from a cell or magic is ``run_coroutine_threadsafe(...).result()``
(measured in notes/jupyter-wasmtime-lupa.md §2.1; no nest-asyncio).

Interrupts: SIGINT raises ``KeyboardInterrupt`` in the waiting cell thread only; the Lua
loop keeps running on the node thread. :meth:`NodeExecutor.call` therefore catches it,
asks ``on_interrupt`` to stop the running Lua (the engines' thread-safe ``interrupt``),
waits a moment for the call to finish, and re-raises so the cell ends with
``KeyboardInterrupt`` and the next cell finds the node idle.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: How long an interrupted call may take to wind down before the cell gives up on it.
INTERRUPT_GRACE_S = 5.0


class Interrupted(KeyboardInterrupt):
    """``KeyboardInterrupt`` with a one-line traceback (IPython's full one takes ~0.5 s)."""

    def _render_traceback_(self) -> list[str]:
        return [f"KeyboardInterrupt: {self}"]


Interrupted.__name__ = Interrupted.__qualname__ = "KeyboardInterrupt"  # ename in replies


class NodeExecutor:
    """A daemon thread running an asyncio loop; ``call(fn, ...)`` runs ``fn`` there."""

    def __init__(self, name: str = "ao-node") -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def in_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, fn: Callable[..., T], *args: Any,
               **kwargs: Any) -> concurrent.futures.Future[T]:
        """Schedule ``fn(*args, **kwargs)`` on the node thread; returns its future.

        The future is resolved by the same loop callback that ran ``fn``, so when the next
        submitted function starts, every earlier future is already done. (Wrapping ``fn`` in
        a coroutine with ``run_coroutine_threadsafe`` resolved it one loop step *later*: a
        function submitted while another ran, e.g. the side panel's snapshot while the
        session built its node, then waited on the node thread for a future only that
        thread could resolve, and every magic hung; issue 20.)
        """
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # delivered to whoever waits on the future
                future.set_exception(exc)
            else:
                future.set_result(result)

        self.loop.call_soon_threadsafe(run)
        return future

    def call(self, fn: Callable[..., T], *args: Any,
             on_interrupt: Callable[[], Callable[[], None]] | None = None,
             timeout: float | None = None, **kwargs: Any) -> T:
        """Run ``fn`` on the node thread and wait for it (interruptible, see module doc).

        ``on_interrupt()`` is called once when the waiting thread gets ``KeyboardInterrupt``;
        it returns a function that is called repeatedly until the call has stopped.
        """
        if self.in_thread():
            return fn(*args, **kwargs)
        future = self.submit(fn, *args, **kwargs)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                try:
                    return future.result(timeout=0.1)
                except concurrent.futures.TimeoutError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise TimeoutError("the node is busy") from None
        except KeyboardInterrupt:
            poke = on_interrupt() if on_interrupt is not None else None
            end = time.monotonic() + INTERRUPT_GRACE_S
            while not future.done() and time.monotonic() < end:
                if poke is not None:
                    poke()
                try:
                    future.exception(timeout=0.05)
                except concurrent.futures.TimeoutError:
                    continue
                except concurrent.futures.CancelledError:
                    break
            raise Interrupted("the running computation was stopped") from None

    def close(self) -> None:
        """Finish what was submitted, then stop the loop and the thread."""
        if self.loop.is_closed():
            return
        if not self.in_thread():
            self.submit(lambda: None).result()  # earlier submissions run first (FIFO)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()
