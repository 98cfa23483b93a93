"""The kernel side of JupyterLab's AO panel (comm target ao.panel), through a real AO kernel
with a fake frontend: the snapshot on open, batched live updates, refresh, %ao_timeline."""

from __future__ import annotations

import time
from typing import Any

import pytest

jupyter_client = pytest.importorskip("jupyter_client")


def _drain(kc: Any, until: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
    msgs, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        msgs.append(msg)
        if until(msgs):
            return msgs
    raise AssertionError(f"timed out; got {[m['msg_type'] for m in msgs]}")


def _snapshots(msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["content"]["data"] for m in msgs if m["msg_type"] == "comm_msg"
            and m["content"]["data"].get("type") == "snapshot"]


def test_panel_comm_snapshot_live_updates_and_timeline() -> None:
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="ao")
    try:
        kc.execute_interactive("Greeting = 'hi'", timeout=30)
        comm_id = "panel-test"
        kc.shell_channel.send(kc.session.msg("comm_open", {
            "comm_id": comm_id, "target_name": "ao.panel", "data": {}}))
        first = _snapshots(_drain(kc, _snapshots))[0]
        procs = {p["name"]: p for p in first["processes"]}
        assert first["current"] == procs["default"]["id"]
        slot = procs["default"]["slot"]
        assert slot >= 1

        # three messages in one cell: live, and batched (fewer snapshots than events)
        kc.execute("for i = 1, 3 do Send({ Target = ao.id, Action = 'Note', Data = 'n' .. i }) "
                   "end\nreturn 'sent'")
        msgs = _drain(kc, lambda ms: any(
            p["slot"] >= slot + 4 for s in _snapshots(ms) for p in s["processes"]))
        snaps = _snapshots(msgs)
        assert 1 <= len(snaps) < 8  # 4 slots scheduled + computed + 3 pushes: batched
        latest = {p["name"]: p for p in snaps[-1]["processes"]}["default"]
        assert latest["slot"] >= slot + 4 and latest["error"] is None

        kc.shell_channel.send(kc.session.msg("comm_msg", {
            "comm_id": comm_id, "data": {"action": "refresh"}}))
        assert _snapshots(_drain(kc, _snapshots))

        reply = kc.execute_interactive(f"%ao_timeline {first['current']}", timeout=30)
        assert reply["content"]["status"] == "ok"
        bad = kc.execute_interactive("%ao_timeline nosuch", timeout=30)
        assert bad["content"]["status"] == "error"
        assert "nosuch" in bad["content"]["evalue"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_snapshot_lists_nodes_the_notebook_built(session: Any) -> None:
    """A Python notebook's own ``node = ao.Node()`` shows in the panel by variable name."""
    from ao_kernel.jupyter.panel import snapshot
    from ao_kernel.node.node import Node
    from ao_kernel.testing.wallets import dev_wallet

    mine = Node(wallet=dev_wallet(2))
    try:
        proc = mine.spawn(name="mine")
        proc.eval("x = 1")
        namespace = {"node": mine, "alias": mine, "_hidden": mine, "n": 3,
                     "session_node": session.node}
        snap = session.executor.submit(snapshot, session, namespace).result(timeout=30)
        assert snap["node"] == session.node.address
        assert snap["others"] == [{"var": "node", "node": mine.address,
                                   "node_short": snap["others"][0]["node_short"],
                                   "processes": [{"id": proc.id, "name": "mine", "slot": 1}]}]
    finally:
        mine.close()
