"""Every value of tests/vectors/hyperbeam-newest.json, reproduced by the default format.

The file comes verbatim from ../shared/vectors; its ``source`` line says how it was made
(HyperBEAM edge a7227787, 2025-09-04, on Erlang/OTP 27). Never regenerate it from this
code base.
"""

from __future__ import annotations

from typing import Any

import pytest

from ao_kernel.core.b64 import b64u_decode
from ao_kernel.core.commitments import commit, commit_secret, verify, verify_commitment
from ao_kernel.core.erlmap import map_keys_order
from ao_kernel.core.httpsig import (
    DEFAULT,
    NEWEST,
    commitment_params,
    from_http,
    hmac_b64u,
    normalize_for_encoding,
    signature_base,
    to_http,
)
from ao_kernel.core.ids import hashpath, message_id
from ao_kernel.core.message import Message
from ao_kernel.core.signers import RSASigner
from ao_kernel.core.structured import from_tabm, to_tabm
from tests.conftest import load_vectors
from tests.core.test_vectors import typed

VECTORS = load_vectors("hyperbeam-newest.json")
UNSIGNED = VECTORS["unsigned_ids"]
OVER_32 = [c for c in UNSIGNED if "id_otp25" in c]  # HyperBEAM: Erlang's HAMT map order
HMAC_PARAMS = [("alg", '"hmac-sha256"'), ("keyid", '"constant:ao"')]


def test_the_file_is_the_one_documented() -> None:
    assert "a7227787a2ce6d65b4ff16f5266890d9a2cb720a" in VECTORS["source"]
    assert "OTP 27" in VECTORS["source"].replace("OTP/OTP", "OTP")
    assert DEFAULT is NEWEST
    assert len(UNSIGNED) == 41 and len(VECTORS["hashpaths"]) == 7
    assert len(VECTORS["signed"]) == 4 and len(VECTORS["hmac_secret"]) == 2


def case_value(case: dict[str, Any]) -> Message | tuple[Any, ...]:
    raw = case["message"]
    if case.get("note", "").startswith("a bare list"):
        return typed(raw["list"])  # type: ignore[no-any-return]
    return Message(typed(raw))


def encoded(value: Message | tuple[Any, ...],
            order: list[str] | None = None) -> tuple[dict[str, bytes], list[str]]:
    tabm = to_tabm(value, links="discard")
    keys = order if order is not None else sorted(
        k[:-5] if k.endswith("+link") else k for k in tabm)
    headers, components, _ = normalize_for_encoding(tabm, keys, ordered=order is not None)
    return headers, components


def names(case: dict[str, Any]) -> list[str]:
    return [name for name, _ in case["encoded_components"]]


@pytest.mark.parametrize("case", UNSIGNED, ids=[c["name"] for c in UNSIGNED])
def test_unsigned_id(case: dict[str, Any]) -> None:
    assert message_id(case_value(case)) == case["id"]


@pytest.mark.parametrize("case", UNSIGNED, ids=[c["name"] for c in UNSIGNED])
def test_components_and_signature_base(case: dict[str, Any]) -> None:
    headers, components = encoded(case_value(case))
    assert components == names(case)
    assert [[c, headers[c].decode()] for c in components] == case["encoded_components"]
    base = signature_base(headers, components, HMAC_PARAMS)
    assert base == case["signature_base"].encode()
    assert hmac_b64u(b"constant:ao", base) == case["id"]


def nested_bases(value: Any) -> list[bytes]:
    """The HMAC signature bases of every nested message or list inside ``value``."""
    out: list[bytes] = []
    items = value.items() if isinstance(value, Message) else enumerate(value)
    for _, child in items:
        if isinstance(child, (Message, tuple)):
            headers, components = encoded(child)
            out.append(signature_base(headers, components, HMAC_PARAMS))
            out.extend(nested_bases(child))
    return out


@pytest.mark.parametrize("case", [c for c in UNSIGNED if "child_signature_bases" in c],
                         ids=lambda c: c["name"])
def test_child_signature_bases(case: dict[str, Any]) -> None:
    ours = nested_bases(case_value(case))
    for expected in case["child_signature_bases"]:
        assert expected.encode() in ours


@pytest.mark.parametrize("case", OVER_32, ids=[c["name"] for c in OVER_32])
def test_over_32_keys_in_the_committed_order(case: dict[str, Any]) -> None:
    """Given HyperBEAM's component order (as a signature's component list gives it), the
    base and the ID are HyperBEAM's exactly: what verification does."""
    value = case_value(case)
    headers, components = encoded(value, names(case))
    assert components == names(case)
    base = signature_base(headers, components, HMAC_PARAMS)
    assert base == case["signature_base"].encode()
    assert hmac_b64u(b"constant:ao", base) == case["id"]


