"""AO kernel timings: kernel start to first Lua result, a one-line Lua cell, a cell that
prints, and when a long cell's print reaches the client (before the cell ends).

    .venv/bin/python benchmarks/kernel.py [--runs 3] [--cells 200]

Starts the installed ``ao`` kernelspec with jupyter_client (a real kernel process, ZMQ
sockets), so the figures include everything a notebook user waits for.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from jupyter_client.manager import start_new_kernel


def execute(kc: Any, code: str) -> str:
    msg_id = kc.execute(code)
    result = ""
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            result = msg["content"]["data"]["text/plain"]
        elif msg["msg_type"] == "error":
            raise RuntimeError(msg["content"]["evalue"])
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return result


def print_arrival(kc: Any, loop: int) -> tuple[float, float]:
    """Seconds from sending a cell that prints, then loops, to its stream message, and to
    the cell's end."""
    t = time.perf_counter()
    msg_id = kc.execute(f'print("go")\nfor i = 1, {loop} do end\nreturn 1')
    arrived = None
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and arrived is None:
            arrived = time.perf_counter() - t
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            assert arrived is not None
            return arrived, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="kernel starts to time")
    parser.add_argument("--cells", type=int, default=200, help="one-line cells to time")
    args = parser.parse_args()

    starts, firsts = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="ao")
        t1 = time.perf_counter()
        assert execute(kc, "1 + 1") == "2"
        t2 = time.perf_counter()
        starts.append(t1 - t0)
        firsts.append(t2 - t0)
        if _ < args.runs - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    cells = []
    for i in range(args.cells):
        t = time.perf_counter()
        execute(kc, f"return {i} + 1")
        cells.append(time.perf_counter() - t)
    printing = []
    for i in range(args.cells // 4):
        t = time.perf_counter()
        execute(kc, f'print("line {i}")\nreturn {i}')
        printing.append(time.perf_counter() - t)
    arrivals = [print_arrival(kc, 90_000_000) for _ in range(3)]
    kc.stop_channels()
    km.shutdown_kernel(now=True)

    print(f"kernel ready (kernel_info)     median {statistics.median(starts):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in starts)})")
    print(f"kernel start -> first result   median {statistics.median(firsts):.2f} s "
          f"(runs: {', '.join(f'{s:.2f}' for s in firsts)})")
    print(f"one-line Lua cell              median {statistics.median(cells) * 1000:.1f} ms, "
          f"p90 {sorted(cells)[int(len(cells) * 0.9)] * 1000:.1f} ms over {len(cells)} cells")
    print(f"a cell that prints, then returns median {statistics.median(printing) * 1000:.1f} ms "
          f"over {len(printing)} cells (the print streamed, flushed before the result)")
    print("a long cell's print arrives  " + ", ".join(
        f"{a:.2f} s (cell ends {e:.2f} s)" for a, e in arrivals))


if __name__ == "__main__":
    main()
