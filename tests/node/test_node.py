"""The Node API end to end: spawn, send, eval, push, spawn from a process, dry-run,
time travel, determinism, events, verification, persistence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import ProcessNotFoundError
from ao_kernel.node.clock import VirtualClock
from ao_kernel.testing.wallets import dev_wallet

PING = """
Handlers.add("ping", "Ping", function(msg)
  msg.reply({ Action = "Pong", Data = "pong:" .. (msg.Data or "") })
end)
Handlers.add("pong", "Pong", function(msg)
  Pongs = (Pongs or 0) + 1
  LastPong = msg.Data
end)
"""


@pytest.fixture(scope="module")
def wallet() -> Any:
    return dev_wallet(1)


@pytest.fixture
def node(wallet: Any) -> ao.Node:
    return ao.Node(wallet=wallet, clock=VirtualClock(1_700_000_000_000))


def test_spawn_boots_the_lua_and_names_the_process(node: ao.Node) -> None:
    proc = node.spawn(lua=PING, name="pinger")
    assert proc.slot == 0
    assert proc.name == "pinger"
    assert proc.boot is not None and proc.boot.error is None
    assert proc.eval("return Name").output == "pinger"
    assert proc.eval("return Owner").output == node.address


def test_eval_returns_output_like_aos(node: ao.Node) -> None:
    proc = node.spawn(name="calc")
    res = proc.eval("return 1 + 1")
    assert res.output == "2"
    assert res.slot == 1
    assert res.prompt is not None and "calc" in res.prompt
    assert proc.eval("x = 41").error is None
    assert proc.eval("return x + 1").output == "42"


def test_eval_streams_its_own_prints_not_those_of_what_it_caused(node: ao.Node) -> None:
    proc = node.spawn(lua=PING + 'Handlers.add("hi", "Hi", function() print("hi there") end)',
                      name="printer")
    lines: list[str] = []
    res = proc.eval('print("one") Send({ Target = ao.id, Action = "Hi" }) print("two") '
                    "return 3", on_print=lines.append)
    assert lines == ["one", "two"]  # the Eval's own prints, as they were printed
    assert res.output == "one\ntwo\n3"  # the result holds them all the same
    assert [r.output for r in res.pushed] == ["hi there"]  # the arrival's: in its result
    again: list[str] = []
    proc.send(action="Hi", on_print=again.append)  # any send can be watched
    assert again == ["hi there"]
    assert proc.eval('print("unwatched")').output == "unwatched"
    assert lines == ["one", "two"] and again == ["hi there"]


def test_a_lua_error_is_reported_and_changes_nothing(node: ao.Node) -> None:
    proc = node.spawn(name="err")
    proc.eval("counter = 1")
    res = proc.eval("counter = 2; error('boom')")
    assert res.error is not None and "boom" in res.error
    assert proc.eval("return counter").output == "1"
    assert proc.eval("return 5").output == "5"  # the process keeps working


def test_reply_is_pushed_to_the_sender_process(node: ao.Node) -> None:
    a = node.spawn(lua=PING, name="a")
    b = node.spawn(lua=PING, name="b")
    res = a.eval(f'Send({{ Target = "{b.id}", Action = "Ping", Data = "hello" }})')
    assert res.error is None
    assert len(res.pushed) == 1
    at_b = res.pushed[0]
    assert at_b.process == b.id
    assert at_b.messages[0]["Action"] == "Pong"
    back = at_b.pushed[0]
    assert back.process == a.id
    assert a.eval("return LastPong").output == "pong:hello"
    assert a.eval("return Pongs").output == "1"


def test_send_receive_across_processes(node: ao.Node) -> None:
    oracle = node.spawn(name="oracle", lua="""
Handlers.add("q", "Question", function(msg) msg.reply({ Data = "42" }) end)
""")
    asker = node.spawn(name="asker", lua=f"""