@pytest.mark.parametrize("case", OVER_32, ids=[c["name"] for c in OVER_32])
def test_over_32_keys_follow_erlang_otp27_map_order(case: dict[str, Any]) -> None:
    """Above 32 components HyperBEAM lists them in Erlang's HAMT order; ours is OTP 27's
    (ao_kernel.core.erlmap), so the IDs are OTP 27's, not OTP 25's (docs/protocol.md)."""
    assert map_keys_order(sorted(names(case))) == names(case) != sorted(names(case))
    assert message_id(case_value(case)) == case["id"] != case["id_otp25"]
    assert map_keys_order(names(case)[:32]) == sorted(names(case)[:32])  # a flatmap


def test_edge_format_over_32_keys_by_otp() -> None:
    """The note of the file: the 0.9-edge format's >32-key IDs depend on the OTP release;
    with today's hash order the OTP 27 components are the erlmap order."""
    for case in VECTORS["edge_format_over_32_keys_by_otp"]["cases"]:
        order = case["components_otp27"]
        assert map_keys_order(sorted(order)) == order


@pytest.mark.parametrize("case", VECTORS["hashpaths"], ids=lambda c: c["name"])
def test_hashpath(case: dict[str, Any]) -> None:
    req = Message(typed(case["request"]))
    if "base" in case:
        base = Message(typed(case["base"]))
        assert message_id(base) == case["base_id"]
        assert message_id(req, commitments="all") == case["request_id"]
        assert hashpath(base, req) == case["hashpath"]
    else:
        base = Message({"basic": "value"}).with_priv(hashpath=case["base_hashpath"])
        assert hashpath(base, req) == case["hashpath"]


# -- signed messages -------------------------------------------------------------------------

SIGNED = VECTORS["signed"]
SIGNER = RSASigner.from_jwk(VECTORS["test_key"]["jwk"])


def from_wire(case: dict[str, Any]) -> Message:
    decoded = from_tabm(from_http(case["httpsig_wire"]))
    assert isinstance(decoded, Message)
    return decoded


def test_test_key_address() -> None:
    assert SIGNER.address == VECTORS["test_key"]["address"]


@pytest.mark.parametrize("case", SIGNED, ids=lambda c: c["name"])
def test_signed_wire_decodes_to_the_commitments(case: dict[str, Any]) -> None:
    msg = from_wire(case)
    assert sorted(msg.commitments) == sorted(case["commitments"])
    for cid, expected in case["commitments"].items():
        ours = msg.commitments[cid]
        assert isinstance(ours, Message)
        for field in ("commitment-device", "type", "keyid", "signature"):
            assert ours.text(field) == expected[field]
        assert ours.text("committer") == expected.get("committer")
        committed = [expected["committed"][str(i + 1)] for i in range(len(expected["committed"]))]
        assert [c if isinstance(c, str) else c.decode() for c in ours["committed"]] == committed


@pytest.mark.parametrize("case", SIGNED, ids=lambda c: c["name"])
def test_signed_wire_verifies_and_ids(case: dict[str, Any]) -> None:
    msg = from_wire(case)
    assert verify(msg) is case["verify_all"]
    for cid, c in msg.commitments.items():
        assert isinstance(c, Message)
        assert verify_commitment(msg, cid, c)
    assert message_id(msg, "none") == case["id_none"]
    assert message_id(msg, "all") == case["id_all"]
    assert message_id(msg.without("commitments")) == case["unsigned_id_of_plain"]
    assert hashpath(msg, Message({"path": "basic"})) == case["hashpath_basic"]


@pytest.mark.parametrize("case", SIGNED, ids=lambda c: c["name"])
def test_signed_wire_tampered_fails(case: dict[str, Any]) -> None:
    msg = from_wire(case)
    key = next(k for k in msg if k not in ("commitments", "ao-types"))
    value = msg[key]
    changed = msg.with_({key: (value + "x") if isinstance(value, str) else "other"})
    assert not verify(changed)


@pytest.mark.parametrize("case", SIGNED, ids=lambda c: c["name"])
def test_our_commitment_with_the_test_key(case: dict[str, Any]) -> None:
    """Signing with the vectors' key gives HyperBEAM's base and committed list (RSA-PSS
    is salted, so the signature itself differs); the result verifies."""
    plain = from_wire(case).without("commitments")
    ours = commit(plain, SIGNER)
    assert verify(ours)
    expected = next(c for c in case["commitments"].values() if c["type"] == "rsa-pss-sha512")
    mine = next(c for c in ours.commitments.values()
                if isinstance(c, Message) and c.text("type") == "rsa-pss-sha512")
    assert mine.text("keyid") == expected["keyid"]
    assert mine.text("committer") == expected["committer"]
    want = [expected["committed"][str(i + 1)] for i in range(len(expected["committed"]))]
    got = [c if isinstance(c, str) else c.decode() for c in mine["committed"]]
    assert got == want
    tabm = to_tabm(plain, links="discard")
    headers, components, _ = normalize_for_encoding(tabm, got)
    base = signature_base(headers, components, commitment_params(mine))
    assert base == case["signature_base_rsa-pss-sha512"].encode()
    hmac_ids = [cid for cid, c in ours.commitments.items()
                if isinstance(c, Message) and c.text("type") == "hmac-sha256"]
    assert hmac_ids == [case["id_none"]]


