"""The node's thread (jupyter/executor.py): submitted calls run in order, and each one's
future is resolved before the next starts, so a call may wait on an earlier one's future
from the node thread itself (issue 20: the side panel's snapshot, submitted while the
session built its node, waited on that future for ever and every magic hung)."""

from __future__ import annotations

import threading

from ao_kernel.jupyter.executor import NodeExecutor
from ao_kernel.jupyter.panel import snapshot
from ao_kernel.jupyter.session import Session
from ao_kernel.testing.wallets import dev_wallet


def test_a_later_call_sees_an_earlier_future_done() -> None:
    ex = NodeExecutor()
    try:
        gate = threading.Event()
        ex.submit(gate.wait)  # hold the thread so the next two queue up together
        first = ex.submit(lambda: "built")
        second = ex.submit(lambda: (first.done(), first.result(timeout=2)))
        gate.set()
        assert second.result(timeout=10) == (True, "built")
    finally:
        ex.close()


def test_errors_and_order_are_kept() -> None:
    ex = NodeExecutor()
    try:
        seen: list[int] = []
        futures = [ex.submit(seen.append, i) for i in range(50)]
        bad = ex.submit(lambda: 1 / 0)
        assert [f.result(timeout=10) for f in futures] == [None] * 50
        assert seen == list(range(50))
        assert isinstance(bad.exception(timeout=10), ZeroDivisionError)
    finally:
        ex.close()


def test_panel_snapshot_submitted_while_the_node_is_built() -> None:
    gate = threading.Event()
    session = Session(wallet=dev_wallet(1))
    snap = None
    try:
        session.executor.submit(gate.wait)
        session.current_pid = None
        # as the panel does on open: a snapshot queued right behind the node's (re)build
        session._node, session._node_future = None, session.executor.submit(
            session._make_node, None, None, dev_wallet(1))
        snap = session.executor.submit(snapshot, session)
        gate.set()
        data = snap.result(timeout=20)
        assert data["type"] == "snapshot" and data["node"] == session.node.address
    finally:
        gate.set()
        if snap is not None and snap.done():  # else the node thread is stuck for good
            session.close()
