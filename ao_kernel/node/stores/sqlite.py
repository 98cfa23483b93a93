"""SQLiteStore: the embedded, persistent store (scope ``local``), one SQLite file.

Theory of operation
-------------------
Schema (two ``WITHOUT ROWID`` tables, so each row lives in its primary-key b-tree and a
lookup is one b-tree descent, not index + table)::

    nodes(parent TEXT, name TEXT, kind INTEGER, value BLOB, PRIMARY KEY(parent, name))
        kind 0 = group (value b""), 1 = value, 2 = link (value = target path, UTF-8)
        a read is one point lookup; list(group) is a range scan of one parent, already
        sorted by the key order (BINARY collation = UTF-8 byte order = code point order)
    logs(log TEXT, seq INTEGER, value BLOB, PRIMARY KEY(log, seq))
        log_length is max(seq)+1 from the index; append is one INSERT ... SELECT that
        only inserts when seq == current length, so a gap or duplicate is refused
        atomically even across processes

The file is tagged with ``PRAGMA application_id`` (``AOKS``) and a schema version in
``user_version``; any other SQLite database with tables, or a non-SQLite file, is refused
with a :class:`StoreError` naming the path. Opening an existing store resumes everything.

Durability (``durability=``):

* ``"normal"`` (default): ``journal_mode=WAL`` + ``synchronous=NORMAL``. A transaction that
  has returned from commit is in the WAL file through the OS, so it **survives a crash or
  SIGKILL of this process**; it may be lost (never corrupted: the database rolls back to
  an earlier consistent commit) on an **OS crash or power loss** before the next WAL
  checkpoint fsync.
* ``"full"``: ``synchronous=FULL``: every commit fsyncs the WAL before returning, so it
  also survives an OS crash or power loss, at the cost of one fsync per transaction.

Threads: each thread gets its own connection (opened lazily, ``check_same_thread=False``
so :meth:`close` may close them all from any thread; connections of dead threads are
closed when a new one opens). Under WAL readers never block and see only committed data
(snapshot isolation) while another thread is inside a transaction. Writers take one
in-process re-entrant lock for the whole outermost transaction (so threads queue in
Python instead of spinning in SQLite's busy handler); other processes are handled by
``BEGIN IMMEDIATE`` and the busy timeout. Statements are fixed SQL strings, so the
``sqlite3`` statement cache keeps them prepared; batches use ``executemany``. Nested
transactions are SAVEPOINTs; a single write whose parent group exists is one
autocommit statement (no BEGIN/COMMIT round trip), and inside a transaction it adds no
savepoint (single operations check before they write, so a refusal changes nothing).

Measured (benchmarks/stores.py, 2 busy cores): raw point reads from two threads ran
~49k/s with a connection per thread vs ~65k/s through one shared connection behind a
lock. The shared connection was faster, but we still use a connection per thread.
With one shared connection, a reader would either see another thread's uncommitted
writes or wait for its whole transaction to finish; with a connection per thread,
readers never wait and never see uncommitted writes.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Final, Literal, NoReturn

from ...core.errors import StoreError
from .base import Node, Scope, Store, check_seq

__all__ = ["SQLiteStore"]

APPLICATION_ID: Final = int.from_bytes(b"AOKS", "big")
SCHEMA_VERSION: Final = 1
_END: Final = (1 << 63) - 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes(
    parent TEXT NOT NULL,
    name   TEXT NOT NULL,
    kind   INTEGER NOT NULL,
    value  BLOB NOT NULL,
    PRIMARY KEY (parent, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS logs(
    log   TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (log, seq)
) WITHOUT ROWID;
"""

_GET: Final = "SELECT kind, value FROM nodes WHERE parent = ? AND name = ?"
_PUT: Final = (
    "INSERT INTO nodes(parent, name, kind, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(parent, name) DO UPDATE SET kind = excluded.kind, value = excluded.value "
    "WHERE nodes.kind != 0"
)
_CHILDREN: Final = "SELECT name FROM nodes WHERE parent = ? ORDER BY name"
_LOG_MAX: Final = "SELECT max(seq) FROM logs WHERE log = ?"
_LOG_APPEND: Final = (
    "INSERT INTO logs(log, seq, value) SELECT ?1, ?2, ?3 "
    "WHERE (SELECT coalesce(max(seq) + 1, 0) FROM logs WHERE log = ?1) = ?2"
)
_LOG_INSERT: Final = "INSERT INTO logs(log, seq, value) VALUES (?, ?, ?)"
_LOG_RANGE: Final = (
    "SELECT seq, value FROM logs WHERE log = ? AND seq >= ? AND seq < ? ORDER BY seq"
)

Durability = Literal["normal", "full"]
_SYNC: Final = {"normal": "NORMAL", "full": "FULL"}


