"""Verifying commitments as other nodes send them."""

from __future__ import annotations

import pytest

from ao_kernel.core.commitments import commit, verify
from ao_kernel.core.errors import SignatureError
from ao_kernel.core.message import Message
from ao_kernel.testing.wallets import dev_wallet


def _with_committed(signed: Message, make: object) -> Message:
    commitments = signed.commitments
    assert isinstance(commitments, Message)
    return signed.with_(commitments=Message({
        cid: c.with_(committed=make(list(c["committed"])))  # type: ignore[operator, index, union-attr]
        for cid, c in commitments.items()}))


def test_a_committed_list_sent_as_a_numbered_message_verifies() -> None:
    """HyperBEAM's json@1.0 answers carry ``committed`` as {"1": key, "2": key, ...}; it
    is the list in key order, as HyperBEAM reads it."""
    signed = commit(Message({"action": "Ping", "data": "hi", "n": 3}),
                    dev_wallet(1).rsa_signer)
    numbered = _with_committed(signed, lambda keys: Message(
        {str(i): k for i, k in enumerate(keys, 1)}))
    assert verify(numbered)
    # a map that is not 1..n is no list: refused, naming the field
    gap = _with_committed(signed, lambda keys: Message(
        {str(2 * i): k for i, k in enumerate(keys, 1)}))
    with pytest.raises(SignatureError, match="no committed key list"):
        verify(gap)
    # a key left out of the list: the signature base differs
    short = _with_committed(signed, lambda keys: Message(
        {str(i): k for i, k in enumerate(keys[1:], 1)}))
    assert not verify(short)
