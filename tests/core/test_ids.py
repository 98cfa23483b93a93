"""IDs and hashpaths beyond the vectors: the fast path, accumulation, hashpath shape."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ao_kernel.core.errors import AOError, MessageError
from ao_kernel.core.ids import (
    _calculate,
    _fast_unsigned,
    accumulate,
    compress,
    hashpath,
    message_id,
)
from ao_kernel.core.message import Message
from ao_kernel.core.structured import to_tabm
from ao_kernel.core.values import Atom

FLAT_KEYS = st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True).filter(
    lambda k: not k.startswith("priv")
)
FLAT_VALUES = st.one_of(
    st.text(max_size=30), st.binary(max_size=30), st.integers(-(10**12), 10**12),
    st.booleans(), st.none(), st.floats(allow_nan=False, allow_infinity=False),
    st.just(Atom("ok")), st.text(min_size=4090, max_size=4100),
)
#: one level of nesting: messages and lists, committed by reference (key+link)
NESTED_VALUES = st.one_of(
    st.dictionaries(FLAT_KEYS, st.text(max_size=10), max_size=3).map(Message),
    st.lists(st.text(max_size=10), max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(items=st.dictionaries(
    st.one_of(FLAT_KEYS, st.sampled_from(["body", "data", "path", "ao-body-key", "authority",
                                          "method", "query", "scheme", "target-uri"])),
    st.one_of(FLAT_VALUES, NESTED_VALUES), max_size=10))
def test_fast_path_equals_general_path(items: dict[str, object]) -> None:
    msg = Message(items)
    fast = _fast_unsigned(msg._items)
    try:
        general = _calculate(to_tabm(msg, links="discard"))
    except AOError:
        assert fast is None  # only the general path can refuse, and then message_id does
        with pytest.raises(AOError):
            message_id(msg)
        return
    assert fast is None or fast == general
    assert message_id(msg) == general


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.tuples(st.text(max_size=20), st.integers(0, 10**9), st.booleans(),
                                 st.binary(max_size=20)), min_size=2, max_size=5))
def test_one_shape_many_values(values: list[tuple[str, int, bool, bytes]]) -> None:
    # the plan of a shape is made once and reused: every message of it still gets its own ID
    for text, number, flag, raw in values:
        msg = Message({"action": text, "count": number, "flag": flag, "data": raw,
                       "anchor": str(number)})
        assert _fast_unsigned(msg._items) == _calculate(to_tabm(msg, links="discard"))


def test_id_is_memoised_but_never_stale() -> None:
    msg = Message({"a": "1"})
    first = message_id(msg)
    assert message_id(msg) == first
    assert message_id(msg.with_(a="2")) != first
    assert message_id(msg.with_priv(hashpath="x/y")) == first


def test_accumulate_is_order_independent_and_modular() -> None:
    a = "n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk"
    b = "aU8BUmgbZw0qlfQ-AZEy7EQwp1d7UaOHcRIOWvA17LE"
    assert accumulate([a, b]) == accumulate([b, a])
    assert accumulate([a]) == a
    top = "_" * 42 + "8"  # 2**256 - 1 in base64url
    one = "A" * 42 + "E"  # 1
    assert accumulate([top, one]) == "A" * 43  # wraps to zero


def test_hashpath_always_has_two_parts() -> None:
    base = Message({"basic": "value"})
    hp = hashpath(base, Message({"path": "basic"}))
    for key in ("a", "b", "c"):
        hp = hashpath(base.with_priv(hashpath=hp), Message({"path": key}))
        first, second = hp.split("/")
        assert len(first) == 43
        assert second == key
    full = hashpath(base, Message({"path": "x", "extra": 1}))
    assert len(full) == 87


def test_accumulate_256_hashpath_alg() -> None:
    base = Message({"basic": "value", "hashpath-alg": "accumulate-256"})
    hp1 = hashpath(base, Message({"path": "a"}))
    hp2 = hashpath(base.with_priv(hashpath=hp1), Message({"path": "b"}))
    assert hp2.endswith("/b")
    assert hp2 != hashpath(base.without("hashpath-alg").with_priv(hashpath=hp1),
                           Message({"path": "b"}))


def test_bad_hashpaths_are_named() -> None:
    with pytest.raises(MessageError, match="two parts"):
        compress("a/b/c")
    with pytest.raises(MessageError, match="unknown hashpath algorithm"):
        compress("n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk/x", "md5-chain")


def test_signed_ids_select_committers() -> None:
    from ao_kernel.core.commitments import commit
    from ao_kernel.testing.wallets import dev_wallet

    w1, w2 = dev_wallet(1), dev_wallet(2)
    msg = commit(commit(Message({"a": "1"}), w1.signer), w2.signer)
    one = message_id(msg, [w1.address])
    two = message_id(msg, [w2.address])
    both = message_id(msg, "all")
    assert len({one, two, both}) == 3
    assert both == accumulate([one, two])
    assert message_id(msg) == message_id(Message({"a": "1"}))


def test_commitment_format_is_a_parameter() -> None:
    from ao_kernel.core.commitments import commit, verify
    from ao_kernel.core.httpsig import EDGE, commitment_format, get_format
    from ao_kernel.testing.wallets import dev_wallet

    msg = Message({"basic": "value"})
    assert message_id(msg) == "E_VHBPKkfOrUffKfdNImA9lwr17swYGp3Det4OJXUsM"  # today's
    edge_id = message_id(msg, fmt="hb-0.9-edge")
    assert edge_id == "n-u-52kiXKXCQOzKZaqK8beTL9a0Xvv9WAP2aVh5Nuk" == message_id(msg, fmt=EDGE)
    assert message_id(msg) == "E_VHBPKkfOrUffKfdNImA9lwr17swYGp3Det4OJXUsM"  # no state left
    signed = commit(msg, dev_wallet(1).rsa_signer)
    keyids = {c["keyid"] for c in signed.commitments.values()}  # type: ignore[index]
    assert "constant:ao" in keyids
    assert any(str(k).startswith("publickey:") for k in keyids)
    old = commit(msg, dev_wallet(1).rsa_signer, fmt=EDGE)
    assert "ao" in {c["keyid"] for c in old.commitments.values()}  # type: ignore[index]
    assert verify(signed) and verify(old)  # each commitment's keyid picks its key
    assert commitment_format().name == "hb-2025-09" == get_format("hb-keyid-schemes").name
    with pytest.raises(AOError, match="unknown commitment format"):
        get_format("hb-99")


@settings(max_examples=80, deadline=None)
@given(base=st.binary(max_size=300))
def test_hmac_id_is_rfc_2104_hmac_sha256(base: bytes) -> None:
    import hmac

    from ao_kernel.core.b64 import b64u_encode
    from ao_kernel.core.httpsig import EDGE, NEWEST

    for fmt in (EDGE, NEWEST):  # keys of different lengths
        assert fmt.hmac_id(base) == b64u_encode(hmac.digest(fmt.hmac_key, base, "sha256"))


@given(raw=st.binary(min_size=32, max_size=32))
def test_id_decoding_fast_path_round_trips(raw: bytes) -> None:
    from ao_kernel.core.b64 import b64u_decode, b64u_encode
    from ao_kernel.core.errors import EncodingError

    text = b64u_encode(raw)
    assert b64u_decode(text) == raw
    for bad in ("+", "/", " ", "\u00e9", "\n"):  # ("=" is padding, accepted)
        with pytest.raises(EncodingError):
            b64u_decode(text[:42] + bad)


def test_a_linked_body_leaves_data_as_the_inline_body() -> None:
    # the body is committed by reference (body+link), so `data` is the inline body
    # (ao-body-key: data); the one-pass fast path this replaced got this ID wrong
    msg = Message({"body": Message({"a": "1"}), "data": "text"})
    assert _fast_unsigned(msg._items) == _calculate(to_tabm(msg, links="discard"))
