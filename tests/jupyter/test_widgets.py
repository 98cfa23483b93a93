"""Widgets without a browser: model state driven by node events, the kernel's answers to the
front end's messages, the plots, the committed bundle, and one real kernel's comm traffic."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.jupyter.widgets import (
    ExplorerWidget,
    GraphWidget,
    TimelineWidget,
    explorer,
    graph,
    timeline,
)
from ao_kernel.jupyter.widgets._base import STATIC, Batcher, diff_states, jsonable
from ao_kernel.node.clock import VirtualClock
from ao_kernel.testing.wallets import dev_wallet

ROOT = Path(__file__).resolve().parents[2]
WIDGETS_JS = ROOT / "widgets-js"
BUNDLES = ("graph.js", "timeline.js", "explorer.js")

COUNTER = """
Count = 0
Balances = { alice = "100" }
Handlers.add("ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(m)
  Count = Count + 1
  Balances.alice = tostring(100 - Count)
  if Count == 2 then Balances.bob = "1" end
  m.reply({ Action = "Pong", Data = tostring(Count) })
end)
Handlers.add("boom", Handlers.utils.hasMatchingTag("Action", "Boom"), function(m)
  error("boom at " .. Count)
end)
"""
SINK = """
Got = 0
Handlers.add("item", Handlers.utils.hasMatchingTag("Action", "Item"), function(m) Got = Got + 1 end)
"""
FAN = """
Handlers.add("burst", Handlers.utils.hasMatchingTag("Action", "Burst"), function(m)
  for i = 1, tonumber(m.Data) do Send({ Target = m.Sink, Action = "Item", Data = tostring(i) }) end
end)
"""


@pytest.fixture
def node() -> Any:
    n = ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    yield n
    n.close()


def frontend(widget: Any, content: dict[str, Any]) -> None:
    """Deliver a custom message as anywidget's ``model.send(content)`` does."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                        "buffers": []})


def count_comm_messages(widget: Any) -> list[dict[str, Any]]:
    """Record every message the widget sends to the front end (ipywidgets' ``_send``,
    before it checks for a kernel: other tests may leave a kernel-less global shell)."""
    sent: list[dict[str, Any]] = []
    original = widget._send
    if getattr(widget.comm, "kernel", True) is None:
        # a kernel-less global shell left by another test: ipywidgets would skip sending
        widget.comm.kernel = object()

    def send(msg: Any, buffers: Any = None) -> None:
        sent.append({"type": "comm_msg", "data": msg})
        original(msg, buffers)

    widget._send = send
    return sent


# -- batching ------------------------------------------------------------------------------


def test_batcher_coalesces_a_burst_and_flushes_its_tail() -> None:
    batches: list[list[int]] = []
    b: Batcher[int] = Batcher(batches.append, interval=0.05)
    for i in range(1000):
        b.add(i)
    deadline = time.monotonic() + 2
    while sum(map(len, batches)) < 1000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [i for batch in batches for i in batch] == list(range(1000))
    assert 1 <= len(batches) <= 3  # the burst took far less than 3 intervals
    b.close()
    b.add(1)
    assert b.pending == 0


def test_batcher_survives_a_failing_flush() -> None:
    def bad(items: list[int]) -> None:
        raise RuntimeError("draw failed")

    b: Batcher[int] = Batcher(bad, interval=3600)
    b.add(1)
    assert b.flush_now() == 1
    assert isinstance(b.errors[0], RuntimeError)


# -- GraphWidget -------------------------------------------------------------------------------


def test_spawn_adds_a_node_when_the_batch_flushes(node: Any) -> None:
    g = GraphWidget(node, interval=3600)
    assert g.nodes == []
    proc = node.spawn(lua=COUNTER, name="counter")
    assert g.nodes == []  # queued, not drawn per event
    assert g.batcher.pending >= 2
    g.flush()
    assert [(n["id"], n["label"], n["kind"]) for n in g.nodes] == [
        (proc.id, "counter", "process")]
    g.close()


