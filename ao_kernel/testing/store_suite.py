"""A conformance suite every :class:`~ao_kernel.node.stores.Store` backend must pass.

Reuse it for a new backend by subclassing and providing a ``make_store`` fixture that
returns a factory of fresh, empty stores::

    import pytest
    from ao_kernel.testing.store_suite import StoreConformance

    class TestMyStore(StoreConformance):
        @pytest.fixture
        def make_store(self, tmp_path):
            return lambda: MyStore(tmp_path / "db")

Every test gets a fresh store from ``store`` (closed afterwards).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from ..core.errors import StoreError
from ..node.stores.base import MAX_REDIRECTS, Store

__all__ = ["StoreConformance"]


class _Boom(Exception):
    """Raised inside transactions to force a rollback."""


class StoreConformance:
    """The shared contract: subclass and provide a ``make_store`` fixture."""

    @pytest.fixture
    def make_store(self) -> Callable[[], Store]:
        raise NotImplementedError("a StoreConformance subclass must define make_store")

    @pytest.fixture
    def store(self, make_store: Callable[[], Store]) -> Iterator[Store]:
        s = make_store()
        try:
            yield s
        finally:
            s.close()

    # ------------------------------------------------------------ values
    def test_scope_is_declared(self, store: Store) -> None:
        assert store.scope in ("in_memory", "local", "remote", "arweave")

    def test_write_then_read(self, store: Store) -> None:
        store.write("a", b"1")
        assert store.read("a") == b"1"
        assert store.type("a") == "simple"
        assert store.exists("a")

    def test_overwrite_replaces_value(self, store: Store) -> None:
        store.write("k", b"old")
        store.write("k", b"new")
        assert store.read("k") == b"new"
        assert store.list("") == ["k"]

    def test_missing_keys(self, store: Store) -> None:
        assert store.read("nope") is None
        assert store.read("nope/deeper/still") is None
        assert store.type("nope") is None
        assert not store.exists("nope")
        assert store.list("nope") == []
        assert store.resolve("nope/x") == "nope/x"

    def test_reading_below_a_value_is_missing(self, store: Store) -> None:
        store.write("v", b"x")
        assert store.read("v/child") is None
        with pytest.raises(StoreError, match="is a value, not a group"):
            store.write("v/child", b"y")
        assert store.read("v") == b"x"

    def test_keys_are_normalised(self, store: Store) -> None:
        store.write("/a//b/", b"1")
        assert store.read("a/b") == b"1"
        assert store.read("a///b") == b"1"
        assert store.list("/a/") == ["b"]

    def test_empty_key_is_the_root_and_cannot_be_written(self, store: Store) -> None:
        with pytest.raises(StoreError, match="empty key"):
            store.write("", b"x")
        assert store.type("") == "composite"
        assert store.read("") is None

    def test_values_must_be_bytes_and_keys_str(self, store: Store) -> None:
        with pytest.raises(StoreError, match="bytes"):
            store.write("k", "text")  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="str"):
            store.write(b"k", b"v")  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="NUL"):
            store.write("a\x00b", b"v")
        assert store.list("") == []

    def test_bytearray_and_memoryview_values(self, store: Store) -> None:
        store.write("ba", bytearray(b"\x01\x02"))
        store.write("mv", memoryview(b"\x03\x04"))
        assert store.read("ba") == b"\x01\x02"
        assert store.read("mv") == b"\x03\x04"
        assert type(store.read("ba")) is bytes

    def test_unicode_keys_and_binary_values(self, store: Store) -> None:
        blob = bytes(range(256)) * 4 + b"\x00\x00"
        store.write("ünïcødé/日本語/🙂", blob)
        store.write("ünïcødé/empty", b"")
        assert store.read("ünïcødé/日本語/🙂") == blob
        assert store.read("ünïcødé/empty") == b""
        assert store.type("ünïcødé/empty") == "simple"
        assert store.list("ünïcødé") == ["empty", "日本語"]

    def test_large_value_10_mb(self, store: Store) -> None:
        big = os.urandom(10 * 1024 * 1024)
        store.write("big", big)
        assert store.read("big") == big
        store.append_log("big-log", 0, big)
        assert store.read_log("big-log") == [(0, big)]

    def test_many_keys(self, store: Store) -> None:
        with store.transaction():
            for i in range(5000):
                store.write(f"many/{i:05d}", i.to_bytes(4, "big"))
        names = store.list("many")
        assert len(names) == 5000
        assert names == sorted(names)
        assert names[0] == "00000"
        assert names[-1] == "04999"
        assert store.read("many/03210") == (3210).to_bytes(4, "big")

    # ------------------------------------------------------------ groups
    def test_groups_and_sorted_listing(self, store: Store) -> None:
        store.make_group("g")
        assert store.type("g") == "composite"
        assert store.exists("g")
        assert store.read("g") is None
        assert store.list("g") == []
        for name in ("b", "a", "c", "B", "a1"):
            store.write(f"g/{name}", name.encode())
        assert store.list("g") == ["B", "a", "a1", "b", "c"]
        assert store.list("") == ["g"]

    def test_write_creates_parent_groups(self, store: Store) -> None:
        store.write("x/y/z", b"deep")
        assert store.type("x") == "composite"
        assert store.type("x/y") == "composite"
        assert store.list("x") == ["y"]
        assert store.list("x/y") == ["z"]

    def test_make_group_is_idempotent_and_keeps_children(self, store: Store) -> None:
        store.write("g/a", b"1")
        store.make_group("g")
        store.make_group("g/sub/deeper")
        assert store.list("g") == ["a", "sub"]
        assert store.read("g/a") == b"1"

    def test_group_cannot_be_overwritten(self, store: Store) -> None:
        store.write("g/a", b"1")
        with pytest.raises(StoreError, match="group"):
            store.write("g", b"x")
        with pytest.raises(StoreError, match="group"):
            store.make_link("elsewhere", "g")
        assert store.read("g/a") == b"1"
        assert store.type("g") == "composite"

    def test_make_group_on_a_value_fails(self, store: Store) -> None:
        store.write("v", b"x")
        with pytest.raises(StoreError):
            store.make_group("v")
        with pytest.raises(StoreError, match="value"):
            store.list("v")
        assert store.read("v") == b"x"

    def test_walk(self, store: Store) -> None:
        store.write("w/a/1", b"1")
        store.write("w/b", b"2")
        assert list(store.walk("w")) == ["w/a", "w/a/1", "w/b"]

    # ------------------------------------------------------------ links
    def test_link_to_value(self, store: Store) -> None:
        store.write("target", b"T")
        store.make_link("target", "alias")
        assert store.read("alias") == b"T"
        assert store.type("alias") == "simple"
        assert store.resolve("alias") == "target"
        store.write("target", b"T2")
        assert store.read("alias") == b"T2"

    def test_link_to_group_lists_and_reads_through(self, store: Store) -> None:
        store.write("real/a", b"1")
        store.write("real/b", b"2")
        store.make_link("real", "sym")
        assert store.type("sym") == "composite"
        assert store.list("sym") == ["a", "b"]
        assert store.read("sym/b") == b"2"
        assert store.resolve("sym/b") == "real/b"

    def test_chained_links(self, store: Store) -> None:
        store.write("end", b"E")
        store.make_link("end", "l1")
        store.make_link("l1", "l2")
        store.make_link("l2", "l3")
        assert store.read("l3") == b"E"
        assert store.resolve("l3") == "end"

    def test_hyperbeam_message_layout(self, store: Store) -> None:
        # hb_cache: UID group, UID/key -> data/<hash>, and alternative IDs -> UID.
        store.make_group("UID")
        store.write("data/HASH", b"payload")
        store.make_link("data/HASH", "UID/key")
        store.make_link("UID", "SIGNED-ID")
        assert store.read("UID/key") == b"payload"
        assert store.read("SIGNED-ID/key") == b"payload"
        assert store.list("SIGNED-ID") == ["key"]
        assert store.resolve("SIGNED-ID/key") == "data/HASH"
        assert store.type("SIGNED-ID/key") == "simple"

    def test_link_in_the_middle_of_a_path(self, store: Store) -> None:
        store.write("procs/p1/slots/3", b"state3")
        store.make_link("procs/p1", "by-name/pinger")
        store.make_link("by-name/pinger/slots", "latest")
        assert store.read("by-name/pinger/slots/3") == b"state3"
        assert store.read("latest/3") == b"state3"
        assert store.resolve("latest/3") == "procs/p1/slots/3"

    def test_write_through_a_linked_parent(self, store: Store) -> None:
        store.make_group("UID")
        store.make_link("UID", "ID")
        store.write("ID/new", b"n")
        assert store.list("UID") == ["new"]
        assert store.read("UID/new") == b"n"
        assert store.type("ID") == "composite"  # the link itself was not replaced

    def test_relinking_replaces_link_and_link_replaces_value(self, store: Store) -> None:
        store.write("a", b"A")
        store.write("b", b"B")
        store.make_link("a", "l")
        store.make_link("b", "l")
        assert store.read("l") == b"B"
        store.write("v", b"V")
        store.make_link("a", "v")
        assert store.read("v") == b"A"
        store.write("l", b"plain")
        assert store.read("l") == b"plain"
        assert store.read("b") == b"B"

    def test_dangling_link(self, store: Store) -> None:
        store.make_link("not/yet", "soon")
        assert store.read("soon") is None
        assert not store.exists("soon")
        assert store.type("soon") is None
        store.write("not/yet", b"now")
        assert store.read("soon") == b"now"

    def test_link_loops_are_detected(self, store: Store) -> None:
        store.make_link("loop-b", "loop-a")
        store.make_link("loop-a", "loop-b")
        store.make_link("self", "self")
        for key in ("loop-a", "loop-a/x/y", "self"):
            with pytest.raises(StoreError, match="loop"):
                store.read(key)
        with pytest.raises(StoreError, match="loop"):
            store.resolve("loop-b")
        with pytest.raises(StoreError, match="loop"):
            store.write("loop-a/child", b"x")

    def test_long_chain_within_redirect_limit(self, store: Store) -> None:
        store.write("n0", b"end")
        with store.transaction():
            for i in range(1, MAX_REDIRECTS + 1):
                store.make_link(f"n{i - 1}", f"n{i}")
        assert store.read(f"n{MAX_REDIRECTS}") == b"end"
        store.make_link(f"n{MAX_REDIRECTS}", "one-too-many")
        with pytest.raises(StoreError, match="loop"):
            store.read("one-too-many")

    def test_empty_link_target_refused(self, store: Store) -> None:
        with pytest.raises(StoreError):
            store.make_link("", "x")
        assert not store.exists("x")

    # ------------------------------------------------------------ transactions
    def test_transaction_commits_everything(self, store: Store) -> None:
        with store.transaction():
            store.write("t/a", b"1")
            store.make_link("t/a", "t/l")
            store.append_log("tl", 0, b"x")
            assert store.read("t/l") == b"1"  # own writes are visible inside
        assert store.read("t/l") == b"1"
        assert store.log_length("tl") == 1

    def test_exception_rolls_back_everything(self, store: Store) -> None:
        store.write("keep", b"old")
        store.append_log("tl", 0, b"0")

        def fail() -> None:
            with store.transaction():
                store.write("keep", b"new")
                store.write("gone/a", b"1")
                store.make_group("gone2")
                store.make_link("keep", "gone-link")
                store.append_log("tl", 1, b"1")
                store.append_log("tl2", 0, b"0")
                raise _Boom

        with pytest.raises(_Boom):
            fail()
        assert store.read("keep") == b"old"
        assert not store.exists("gone")
        assert not store.exists("gone2")
        assert store.type("gone-link") is None
        assert store.list("") == ["keep"]
        assert store.read_log("tl") == [(0, b"0")]
        assert store.log_length("tl2") == 0
        store.append_log("tl", 1, b"again")  # the rolled-back seq is free again
        assert store.read_log("tl", 1) == [(1, b"again")]

    def test_store_error_inside_transaction_rolls_back(self, store: Store) -> None:
        store.write("v", b"x")

        def fail() -> None:
            with store.transaction():
                store.write("fresh", b"1")
                store.write("v/under", b"2")  # fails: v is a value

        with pytest.raises(StoreError, match="is a value, not a group"):
            fail()
        assert store.read("fresh") is None

    def test_nested_transactions(self, store: Store) -> None:
        with store.transaction():
            store.write("outer", b"1")
            with store.transaction():
                store.write("inner", b"2")

            def fail() -> None:
                with store.transaction():
                    store.write("inner-failed", b"3")
                    store.append_log("nl", 0, b"x")
                    raise _Boom

            with pytest.raises(_Boom):
                fail()
            assert store.read("inner-failed") is None
            store.append_log("nl", 0, b"y")
        assert store.read("outer") == b"1"
        assert store.read("inner") == b"2"
        assert store.read("inner-failed") is None
        assert store.read_log("nl") == [(0, b"y")]

    def test_outer_failure_undoes_committed_inner_blocks(self, store: Store) -> None:

        def fail() -> None:
            with store.transaction():
                with store.transaction():
                    store.write("inner", b"2")
                raise _Boom

        with pytest.raises(_Boom):
            fail()
        assert store.read("inner") is None

    # ------------------------------------------------------------ logs
    def test_log_append_and_read_in_order(self, store: Store) -> None:
        assert store.log_length("assignments/p") == 0
        assert store.read_log("assignments/p") == []
        for i in range(10):
            store.append_log("assignments/p", i, f"a{i}".encode())
        assert store.log_length("assignments/p") == 10
        assert store.read_log("assignments/p") == [(i, f"a{i}".encode()) for i in range(10)]

    def test_log_duplicates_and_gaps_refused(self, store: Store) -> None:
        store.append_log("L", 0, b"0")
        store.append_log("L", 1, b"1")
        with pytest.raises(StoreError, match="already taken"):
            store.append_log("L", 1, b"dup")
        with pytest.raises(StoreError, match="already taken"):
            store.append_log("L", 0, b"dup")
        with pytest.raises(StoreError, match="gap"):
            store.append_log("L", 3, b"gap")
        with pytest.raises(StoreError, match="gap"):
            store.append_log("fresh", 1, b"gap")
        with pytest.raises(StoreError):
            store.append_log("L", -1, b"neg")
        with pytest.raises(StoreError, match="int"):
            store.append_log("L", "2", b"str")  # type: ignore[arg-type]
        assert store.read_log("L") == [(0, b"0"), (1, b"1")]
        assert store.log_length("fresh") == 0

    def test_log_ranges(self, store: Store) -> None:
        store.extend_log("R", 0, [bytes([i]) for i in range(20)])
        assert store.log_length("R") == 20
        assert store.read_log("R", 5, 8) == [(5, b"\x05"), (6, b"\x06"), (7, b"\x07")]
        assert store.read_log("R", 18) == [(18, b"\x12"), (19, b"\x13")]
        assert store.read_log("R", 0, 0) == []
        assert store.read_log("R", 19, 100) == [(19, b"\x13")]
        assert store.read_log("R", 25, 30) == []

    def test_extend_log_refuses_gaps_atomically(self, store: Store) -> None:
        store.extend_log("E", 0, [b"a", b"b"])
        with pytest.raises(StoreError, match="gap"):
            store.extend_log("E", 3, [b"x", b"y"])
        with pytest.raises(StoreError, match="taken"):
            store.extend_log("E", 1, [b"x", b"y"])
        assert store.read_log("E") == [(0, b"a"), (1, b"b")]

    def test_logs_are_independent(self, store: Store) -> None:
        store.append_log("assignments/p1", 0, b"p1-0")
        store.append_log("assignments/p2", 0, b"p2-0")
        store.append_log("assignments/p1", 1, b"p1-1")
        assert store.log_length("assignments/p1") == 2
        assert store.log_length("assignments/p2") == 1
        assert store.read_log("assignments/p2") == [(0, b"p2-0")]
        # Logs live apart from the key tree.
        assert store.read("assignments/p1") is None

    # ------------------------------------------------------------ lifecycle
    def test_closed_store_refuses_use(self, make_store: Callable[[], Store]) -> None:
        s = make_store()
        s.write("a", b"1")
        s.close()
        with pytest.raises(StoreError, match="closed"):
            s.read("a")
        with pytest.raises(StoreError, match="closed"):
            s.write("b", b"2")