Handlers.add("ask", "Ask", function(msg)
  local answer = Send({{ Target = "{oracle.id}", Action = "Question" }}).receive()
  Answer = answer.Data
end)
""")
    asker.send(action="Ask")
    assert asker.eval("return Answer").output == "42"


def test_spawn_from_a_process_gets_spawned_reply(node: ao.Node) -> None:
    parent = node.spawn(name="parent", lua="""
Handlers.add("make", "Make", function(msg)
  Spawn(ao._module, { Data = "Child = true", ["On-Boot"] = "Data", Name = "kid" })
end)
Handlers.add("spawned", "Spawned", function(msg) ChildId = msg.Process end)
""")
    before = len(node.processes)
    res = parent.send(action="Make")
    assert len(node.processes) == before + 1
    assert res.spawned
    child_id = res.spawned[0]
    assert parent.eval("return ChildId").output == child_id
    child = node.process(child_id)
    assert child.inspect("return Child") is True
    assert child.inspect("return Owner") == parent.id
    # the child belongs to its parent: the node's own Eval is just a message to it
    assert "New Message" in child.eval("return Child").output


def test_push_loops_are_bounded(node: ao.Node) -> None:
    loop = """
Handlers.add("bounce", "Bounce", function(msg)
  Bounces = (Bounces or 0) + 1
  Send({ Target = Peer, Action = "Bounce" })
end)
"""
    a = node.spawn(lua=loop, name="a")
    b = node.spawn(lua=loop, name="b")
    a.eval(f'Peer = "{b.id}"')
    b.eval(f'Peer = "{a.id}"')
    res = node.push(a.send(action="Bounce", push=False), max_pushes=25)
    assert res.push_error is not None and "25 deliveries" in res.push_error
    total = int(a.eval("return Bounces").output) + int(b.eval("return Bounces").output)
    assert total == 26  # the first message plus 25 deliveries


def test_dry_run_leaves_no_trace(node: ao.Node) -> None:
    proc = node.spawn(name="dry", lua='Handlers.add("inc", "Inc", function(m) N = (N or 0) + 1; m.reply({Data = tostring(N)}) end)')
    proc.send(action="Inc")
    slot = proc.slot
    res = proc.dry_run(action="Inc")
    assert res.messages[0]["Data"] == "2"
    assert proc.slot == slot
    assert proc.eval("return N").output == "1"


def test_time_travel_state_at_any_slot(node: ao.Node) -> None:
    proc = node.spawn(name="tt")
    for i in range(1, 5):
        proc.eval(f"value = {i * 10}")
    assert proc.state()["value"] == 40
    assert proc.state(slot=2)["value"] == 20
    assert "value" not in proc.state(slot=0)
    with pytest.raises(ProcessNotFoundError):
        proc.state(slot=99)


def test_inbox_holds_unhandled_messages(node: ao.Node) -> None:
    proc = node.spawn(name="box")
    proc.send(action="Hello", data="there")
    inbox = proc.inbox
    assert inbox[-1]["Action"] == "Hello"
    assert inbox[-1]["Data"] == "there"


def test_events_report_what_happened(node: ao.Node) -> None:
    seen: list[tuple[str, Any]] = []
    node.events.subscribe(lambda e: seen.append((e.kind, e.data.get("slot"))))
    proc = node.spawn(name="ev")
    proc.eval("return 1")
    kinds = [k for k, _ in seen]
    assert kinds.count("scheduled") == 2
    assert kinds.count("computed") == 2
    assert "spawned" in kinds


def test_hashpaths_chain_over_the_schedule(node: ao.Node) -> None:
    proc = node.spawn(name="hp")
    r1 = proc.eval("return 1")
    r2 = proc.eval("return 2")
    assert r1.hashpath.endswith("/" + ao.id(r1.assignment, committers="all")) or \
        len(r1.hashpath.split("/")) == 2
    assert r1.hashpath != r2.hashpath
    assert len(r2.hashpath.split("/")[0]) == 43


def test_same_schedule_same_state_and_hashpaths(wallet: Any) -> None:
    def run() -> tuple[list[str], dict[str, Any]]:
        node = ao.Node(wallet=wallet, clock=VirtualClock(1_700_000_000_000))
        proc = node.spawn(lua=PING, name="det")
        hps = [proc.eval(f"v = math.random(1000) + {i}; return v").hashpath for i in range(5)]
        hps.append(proc.send(action="Ping", data="x").hashpath)
        return hps, proc.state()

    first, second = run(), run()
    assert first == second


def test_isolation_between_processes(node: ao.Node) -> None:
    a = node.spawn(name="iso-a")
    b = node.spawn(name="iso-b")
    a.eval("Secret = 'mine'")
    assert b.eval("return Secret").output == ""
    assert b.eval("Secret = 'theirs'").error is None
    assert a.eval("return Secret").output == "mine"


def test_runaway_loop_and_memory_bomb_are_stopped(node: ao.Node) -> None:
    proc = node.spawn(name="limits")
    proc.eval("kept = 'yes'")
    loop = proc.eval("while true do end")
    assert loop.error is not None and "limit" in loop.error.lower()
    bomb = proc.eval("local t = {} while true do t[#t+1] = string.rep('x', 1e6) end")
    assert bomb.error is not None
    assert proc.eval("return kept").output == "yes"


def test_verify_checks_the_schedule(node: ao.Node) -> None:
    proc = node.spawn(name="ver")
    for i in range(3):
        proc.eval(f"return {i}")
    report = node.verify(proc)
    assert report
    assert report.signed_through == proc.slot


def test_unknown_process(node: ao.Node) -> None:
    with pytest.raises(ProcessNotFoundError):
        node.process("n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk")


def test_reopening_a_sqlite_node_resumes_every_process(tmp_path: Path, wallet: Any) -> None:
    db = f"sqlite:{tmp_path / 'node.db'}"
    node = ao.Node(store=db, clock=VirtualClock(1_700_000_000_000))
    address = node.address
    proc = node.spawn(lua=PING, name="persist")
    proc.eval("kept = 7")
    last = proc.eval("return kept * 6")
    node.close()
    again = ao.Node(store=db, clock=VirtualClock(1_700_000_000_000))
    assert again.address == address
    same = again.process(proc.id)
    assert same.slot == last.slot
    assert same.result(last.slot).hashpath == last.hashpath
    assert same.eval("return kept").output == "7"
    again.close()


def test_cron_ticks_on_the_virtual_clock(wallet: Any) -> None:
    node = ao.Node(wallet=wallet, clock="virtual")
    proc = node.spawn(name="ticker", cron="10-seconds", lua="""
