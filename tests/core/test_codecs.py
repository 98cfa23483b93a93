"""Round trips through every codec pair, verify-after-round-trip, ID stability, tampering."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ao_kernel.core.codecs import decode, encode
from ao_kernel.core.commitments import commit, verify
from ao_kernel.core.errors import AOError, MalformedError
from ao_kernel.core.httpsig import from_http, to_http
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message
from ao_kernel.core.structured import from_tabm, to_tabm
from ao_kernel.core.values import Atom

KEY = st.from_regex(r"[a-z][a-z0-9\-]{0,11}", fullmatch=True).filter(
    lambda k: not k.startswith("priv") and k not in ("commitments", "ao-types", "body",
                                                     "ao-body-key", "content-digest",
                                                     "content-type", "signature",
                                                     "signature-input", "ao-ids")
)
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
SCALAR = st.one_of(
    TEXT,
    st.integers(min_value=-(10**14), max_value=10**14),
    st.booleans(),
    st.none(),
    st.sampled_from([Atom("process"), Atom("ok")]),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(KEY, inner, max_size=4).map(Message),
    ),
    max_leaves=12,
)
MESSAGES = st.dictionaries(KEY, VALUE, max_size=8).map(Message)

PAIRS = ["structured@1.0", "httpsig@1.0", "json@1.0"]


def roundtrip(msg: Message, codec: str) -> Message:
    return decode(encode(msg, codec), codec)


def same(a: Any, b: Any) -> bool:
    """Equality where -0.0 == 0.0 and lists survive as lists."""
    return message_id(a) == message_id(b)


@pytest.mark.parametrize("codec", PAIRS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msg=MESSAGES)
def test_roundtrip_keeps_the_id(codec: str, msg: Message) -> None:
    back = roundtrip(msg, codec)
    assert same(back, msg)
    assert message_id(back) == message_id(msg)


@settings(max_examples=60, deadline=None)
@given(msg=MESSAGES)
def test_structured_roundtrip_is_exact(msg: Message) -> None:
    back = from_tabm(to_tabm(msg, links="inline"))
    assert back == msg


@settings(max_examples=40, deadline=None)
@given(msg=MESSAGES)
def test_httpsig_chain_through_json(msg: Message) -> None:
    via = roundtrip(roundtrip(msg, "httpsig@1.0"), "json@1.0")
    assert message_id(via) == message_id(msg)


def test_large_values_and_body_go_multipart_and_back() -> None:
    msg = Message({"body": "the body", "big": "x" * 5000, "small": "s", "n": 7})
    http = to_http(to_tabm(msg, links="inline"))
    assert http["content-type"].startswith(b"multipart/form-data; boundary=")
    assert "big" not in http
    back = from_tabm(from_http(http))
    assert back == msg
    assert message_id(back) == message_id(msg)


def test_nested_messages_travel_inline_in_the_body() -> None:
    msg = Message({"a": "1", "nested": {"x": "y", "deep": {"z": 3}}, "list": [1, "two"]})
    back = roundtrip(msg, "httpsig@1.0")
    assert back == msg


def test_id_keys_keep_their_case_through_http() -> None:
    key = "n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk"
    msg = Message({key: "Value", "other": "x"})
    http = encode(msg, "httpsig@1.0")
    assert "ao-ids" in http
    assert roundtrip(msg, "httpsig@1.0") == msg


def test_data_is_the_inline_body_key() -> None:
    msg = Message({"data": "hello", "target": "abc"})
    http = encode(msg, "httpsig@1.0")
    assert http["body"] == b"hello"
    assert http["ao-body-key"] == b"data"
    assert roundtrip(msg, "httpsig@1.0") == msg


def test_flat_roundtrip_and_errors() -> None:
    msg = Message({"port": 1234, "name": "node", "nested": {"k": "v"}})
    text = encode(msg, "flat@1.0")
    assert b"nested/k: v\n" in text
    assert decode(text, "flat@1.0") == msg
    with pytest.raises(MalformedError, match="line 1"):
        decode(b"no separator here", "flat@1.0")
    with pytest.raises(MalformedError, match="line 2: key '/' names no key"):
        decode(b"a: 1\n/: 2\n", "flat@1.0")  # found by the fuzzer: was an IndexError


def test_json_accepts_plain_client_json() -> None:
    msg = decode(b'{"Action": "Ping", "count": 3, "ok": true, "tags": ["a", 1]}', "json@1.0")
    assert msg["action"] == "Ping"
    assert msg["count"] == 3
    assert msg["ok"] is True
    assert msg["tags"] == ("a", 1)


@pytest.mark.parametrize("bad", [b"{", b"[1,2]", b"\xff\xfe", b'{"a": {"b": [{"c": object}]}}'])
def test_json_errors_are_codec_errors(bad: bytes) -> None:
    with pytest.raises(MalformedError):
        decode(bad, "json@1.0")


def test_unknown_codec_is_named() -> None:
    with pytest.raises(MalformedError, match=r"unknown codec 'yaml@1\.0'"):
        encode(Message({"a": 1}), "yaml@1.0")


@pytest.fixture(scope="module")
def signer() -> Any:
    from ao_kernel.testing.wallets import dev_wallet

    return dev_wallet(1).signer


@pytest.mark.parametrize("codec", ["structured@1.0", "httpsig@1.0", "json@1.0"])
def test_signed_message_verifies_after_roundtrip(codec: str, signer: Any) -> None:
    msg = commit(Message({"action": "Ping", "n": 5, "data": "hi", "nested": {"a": 1}}), signer)
    assert verify(msg)
    back = roundtrip(msg, codec)
    assert verify(back)
    assert message_id(back, "all") == message_id(msg, "all")
    assert message_id(back) == message_id(msg)


def test_tampering_breaks_verification_and_changes_id(signer: Any) -> None:
    msg = commit(Message({"action": "Ping", "data": "hi"}), signer)
    tampered_value = msg.with_(action="Pong")
    assert not verify(tampered_value)
    # the stale commitments still claim the old ID; the content's own ID has changed
    assert message_id(tampered_value.without("commitments")) != message_id(
        msg.without("commitments"))
    http = encode(msg, "httpsig@1.0")
    http["body"] = b"ho"
    assert not verify(decode(http, "httpsig@1.0"))


def test_signatures_stack_over_the_same_keys(signer: Any) -> None:
    from ao_kernel.testing.wallets import dev_wallet

    once = commit(Message({"a": "1", "b": "2"}), signer)
    twice = commit(once, dev_wallet(2).signer)
    assert verify(twice)
    assert len([c for c in twice.commitments.values() if "committer" in c]) == 2  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=12), st.binary(max_size=40), max_size=6))
def test_http_decoder_only_raises_ao_errors(data: dict[str, bytes]) -> None:
    with contextlib.suppress(AOError):
        decode(data, "httpsig@1.0")


def test_nested_signed_messages_keep_their_commitments(signer: Any) -> None:
    inner = commit(Message({"a": "1", "data": "x"}), signer)
    outer = Message({"body": inner, "k": "v", "other": {"plain": "nested"}})
    back = roundtrip(outer, "httpsig@1.0")
    assert isinstance(back["body"], Message)
    assert verify(back["body"])
    assert message_id(back["body"], "all") == message_id(inner, "all")
    assert back["other"] == Message({"plain": "nested"})


FLAT_VALUES = st.one_of(TEXT.filter(bool), st.integers(min_value=-(10**12), max_value=10**12),
                        st.booleans())
FLAT_MESSAGES = st.dictionaries(KEY.filter(lambda k: k not in ("target", "anchor")),
                                FLAT_VALUES, max_size=6).map(Message)


@settings(max_examples=40, deadline=None)
@given(msg=FLAT_MESSAGES, data=st.text(max_size=30))
def test_ans104_roundtrip_signed_keeps_ids_and_verifies(msg: Message, data: str) -> None:
    from ao_kernel.core import ans104_codec
    from ao_kernel.testing.wallets import dev_ed25519

    with_data = msg.with_(data=data)
    signed = ans104_codec.commit(with_data, dev_ed25519().signer)
    assert verify(signed)
    back = decode(encode(signed, "ans104@1.0"), "ans104@1.0")
    assert verify(back)
    assert message_id(back, "all") == message_id(signed, "all")
    assert message_id(back) == message_id(signed)
    assert back.without("commitments") == with_data
    via_http = roundtrip(back, "httpsig@1.0")
    assert verify(via_http)  # (the signed ID of an ed25519 item over httpsig: see issue note)


def test_tabm_bytes_orders_keys_by_their_utf8_bytes() -> None:
    from ao_kernel.core import tabm_bytes

    keys = ["z", "\u00e9", "a", "\U0001f600", "\uffff", "A", "b-c"]
    blob = tabm_bytes.dumps({k: b"v" for k in keys})
    decoded = tabm_bytes.loads(blob)
    assert list(decoded) == sorted(keys, key=lambda k: k.encode("utf-8"))
    long_value = b"x" * 300  # a two-byte length
    assert tabm_bytes.loads(tabm_bytes.dumps({"k": long_value})) == {"k": long_value}


@settings(max_examples=150, deadline=None)
@given(items=st.dictionaries(
    st.one_of(st.text(min_size=1, max_size=12), st.sampled_from(
        ["commitments", "ao-types", "priv-x", "data", "é-key", "z"])),
    st.one_of(st.text(max_size=200), st.binary(max_size=200), st.integers(), st.none()),
    max_size=8))
def test_plain_tabm_bytes_equals_the_general_encoding(items: dict[str, Any]) -> None:
    from ao_kernel.core import tabm_bytes
    from ao_kernel.core.structured import plain_tabm_bytes

    try:
        msg = Message(items)
        general = tabm_bytes.dumps(to_tabm(msg, links="inline"))
    except AOError:
        return  # not a message (colliding keys) or not encodable: nothing to compare
    fast = plain_tabm_bytes(msg)
    assert fast is None or fast == general
    if all(isinstance(v, (str, bytes)) for v in msg.values()) and not any(
            k in ("commitments", "ao-types") or k.startswith("priv") for k in msg):
        assert fast == general  # the plain case always takes the one-pass path
    again = plain_tabm_bytes(Message(items))  # the planned key order is reused
    assert again == fast
