"""Every value of tests/vectors/hyperbeam-edge.json, reproduced under the named option
``fmt=EDGE`` (the June 2025 format; the default is today's, tests/core/test_vectors_newest.py).

The file comes verbatim from ../shared/vectors (produced by running HyperBEAM edge
3635c5e6 itself); never regenerate it from this code base.
"""

from __future__ import annotations

from typing import Any

import pytest

from ao_kernel.core.b64 import b64u_decode
from ao_kernel.core.commitments import verify, verify_commitment
from ao_kernel.core.httpsig import EDGE, normalize_for_encoding, signature_base, to_http
from ao_kernel.core.ids import hash_chain, hashpath, tabm_in_format
from ao_kernel.core.ids import message_id as default_message_id
from ao_kernel.core.message import Message
from ao_kernel.core.values import Atom
from tests.conftest import load_vectors

VECTORS = load_vectors("hyperbeam-edge.json")


def message_id(msg: Any, committers: Any = "none", **kwargs: Any) -> str:
    """IDs in the 0.9-edge format, the one this file was produced with."""
    return default_message_id(msg, committers, fmt=EDGE, **kwargs)

ERLANG_ORDER_NOTE = "Erlang's internal map order"


def typed(value: Any) -> Any:
    """The vector notation ({"integer": n}, {"float": x}, {"atom": s}) as Python values."""
    if isinstance(value, dict):
        if set(value) == {"integer"}:
            return int(value["integer"])
        if set(value) == {"float"}:
            return float(value["float"])
        if set(value) == {"atom"}:
            return {"true": True, "false": False, "null": None}.get(value["atom"],
                                                                     Atom(value["atom"]))
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(typed(v) for v in value)
    return value


def case_message(case: dict[str, Any]) -> Message | tuple[Any, ...]:
    raw = case["message"]
    if "k1..k40" in raw:
        return Message({f"k{i}": "v" for i in range(1, 41)})
    if case.get("note", "").startswith("a bare list"):
        return typed(raw["list"])  # type: ignore[no-any-return]
    return Message(typed(raw))


UNSIGNED = [c for c in VECTORS["unsigned_ids"] if ERLANG_ORDER_NOTE not in c.get("note", "")]
OVER_32_KEYS = [c for c in VECTORS["unsigned_ids"] if ERLANG_ORDER_NOTE in c.get("note", "")]


@pytest.mark.parametrize("case", UNSIGNED, ids=[c["id"][:8] for c in UNSIGNED])
def test_unsigned_id(case: dict[str, Any]) -> None:
    assert message_id(case_message(case)) == case["id"]


@pytest.mark.parametrize("case", UNSIGNED, ids=[c["id"][:8] for c in UNSIGNED])
def test_encoded_components(case: dict[str, Any]) -> None:
    msg = case_message(case)
    tabm = tabm_in_format(msg, EDGE)
    headers = to_http(tabm)
    headers.pop("body", None)
    expected = {k: v.encode() for k, v in case["encoded_components"].items()}
    assert headers == expected


@pytest.mark.parametrize(
    "case", [c for c in UNSIGNED if "signature_base" in c], ids=lambda c: c["id"][:8]
)
def test_signature_base(case: dict[str, Any]) -> None:
    tabm = tabm_in_format(case_message(case), EDGE)
    encoded, components, _ = normalize_for_encoding(tabm, sorted(tabm))
    base = signature_base(encoded, components, [("alg", '"hmac-sha256"'), ("keyid", '"ao"')])
    assert base == case["signature_base"].encode()


@pytest.mark.parametrize("case", OVER_32_KEYS, ids=["40-keys"])
def test_over_32_keys_diverges_as_documented(case: dict[str, Any]) -> None:
    """HyperBEAM orders >32 components by Erlang's HAMT; we sort (docs/protocol.md)."""
    ours = message_id(case_message(case))
    assert ours != case["id"]
    sorted_prefix = case["note"].split("would give an ID starting ")[1].split()[0]
    assert ours.startswith(sorted_prefix)


@pytest.mark.parametrize("case", VECTORS["hashpaths"], ids=lambda c: c["hashpath"][:8])
def test_hashpath(case: dict[str, Any]) -> None:
    req = Message(typed(case["request"]))
    if "base_id" in case:
        base = Message({"basic": "value"})
        assert message_id(base) == case["base_id"]
        assert hashpath(base, req, fmt=EDGE) == case["hashpath"]
    else:
        base = Message({"basic": "value"}).with_priv(hashpath=case["base_hashpath"])
        assert hashpath(base, req, fmt=EDGE) == case["hashpath"]


@pytest.mark.parametrize("case", VECTORS["hash_chain"], ids=lambda c: str(c["slot"]))
def test_hash_chain(case: dict[str, Any]) -> None:
    assert hash_chain(case["previous"], case["message_id"]) == case["hash_chain"]


def signed_vector_message() -> Message:
    s = VECTORS["signed"]
    from ao_kernel.core.b64 import b64_encode

    n = b64u_decode(s["rsa_modulus_b64url"])
    hmac_id = message_id(Message(s["message"]))
    rsa = {
        "commitment-device": "httpsig@1.0",
        "type": "rsa-pss-sha512",
        "keyid": b64_encode(n),
        "committer": s["signer_address"],
        "committed": ("basic",),
        "signature": s["signature_b64url"],
    }
    hmac = {
        "commitment-device": "httpsig@1.0",
        "type": "hmac-sha256",
        "keyid": "ao",
        "committed": ("basic",),
        "signature": hmac_id,
    }
    return Message(s["message"]).with_(
        commitments={s["rsa_commitment_id"]: rsa, hmac_id: hmac}
    )


def test_signed_vector_verifies() -> None:
    msg = signed_vector_message()
    assert verify(msg)
    s = VECTORS["signed"]
    rsa = msg.commitments[s["rsa_commitment_id"]]
    assert isinstance(rsa, Message)
    assert verify_commitment(msg, s["rsa_commitment_id"], rsa)


def test_signed_vector_ids_and_hashpath() -> None:
    s = VECTORS["signed"]
    msg = signed_vector_message()
    assert message_id(msg) == VECTORS["unsigned_ids"][0]["id"]
    assert message_id(msg, "all") == s["rsa_commitment_id"]
    assert message_id(msg, commitments="all") == s["all_commitments_id"]
    assert hashpath(msg, Message({"path": "basic"}), fmt=EDGE) == s["hashpath_with_request_basic"]


def test_signed_vector_tampered_fails() -> None:
    msg = signed_vector_message().with_(basic="valuf")
    assert not verify(msg)


def test_signed_vector_signature_base_documented() -> None:
    s = VECTORS["signed"]
    msg = signed_vector_message()
    tabm = tabm_in_format(msg, EDGE)
    encoded, components, _ = normalize_for_encoding(tabm, ["basic"])
    rsa = msg.commitments[s["rsa_commitment_id"]]
    assert isinstance(rsa, Message)
    from ao_kernel.core.httpsig import commitment_params

    base = signature_base(encoded, components, commitment_params(rsa))
    expected_prefix = s["signature_base"].split("keyid=")[0]
    assert base.decode().startswith(expected_prefix)