def test_send_adds_edges_with_their_action_and_sender(node: Any) -> None:
    g = GraphWidget(node, interval=3600)
    sink = node.spawn(lua=SINK, name="sink")
    fan = node.spawn(lua=FAN, name="fan")
    g.flush()
    before = g.updates
    fan.send(action="Burst", data="3", tags={"Sink": sink.id})
    assert g.edges == []
    g.flush()
    assert g.updates == before + 1
    by_target: dict[str, list[dict[str, Any]]] = {}
    for e in g.edges:
        by_target.setdefault(e["target"], []).append(e)
    (burst,) = by_target[fan.id]
    assert burst["action"] == "Burst"
    assert burst["source"] == f"wallet:{node.address}"  # sent from the notebook
    items = by_target[sink.id]
    assert [(e["action"], e["source"], e["slot"]) for e in items] == [
        ("Item", fan.id, 1), ("Item", fan.id, 2), ("Item", fan.id, 3)]
    assert g.message_count == 4
    wallet = next(n for n in g.nodes if n["kind"] == "wallet")
    assert wallet["label"] == "node wallet"
    g.close()


def test_the_timer_flushes_without_being_asked(node: Any) -> None:
    g = GraphWidget(node, interval=0.05)
    proc = node.spawn(lua=COUNTER, name="c")
    proc.send(action="Ping")
    deadline = time.monotonic() + 3
    while len(g.edges) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [e["action"] for e in g.edges] == ["Ping"]
    assert [n["label"] for n in g.nodes if n["kind"] == "process"] == ["c"]
    g.close()


def test_a_1000_message_burst_is_a_few_model_updates(node: Any) -> None:
    g = GraphWidget(node, interval=0.1)
    sink = node.spawn(lua=SINK, name="sink")
    fan = node.spawn(lua=FAN, name="fan")
    g.flush()
    sent = count_comm_messages(g)
    start_updates = g.updates
    fan.send(action="Burst", data="1000", tags={"Sink": sink.id})
    deadline = time.monotonic() + 30  # generous: CI machines are shared
    while g.message_count < 1001 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.15)
    updates = g.updates - start_updates
    assert g.message_count == 1001
    assert len(g.edges) == 1001
    assert sink.state()["Got"] == 1000
    # batched: a handful of updates for 1,001 messages, never one per message (the exact
    # count depends on the machine's speed, so only the order of magnitude is checked)
    assert 1 <= updates < 100
    # each update is exactly one comm message carrying nodes and edges together
    state_msgs = [m for m in sent if m["data"] and m["data"].get("method") == "update"]
    assert len(state_msgs) == updates
    # (nodes only when they changed: an unchanged trait is not resent)
    assert all({"edges", "updates"} <= set(m["data"]["state"]) for m in state_msgs)
    g.close()


def test_max_edges_keeps_the_latest_messages(node: Any) -> None:
    sink = node.spawn(lua=SINK, name="sink")
    fan = node.spawn(lua=FAN, name="fan")
    g = GraphWidget(node, interval=3600, max_edges=10)
    fan.send(action="Burst", data="30", tags={"Sink": sink.id})
    g.flush()
    assert g.message_count == 31
    assert len(g.edges) == 10
    assert [e["slot"] for e in g.edges] == list(range(21, 31))


def test_history_shows_what_existed_before_the_widget(node: Any) -> None:
    proc = node.spawn(lua=COUNTER, name="counter")
    proc.send(action="Ping")
    proc.send(action="Ping")
    g = graph(node, interval=3600)
    assert [n["label"] for n in g.nodes if n["kind"] == "process"] == ["counter"]
    assert [(e["action"], e["slot"]) for e in g.edges] == [("Ping", 1), ("Ping", 2)]
    g.close()


def test_a_failed_slot_marks_its_edge_and_process(node: Any) -> None:
    g = GraphWidget(node, interval=3600)
    proc = node.spawn(lua=COUNTER, name="c")
    res = proc.send(action="Boom")
    assert res.error
    g.flush()
    (edge,) = g.edges
    assert edge["error"] is True
    assert next(n for n in g.nodes if n["id"] == proc.id)["errors"] == 1
    g.close()


