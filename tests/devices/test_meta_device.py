"""meta@1.0: the node message, private keys removed, operator-only updates."""

from __future__ import annotations

import pytest

import ao_kernel as ao
from ao_kernel.core.commitments import commit
from ao_kernel.core.errors import SignatureError
from ao_kernel.core.message import Message
from ao_kernel.testing.wallets import dev_wallet


@pytest.fixture(scope="module")
def node() -> ao.Node:
    return ao.Node(wallet=dev_wallet(1), config={"priv-secret": "hidden", "port": 9000})


def test_info_hides_private_keys(node: ao.Node) -> None:
    info = node.resolve("/~meta@1.0/info")
    assert isinstance(info, Message)
    assert info["port"] == 9000
    assert info["address"] == node.address
    assert not any(k.startswith("priv") for k in info)


def test_info_sub_paths(node: ao.Node) -> None:
    assert node.resolve("/~meta@1.0/info/address") == node.address
    assert node.resolve("/~meta@1.0/info/port") == 9000


def test_build(node: ao.Node) -> None:
    build = node.resolve("/~meta@1.0/build")
    assert build["node"] == "ao-kernel"


def test_post_info_needs_the_operator(node: ao.Node) -> None:
    opts = node.opts()
    from ao_kernel.core.resolver import resolve

    unsigned = Message({"path": "info", "method": "POST", "port": 1})
    res = resolve(Message({"device": "meta@1.0"}), unsigned, opts)
    assert res.status == "error"
    assert isinstance(res.value, SignatureError)
    stranger = commit(Message({"method": "POST", "port": 2}), dev_wallet(2).signer)
    res = resolve(Message({"device": "meta@1.0"}), stranger.with_(path="info"), opts)
    assert res.status == "error"
    assert node.resolve("/~meta@1.0/info/port") == 9000
    operator = commit(Message({"method": "POST", "port": 8735}), dev_wallet(1).signer)
    ok = resolve(Message({"device": "meta@1.0"}), operator.with_(path="info"), opts)
    assert ok.ok, ok.value
    assert node.resolve("/~meta@1.0/info/port") == 8735
    assert ok.value["history-length"] == 1


def test_message_device_paths(node: ao.Node) -> None:
    assert node.resolve("/~message@1.0&greeting=Hello&count+integer=42/count") == 42
    assert node.resolve("/~message@1.0&greeting=Hello/greeting") == "Hello"


def test_unknown_device_is_named(node: ao.Node) -> None:
    with pytest.raises(ao.AOError, match="nope"):
        node.resolve("/~nope@1.0/x")
