"""message@1.0 through the resolver: every key it exports."""

from __future__ import annotations

import pytest

from ao_kernel.core.commitments import commit
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve
from ao_kernel.core.values import Atom
from ao_kernel.devices import default_registry
from ao_kernel.testing.wallets import dev_wallet


@pytest.fixture(scope="module")
def opts() -> Opts:
    return Opts(registry=default_registry(), extra={"wallet": dev_wallet(1)})


def value(base: Message, req: dict[str, object] | str, opts: Opts) -> object:
    res = resolve(base, req, opts)
    assert res.ok, res.value
    return res.value


def test_get_by_key_and_by_get(opts: Opts) -> None:
    msg = Message({"greeting": "hi"})
    assert value(msg, "greeting", opts) == "hi"
    assert value(msg, {"path": "get", "key": "Greeting"}, opts) == "hi"


def test_keys_hide_private_keys(opts: Opts) -> None:
    assert set(value(Message({"a": 1, "priv-x": 2}), "keys", opts)) == {"a"}  # type: ignore[arg-type]


def test_set_deep_and_unset(opts: Opts) -> None:
    msg = Message({"a": {"b": 1}, "c": 2})
    out = value(msg, {"path": "set", "a": {"d": 3}, "c": Atom("unset")}, opts)
    assert out == Message({"a": {"b": 1, "d": 3}})


def test_set_explicit_is_shallow(opts: Opts) -> None:
    msg = Message({"a": {"b": 1}})
    out = value(msg, {"path": "set", "set-mode": "explicit", "a": {"d": 3}}, opts)
    assert out == Message({"a": {"d": 3}})


def test_set_on_a_committed_key_drops_commitments(opts: Opts) -> None:
    signed = commit(Message({"a": "1", "b": "2"}), dev_wallet(1).signer)
    out = value(signed, {"path": "set", "a": "changed"}, opts)
    assert isinstance(out, Message)
    assert "commitments" not in out


def test_remove_and_set_path(opts: Opts) -> None:
    msg = Message({"a": 1, "b": 2, "c": 3})
    assert value(msg, {"path": "remove", "item": "a"}, opts) == Message({"b": 2, "c": 3})
    assert value(msg, {"path": "remove", "items": ["a", "b"]}, opts) == Message({"c": 3})
    with_path = value(msg, {"path": "set_path", "value": "/x"}, opts)
    assert isinstance(with_path, Message) and with_path["path"] == "/x"


def test_id_commit_verify_committers(opts: Opts) -> None:
    msg = Message({"basic": "value"})
    assert value(msg, "id", opts) == "E_VHBPKkfOrUffKfdNImA9lwr17swYGp3Det4OJXUsM"
    signed = value(msg, "commit", opts)
    assert isinstance(signed, Message)
    assert value(signed, "verify", opts) is True
    assert value(signed, "committers", opts) == (dev_wallet(1).address,)
    assert value(signed, "committed", opts) == ("basic",)
    assert value(signed, {"path": "id", "committers": "all"}, opts) == message_id(signed, "all")
    tampered = signed.with_(basic="other")
    assert value(tampered, "verify", opts) is False
