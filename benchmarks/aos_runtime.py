"""The aos runtime's own cost: a trivial handler through our full aos runtime versus the
same handler as a bare Lua function on the same engine, the time to boot a process, and
what one aos ``print`` costs with nobody watching and with its line streamed to a
listener (``watching_prints``, as the AO kernel streams a cell's prints).

    .venv/bin/python benchmarks/aos_runtime.py [--messages 5000]
"""

from __future__ import annotations

import argparse
import time

from ao_kernel.runtimes.aos import AOS_MODULE_ID, modules
from ao_kernel.runtimes.aos.lua_process import AosProcess
from ao_kernel.runtimes.aos.process import watching_prints
from ao_kernel.runtimes.lua import LuaEngine

PID = "P" * 43
OWNER = "O" * 43
TAGS = [{"name": "Type", "value": "Process"}, {"name": "Module", "value": AOS_MODULE_ID},
        {"name": "Name", "value": "bench"}, {"name": "On-Boot", "value": "Data"}]
BOOT = 'Handlers.add("ping", "Ping", function(msg) Count = (Count or 0) + 1 end)'


def process_message() -> dict[str, object]:
    return {"Id": PID, "Owner": OWNER, "From": OWNER, "Target": PID, "Tags": TAGS,
            "Data": BOOT, "Timestamp": 1, "Block-Height": 1, "Nonce": 0, "Epoch": 0}


def ping(i: int) -> dict[str, object]:
    return {"Id": f"{i:043d}", "Owner": OWNER, "From": OWNER, "Target": PID, "Data": "",
            "Tags": [{"name": "Action", "value": "Ping"}], "Timestamp": 1 + i,
            "Block-Height": 1, "Nonce": i, "Epoch": 0}


_LUA_LOOP = f"""
local step, handle, env, n = ...
for i = 1, n do
  step(handle, env, 9, "Id", string.format("%043d", i), "Owner", "{OWNER}", "From", "{OWNER}",
    "Target", "{PID}", "Data", "", "Timestamp", 1 + i, "Block-Height", 1, "Nonce", i,
    "Epoch", 0, "Action", "Ping")
end
"""


PRINTS = 200  # aos joins each print onto Output.data: more lines cost more each
_PRINTING = f"for i = 1, {PRINTS} do print('line ' .. i) end"


def env() -> dict[str, object]:
    return {"Process": {"Id": PID, "Owner": OWNER, "Tags": TAGS},
            "Module": {"Id": AOS_MODULE_ID, "Owner": OWNER, "Tags": []}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    n = parser.parse_args().messages

    engine = LuaEngine()
    bare = engine.execute("return function(msg) Count = (Count or 0) + 1; return msg end")
    msgs = [engine.table_from({"Action": "Ping", "From": OWNER}) for _ in range(100)]
    start = time.perf_counter()
    for i in range(n):
        engine.call(bare, msgs[i % 100])
    bare_rate = n / (time.perf_counter() - start)

    start = time.perf_counter()
    boots = 20
    for _ in range(boots):
        AosProcess(process_message(), env(), seed=b"x")
    boot_ms = (time.perf_counter() - start) / boots * 1000

    proc = AosProcess(process_message(), env(), seed=b"x")
    pings = [ping(i) for i in range(1, n + 1)]
    start = time.perf_counter()
    for m in pings:
        proc.apply(m)
    aos_rate = n / (time.perf_counter() - start)
    assert proc.inspect("return Count") == n

    # The Lua side alone: the same messages built and handled by a loop inside Lua (the
    # boundary's step and process.handle, no Python per message).
    proc = AosProcess(process_message(), env(), seed=b"x")
    engine = proc.engine
    start = time.perf_counter()
    engine.execute(_LUA_LOOP, "bench", engine._ao_step, proc._handle, proc._env_lua, n)
    lua_us = (time.perf_counter() - start) / n * 1e6
    assert proc.inspect("return Count") == n

    warm = LuaEngine(modules=modules())
    start = time.perf_counter()
    for _ in range(boots):
        LuaEngine(modules=modules()).execute('require(".process")')
    engine_ms = (time.perf_counter() - start) / boots * 1000
    del warm

    # print: an Eval printing PRINTS lines, unwatched and watched (each line to a listener)
    proc = AosProcess(process_message(), env(), seed=b"x")
    per_print = {}
    nonce = n + 1
    for label in ("unwatched", "watched"):
        runs, best = 50, float("inf")
        for _ in range(runs):
            msg = {**ping(nonce), "Data": _PRINTING, "Tags": [{"name": "Action", "value": "Eval"}]}
            lines: list[str] = []
            start = time.perf_counter()
            if label == "watched":
                with watching_prints(PID, nonce, lines.append):
                    proc.apply(msg)
                assert len(lines) == PRINTS
            else:
                proc.apply(msg)
            best = min(best, time.perf_counter() - start)
            nonce += 1
        per_print[label] = best / PRINTS * 1e6

    print(f"{'bare Lua handler on the metered engine':<46}: {bare_rate:>9,.0f} msg/s (baseline)")
    print(f"{'trivial handler through the full aos runtime':<46}: {aos_rate:>9,.0f} msg/s "
          f"({aos_rate / bare_rate:.3f} x bare)")
    print(f"{'  of which Lua (step + process.handle)':<46}: {lua_us:>9.1f} us/msg "
          f"(message {1e6 / aos_rate:.1f} us)")
    print(f"{'boot an aos process (engine + runtime + spawn)':<46}: {boot_ms:>9.2f} ms")
    print(f"{'  of which engine + runtime modules (cached)':<46}: {engine_ms:>9.2f} ms")
    print(f"{'aos print, nobody watching':<46}: {per_print['unwatched']:>9.2f} us/line")
    print(f"{'aos print, streamed to a listener':<46}: {per_print['watched']:>9.2f} us/line")


if __name__ == "__main__":
    main()