Handlers.add("cron", "Cron", function(msg) Ticks = (Ticks or 0) + 1; LastTick = msg.Timestamp end)
""")
    spawned_at = int(proc.schedule[0]["timestamp"])  # type: ignore[arg-type]
    assert node.advance(9_999) == []
    results = node.advance(25_001)
    assert [r.slot for r in results] == [1, 2, 3]
    assert proc.inspect("return Ticks") == 3
    assert proc.inspect("return LastTick") == spawned_at + 30_000
    assert node.advance(1_000) == []


def test_bad_cron_intervals_are_named(wallet: Any) -> None:
    from ao_kernel.core.errors import SchedulerError

    node = ao.Node(wallet=wallet, clock="virtual")
    node.spawn(name="bad", cron="5-blocks")
    with pytest.raises(SchedulerError, match="block"):
        node.advance(1_000)


def test_patch_publishes_state(node: ao.Node) -> None:
    proc = node.spawn(name="patcher")
    res = proc.eval('Send({ device = "patch@1.0", cache = { balance = 10 } })')
    assert res.error is None
    assert res.messages == []  # a patch goes to no process
    assert res.patches == [{"cache": {"balance": 10}}]
    assert proc.patched == {"cache": {"balance": 10}}


def test_node_sent_messages_never_share_an_id(node: ao.Node) -> None:
    proc = node.spawn(name="ids")
    first = proc.send(action="Same", data="same")
    second = proc.send(action="Same", data="same")
    assert first.message_id != second.message_id


def test_pushes_speak_as_the_authority_the_target_trusts(wallet: Any) -> None:
    """A process spawned (as by the aos CLI) with a foreign messenger as Authority still
    trusts what this node's messenger pushes to it."""
    node = ao.Node(wallet=wallet, clock="virtual")
    mu = "fcoN_xJeisVsPXA-trzVAuIiqO3ydLQxM-L4XbrQKzY"
    target = node.spawn(name="cli-spawned", authority=mu,
                        lua='Handlers.add("hi", "Hi", function(m) Got = m.From end)')
    sender = node.spawn(name="sender")
    sender.eval(f'Send({{ Target = "{target.id}", Action = "Hi" }})')
    assert target.inspect("return Got") == sender.id