def test_selecting_a_process_answers_with_its_state_and_inbox(node: Any) -> None:
    proc = node.spawn(lua=COUNTER, name="counter")
    proc.send(action="Ping")
    proc.send(action="Unhandled", data="for the inbox")
    g = GraphWidget(node, interval=3600)
    frontend(g, {"type": "select", "kind": "process", "id": proc.id})
    assert g.selected == {"kind": "process", "id": proc.id}
    assert g.detail["kind"] == "process"
    assert g.detail["name"] == "counter"
    assert g.detail["slot"] == 2
    assert g.detail["state"]["Count"] == proc.state()["Count"] == 1
    assert g.detail["state"]["Balances"] == {"alice": "99"}
    assert any(m.get("Data") == "for the inbox" for m in g.detail["inbox"])
    json.dumps(g.detail)  # the answer is sendable as-is


def test_selecting_a_message_answers_with_message_assignment_and_result(node: Any) -> None:
    proc = node.spawn(lua=COUNTER, name="counter")
    res = proc.send(action="Ping", data="hello")
    g = GraphWidget(node, interval=3600)
    frontend(g, {"type": "select", "kind": "message", "process": proc.id, "slot": 1})
    d = g.detail
    assert d["kind"] == "message"
    assert d["message"]["action"] == "Ping"
    assert d["message"]["data"] == "hello"
    assert d["assignment"]["slot"] == 1
    assert d["assignment"]["hash-chain"] == res.assignment.text("hash-chain")
    assert d["hashpath"] == res.hashpath
    assert [m["Action"] for m in d["sent"]] == ["Pong"]
    frontend(g, {"type": "select", "kind": "none"})
    assert g.detail == {} and g.selected == {}


def test_selecting_something_unknown_answers_with_an_error(node: Any) -> None:
    g = GraphWidget(node, interval=3600)
    frontend(g, {"type": "select", "kind": "process", "id": "x" * 43})
    assert g.detail["kind"] == "error"
    assert "x" * 43 in g.detail["error"]


def test_close_unsubscribes_from_the_node(node: Any) -> None:
    g = GraphWidget(node, interval=3600)
    assert node.events.active
    g.close()
    assert not node.events.active
    node.spawn(lua=SINK, name="after")
    assert g.nodes == []


# -- TimelineWidget ----------------------------------------------------------------------------


@pytest.fixture
def counter(node: Any) -> Any:
    proc = node.spawn(lua=COUNTER, name="counter")
    for _ in range(3):
        proc.send(action="Ping")
    proc.send(action="Boom")
    return proc


def test_timeline_state_at_each_slot_is_proc_state(counter: Any) -> None:
    t = TimelineWidget(counter, background=False)
    assert t.max_slot == 4 and t.slot == 4 and t.shown_slot == 4
    for slot in (0, 1, 2, 3, 4):
        t.slot = slot
        assert t.shown_slot == slot
        assert t.state == jsonable(counter.state(slot=slot))
        assert t.hashpath == counter.result(slot).hashpath
        assert t.assignment["slot"] == slot
        assert t.progress == 1.0 and t.busy is False


def test_timeline_diff_shows_what_the_slot_changed(counter: Any) -> None:
    t = timeline(counter, slot=2, background=False)
    changes = {d["path"]: d for d in t.diff}
    assert changes["Count"] == {"path": "Count", "change": "changed", "before": 1, "after": 2}
    assert changes["Balances.alice"]["before"] == "99"
    assert changes["Balances.alice"]["after"] == "98"
    assert changes["Balances.bob"] == {"path": "Balances.bob", "change": "added",
                                       "before": None, "after": "1"}
    assert t.message["action"] == "Ping"
    t.slot = 3
    assert "Balances.bob" not in {d["path"] for d in t.diff}


def test_timeline_shows_a_failed_slot(counter: Any) -> None:
    t = TimelineWidget(counter, background=False)
    assert "boom at 3" in t.error
    assert not [d for d in t.diff if d["path"] == "Count"]  # the failed slot changed nothing


def test_diff_states_covers_added_removed_changed_and_lists() -> None:
    before = {"a": 1, "t": {"x": 1, "y": 2}, "l": [1, 2, 3], "gone": True}
    after = {"a": 2, "t": {"x": 1, "z": 3}, "l": [1, 5], "new": "n"}
    assert diff_states(before, after) == [
        {"path": "a", "change": "changed", "before": 1, "after": 2},
        {"path": "t.y", "change": "removed", "before": 2, "after": None},
        {"path": "t.z", "change": "added", "before": None, "after": 3},
        {"path": "l[2]", "change": "changed", "before": 2, "after": 5},
        {"path": "l[3]", "change": "removed", "before": 3, "after": None},
        {"path": "gone", "change": "removed", "before": True, "after": None},
        {"path": "new", "change": "added", "before": None, "after": "n"},
    ]
    assert diff_states({"a": 1}, {"a": 1}) == []
    assert diff_states({"a": 1}, {"a": "1"})[0]["change"] == "changed"


