"""The wasmtime engine on our own module, tests/runtimes/wasm/fac.wat (recipe inside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ao_kernel.core.errors import ComputeLimitError, MemoryLimitError, ProcessError
from ao_kernel.runtimes.wasm import PAGE, WasmInstance, WasmModule, parse_memory_limit

FAC = Path(__file__).resolve().parent / "wasm" / "fac.wat"


@pytest.fixture
def module() -> WasmModule:
    return WasmModule.load(FAC)


def test_module_is_memory64_and_compiled_once(module):
    assert module.memory64
    assert WasmModule.load(FAC) is module
    assert "fac" in module.export_names()


def test_fac(module):
    inst = WasmInstance(module)
    assert inst.call("fac", 5.0) == [120.0]
    assert inst.call("fac", 6.0) == [720.0]
    assert inst.fuel_used > 0


def test_strings_go_in_and_come_back(module):
    inst = WasmInstance(module)
    assert inst.call_strings("echo", "héllo") == "héllo"


def test_fuel_limit_is_compute_limit_error(module):
    inst = WasmInstance(module, fuel=100_000)
    assert inst.call("spin", 1000) == [1000]
    with pytest.raises(ComputeLimitError):
        inst.call("spin", 10**9)
    assert inst.poisoned
    with pytest.raises(ProcessError):
        inst.call("fac", 3.0)


def test_memory_limit(module):
    inst = WasmInstance(module, memory_limit=4 * PAGE)
    assert inst.call("grow", 2) == [1]  # old size in pages
    assert inst.call("grow", 5) == [-1]  # beyond the limit: wasm's failure value
    assert inst.memory_size() == 3 * PAGE
    with pytest.raises(MemoryLimitError):
        WasmInstance(module, memory_limit=PAGE // 2)


def test_parse_memory_limit():
    assert parse_memory_limit("1-gb") == 1 << 30
    assert parse_memory_limit("512-mb") == 512 << 20
    assert parse_memory_limit("17179869184") == 17179869184
    assert parse_memory_limit(None) is None
    with pytest.raises(ProcessError):
        parse_memory_limit("lots")


def test_snapshot_and_restore(module):
    inst = WasmInstance(module)
    inst.call("store", 4096, 7)
    inst.call("fac", 3.0)
    snap = inst.snapshot()
    assert snap.globals["calls"] == 4
    inst.call("store", 4096, 99)
    inst.call("grow", 1)
    inst.call("fac", 2.0)
    inst.restore(snap)
    assert inst.call("load", 4096) == [7]
    assert inst.memory_size() == snap.size
    assert snap.globals["calls"] == 4
    inst.call("fac", 1.0)
    assert inst.snapshot().globals["calls"] == 6


def test_restore_after_a_limit(module):
    inst = WasmInstance(module, fuel=50_000)
    inst.call("store", 64, 5)
    snap = inst.snapshot()
    with pytest.raises(ComputeLimitError):
        inst.call("spin", 10**9)
    inst.restore(snap)
    assert inst.call("load", 64) == [5]


def test_unknown_imports_are_recorded_stubs():
    mod = WasmModule.load('''(module
      (import "env" "mystery" (func $m (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "go") (result i32) (drop (call $r (i32.const 16) (i32.const 8)))
        (call $m (i32.const 3))))''')
    a = WasmInstance(mod, seed=b"s")
    assert a.call("go") == [0]
    assert a.undefined_calls == [("env", "mystery", (3,))]
    b = WasmInstance(mod, seed=b"s")
    b.call("go")
    assert a.read(16, 8) == b.read(16, 8) != bytes(8)  # deterministic random_get