def test_signed_over_32_keys_verifies_in_its_own_order() -> None:
    """HyperBEAM signed 40 keys in its map order; we verify in that order, and a copy with
    the committed list sorted (another order than the one signed) fails."""
    case = next(c for c in SIGNED if c["name"] == "signed-40-keys")
    msg = from_wire(case)
    assert verify(msg)
    cid = next(k for k, c in case["commitments"].items() if c["type"] == "rsa-pss-sha512")
    rsa = msg.commitments[cid]
    assert isinstance(rsa, Message)
    resorted = rsa.with_(committed=tuple(sorted(rsa["committed"])))  # type: ignore[arg-type]
    assert not verify_commitment(msg, cid, resorted)


def test_signature_label_is_comm_and_sig_still_reads() -> None:
    case = SIGNED[0]
    msg = from_wire(case)
    wire = to_http(to_tabm(msg, links="inline"))
    assert wire["signature"].startswith(b"comm-")
    assert wire["signature-input"].decode() == case["httpsig_wire"]["signature-input"]
    old = {k: (v.replace("comm-", "sig-") if k.startswith("signature") else v)
           for k, v in case["httpsig_wire"].items()}
    assert verify(from_tabm(from_http(old)))  # type: ignore[arg-type]


# -- the secret: HMAC scheme -----------------------------------------------------------------

SECRETS = VECTORS["hmac_secret"]


@pytest.mark.parametrize("case", SECRETS, ids=lambda c: c["name"])
def test_secret_commitment(case: dict[str, Any]) -> None:
    msg = commit_secret(Message(typed(case["message"])), case["secret"])
    assert {k: v.to_python() for k, v in msg.commitments.items()  # type: ignore[union-attr]
            } == {cid: {**c, "committed": [c["committed"][str(i + 1)]
                                           for i in range(len(c["committed"]))]}
                  for cid, c in case["commitments"].items()}
    cid = next(iter(case["commitments"]))
    commitment = msg.commitments[cid]
    assert isinstance(commitment, Message)
    headers, components = encoded(msg.without("commitments"))
    base = signature_base(headers, components, commitment_params(commitment))
    assert base == case["signature_base"].encode()
    assert message_id(msg, "all") == case["id_all"]
    assert [commitment.text("committer")] == case["signers"]
    assert verify(msg, secret=case["secret"]) is case["verify_with_secret"]
    assert verify(msg, secret=case["secret"] + "-wrong") is case["verify_bad_secret"]
    assert not verify(msg)  # no secret given: a secret commitment cannot be checked


def test_keyid_and_committer_cross_checked() -> None:
    case = SIGNED[0]
    msg = from_wire(case)
    cid = next(k for k, c in case["commitments"].items() if c["type"] == "rsa-pss-sha512")
    rsa = msg.commitments[cid]
    assert isinstance(rsa, Message)
    other = RSASigner.generate(2048)
    assert not verify_commitment(msg, cid, rsa.with_(committer=other.address))
    hmac_cid = next(k for k, c in case["commitments"].items() if c["type"] == "hmac-sha256")
    hmac = msg.commitments[hmac_cid]
    assert isinstance(hmac, Message)
    assert not verify_commitment(msg, hmac_cid, hmac.with_(committer=other.address))
    assert not verify_commitment(msg, hmac_cid, hmac.with_(keyid="constant:other"))


def test_hmac_verification_follows_each_commitments_keyid() -> None:
    """An edge (keyid ``ao``) and a current (``constant:ao``) HMAC commitment both verify
    in one process, with no switch: the keyid chooses the key."""
    from ao_kernel.core.commitments import with_hmac
    from ao_kernel.core.httpsig import EDGE

    plain = Message({"basic": "value"})
    edge = with_hmac(plain, fmt=EDGE)
    newest = with_hmac(plain)
    assert [c.text("keyid") for c in edge.commitments.values()] == ["ao"]  # type: ignore[union-attr]
    assert verify(edge) and verify(newest)
    assert message_id(newest) == "E_VHBPKkfOrUffKfdNImA9lwr17swYGp3Det4OJXUsM"
    assert b64u_decode(message_id(edge)) != b64u_decode(message_id(newest))