def test_timeline_reports_progress_and_runs_in_the_background(counter: Any) -> None:
    t = TimelineWidget(counter, slot=0, background=True)
    assert t.wait(10)
    seen: list[float] = []
    t.observe(lambda ch: seen.append(ch["new"]), names=["progress"])
    busy: list[bool] = []
    t.observe(lambda ch: busy.append(ch["new"]), names=["busy"])
    t.slot = 3
    assert t.wait(10)
    assert t.shown_slot == 3
    assert t.state == jsonable(counter.state(slot=3))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)
    assert busy == [True, False]


def test_timeline_progress_counts_computed_slots_of_a_long_replay(tmp_path: Path) -> None:
    db = f"sqlite:{tmp_path / 'n.db'}"
    with ao.Node(db, wallet=dev_wallet(1)) as first:
        proc = first.spawn(lua=COUNTER, name="counter")
        for _ in range(30):
            proc.send(action="Ping")
        pid = proc.id
    with ao.Node(db, wallet=dev_wallet(1)) as again:  # nothing computed yet: a real replay
        t = TimelineWidget(again.process(pid), slot=0, background=False)
        seen: list[float] = []
        t.observe(lambda ch: seen.append(ch["new"]), names=["progress"])
        t._progress_at = 0.0
        t.show(30)
        assert t.state["Count"] == 30
        assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_timeline_follows_new_slots_and_front_end_goto(counter: Any) -> None:
    t = TimelineWidget(counter, background=False, interval=3600)
    t.follow = True
    counter.send(action="Ping")
    assert t.max_slot == 4  # batched
    t.flush()
    assert t.max_slot == 5 and t.shown_slot == 5
    assert t.state["Count"] == 4
    frontend(t, {"type": "goto", "slot": 1})
    assert t.slot == 1 and t.shown_slot == 1 and t.state["Count"] == 1
    frontend(t, {"type": "goto", "slot": 99})
    assert t.slot == 5
    t.close()


# -- ExplorerWidget ---------------------------------------------------------------------------


def test_explorer_chain_checks_every_link(counter: Any, node: Any) -> None:
    res = counter.result(2)
    e = explorer(res, node=node)
    roles = [link["role"] for link in e.chain]
    assert roles == ["result", "hashpath", "assignment", "hash-chain", "message", "process"]
    checks = {link["role"]: link["check"] for link in e.chain if link["check"] is not None}
    assert all(c["ok"] is True for c in checks.values()), checks
    hp = next(link for link in e.chain if link["role"] == "hashpath")
    assert hp["id"] == res.hashpath.split("/")[0]
    assert hp["goto"] == 1
    assignment = next(link for link in e.chain if link["role"] == "assignment")
    assert assignment["id"] == res.hashpath.split("/")[1] == ao.id(res.assignment, "all")


def test_explorer_without_node_skips_checks_it_cannot_make(counter: Any) -> None:
    e = ExplorerWidget(counter.result(2))
    checks = {link["role"]: link["check"]["ok"] for link in e.chain if link["check"]}
    assert checks["hashpath"] is None and checks["hash-chain"] is None
    assert checks["assignment"] is True
    assert "process" not in checks


