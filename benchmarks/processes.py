"""Processes end to end on one core, beside the raw lupa call rate measured in the same run.

    .venv/bin/python benchmarks/processes.py [--messages 2000]

Prints: the raw lupa rate of a trivial Lua handler (the baseline), end-to-end messages/s
(send -> schedule -> compute -> result) for a trivial aos handler in memory and with
SQLite, a ping-pong between two processes, spawns/s, memory per idle aos process, and
how many live processes one node holds.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import lupa.lua53

import ao_kernel as ao
from ao_kernel.node.clock import VirtualClock
from ao_kernel.testing.wallets import dev_wallet

HANDLER = 'Handlers.add("ping", "Ping", function(msg) Count = (Count or 0) + 1 end)'
PONG = """
Handlers.add("ping", "Ping", function(msg)
  Count = (Count or 0) + 1
  if Count < Limit then msg.reply({ Action = "Ping" }) end
end)
"""


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def raw_lupa(n: int) -> float:
    lua = lupa.lua53.LuaRuntime()
    handler = lua.eval("function(msg) Count = (Count or 0) + 1; return msg.Action end")
    msgs = [lua.table_from({"Action": "Ping", "Data": "x", "From": "abc"}) for _ in range(100)]
    start = time.perf_counter()
    for i in range(n):
        handler(msgs[i % 100])
    return n / (time.perf_counter() - start)


def node(store: str | None = None) -> ao.Node:
    return ao.Node(store=store, wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))


def end_to_end(store: str | None, n: int) -> float:
    nd = node(store)
    proc = nd.spawn(lua=HANDLER, name="bench")
    start = time.perf_counter()
    for _ in range(n):
        proc.send(action="Ping")
    rate = n / (time.perf_counter() - start)
    assert proc.inspect("return Count") == n
    nd.close()
    return rate


def batched(store: str | None, n: int, size: int = 500) -> float:
    """The same messages through ``proc.send_many`` in batches of ``size``: one store
    transaction per batch (with SQLite, one commit instead of one per message)."""
    nd = node(store)
    proc = nd.spawn(lua=HANDLER, name="bench")
    start = time.perf_counter()
    for first in range(0, n, size):
        proc.send_many(["Ping"] * min(size, n - first))
    rate = n / (time.perf_counter() - start)
    assert proc.inspect("return Count") == n
    nd.close()
    return rate


def phases(n: int) -> dict[str, float]:
    """Where one in-memory send's time goes (microseconds per message), timed by wrapping
    the scheduler, the aos process call (Lua and its boundary) and the push."""
    from ao_kernel.devices.push import Messenger
    from ao_kernel.devices.scheduler.server import Scheduler
    from ao_kernel.runtimes.aos.lua_process import AosProcess

    spent = {"schedule": 0.0, "aos call (Lua + boundary)": 0.0, "push": 0.0}
    originals = [(Scheduler, "schedule", "schedule"),
                 (AosProcess, "apply", "aos call (Lua + boundary)"), (Messenger, "push", "push")]

    def timed(fn: Any, name: str) -> Any:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    for cls, attr, name in originals:
        setattr(cls, attr, timed(getattr(cls, attr), name))
    try:
        nd = node()
        proc = nd.spawn(lua=HANDLER, name="bench")
        for key in spent:
            spent[key] = 0.0
        start = time.perf_counter()
        for _ in range(n):
            proc.send(action="Ping")
        total = time.perf_counter() - start
    finally:
        for cls, attr, _ in originals:
            setattr(cls, attr, getattr(cls, attr).__wrapped__)
    out = {k: v / n * 1e6 for k, v in spent.items()}
    out["the rest (message, JSON-1, IDs, hashpath, result)"] = \
        total / n * 1e6 - sum(out.values())
    out["total"] = total / n * 1e6
    return out


def ping_pong(n: int) -> float:
    nd = node()
    a = nd.spawn(lua=PONG, name="a")
    b = nd.spawn(lua=PONG, name="b")
    a.eval(f"Limit = {n}")
    b.eval(f"Limit = {n}")
    start = time.perf_counter()
    first = a.eval(f'Send({{ Target = "{b.id}", Action = "Ping" }})', push=False)
    nd.push(first, max_depth=10 * n, max_pushes=10 * n)
    elapsed = time.perf_counter() - start
    messages = a.inspect("return Count") + b.inspect("return Count")
    return messages / elapsed


def spawns(n: int) -> tuple[float, float, int]:
    nd = node()
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    procs = [nd.spawn(name=f"p{i}") for i in range(n)]
    rate = n / (time.perf_counter() - start)
    gc.collect()
    per_proc = (rss_mb() - before) / n
    return rate, per_proc, len(procs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=1000)
    args = parser.parse_args()
    n = args.messages

    baseline = raw_lupa(50_000)
    print(f"{'raw lupa call of a trivial handler':<46}: {baseline:>9,.0f} /s (baseline)")
    mem = end_to_end(None, n)
    with tempfile.TemporaryDirectory() as tmp:
        sql = end_to_end(f"sqlite:{Path(tmp) / 'bench.db'}", n)
    mem_batch = batched(None, n)
    with tempfile.TemporaryDirectory() as tmp:
        sql_batch = batched(f"sqlite:{Path(tmp) / 'bench.db'}", n)
    pp = ping_pong(max(100, n // 4))
    spawn_rate, per_proc, live = spawns(args.processes)
    rows = [
        ("end-to-end messages, in memory", mem, 20_000, "/s"),
        ("end-to-end messages, SQLite", sql, 5_000, "/s"),
        ("  the same in batches (send_many), in memory", mem_batch, 20_000, "/s"),
        ("  the same in batches (send_many), SQLite", sql_batch, 5_000, "/s"),
        ("ping-pong messages between two processes", pp, None, "/s"),
        ("spawns", spawn_rate, 500, "/s"),
    ]
    for name, value, target, unit in rows:
        goal = f"target {target:,}{unit} {'met' if value >= target else 'MISSED'}" if target else ""
        print(f"{name:<46}: {value:>9,.0f} {unit} ({value / baseline:.3f} x raw lupa)  {goal}")
    print(f"{'memory per idle aos process':<46}: {per_proc:>9.2f} MB   target 2 MB "
          f"{'met' if per_proc <= 2 else 'MISSED'}")
    print(f"{'live processes in one node (this run)':<46}: {live:>9,}")
    print("where one in-memory send's time goes (us per message):")
    for name, micros in phases(min(n, 2000)).items():
        print(f"  {name:<50}: {micros:>7.1f}")


if __name__ == "__main__":
    main()
