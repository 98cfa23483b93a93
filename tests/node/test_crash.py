"""Persistence that loses nothing: a node killed with SIGKILL mid-stream, reopened,
resumes every process at its last acknowledged slot with the same state and hashpaths
as a node that never crashed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import ao_kernel as ao
from ao_kernel.node.clock import VirtualClock
from ao_kernel.testing.wallets import dev_wallet

COUNTER = 'Handlers.add("add", "Add", function(msg) Total = (Total or 0) + tonumber(msg.Data) end)'

CHILD = textwrap.dedent(f"""
    import sys, json
    import ao_kernel as ao
    from ao_kernel.node.clock import VirtualClock
    from ao_kernel.testing.wallets import dev_wallet
    node = ao.Node(store=sys.argv[1], wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    proc = node.spawn(lua={COUNTER!r}, name="counter")
    print(json.dumps({{"pid": proc.id}}), flush=True)
    i = 0
    while True:
        i += 1
        res = proc.send(action="Add", data=str(i))
        print(json.dumps({{"slot": res.slot, "hashpath": res.hashpath}}), flush=True)
""")


def test_sigkill_mid_stream_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = f"sqlite:{tmp_path / 'crash.db'}"
    child = subprocess.Popen([sys.executable, "-c", CHILD, db], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert child.stdout is not None
    pid = json.loads(child.stdout.readline())["pid"]
    acked: dict[int, str] = {}
    while len(acked) < 60:
        line = child.stdout.readline()
        assert line, "the child died before the test killed it"
        record = json.loads(line)
        acked[record["slot"]] = record["hashpath"]
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    node = ao.Node(store=db, clock=VirtualClock(1_700_000_000_000))
    proc = node.process(pid)
    last = max(acked)
    assert proc.slot >= last  # every acknowledged slot survived (one more may have)
    for slot, hp in acked.items():
        assert proc.result(slot).hashpath == hp
    n = proc.slot  # slots 1..n added 1..n
    assert proc.inspect("return Total") == n * (n + 1) // 2
    after = proc.send(action="Add", data="1000")
    assert after.slot == n + 1
    assert proc.inspect("return Total") == n * (n + 1) // 2 + 1000

    # a node that never crashed, fed the same messages, agrees slot by slot
    reference = ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    ref = reference.spawn(lua=COUNTER, name="counter")
    assert ref.id == pid
    for i in range(1, last + 1):
        assert ref.send(action="Add", data=str(i)).hashpath == acked[i]
    node.close()