def test_explorer_verifies_commitments_and_the_schedule(node: Any) -> None:
    proc = node.spawn(lua=COUNTER, name="counter")
    signer = dev_wallet(2)
    res = proc.send(action="Ping", wallet=signer)
    e = explorer(res, node=node)
    body_rows = [c for c in e.commitments if c["where"] == "body"]
    assert {c["type"] for c in body_rows} == {"rsa-pss-sha512", "hmac-sha256"}
    rsa = next(c for c in body_rows if c["type"] == "rsa-pss-sha512")
    assert rsa["signer"] == signer.address
    frontend(e, {"type": "verify", "key": rsa["key"]})
    assert e.verifications == {rsa["key"]: {"ok": True, "detail": "valid"}}
    frontend(e, {"type": "verify", "key": "*"})
    assert len(e.verifications) == len(e.commitments)
    assert all(v["ok"] for v in e.verifications.values())
    frontend(e, {"type": "verify-schedule"})
    assert e.schedule["ok"] is True and "verified" in e.schedule["text"]
    checkpoint = [c for c in e.commitments if c["where"] == "checkpoint"]
    assert checkpoint and any(c["signer"] == node.address for c in checkpoint)
    assert all(e.verify(c["key"])[c["key"]]["ok"] for c in checkpoint)


def test_explorer_reports_a_tampered_message(node: Any) -> None:
    signed = ao.commit(ao.Message({"Action": "Transfer", "Quantity": "1"}), dev_wallet(2))
    assert ExplorerWidget(signed).verify()  # all fine before tampering
    tampered = signed.with_(Quantity="1000")
    e = ExplorerWidget(tampered)
    outcomes = e.verify()
    assert outcomes and not any(v["ok"] for v in outcomes.values())
    assert e.chain[-1]["id"] == ao.id(tampered, "all")


def test_explorer_of_a_process_and_goto(counter: Any) -> None:
    e = ExplorerWidget(counter)
    assert e.slot == 4 and e.process == counter.id
    frontend(e, {"type": "goto", "slot": 1})
    assert e.slot == 1
    assert e.chain[0]["id"] == counter.result(1).hashpath
    with pytest.raises(TypeError):
        ExplorerWidget(42)


# -- plots ------------------------------------------------------------------------------------


def test_messages_per_slot_plots_each_slots_outbox(counter: Any) -> None:
    from ao_kernel.jupyter.widgets.plots import messages_per_slot, png

    fig = messages_per_slot(counter)
    assert fig.ao_data["slots"] == [0, 1, 2, 3, 4]
    assert fig.ao_data["counts"] == [len(counter.result(s).messages) for s in range(5)]
    assert fig.ao_data["counts"][1:4] == [1, 1, 1]
    assert fig.ao_data["errors"] == [False, False, False, False, True]
    assert png(fig).startswith(b"\x89PNG")


def test_value_over_slots_reads_the_state_after_each_slot(counter: Any) -> None:
    from ao_kernel.jupyter.widgets.plots import value_over_slots, values_over_slots

    progress: list[float] = []
    fig = value_over_slots(counter, "Balances.alice", progress=progress.append)
    assert fig.ao_data["values"] == [100.0, 99.0, 98.0, 97.0, 97.0]
    assert progress[-1] == 1.0 and len(progress) == 5
    xs, ys = values_over_slots(counter, lambda s: len(s["Balances"]), slots=[1, 2])
    assert (xs, ys) == ([1, 2], [1.0, 2.0])
    xs, ys = values_over_slots(counter, "Balances.bob", max_points=3)
    assert xs == [0, 2, 4] and ys == [None, 1.0, 1.0]


# -- the bundle -------------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundles_are_esm_with_a_default_render_and_no_remote_imports() -> None:
    for name in BUNDLES:
        text = (STATIC / name).read_text(encoding="utf-8")
        assert len(text) > 1000
        assert "export" in text and "default" in text and "render" in text
        assert "import(" not in text and "from\"http" not in text and "https://cdn" not in text
    assert (STATIC / "graph.js").stat().st_size > 200_000  # cytoscape is inside
    assert (STATIC / "widgets.css").read_text().count("--jp-") > 20


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_bundles_import_in_node_and_export_render() -> None:
    for name in BUNDLES:
        out = subprocess.run(
            ["node", "--input-type=module", "-e",
             f"const m = await import({json.dumps(str(STATIC / name))});"
             "console.log(typeof m.default.render)"],
            capture_output=True, text=True, timeout=60, check=True)
        assert out.stdout.strip() == "function", name


