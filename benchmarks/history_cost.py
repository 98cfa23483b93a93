"""What a process's history costs: an erroring message, a dry-run and time travel, at
history 0, 2,000 and 10,000 slots, beside a normal message measured in the same run.

Two designs side by side:

* **replay** (the node today, through the public API): an erroring message and a dry-run
  rebuild the process by replaying its successful history into a fresh Lua state;
  ``state(slot=N)`` replays from slot 0.
* **snapshot** (``LuaEngine.snapshot/restore``): a copy of the Lua universe taken and
  restored inside the same state; its cost follows the state's size, not the history's.
  Measured on the same process state (a token-like ledger that grows with the history).

    .venv/bin/python benchmarks/history_cost.py [--histories 0,2000,10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import ao_kernel as ao

LEDGER = """
Balances = Balances or {}
Handlers.add("credit", "Credit", function(msg)
  local who = msg.Tags.Who
  Balances[who] = (Balances[who] or 0) + tonumber(msg.Tags.Quantity)
end)
"""


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def grown(history: int) -> tuple[ao.Node, object]:
    node = ao.Node()
    proc = node.spawn(name=f"ledger-{history}", lua=LEDGER)
    batch = [{"action": "Credit", "tags": {"Who": f"acct-{i % 500}", "Quantity": "1"}}
             for i in range(history)]
    for start in range(0, len(batch), 1000):
        proc.send_many(batch[start:start + 1000])
    return node, proc


def snapshot_figures(proc: object, repeat: int) -> tuple[float, float, int]:
    """(snapshot ms, restore ms, objects captured) on the process's live engine."""
    # the process's live Lua engine, reached through the parts on purpose (a benchmark)
    engine = proc.node.computer.runtime(proc.id).engine  # type: ignore[attr-defined]
    snap = engine.snapshot()
    take = timed(engine.snapshot, repeat)
    put = timed(lambda: engine.restore(snap), repeat)
    return take, put, snap.objects


def measure(history: int, repeat: int) -> tuple[int, float, float, float, float, float,
                                                  float, float, int]:
    """One row: the history, then ms for a normal send, the first erroring send (the
    replay since the last checkpoint included, median of errors each after 32 good
    messages), the next ones, a dry-run, state(slot) one
    slot back, a capture and a restore, and the objects captured."""
    _node, proc = grown(history)
    normal = timed(lambda: proc.send(action="Credit", tags={"Who": "x", "Quantity": "1"}),
                   max(repeat, 60))
    firsts = []
    for _ in range(repeat):  # an error after 32 good messages: on average, the replay part
        proc.send_many([{"action": "Credit", "tags": {"Who": "x", "Quantity": "1"}}] * 32)
        firsts.append(timed(lambda: proc.send(action="Credit", tags={"Who": "x"}), 1))
    first = statistics.median(firsts)
    erroring = timed(lambda: proc.send(action="Credit", tags={"Who": "x"}), repeat)
    dry = timed(lambda: proc.dry_run(action="Credit", tags={"Who": "y", "Quantity": "2"}),
                repeat)
    travel = timed(lambda: proc.state(slot=max(proc.slot - 1, 0)), repeat)
    try:
        take, put, objects = snapshot_figures(proc, repeat)
    except AttributeError:  # the node's parts moved: report the replay figures only
        take = put = float("nan")
        objects = 0
    return history, normal, first, erroring, dry, travel, take, put, objects


def restart(messages: int, error_every: int | None, path: str) -> float:
    """Seconds to reopen a SQLite node whose process has ``messages`` slots (every
    ``error_every``-th one erroring) and compute it back to its latest slot."""
    node = ao.Node(store=f"sqlite:{path}")
    proc = node.spawn(name="ledger", lua=LEDGER)
    batch = [{"action": "Credit", "tags": {"Who": f"acct-{i % 50}", "Quantity": "1"}}
             if not error_every or i % error_every else
             {"action": "Credit", "tags": {"Who": "x"}} for i in range(messages)]
    for start in range(0, messages, 1000):
        proc.send_many(batch[start:start + 1000])
    pid = proc.id
    node.close()
    start = time.perf_counter()
    again = ao.Node(store=f"sqlite:{path}")
    again.process(pid).state()
    elapsed = time.perf_counter() - start
    again.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--histories", default="0,2000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--restart", type=int, default=5000,
                        help="messages for the restart figure (0: skip it)")
    args = parser.parse_args()
    rows = [measure(int(h), args.repeat) for h in args.histories.split(",")]

    print(f"{'history':>8} {'normal':>8} {'1st error':>10} {'errors':>8} {'dry-run':>9} "
          f"{'state(N)':>9} {'snapshot':>9} {'restore':>8} {'objects':>8}   (ms)")
    for history, normal, first, erroring, dry, travel, take, put, objects in rows:
        print(f"{history:>8} {normal:>8.2f} {first:>10.2f} {erroring:>8.2f} {dry:>9.2f} "
              f"{travel:>9.2f} {take:>9.2f} {put:>8.2f} {objects:>8}   1st error/normal "
              f"{first / normal:.0f}x, dry-run/normal {dry / normal:.0f}x")
    if args.restart:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            clean = restart(args.restart, None, str(Path(tmp) / "clean.db"))
            faulty = restart(args.restart, 20, str(Path(tmp) / "faulty.db"))
        print(f"reopen and recompute {args.restart:,} slots (SQLite): clean {clean:.2f} s, "
              f"5% erroring {faulty:.2f} s ({faulty / clean:.1f}x)")


if __name__ == "__main__":
    main()
