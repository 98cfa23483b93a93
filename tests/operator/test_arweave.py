"""Publishing to a real local Arweave gateway (arlocal) and reading back through it."""

from __future__ import annotations

import pytest

import ao_kernel as ao
from ao_kernel.core import ans104
from ao_kernel.core.errors import NotFoundError, SignatureError
from ao_kernel.node.arweave import Gateway, GatewayStore, data_root

PING = 'Handlers.add("Ping", "Ping", function(m) m.reply({ Data = "pong" }) end)'


def test_data_root_single_and_multi_chunk() -> None:
    import hashlib

    small = b"hello"
    leaf = hashlib.sha256(hashlib.sha256(hashlib.sha256(small).digest()).digest()
                          + hashlib.sha256((5).to_bytes(32, "big")).digest()).digest()
    assert data_root(small) == leaf
    big = bytes(range(256)) * 2048  # 512 KiB: two chunks, one branch
    assert data_root(big) != data_root(big[:-1])
    assert len(data_root(big)) == 32


def test_published_bundle_verifies_and_reads_back_identical(arlocal: Gateway) -> None:
    node = ao.Node()
    proc = node.spawn(lua=PING, name="pinger")
    for i in range(3):
        assert proc.send(action="Ping", data=f"hi {i}").ok
    arlocal.mint(node.address, 10**15)
    report = node.publish(proc, gateway=arlocal)
    arlocal.mine()
    # the bundle is what we posted: every item verifies, in order
    items = ans104.decode_bundle(report.bundle)
    assert [i.id for i in items] == report.ids
    assert all(ans104.verify(i) for i in items)
    kinds = list(report.kinds.values())
    assert kinds.count("process") == 1 and kinds.count("message") == 3
    assert kinds.count("assignment") == 4
    # the gateway unbundled it: each item reads back identical through GraphQL + data
    store = GatewayStore(arlocal, cache=ao.Node().store)
    for original in items:
        back = store.read_item(original.id)
        assert back.id == original.id
        assert ans104.serialize(back) == ans104.serialize(original)
    # the process message is the same message, by its signed ID
    pid_item = report.items[proc.id]
    msg = store.read_message(pid_item)
    original = node.definition(proc.id)
    assert msg.text("name") == original.text("name") == "pinger"
    assert msg.text("data") == original.text("data")
    assert ao.verify(msg)
    # the bundle transaction itself is on the gateway, tagged as an ANS-104 bundle
    found = arlocal.graphql('query($ids:[ID!]){transactions(ids:$ids){edges{node{id '
                            'tags{name value}}}}}', {"ids": [report.bundle_id]})
    tags = {t["name"]: t["value"]
            for t in found["transactions"]["edges"][0]["node"]["tags"]}
    assert tags == {"Bundle-Format": "binary", "Bundle-Version": "2.0.0"}


def test_gateway_store_misses_and_cache(arlocal: Gateway) -> None:
    store = GatewayStore(arlocal)
    assert store.read("A" * 43) is None
    with pytest.raises(NotFoundError):
        store.read_item("B" * 43)


def test_publish_without_gateway_is_an_error() -> None:
    node = ao.Node()
    proc = node.spawn(lua=PING)
    with pytest.raises(ao.AOError, match="gateway"):
        node.publish(proc)
    assert SignatureError.status == 400
