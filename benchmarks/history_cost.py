"""What a process's history costs: an erroring message, a dry-run and time travel, at
history 0, 2,000 and 10,000 slots, beside a normal message measured in the same run.

The design measured (``runtimes/aos/lua_process.py``): a live aos process keeps a
checkpoint of its Lua state (``LuaEngine.snapshot``, captured in place) every
``CHECKPOINT_EVERY`` successful messages. An erroring message restores the last one and
replays the messages since (in one crossing into Lua); a capture follows before the next
message when the replay was long, so a run of errors costs one restore each. A dry-run
captures, runs and restores; ``state(slot=N)`` restores the nearest older checkpoint and
replays to N. None of it follows the history's length, only the state's size and the
distance to the last checkpoint.

Columns (ms, medians): ``normal`` a send; ``isolated`` an erroring send after a varying
run of good ones (so every distance to the last checkpoint is sampled; ``worst`` is the
slowest), ``after`` the good send right after it (it may pay the capture); ``errors``
erroring sends in a row; ``dry-run``; ``state(N)`` one slot back; ``snapshot`` and
``restore`` of the process's live engine, and the objects captured. The state is a
token-like ledger of 500 accounts.

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


def measure(history: int, repeat: int) -> dict[str, float]:
    """One row (see the module docstring for the columns)."""
    _node, proc = grown(history)
    good = {"action": "Credit", "tags": {"Who": "x", "Quantity": "1"}}
    bad = {"action": "Credit", "tags": {"Who": "x"}}  # no Quantity: the handler errors
    row: dict[str, float] = {"history": history}
    row["normal"] = timed(lambda: proc.send(**good), max(repeat, 60))
    isolated, after = [], []
    for j in range(24):  # runs of 1..127 good messages: every distance to a checkpoint
        proc.send_many([good] * (1 + (j * 53) % 127))
        isolated.append(timed(lambda: proc.send(**bad), 1))
        after.append(timed(lambda: proc.send(**good), 1))
    row["isolated"] = statistics.median(isolated)
    row["worst"] = max(isolated)
    row["after"] = statistics.median(after)
    row["errors"] = timed(lambda: proc.send(**bad), max(repeat, 5))
    row["dry-run"] = timed(
        lambda: proc.dry_run(action="Credit", tags={"Who": "y", "Quantity": "2"}), repeat)
    row["state(N)"] = timed(lambda: proc.state(slot=max(proc.slot - 1, 0)), repeat)
    try:
        take, put, objects = snapshot_figures(proc, repeat)
    except AttributeError:  # the node's parts moved: report the replay figures only
        take = put = float("nan")
        objects = 0
    row.update(snapshot=take, restore=put, objects=objects)
    return row


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

    columns = ("history", "normal", "isolated", "worst", "after", "errors", "dry-run",
               "state(N)", "snapshot", "restore", "objects")
    print(" ".join(f"{c:>9}" for c in columns) + "   (ms)")
    for row in rows:
        cells = [f"{row[c]:>9.0f}" if c in ("history", "objects") else f"{row[c]:>9.2f}"
                 for c in columns]
        normal = row["normal"]
        print(" ".join(cells) + f"   isolated/normal {row['isolated'] / normal:.1f}x"
              f" (worst {row['worst'] / normal:.1f}x), dry-run/normal"
              f" {row['dry-run'] / normal:.1f}x")
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
