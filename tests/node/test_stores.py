"""Stores: the shared conformance suite on both backends, plus SQLite durability tests."""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ao_kernel.core.errors import StoreError
from ao_kernel.node.stores import MemoryStore, SQLiteStore, Store, open_store
from ao_kernel.testing.store_suite import StoreConformance

ROOT = Path(__file__).resolve().parents[2]


class TestStoreConformance(StoreConformance):
    """Every backend passes the same suite."""

    @pytest.fixture(params=["memory", "sqlite"])
    def make_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
        if request.param == "memory":
            return MemoryStore
        counter = iter(range(1_000_000))
        return lambda: SQLiteStore(tmp_path / f"store-{next(counter)}.db")


# ---------------------------------------------------------------- open_store
def test_open_store_forms(tmp_path: Path) -> None:
    assert isinstance(open_store(None), MemoryStore)
    assert isinstance(open_store("memory"), MemoryStore)
    mem = MemoryStore()
    assert open_store(mem) is mem
    s = open_store(f"sqlite:{tmp_path}/sub/dir/node.db")
    assert isinstance(s, SQLiteStore)
    assert s.scope == "local"
    assert s.durability == "normal"
    assert s.describe() == f"sqlite:{tmp_path}/sub/dir/node.db"
    s.close()
    full = open_store(f"sqlite:{tmp_path}/full.db?durability=full")
    assert isinstance(full, SQLiteStore)
    assert full.durability == "full"
    full.close()


@pytest.mark.parametrize("spec", ["lmdb:x", "sqlite:", "", "sqlite:x.db?fast=1", "postgres://h"])
def test_open_store_rejects_unknown_specs(spec: str) -> None:
    with pytest.raises(StoreError, match=r"accepted: None or \"memory\"") as info:
        open_store(spec)
    assert "sqlite:<path>" in str(info.value)


def test_open_store_rejects_non_strings() -> None:
    with pytest.raises(StoreError, match="accepted"):
        open_store(42)  # type: ignore[arg-type]


def test_unknown_durability_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="durability"):
        SQLiteStore(tmp_path / "x.db", durability="paranoid")  # type: ignore[arg-type]


# ---------------------------------------------------------------- SQLite specifics
def test_sqlite_uses_wal_and_requested_sync(tmp_path: Path) -> None:
    for durability, level in (("normal", 1), ("full", 2)):
        s = SQLiteStore(tmp_path / f"{durability}.db", durability=durability)  # type: ignore[arg-type]
        conn = s._conn()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == level
        s.close()


def test_sqlite_reopen_resumes_everything(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    s = SQLiteStore(path)
    s.make_group("UID")
    s.write("data/H", b"payload")
    s.make_link("data/H", "UID/key")
    s.make_link("UID", "ID")
    s.extend_log("assignments/p", 0, [b"a0", b"a1", b"a2"])
    s.close()

    again = SQLiteStore(path)
    assert again.read("ID/key") == b"payload"
    assert again.list("") == ["ID", "UID", "data"]
    assert again.log_length("assignments/p") == 3
    again.append_log("assignments/p", 3, b"a3")
    with pytest.raises(StoreError, match="taken"):
        again.append_log("assignments/p", 1, b"dup")
    assert [seq for seq, _ in again.read_log("assignments/p")] == [0, 1, 2, 3]
    again.close()


def test_sqlite_rows_are_in_the_documented_schema(tmp_path: Path) -> None:
    path = tmp_path / "schema.db"
    s = SQLiteStore(path)
    s.write("g/v", b"x")
    s.make_link("g/v", "l")
    s.append_log("log", 0, b"e")
    s.close()
    raw = sqlite3.connect(path)
    rows = raw.execute(
        "SELECT parent, name, kind, value FROM nodes ORDER BY parent, name"
    ).fetchall()
    assert rows == [("", "g", 0, b""), ("", "l", 2, b"g/v"), ("g", "v", 1, b"x")]
    assert raw.execute("SELECT log, seq, value FROM logs").fetchall() == [("log", 0, b"e")]
    sql = " ".join(r[0] for r in raw.execute("SELECT sql FROM sqlite_master WHERE type='table'"))
    assert sql.count("WITHOUT ROWID") == 2
    raw.close()


def test_sqlite_corrupt_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database at all, just text\n" * 200)
    with pytest.raises(StoreError, match=r"corrupt\.db") as info:
        SQLiteStore(path)
    assert "not a database" in str(info.value)


def test_sqlite_damaged_pages_raise_store_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    s = SQLiteStore(path)
    with s.transaction():
        for i in range(2000):
            s.write(f"k/{i:05d}", os.urandom(200))
    s.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    for off in range(2 * page, len(data), page):  # keep the header and schema page
        data[off : off + page] = b"\xa5" * page
    path.write_bytes(bytes(data))

    def read_everything() -> None:
        damaged = SQLiteStore(path)
        try:
            damaged.list("k")
            for i in range(2000):
                damaged.read(f"k/{i:05d}")
        finally:
            damaged.close()

    with pytest.raises(StoreError, match=r"damaged\.db"):
        read_everything()


def test_sqlite_refuses_a_foreign_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE users(id INTEGER PRIMARY KEY)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="not an ao-kernel store"):
        SQLiteStore(path)