def test_committed_bundle_was_built_from_the_current_sources() -> None:
    info = json.loads((STATIC / "build-info.json").read_text())
    for rel, digest in info["inputs"].items():
        assert _sha(WIDGETS_JS / rel) == digest, f"{rel} changed: run widgets-js/build.sh"
    assert set(info["inputs"]) >= {f"src/{n}" for n in BUNDLES} | {"package-lock.json"}
    for rel, digest in info["outputs"].items():
        assert _sha(STATIC / rel) == digest, f"{rel} was edited by hand"
    lock = json.loads((WIDGETS_JS / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/cytoscape"]["version"] == info["cytoscape"]


@pytest.mark.node
@pytest.mark.skipif(not (WIDGETS_JS / "node_modules" / ".bin" / "esbuild").exists(),
                    reason="widgets-js/node_modules not installed (npm ci in widgets-js)")
def test_build_sh_reproduces_the_committed_bundle(tmp_path: Path) -> None:
    subprocess.run([str(WIDGETS_JS / "build.sh"), str(tmp_path)], check=True, timeout=120,
                   capture_output=True)
    for name in (*BUNDLES, "widgets.css", "build-info.json"):
        assert (tmp_path / name).read_bytes() == (STATIC / name).read_bytes(), name


@pytest.mark.node
@pytest.mark.skipif(not (WIDGETS_JS / "node_modules" / "jsdom").exists(),
                    reason="widgets-js/node_modules not installed (npm ci in widgets-js)")
def test_front_ends_render_real_model_states_in_jsdom(node: Any, tmp_path: Path) -> None:
    """The committed bundles, fed the states the Python widgets produce, draw them and send
    the messages the kernel handles (widgets-js/test/render.mjs drives them)."""
    a = node.spawn(lua=COUNTER, name="counter")
    b = node.spawn(lua="", name="client")
    g = GraphWidget(node, interval=3600)
    for _ in range(2):
        b.eval(f'Send({{Target="{a.id}", Action="Ping"}})')
    g.flush()
    t = TimelineWidget(a, background=False)
    e = ExplorerWidget(a.result(2), node=node)

    def state(w: Any) -> dict[str, Any]:
        return {k: v for k, v in w.get_state().items() if not k.startswith("_")}

    states = {"graph": state(g), "graph_detail": g.select(a.id), "timeline": state(t),
              "explorer": state(e)}
    # aos output carries ANSI colours: shown as colours, never as escape codes
    coloured = "\x1b[90mNew Message From \x1b[32mabc\x1b[0m plain"
    states["timeline"]["output"] = coloured
    states["graph_detail"]["state"]["Note"] = coloured
    path = tmp_path / "states.json"
    path.write_text(json.dumps(states))
    out = subprocess.run(["node", str(WIDGETS_JS / "test" / "render.mjs"), str(STATIC),
                          str(path)], capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(out.stdout)
    graph_r = report["graph"]
    assert graph_r["nodes"] == 3  # two processes and the node's wallet
    assert graph_r["edge_labels"] == ["Eval ×2", "Ping ×2", "Pong ×2"]
    assert graph_r["ungrouped_edges"] == g.message_count == 6
    assert graph_r["rendered_count"] == 6
    assert graph_r["after_clear"] == 0
    # taps on a process and a message send what GraphWidget.select understands
    tap_process, tap_message = graph_r["sent"]
    assert tap_process == {"type": "select", "kind": "process", "id": a.id}
    assert tap_message["type"] == "select" and tap_message["kind"] == "message"
    frontend(g, tap_message)
    assert g.detail["kind"] == "message" and g.detail["slot"] == tap_message["slot"]
    assert "counter" in graph_r["detail_text"] and "Balances" in graph_r["detail_text"]
    assert "\x1b" not in graph_r["detail_text"] and "\\u001b" not in graph_r["detail_text"]
    assert "null" not in graph_r["detail_text"]
    tl = report["timeline"]
    assert "\x1b" not in tl["text"] and "\\u001b" not in tl["text"]
    assert ["ao-ansi-bright-black", "New Message From "] in tl["ansi_spans"]
    assert ["ao-ansi-green", "abc"] in tl["ansi_spans"]
    assert tl["slider_max"] == "2" and tl["slot_after_previous"] == 1 and tl["saves"] == 1
    assert "ao-diff-changed ~ Count" in tl["diff_rows"]
    assert "ao-diff-changed ~ Balances.alice" in tl["diff_rows"]
    assert "ao-diff-added + Balances.bob" in tl["diff_rows"]
    assert tl["progress"] == 0.5 and tl["progress_visible"] == "visible"
    ex = report["explorer"]
    assert ex["links"] == len(e.chain) and ex["checks_ok"] == 5
    assert ex["sent"] == [{"type": "verify", "key": e.commitments[0]["key"]},
                          {"type": "verify-schedule"}]
    for msg in ex["sent"]:
        frontend(e, msg)
    assert e.verifications[e.commitments[0]["key"]]["ok"] is True
    assert e.schedule["ok"] is True
    assert "✓ valid" in ex["text"]
    g.close()
    t.close()


def test_docs_examples_run() -> None:
    """Every python block of docs/widgets.md, in order, in one namespace."""
    import re

    text = (ROOT / "docs" / "widgets.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    ns: dict[str, Any] = {}
    for block in blocks:
        exec(compile(block, "docs/widgets.md", "exec"), ns)
    assert ns["g"].message_count >= 11
    assert ns["detail"]["assignment"]["slot"] == 2
    assert ns["t"].shown_slot == 3
    assert all(v["ok"] for v in ns["x"].verify().values())
    assert ns["fig"].ao_data["values"][-1] == 950.0
    for name in ("g", "t", "x"):
        ns[name].close()
    ns["node"].close()


# -- a real kernel ----------------------------------------------------------------------------


def _run(kc: Any, code: str, timeout: float = 60) -> list[dict[str, Any]]:
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id and msg["msg_type"] != "comm_msg":
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" and (
                msg["parent_header"].get("msg_id") == msg_id):
            reply = kc.get_shell_msg(timeout=timeout)
            assert reply["content"]["status"] == "ok", reply["content"]
            return out


@pytest.mark.slow
def test_graph_widget_in_a_real_kernel() -> None:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        msgs = _run(kc, "import ao_kernel as ao\n"
                        "from ao_kernel.testing.wallets import dev_wallet\n"
                        "from ao_kernel.jupyter.widgets import graph\n"
                        "node = ao.Node(wallet=dev_wallet(1))\n"
                        "g = graph(node, interval=0.05)\n"
                        "g")
        opens = [m for m in msgs if m["msg_type"] == "comm_open"
                 and m["content"]["data"]["state"].get("_model_name") == "AnyModel"]
        assert len(opens) == 1
        comm_id = opens[0]["content"]["comm_id"]
        state = opens[0]["content"]["data"]["state"]
        assert state["nodes"] == [] and "render" in state["_esm"]
        assert any(m["msg_type"] == "execute_result"
                   and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]
                   for m in msgs)
        msgs = _run(kc, "p = node.spawn(lua='X = 1', name='pinger')\n"
                        "p.send(action='Ping')\n"
                        "import time; time.sleep(0.3)")
        updates = [m["content"]["data"]["state"] for m in msgs
                   if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id
                   and m["content"]["data"].get("method") == "update"]
        assert any(any(n["label"] == "pinger" for n in u.get("nodes", [])) for u in updates)
        assert any(any(e["action"] == "Ping" for e in u.get("edges", [])) for u in updates)
        # the front end clicks the process: a custom comm message on the shell channel
        pid = _run(kc, "print(p.id)")
        pid_text = next(m["content"]["text"] for m in pid if m["msg_type"] == "stream").strip()
        kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {
            "method": "custom", "content": {"type": "select", "kind": "process",
                                            "id": pid_text}}}))
        msgs = _run(kc, "print(g.detail['state']['X'], g.detail['name'])")
        printed = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
        assert printed.strip() == "1 pinger"
        details = [m["content"]["data"]["state"]["detail"] for m in msgs
                   if m["msg_type"] == "comm_msg" and "detail" in m["content"]["data"].get(
                       "state", {})]
        assert details and details[-1]["name"] == "pinger"  # the answer reached the front end
        # a plot is the last expression of a cell: it shows as a PNG
        msgs = _run(kc, "from ao_kernel.jupyter.widgets.plots import messages_per_slot\n"
                        "messages_per_slot(p)")
        results = [m["content"]["data"] for m in msgs if m["msg_type"] == "execute_result"]
        assert results and "image/png" in results[0]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
