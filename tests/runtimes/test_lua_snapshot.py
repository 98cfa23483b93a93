"""Snapshots of a Lua engine's whole state, restored in place inside the same engine.

The unit tests pin what a snapshot must bring back (tables, metatables, closures and
their shared upvalues, objects only the host holds, the standard library tables, the random generator) and what it
refuses (a suspended coroutine, the memory limit). The corpus test is the strong one:
every recorded aos sequence, run with rollback by snapshot instead of rollback by
replay, gives the same responses and the same final state.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ao_kernel.core.errors import AOError, SnapshotError
from ao_kernel.runtimes.lua import LuaEngine
from tests.runtimes import aos_harness

RECORDED = Path(__file__).resolve().parent / "aos_recorded"


def test_tables_closures_and_library_tables_come_back():
    e = LuaEngine(seed=7)
    e.execute("""
      T = {a = 1, nested = {b = 2}}; T.self = T
      local n = 0
      function inc() n = n + 1; return n end
      function get() return n end
      setmetatable(T, {__index = function(_, k) return k .. "!" end, __metatable = "locked"})
      inc(); inc()
    """)
    snap = e.snapshot()
    assert snap.objects > 0
    e.execute("""
      T.a = 99; T.nested.b = 5; T.self = nil; inc(); X = 1; string.extra = 1
      setmetatable(_G, {__index = function() return "from mt" end})
    """)
    assert e.execute("return T.a, T.nested.b, get(), X, string.extra, Undefined") == (
        99, 5, 3, 1, 1, "from mt")
    e.restore(snap)
    assert e.execute("return T.a, T.nested.b, get(), T.self == T, T.zz, getmetatable(T)") == (
        1, 2, 2, True, "zz!", "locked")
    assert e.execute("return X, string.extra, Undefined, getmetatable(_G)") == (
        None, None, None, None)
    # the two closures still share their upvalue after the copy
    assert e.execute("return inc(), inc(), get()") == (3, 4, 4)


def test_a_snapshot_can_be_restored_many_times():
    e = LuaEngine()
    e.execute("Counter = {n = 0}")
    snap = e.snapshot()
    for _ in range(3):
        e.execute("Counter.n = Counter.n + 1; Other = Counter")
        assert e.execute("return Counter.n") == 1
        e.restore(snap)
        assert e.execute("return Counter.n, Other") == (0, None)


def test_random_generator_goes_back_with_the_state():
    e = LuaEngine(seed=3)
    e.execute("return math.random(1000)")
    snap = e.snapshot()
    first = e.execute("return math.random(10 ^ 9), math.random(10 ^ 9)")
    e.restore(snap)
    assert e.execute("return math.random(10 ^ 9), math.random(10 ^ 9)") == first


def test_objects_only_the_host_holds_are_restored_and_keep_their_identity():
    e = LuaEngine()
    counter = e.execute("local n = {v = 0}; return function() n.v = n.v + 1; return n.v end")
    table = e.execute("return {1, 2, 3}")
    snap = e.snapshot(counter, table)
    assert counter() == 1
    table[4] = 4
    e.restore(snap)
    assert counter() == 1
    assert list(table.values()) == [1, 2, 3]


def test_a_leaf_table_that_comes_to_hold_a_table_is_captured_through_it():
    e = LuaEngine()
    e.execute("Plain = {a = 1, b = 'x'}")
    first = e.snapshot()  # Plain is a leaf: held strings and numbers only
    e.execute("Plain.c = {deep = 1}")
    second = e.snapshot()  # now it holds a table, whose contents must be captured too
    e.execute("Plain.c.deep = 2; Plain.a = nil")
    e.restore(second)
    assert e.execute("return Plain.a, Plain.b, Plain.c.deep") == (1, "x", 1)
    e.restore(first)
    assert e.execute("return Plain.a, Plain.b, Plain.c") == (1, "x", None)
    e.restore(second)  # an older snapshot taken before a newer one stays exact
    assert e.execute("return Plain.c.deep") == 1


def test_unchanged_tables_reuse_their_copy_and_changes_since_are_all_undone():
    e = LuaEngine()
    e.execute("Big = {} for i = 1, 200 do Big['k' .. i] = i end; Seq = {1, 2, 3}")
    snaps = [e.snapshot() for _ in range(3)]  # nothing changed between them
    e.execute("Big.k5 = -5; Big.k6 = nil; Big.new = 1; Seq[4] = 4; Seq[1] = nil")
    for snap in reversed(snaps):
        e.restore(snap)
        assert e.execute("local n = 0 for _ in pairs(Big) do n = n + 1 end "
                         "return n, Big.k5, Big.k6, Big.new, #Seq, Seq[1]") == (
            200, 5, 6, None, 3, 1)
        e.execute("Big.k7 = 'changed'")


def test_restoring_never_calls_a_processes_eq_metamethod():
    e = LuaEngine()
    e.execute("""
      Calls = {n = 0}
      local mt = {__eq = function() Calls.n = Calls.n + 1; return true end}
      A, B = setmetatable({}, mt), setmetatable({}, mt)
      Holder = {v = A}
    """)
    snap = e.snapshot()
    e.execute("Holder.v = B")
    assert e.execute("return Holder.v == A, Calls.n") == (True, 1)  # __eq says equal
    e.execute("Calls.n = 0")
    e.restore(snap)
    assert e.execute("return rawequal(Holder.v, A), Calls.n") == (True, 0)
    e.snapshot()
    assert e.execute("return Calls.n") == 0


def test_a_cell_shared_by_closures_made_later_comes_back_for_all_of_them():
    e = LuaEngine()
    e.execute("""
      local n = 0
      Make = function() return function() n = n + 1; return n end end
      F1 = Make()
    """)
    snap = e.snapshot()
    e.execute("F2 = Make(); F1(); F2()")
    e.restore(snap)
    assert e.execute("return F2, F1(), F1()") == (None, 1, 2)


def test_errors_still_name_the_users_chunk_after_a_restore():
    e = LuaEngine()
    e.execute("function boom() error('bad thing') end", "mycode")
    e.restore(e.snapshot())
    with pytest.raises(AOError, match=r'mycode"\]:1: bad thing'):
        e.execute("boom()")


def test_a_suspended_coroutine_refuses_the_snapshot_and_a_dead_one_does_not():
    e = LuaEngine()
    e.execute("Co = coroutine.create(function() coroutine.yield(1) end); coroutine.resume(Co)")
    with pytest.raises(SnapshotError, match="suspended coroutine"):
        e.snapshot()
    e.execute("coroutine.resume(Co)")
    assert e.execute("return coroutine.status(Co)") == "dead"
    snap = e.snapshot()
    e.execute("Co = nil")
    e.restore(snap)
    assert e.execute("return coroutine.status(Co)") == "dead"


def test_the_memory_limit_refuses_a_snapshot_and_the_engine_keeps_working():
    e = LuaEngine(memory_limit=48 << 20)
    e.execute("Big = {} for i = 1, 400000 do Big[i] = {i} end")
    with pytest.raises(SnapshotError):
        e.snapshot()
    assert e.execute("return #Big") == 400000


# -- the aos corpus: rollback by snapshot == rollback by replay -----------------------------
class SnapshotHarness(aos_harness.AosHarness):
    """Rolls an erroring message back by restoring a snapshot taken before it."""

    restores = 0

    def _handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        snap = None
        if self.rollback and self.history:
            try:
                snap = self.engine.snapshot(self.lua_handle, self.lua_json_handle)
            except SnapshotError:
                snap = None  # a suspended Receive: fall back to the replay
        if snap is None:
            return super()._handle(msg)
        res = self._call(json.loads(json.dumps(msg)))
        if "Error" in res:
            self.engine.restore(snap)
            SnapshotHarness.restores += 1
        else:
            self.history.append(msg)
        self.responses.append(res)
        return res


def _state(proc: aos_harness.AosHarness) -> Any:
    return proc.lua("""
      local out = {}
      for k, v in pairs(_G) do
        if type(v) ~= "function" then out[#out + 1] = tostring(k) .. "=" .. type(v) end
      end
      table.sort(out)
      local handlers = Handlers and Handlers.list or {}
      return table.concat(out, ",") .. "|" .. #(Inbox or {}) .. "|" .. #handlers
    """)


def _run(cls: type[aos_harness.AosHarness], rec: dict[str, Any]) -> tuple[list[Any], Any]:
    from ao_kernel.runtimes import aos

    env = rec["env"]
    proc = cls(process_id=env["Process"]["Id"], owner=env["Process"]["Owner"],
               module=aos.AOS_MODULE_ID, spawn=False)
    proc.process_tags = env["Process"]["Tags"]
    out = []
    for step in rec["steps"]:
        msg = dict(step["msg"])
        if "blueprint" in step:
            msg["Data"] = aos.blueprint(step["blueprint"]["name"])
        out.append(proc.send_raw(msg))
    # heap addresses (tostring of functions and tables) differ between any two states
    text = re.sub(r"(function|table|thread): 0x[0-9a-f]+", r"\1: 0x", json.dumps(out))
    return json.loads(text), _state(proc)


def test_every_corpus_sequence_rolls_back_the_same_by_snapshot_as_by_replay():
    names = sorted(p.stem for p in RECORDED.glob("*.json"))
    assert names, "the recorded corpus is missing"
    SnapshotHarness.restores = 0
    for name in names:
        rec = json.loads((RECORDED / f"{name}.json").read_text())
        replayed = _run(aos_harness.AosHarness, rec)
        restored = _run(SnapshotHarness, rec)
        assert restored == replayed, name
    # the corpus has erroring messages after a success: the snapshot path really ran
    assert SnapshotHarness.restores >= 5


# -- the live aos process: checkpoints instead of replays -----------------------------------
def _ledger(n: int) -> Any:
    from ao_kernel.runtimes.aos import lua_process
    from benchmarks.aos_runtime import env, ping, process_message

    proc = lua_process.AosProcess(process_message(), env())
    for i in range(1, n + 1):
        assert proc.apply(ping(i)).error is None
    return proc, ping


def _eval(i: int, code: str) -> dict[str, Any]:
    from benchmarks.aos_runtime import ping

    msg = ping(i)
    msg["Tags"] = [{"name": "Action", "value": "Eval"}]
    msg["Data"] = code
    return msg


def test_an_erroring_message_rolls_back_by_checkpoint_in_the_same_engine():
    from ao_kernel.runtimes.aos import lua_process

    n = lua_process.CHECKPOINT_EVERY * 2 + 5
    proc, ping = _ledger(n)
    twin, _ = _ledger(n)
    engine = proc.engine
    assert proc._checkpoints
    bad = proc.apply(_eval(n + 1, "Count = -1; Leaked = {}; error('no')"))
    assert bad.error is not None
    assert proc.engine is engine, "rolled back in place, not rebuilt by a replay"
    assert proc.state() == twin.state()
    # and it goes on exactly like a process that never saw the error
    for i in range(n + 2, n + 2 + lua_process.CHECKPOINT_EVERY):
        assert proc.apply(ping(i)).output == twin.apply(ping(i)).output
    assert proc.state() == twin.state() and proc.state()["Count"] == n + lua_process.CHECKPOINT_EVERY


def test_a_dry_run_leaves_the_live_state_as_it_was():
    proc, _ = _ledger(3)
    engine, before = proc.engine, proc.state()
    out = proc.dry_run(_eval(10, "Count = 1000; return Count"))
    assert out.output["data"] == "1000"
    assert proc.dry_run(_eval(11, "Count = 5; error('dry')")).error is not None
    assert proc.engine is engine and proc.state() == before


def test_a_suspended_receive_falls_back_to_the_replay_and_stays_correct():
    from ao_kernel.runtimes.aos import lua_process

    n = lua_process.CHECKPOINT_EVERY + 1
    proc, _ = _ledger(n)
    twin, _ = _ledger(n)
    code = "Handlers.add('w', 'Wait', function() Got = Receive({Action = 'Never'}) end)"
    for p in (proc, twin):
        assert p.apply(_eval(n + 1, code)).error is None
        wait = _eval(n + 2, "")
        wait["Tags"] = [{"name": "Action", "value": "Wait"}]
        assert p.apply(wait).error is None
    engine = proc.engine
    with pytest.raises(SnapshotError):
        engine.snapshot()
    assert proc.dry_run(_eval(n + 3, "Count = 0")).error is None
    assert proc.apply(_eval(n + 4, "Count = 0; error('x')")).error is not None
    assert proc.state() == twin.state()


def test_time_travel_reads_any_slot_from_a_checkpoint_and_changes_nothing():
    from ao_kernel.runtimes.aos import lua_process

    n = lua_process.CHECKPOINT_EVERY * 40  # more checkpoints than are kept
    proc, ping = _ledger(n)
    assert len(proc._checkpoints) <= lua_process.MAX_CHECKPOINTS
    engine, now = proc.engine, proc.state()
    for nonce in (1, 31, 32, 33, 500, n - 1):
        state = proc.state_at(nonce)
        if state is None:  # older than the first checkpoint kept: the caller replays
            assert nonce < proc._checkpoints[0][0]
            continue
        assert state["Count"] == nonce
    assert proc.state_at(n) == now
    assert proc.engine is engine and proc.state() == now
    assert proc.apply(ping(n + 1)).error is None and proc.state()["Count"] == n + 1


def test_an_isolated_error_replays_without_a_capture_and_a_run_of_errors_replays_nothing():
    from ao_kernel.runtimes.aos import lua_process

    n = lua_process.CHECKPOINT_EVERY + lua_process.RECAPTURE_AFTER + 3
    proc, ping = _ledger(n)
    twin, _ = _ledger(n)
    engine = proc.engine
    seen: dict[str, int] = {"snapshot": 0, "replayed": 0}
    snapshot, call_each = engine.snapshot, engine.call_each

    def counting_snapshot(*roots: Any) -> Any:
        seen["snapshot"] += 1
        return snapshot(*roots)

    def counting_call_each(fn: Any, a: Any, b: Any, calls: Any) -> int:
        calls = list(calls)
        seen["replayed"] += len(calls)
        return call_each(fn, a, b, calls)

    engine.snapshot, engine.call_each = counting_snapshot, counting_call_each
    assert proc.apply(_eval(n + 1, "Count = -1; error('one')")).error is not None
    # the messages since the checkpoint, in one crossing, and no capture yet
    assert seen == {"snapshot": 0, "replayed": lua_process.RECAPTURE_AFTER + 3}
    for i in range(n + 2, n + 6):  # the next message captures first; errors then cost none
        assert proc.apply(_eval(i, "Count = -1; error('again')")).error is not None
    assert seen == {"snapshot": 1, "replayed": lua_process.RECAPTURE_AFTER + 3}
    assert proc.state() == twin.state()
    assert proc.apply(ping(n + 6)).output == twin.apply(ping(n + 1)).output
    assert proc.state() == twin.state()


def test_a_young_process_rolls_back_in_place_too():
    # the first checkpoint is taken before the first message, so an early error restores
    # it instead of booting a fresh engine and replaying
    proc, ping = _ledger(3)
    twin, _ = _ledger(3)
    engine = proc.engine
    assert [at for at, _ in proc._checkpoints] == [0]
    assert proc.apply(_eval(4, "Count = -1; Leaked = {}; error('early')")).error is not None
    assert proc.engine is engine and proc.state() == twin.state()
    assert proc.apply(ping(5)).output == twin.apply(ping(4)).output