def test_block_heights_can_follow_the_clock(wallet: Any) -> None:
    node = ao.Node(wallet=wallet, clock="virtual", blocks="clock")
    proc = node.spawn(name="blocks", lua='Handlers.add("h", "H", function(m) Height = m["Block-Height"] end)')
    first = proc.send(action="H")
    node.advance(10 * 120_000)
    second = proc.send(action="H")
    assert int(second.assignment["block-height"]) - int(first.assignment["block-height"]) == 10  # type: ignore[index,arg-type]
    assert proc.inspect("return Height") == int(second.assignment["block-height"])  # type: ignore[index,arg-type]


def test_process_paths_resolve_locally(node: ao.Node) -> None:
    proc = node.spawn(name="paths")
    proc.eval("return 1 + 1")
    assert node.resolve(f"/{proc.id}~process@1.0/compute&slot+integer=1/results/data") == "2"
    assert node.resolve(f"/{proc.id}~process@1.0/slot")["current"] == 1
    proc.eval('Send({ device = "patch@1.0", cache = { balance = 10 } })')
    assert node.resolve(f"/{proc.id}~process@1.0/compute/cache/balance") == 10


def test_the_node_owns_the_checkpoint_flusher(wallet: Any) -> None:
    import time

    node = ao.Node(wallet=wallet, clock="virtual")
    node.scheduler.checkpoint_every = 2  # (K: the server's signing policy)
    node.start_flusher(poll_ms=20)
    proc = node.spawn(lua="")
    proc.send(action="Ping")  # the tail reaches 2: the thread signs, not the send
    deadline = time.monotonic() + 10
    while not node.checkpoints(proc.id) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [c["slot"] for c in node.checkpoints(proc.id)] == [1]
    node.close()  # stops the thread, then signs what is left
    assert node.scheduler.on_due is None


def test_copy_store_is_a_snapshot_a_new_node_resumes(tmp_path):
    from ao_kernel.core.errors import StoreError

    node = ao.Node()
    proc = node.spawn(lua="Handlers.add('c', 'C', function() N = (N or 0) + 1 end)")
    proc.send(action="C")
    copy = node.copy_store()
    proc.send(action="C")
    again = ao.Node(store=copy, wallet=node.wallet)
    assert again.process(proc.id).state()["N"] == 1  # as it was at the copy
    disk = ao.Node(store=f"sqlite:{tmp_path / 'a.db'}")
    other = disk.spawn(lua="X = 7")
    with pytest.raises(StoreError, match="path="):
        disk.copy_store()
    assert disk.copy_store(str(tmp_path / "b.db")) is None
    disk.close()
    reopened = ao.Node(store=f"sqlite:{tmp_path / 'b.db'}")
    assert reopened.process(other.id).state()["X"] == 7
    reopened.close()
