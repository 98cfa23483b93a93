"""The message model: normalised keys, frozen typed values, private keys."""

from __future__ import annotations

import pytest

from ao_kernel.core.errors import MessageError
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message, fold_key, normalize_key
from ao_kernel.core.structured import to_tabm
from ao_kernel.core.values import Atom, Link

ID = "n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk"


def test_keys_keep_their_case_and_read_case_insensitively() -> None:
    msg = Message({"Action": "Ping", ID: "v"})
    assert list(msg) == ["Action", ID]
    assert msg["ACTION"] == msg["action"] == "Ping"
    assert normalize_key(ID) == ID
    assert normalize_key("Data-Protocol") == "Data-Protocol"
    assert fold_key("Data-Protocol") == "data-protocol" and fold_key(ID) == ID


def test_keys_differing_in_case_are_two_keys() -> None:
    """HyperBEAM keeps case since 2025-06: a Target tag next to the target field."""
    msg = Message({"Target": "a", "target": "b"})
    assert msg["Target"] == "a" and msg["target"] == "b"
    assert msg["TARGET"] == "b"  # no exact key: the lowercase variant first
    assert Message({"Target": "a", "TARGET": "c"})["target"] == "a"  # else the Header-Case
    assert msg.without("target") == Message({"Target": "a"})
    with pytest.raises(MessageError, match="collides"):
        Message([("k", "a"), ("k", "b")])


def test_values_are_frozen() -> None:
    msg = Message({"l": [1, [2, 3]], "m": {"Inner": "x"}, "b": bytearray(b"ab")})
    assert msg["l"] == (1, (2, 3))
    assert isinstance(msg["m"], Message)
    assert msg["m"]["inner"] == "x"
    assert msg["b"] == b"ab"
    with pytest.raises(AttributeError):
        msg.x = 1  # type: ignore[misc]


def test_unsupported_values_name_their_key() -> None:
    with pytest.raises(MessageError, match="'when'"):
        Message({"when": object()})


def test_text_equals_its_bytes() -> None:
    assert Message({"a": "x"}) == Message({"a": b"x"})
    assert Message({"a": "x"}) != Message({"a": "y"})
    assert Message({"a": 1}) != Message({"a": "1"})
    assert Message({"a": True}) != Message({"a": 1})


def test_with_and_without_return_new_messages() -> None:
    base = Message({"a": 1})
    assert base.with_(B=2) == Message({"a": 1, "B": 2})
    assert base.with_(b=2).without("A") == Message({"b": 2})
    assert base == Message({"a": 1})


def test_private_keys_are_never_committed() -> None:
    public = Message({"a": "1"})
    private = Message({"a": "1", "priv-secret": "x", "private": "y"})
    assert message_id(public) == message_id(private)
    assert "priv-secret" not in to_tabm(private)
    assert private.public() == public


def test_hashpath_lives_outside_the_keys() -> None:
    msg = Message({"a": "1"}).with_priv(hashpath="x/y")
    assert msg.hashpath == "x/y"
    assert "hashpath" not in msg
    assert msg == Message({"a": "1"})


def test_atoms_and_links() -> None:
    msg = Message({"ok": True, "no": None, "kind": Atom("process"), "ref": Link(ID)})
    tabm = to_tabm(msg)
    assert tabm["ok"] == b"true"
    assert tabm["no"] == b"null"
    assert tabm["kind"] == b"process"
    assert tabm["ref+link"] == ID.encode()
    assert tabm["ao-types"] == b'kind="atom", no="atom", ok="atom"'


def test_mapping_reads_normalise_keys_like_indexing() -> None:
    msg = Message({"Action": "Ping", "n": 1})
    assert msg.get("ACTION") == msg["Action"] == "Ping"
    assert msg.get("missing") is None and msg.get("missing", 5) == 5
    assert list(msg.items()) == [("Action", "Ping"), ("n", 1)]
    assert list(msg.keys()) == ["Action", "n"] and list(msg.values()) == ["Ping", 1]
    assert dict(msg) == {"Action": "Ping", "n": 1}
    assert "ACTION" in msg and "other" not in msg
    with pytest.raises(MessageError):
        msg.get(3.5)  # type: ignore[call-overload]


def test_unsigned_messages_share_one_empty_commitments_value() -> None:
    a, b = Message({"x": "1"}), Message({"y": "2"})
    assert a.commitments is b.commitments and len(a.commitments) == 0


def test_text_only_messages_encode_as_the_general_path_does() -> None:
    from ao_kernel.core import structured

    msg = Message({"b": "two", "a": b"\x00raw", "Empty": "", "\u00e9t\u00e9": "\u2603"})
    fast = structured.to_tabm(msg)
    assert list(fast) == sorted(fast)
    general = structured._encode_map(msg, "discard", None, list_marker=False)
    assert fast == general and list(fast) == list(general)
    # anything else (types, private keys) takes the general path
    assert structured._binaries_only(Message({"n": 1})) is None
    assert structured._binaries_only(Message({"priv-x": "s"})) is None
