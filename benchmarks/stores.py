"""Store throughput: both backends beside raw sqlite3, measured in the same run.

    .venv/bin/python benchmarks/stores.py [N]      (N small keys, default 100000)

Prints operations per second for writes (one transaction for all vs one per write),
reads, reads through a link, and log appends; then the raw ``sqlite3`` executemany
insert rate and point-read rate on the same kind of table (the floor our Python layer
sits on), and the two-thread read rate with a connection per thread vs one shared
connection behind a lock (why SQLiteStore opens one connection per thread).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ao_kernel.node.stores import MemoryStore, SQLiteStore, Store

VALUE = b"v" * 32


def rate(n: int, fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t0)


def line(label: str, ops: float) -> None:
    print(f"  {label:<44} {ops:>12,.0f} /s")


def bench_store(name: str, make: Callable[[], Store], n: int) -> None:
    print(f"{name}  ({n:,} keys, {len(VALUE)}-byte values)")
    store = make()
    keys = [f"bench/k{i:06d}" for i in range(n)]

    def write_one_txn() -> None:
        with store.transaction():
            for k in keys:
                store.write(k, VALUE)

    line("write, one transaction", rate(n, write_one_txn))

    per = [f"per/k{i:06d}" for i in range(n)]

    def write_each() -> None:
        for k in per:
            store.write(k, VALUE)  # outside a transaction: each write commits

    line("write, one transaction per write", rate(n, write_each))

    line("read", rate(n, lambda: [store.read(k) for k in keys]))
    line("read, missing key in a group", rate(n, lambda: [store.read(f"{k}x") for k in keys]))

    links = [f"links/l{i:06d}" for i in range(n)]
    with store.transaction():
        for k, link in zip(keys, links, strict=True):
            store.make_link(k, link)
    line(
        "read through a link (links/lN -> bench/kN)",
        rate(n, lambda: [store.read(x) for x in links]),
    )

    # HyperBEAM layout: ID -> UID group, UID/key -> data/<hash>.
    m = n // 10
    with store.transaction():
        for i in range(m):
            store.write(f"data/h{i}", VALUE)
            store.make_group(f"uid{i}")
            store.make_link(f"data/h{i}", f"uid{i}/key")
            store.make_link(f"uid{i}", f"id{i}")
    line(
        "read ID/key (2 links, hb_cache layout)",
        rate(m, lambda: [store.read(f"id{i}/key") for i in range(m)]),
    )

    def append_one_txn() -> None:
        with store.transaction():
            for i in range(n):
                store.append_log("assignments/a", i, VALUE)

    line("append_log, one transaction", rate(n, append_one_txn))
    line(
        "append_log, one transaction per append",
        rate(n, lambda: [store.append_log("assignments/b", i, VALUE) for i in range(n)]),
    )
    line(
        "extend_log (executemany), one call",
        rate(n, lambda: store.extend_log("assignments/c", 0, [VALUE] * n)),
    )
    line("read_log, whole log", rate(n, lambda: store.read_log("assignments/a")))
    line("list(group of N)", rate(n, lambda: store.list("bench")))
    store.close()
    print()


def bench_raw(path: Path, n: int) -> None:
    print(f"raw sqlite3 baseline  ({n:,} rows, WAL, synchronous=NORMAL)")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID")
    rows = [(f"bench/k{i:06d}", VALUE) for i in range(n)]

    def insert_many() -> None:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO kv VALUES (?, ?)", rows)
        conn.execute("COMMIT")

    line("executemany insert, one transaction", rate(n, insert_many))
    per = [(f"per/k{i:06d}", VALUE) for i in range(n)]
    line(
        "insert, one transaction per row",
        rate(n, lambda: [conn.execute("INSERT INTO kv VALUES (?, ?)", r) for r in per]),
    )
    q = "SELECT v FROM kv WHERE k = ?"
    line("point read", rate(n, lambda: [conn.execute(q, (r[0],)).fetchone() for r in rows]))
    conn.close()

    # Two threads reading: a connection each vs one shared connection behind a lock.
    lock = threading.Lock()
    shared = sqlite3.connect(path, check_same_thread=False)

    def read_own() -> None:
        own = sqlite3.connect(path)
        for r in rows:
            own.execute(q, (r[0],)).fetchone()
        own.close()

    def read_shared() -> None:
        for r in rows:
            with lock:
                shared.execute(q, (r[0],)).fetchone()

    for label, fn in (
        ("2 threads, connection per thread", read_own),
        ("2 threads, shared connection + lock", read_shared),
    ):
        threads = [threading.Thread(target=fn) for _ in range(2)]

        def run(threads: list[threading.Thread] = threads) -> None:
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        line(f"point read, {label}", rate(2 * n, run))
    shared.close()
    print()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        bench_raw(Path(tmp) / "raw.db", n)
        bench_store("MemoryStore", MemoryStore, n)
        bench_store(
            "SQLiteStore (WAL, synchronous=NORMAL)", lambda: SQLiteStore(Path(tmp) / "s.db"), n
        )


if __name__ == "__main__":
    main()
