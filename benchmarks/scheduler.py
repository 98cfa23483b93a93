"""Scheduler throughput: assignments/s in memory and SQLite, beside their baselines.

Printed in one run, on one core:

* baseline: a raw SHA-256 hash-chain step plus one ``append_log`` of a ~200-byte entry,
  per store (the floor any durable, hash-chained scheduler pays);
* ``Scheduler.schedule`` of small unsigned messages (one sender, and 8 threads), per store;
  no RSA on the critical path (checkpoints are not due during the run);
* RSA-4096 signing (what HyperBEAM pays per assignment) and verifying, for comparison,
  and the cost of one checkpoint, which covers any number of assignments.

    .venv/bin/python benchmarks/scheduler.py [--count 3000]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ao_kernel.core import commitments
from ao_kernel.core.message import Message
from ao_kernel.devices.scheduler.server import Scheduler
from ao_kernel.node.clock import SystemClock
from ao_kernel.node.stores import Store, open_store
from ao_kernel.testing.wallets import dev_wallet


def per_second(n: int, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return n / (time.perf_counter() - start)


def baseline(store: Store, n: int) -> float:
    payload = bytes(200)
    ids = [hashlib.sha256(str(i).encode()).hexdigest()[:43] for i in range(n)]

    def run() -> None:
        prev = b""
        for i in range(n):
            prev = hashlib.sha256(prev + ids[i].encode()).digest()
            store.append_log("baseline", i, prev + payload)

    return per_second(n, run)


def one_sender(s: Scheduler, pid: str, n: int) -> float:
    msgs = [Message({"target": pid, "action": "Ping", "data": f"ping {i}"}) for i in range(n)]

    def run() -> None:
        for m in msgs:
            s.schedule(m)

    return per_second(n, run)


def eight_senders(s: Scheduler, pid: str, n: int) -> float:
    per = n // 8
    batches = [[Message({"target": pid, "thread": t, "n": i}) for i in range(per)]
               for t in range(8)]

    def run() -> None:
        threads = [threading.Thread(target=lambda b=b: [s.schedule(m) for m in b])
                   for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    return per_second(per * 8, run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    n = parser.parse_args().count
    wallet = dev_wallet(1)

    with tempfile.TemporaryDirectory() as tmp:
        for label in ("memory", "sqlite"):
            spec = "memory" if label == "memory" else f"sqlite:{Path(tmp) / 'bench.db'}"
            store = open_store(spec)
            base = baseline(store, n)
            s = Scheduler(store, wallet.signer, clock=SystemClock(), checkpoint_every=10**9)
            pid = str(s.schedule(Message({"type": "Process", "scheduler": wallet.address,
                                          "module": "bench"}))["process"])
            single = one_sender(s, pid, n)
            multi = eight_senders(s, pid, n)
            start = time.perf_counter()
            s.checkpoint(pid)
            ck_ms = (time.perf_counter() - start) * 1000
            tail = s.current_slot(pid) + 1
            print(f"{label:>6}: SHA-256 chain + append_log baseline {base:>9,.0f}/s")
            print(f"{label:>6}: schedule, 1 sender                   {single:>9,.0f}/s "
                  f"({single / base:.0%} of baseline)")
            print(f"{label:>6}: schedule, 8 threads                  {multi:>9,.0f}/s")
            print(f"{label:>6}: one checkpoint signing {tail} assignments: {ck_ms:.1f} ms")
            s.close(flush=False)
            store.close()

    msg = Message({"type": "schedule-checkpoint", "slot": 1, "hash-chain": "x" * 43})
    rsa = s.signer
    k = 20
    signed: list[Message] = []
    sign = per_second(k, lambda: signed.extend(
        commitments.commit(msg.with_(slot=i), rsa) for i in range(k)))
    verify = per_second(k, lambda: all(commitments.verify(m) for m in signed) or None)
    print(f"   rsa: RSA-4096 commit (sign) {sign:,.0f}/s, verify {verify:,.0f}/s "
          "(HyperBEAM signs every assignment)")


if __name__ == "__main__":
    main()
