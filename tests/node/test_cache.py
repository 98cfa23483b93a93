"""The message cache on both stores: by unsigned ID, by signed ID, results by hashpath."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ao_kernel.core.commitments import commit, verify
from ao_kernel.core.errors import NotFoundError
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message
from ao_kernel.node.cache import MessageCache
from ao_kernel.node.stores import Store, open_store
from ao_kernel.testing.wallets import dev_wallet


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    spec = "memory" if request.param == "memory" else f"sqlite:{tmp_path / 'c.db'}"
    s = open_store(spec)
    yield s
    s.close()


def test_write_and_read_by_every_id(store: Store) -> None:
    cache = MessageCache(store)
    msg = commit(Message({"a": 1, "nested": {"b": [1, 2]}, "data": "x"}), dev_wallet(1).signer)
    uid = cache.write(msg)
    assert uid == message_id(msg)
    for id_ in (uid, message_id(msg, "all"), *msg.commitments):
        back = cache.read(id_)
        assert back == msg
        assert verify(back)
        assert message_id(back, "all") == message_id(msg, "all")


def test_missing_message_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="not in the store"):
        MessageCache(store).read("n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk")


def test_results_by_hashpath(store: Store) -> None:
    cache = MessageCache(store)
    result = Message({"out": "y"})
    cache.write_result("abc/def", result)
    assert cache.read_result("abc/def") == result
    assert cache.read_result("abc/other") is None