def test_sqlite_unopenable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StoreError, match="file"):
        SQLiteStore(blocker / "sub" / "x.db")


def test_sqlite_two_threads_writing_concurrently_lose_nothing(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "threads.db")
    errors: list[BaseException] = []
    n = 400

    def worker(tid: int) -> None:
        try:
            for i in range(n):
                s.write(f"t{tid}/{i:04d}", f"{tid}:{i}".encode())
                s.append_log(f"log{tid}", i, bytes([tid]))
                if i % 50 == 0:
                    with s.transaction():
                        s.write(f"batch{tid}/{i}", b"b")
                        s.append_log("shared", s.log_length("shared"), f"{tid}:{i}".encode())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for tid in range(2):
        assert len(s.list(f"t{tid}")) == n
        assert s.read(f"t{tid}/0399") == f"{tid}:399".encode()
        assert s.log_length(f"log{tid}") == n
    shared = s.read_log("shared")
    assert [seq for seq, _ in shared] == list(range(16))
    assert sorted(v for _, v in shared) == sorted(
        f"{t}:{i}".encode() for t in range(2) for i in range(0, n, 50)
    )
    s.close()
    reopened = SQLiteStore(tmp_path / "threads.db")
    assert len(reopened.list("t1")) == n
    reopened.close()


def test_sqlite_reader_thread_does_not_see_uncommitted_writes(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "iso.db")
    s.write("k", b"committed")
    seen: list[bytes | None] = []
    inside = threading.Event()
    done = threading.Event()

    def reader() -> None:
        inside.wait()
        seen.append(s.read("k"))
        seen.append(s.read("new"))
        done.set()

    t = threading.Thread(target=reader)
    t.start()
    with s.transaction():
        s.write("k", b"uncommitted")
        s.write("new", b"x")
        inside.set()
        assert done.wait(10)
    t.join()
    assert seen == [b"committed", None]
    assert s.read("k") == b"uncommitted"
    s.close()


def test_sqlite_connections_of_dead_threads_are_closed(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "conns.db")
    for i in range(5):
        t = threading.Thread(target=s.write, args=(f"k{i}", b"v"))
        t.start()
        t.join()
    s.read("k0")
    t = threading.Thread(target=s.read, args=("k1",))
    t.start()
    t.join()
    assert len(s._conns) <= 2  # this thread + at most the last one
    assert s.list("") == [f"k{i}" for i in range(5)]
    s.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from ao_kernel.node.stores import SQLiteStore
    store = SQLiteStore(sys.argv[1])
    seq = store.log_length("assignments/p")
    while True:
        with store.transaction():
            store.append_log("assignments/p", seq, b"slot-%d" % seq)
            store.write("computed/p/%d" % seq, b"state-%d" % seq)
        sys.stdout.write("%d\\n" % seq)
        sys.stdout.flush()
        seq += 1
    """
)


@pytest.mark.slow
def test_sqlite_sigkill_keeps_every_acknowledged_entry(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acked: list[int] = []
    for _ in range(2):  # crash twice; the second run resumes after the first
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        assert proc.stdout is not None
        target = (acked[-1] if acked else -1) + 300
        for line in proc.stdout:
            acked.append(int(line))
            if acked[-1] >= target:
                break
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream: the writer is still looping
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        # Acks already in the pipe were printed after their commit: they count too.
        acked.extend(
            int(line)
            for line in proc.stdout.read().splitlines(keepends=True)
            if line.endswith("\n")
        )
        proc.stdout.close()

    # Acks strictly increase: the second run resumed after everything the first committed.
    assert acked[0] == 0
    assert all(a < b for a, b in itertools.pairwise(acked))
    assert len(acked) >= 600
    s = SQLiteStore(path)
    length = s.log_length("assignments/p")
    assert length > acked[-1]
    entries = s.read_log("assignments/p")
    assert [seq for seq, _ in entries] == list(range(length))  # no gaps
    for seq in acked:
        assert entries[seq][1] == b"slot-%d" % seq
        assert s.read(f"computed/p/{seq}") == b"state-%d" % seq
    s.close()


def test_a_memory_store_copy_is_independent() -> None:
    store = MemoryStore()
    with store.transaction():
        store.write("a/b", b"1")
        store.append_log("log", 0, b"x")
    copy = store.copy()
    with store.transaction():
        store.write("a/c", b"2")
        store.append_log("log", 1, b"y")
    assert copy.read("a/b") == b"1" and copy.read("a/c") is None
    assert copy.read_log("log") == [(0, b"x")] and store.log_length("log") == 2


def test_a_sqlite_store_backs_up_to_a_file(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "a.db")
    with store.transaction():
        store.write("k", b"v")
        store.append_log("log", 0, b"x")
    store.backup_to(str(tmp_path / "b.db"))
    with store.transaction():
        store.write("k", b"changed")
    backup = open_store(f"sqlite:{tmp_path / 'b.db'}")
    assert backup.read("k") == b"v" and backup.read_log("log") == [(0, b"x")]