class SQLiteStore(Store):
    """A persistent :class:`Store` in one SQLite file (see the module docstring)."""

    scope: Scope = "local"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        durability: Durability = "normal",
        timeout: float = 30.0,
    ) -> None:
        if durability not in _SYNC:
            raise StoreError(
                f"durability must be one of {sorted(_SYNC)}, not {durability!r}",
                field="durability",
            )
        self.path = os.fspath(path)
        self.durability: Durability = durability
        self._timeout = timeout
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._conns_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._op_lock = self._write_lock
        self._closed = False
        parent = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(parent, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory of store {self.path}: {exc}") from exc
        conn = self._conn()
        try:
            self._init_schema(conn)
        except BaseException:
            self.close()
            raise

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    def backup_to(self, path: str) -> None:
        """Copy this store's database, consistently, to the file ``path`` (SQLite's online
        backup: writers may go on meanwhile)."""
        backup(self.path, path)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, durability={self.durability!r})"

    # ----------------------------------------------------------------- connections
    def _fail(self, exc: BaseException) -> NoReturn:
        if isinstance(exc, sqlite3.ProgrammingError) and self._closed:
            raise StoreError(f"SQLite store {self.path} is closed") from exc
        raise StoreError(f"SQLite store {self.path}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise StoreError(f"SQLite store {self.path} is closed")
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self._timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # close() closes every thread's connection
                cached_statements=256,
            )
        except sqlite3.Error as exc:
            self._fail(exc)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"SQLite store {self.path}: cannot enable WAL (got {mode})")
            conn.execute(f"PRAGMA synchronous={_SYNC[self.durability]}")
        except sqlite3.Error as exc:
            conn.close()
            self._fail(exc)
        except BaseException:
            conn.close()
            raise
        me = threading.current_thread()
        with self._conns_lock:
            alive = []
            for thread, other in self._conns:
                if thread.is_alive():
                    alive.append((thread, other))
                else:
                    other.close()
            alive.append((me, conn))
            self._conns = alive
        self._local.conn = conn
        self._local.depth = 0
        return conn

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                    version = conn.execute("PRAGMA user_version").fetchone()[0]
                    tables = conn.execute(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                    ).fetchone()[0]
                    if app_id == 0 and tables == 0:
                        for stmt in _SCHEMA.split(";"):
                            if stmt.strip():
                                conn.execute(stmt)
                        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                    elif app_id != APPLICATION_ID:
                        raise StoreError(
                            f"{self.path} is an SQLite database but not an ao-kernel store "
                            f"(application_id {app_id:#x})"
                        )
                    elif version > SCHEMA_VERSION:
                        raise StoreError(
                            f"{self.path} has store schema version {version}; this ao-kernel "
                            f"reads up to {SCHEMA_VERSION}"
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            self._fail(exc)

    # ----------------------------------------------------------------- primitives
    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"SQLite store {self.path} is closed")

    def _get(self, path: str) -> Node | None:
        parent, _, name = path.rpartition("/")
        try:
            row: Node | None = self._conn().execute(_GET, (parent, name)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
        return row

    def _put(self, path: str, kind: int, payload: bytes) -> bool:
        parent, _, name = path.rpartition("/")
        try:
            return self._conn().execute(_PUT, (parent, name, kind, payload)).rowcount == 1
        except sqlite3.Error as exc:
            self._fail(exc)

    def _children(self, path: str) -> list[str]:
        try:
            return [r[0] for r in self._conn().execute(_CHILDREN, (path,))]
        except sqlite3.Error as exc:
            self._fail(exc)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        local = self._local
        depth: int = local.depth
        if depth:
            savepoint = f"sp{depth}"
            try:
                conn.execute(f"SAVEPOINT {savepoint}")
            except sqlite3.Error as exc:
                self._fail(exc)
            local.depth = depth + 1
            try:
                yield
            except BaseException:
                try:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                except sqlite3.Error as exc:
                    self._fail(exc)
                raise
            else:
                try:
                    conn.execute(f"RELEASE {savepoint}")
                except sqlite3.Error as exc:
                    self._fail(exc)
            finally:
                local.depth = depth
            return
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                self._fail(exc)
            local.depth = 1
            try:
                yield
            except BaseException:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                except sqlite3.Error as exc:
                    self._fail(exc)
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    self._fail(exc)
            finally:
                local.depth = 0

    # ----------------------------------------------------------------- logs
    def append_log(self, log: str, seq: int, value: bytes) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise StoreError(f"log values are bytes, not {type(value).__name__}", field=log)
        if isinstance(seq, bool) or not isinstance(seq, int):
            check_seq(log, seq, 0)
        conn = self._conn()
        try:
            if self._local.depth:
                inserted = conn.execute(_LOG_APPEND, (log, seq, bytes(value))).rowcount
            else:
                with self._write_lock:  # one statement = its own atomic transaction
                    inserted = conn.execute(_LOG_APPEND, (log, seq, bytes(value))).rowcount
        except sqlite3.Error as exc:
            self._fail(exc)
        if inserted != 1:
            check_seq(log, seq, self.log_length(log))
            raise StoreError(f"{log}: seq {seq} was refused", field=log)  # pragma: no cover

    def extend_log(self, log: str, start: int, values: Iterable[bytes]) -> int:
        rows = [(log, start + i, bytes(v)) for i, v in enumerate(values)]
        with self.transaction():
            check_seq(log, start, self.log_length(log))
            try:
                self._conn().executemany(_LOG_INSERT, rows)
            except sqlite3.Error as exc:
                self._fail(exc)
        return len(rows)

    def read_log(self, log: str, start: int = 0, end: int | None = None) -> list[tuple[int, bytes]]:
        try:
            cur = self._conn().execute(_LOG_RANGE, (log, start, _END if end is None else end))
            return cur.fetchall()
        except sqlite3.Error as exc:
            self._fail(exc)

    def log_length(self, log: str) -> int:
        try:
            top = self._conn().execute(_LOG_MAX, (log,)).fetchone()[0]
        except sqlite3.Error as exc:
            self._fail(exc)
        return 0 if top is None else int(top) + 1

    def close(self) -> None:
        """Close every thread's connection (the last close checkpoints the WAL)."""
        with self._conns_lock:
            self._closed = True
            conns, self._conns = self._conns, []
        for _, conn in conns:
            with contextlib.suppress(sqlite3.Error):  # closing never loses committed data
                conn.close()


def backup(src: str, dst: str) -> None:
    """Copy the SQLite database file ``src`` onto ``dst`` (SQLite's online backup)."""
    try:
        source = sqlite3.connect(src)
        try:
            target = sqlite3.connect(dst)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot copy SQLite store {src} to {dst}: {exc}") from exc
