"""Signers and verification: RSA-PSS (httpsig + ANS-104), Ed25519, Ethereum EIP-191."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from ao_kernel.core.b64 import b64_encode, b64u_decode, b64u_encode
from ao_kernel.core.errors import SignatureError, WalletError
from ao_kernel.core.signers import (
    SIGNATURE_TYPES,
    Ed25519Signer,
    EthereumSigner,
    RSASigner,
    address_of,
    eip55_checksum,
    eip191_hash,
    ethereum_address,
    keccak256,
    owner_address,
    signer_from_jwk,
    verify_ed25519,
    verify_ethereum,
    verify_rsa_pss,
)
from ao_kernel.testing.wallets import dev_ed25519, dev_ethereum, dev_wallet

# web3.js documentation vector: accounts.privateKeyToAccount / accounts.sign("Some data")
WEB3_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
WEB3_ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
WEB3_SIGNATURE = bytes.fromhex(
    "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
    "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
)


@pytest.fixture(scope="module")
def rsa() -> RSASigner:
    signer = dev_wallet(1).signer
    assert isinstance(signer, RSASigner)
    return signer


# -- the HyperBEAM httpsig RSA-PSS-SHA512 vector --------------------------------------------


def _hb_signed(hb_vectors: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
    v = hb_vectors["signed"]
    n = b64u_decode(v["rsa_modulus_b64url"])
    base = v["signature_base"].replace(
        "<standard base64 with padding of the modulus>", b64_encode(n)
    ).encode()
    return n, base, b64u_decode(v["signature_b64url"])


def test_hyperbeam_signed_vector_verifies(hb_vectors: dict[str, Any]) -> None:
    n, base, sig = _hb_signed(hb_vectors)
    assert len(n) == 512
    assert address_of(1, n) == hb_vectors["signed"]["signer_address"]
    assert owner_address(n) == hb_vectors["signed"]["signer_address"]
    assert verify_rsa_pss(n, base, sig, hash="sha512", salt_length=64)
    assert verify_rsa_pss(n, base, sig, hash="sha512", salt_length=None)
    assert b64u_encode(hashlib.sha256(sig).digest()) == hb_vectors["signed"]["rsa_commitment_id"]


def test_hyperbeam_signed_vector_rejects_changes(hb_vectors: dict[str, Any]) -> None:
    n, base, sig = _hb_signed(hb_vectors)
    assert not verify_rsa_pss(n, base.replace(b"value", b"valuf"), sig, "sha512", 64)
    assert not verify_rsa_pss(n, base, sig, "sha512", salt_length=32)
    assert not verify_rsa_pss(n, base, sig, "sha256")
    flipped = bytes([sig[0] ^ 1]) + sig[1:]
    assert not verify_rsa_pss(n, base, flipped, "sha512", 64)


# -- RSA ------------------------------------------------------------------------------------


def test_rsa_signer_shape(rsa: RSASigner) -> None:
    assert rsa.key_size == 4096
    assert rsa.signature_type == 1
    assert len(rsa.public_key) == 512
    assert rsa.public_key[0] & 0x80
    assert rsa.address == b64u_encode(hashlib.sha256(rsa.public_key).digest())
    assert rsa.owner_address == rsa.address
    assert rsa.to_jwk()["n"] == b64u_encode(rsa.public_key)
    assert rsa.to_jwk()["e"] == "AQAB"


def test_rsa_jwk_round_trip(rsa: RSASigner) -> None:
    jwk = rsa.to_jwk()
    assert set(jwk) == {"kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"}
    again = RSASigner.from_jwk(jwk)
    assert again.public_key == rsa.public_key
    assert again.to_jwk() == jwk


def test_rsa_jwk_without_primes_is_recovered(rsa: RSASigner) -> None:
    jwk = rsa.to_jwk()
    minimal = {k: jwk[k] for k in ("kty", "n", "e", "d")}
    again = RSASigner.from_jwk(minimal)
    assert again.to_jwk() == jwk


@pytest.mark.parametrize(
    ("salt", "hash_name", "accepts", "rejects"),
    [
        (32, "sha256", [32, None], [0, 478]),
        ("max", "sha256", [478, None], [32]),
        (64, "sha512", [64, None], [32]),
        (0, "sha256", [0, None], [32]),
    ],
)
def test_rsa_sign_pss_salts(
    rsa: RSASigner, salt: Any, hash_name: str, accepts: list[Any], rejects: list[Any]
) -> None:
    sig = rsa.sign_pss(b"payload", hash=hash_name, salt_length=salt)
    assert len(sig) == 512
    for s in accepts:
        assert verify_rsa_pss(rsa.public_key, b"payload", sig, hash_name, s)
    for s in rejects:
        assert not verify_rsa_pss(rsa.public_key, b"payload", sig, hash_name, s)
    assert not verify_rsa_pss(rsa.public_key, b"payloaD", sig, hash_name)


def test_rsa_sign_is_pss_sha256_salt_32(rsa: RSASigner) -> None:
    sig = rsa.sign(b"m" * 48)
    assert verify_rsa_pss(rsa.public_key, b"m" * 48, sig, "sha256", 32)
    other = dev_wallet(2).signer.public_key
    assert not verify_rsa_pss(other, b"m" * 48, sig, "sha256")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"hash": "md5"}, "hash"), ({"salt_length": 1000}, "salt_length"),
     ({"salt_length": -1}, "salt_length"), ({"salt_length": "auto"}, "salt_length")],
)
def test_rsa_sign_pss_bad_parameters(rsa: RSASigner, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(SignatureError) as err:
        rsa.sign_pss(b"x", **kwargs)
    assert err.value.field == field


def test_verify_rsa_pss_bad_inputs(rsa: RSASigner) -> None:
    sig = rsa.sign(b"x")
    with pytest.raises(SignatureError) as err:
        verify_rsa_pss(rsa.public_key, b"x", sig[:-1])
    assert err.value.field == "signature"
    for bad_key in (b"", b"\x01" * 8, b"\x00" * 512):
        with pytest.raises(SignatureError) as err:
            verify_rsa_pss(bad_key, b"x", sig)
        assert err.value.field == "public key"
    with pytest.raises(SignatureError) as err:
        verify_rsa_pss(rsa.public_key[:-1] + b"\x02", b"x", sig)  # even modulus
    assert err.value.field == "public key"
    with pytest.raises(SignatureError) as err:
        verify_rsa_pss(rsa.public_key, b"x", sig, hash="sha1")
    assert err.value.field == "hash"
    with pytest.raises(SignatureError) as err:
        verify_rsa_pss(rsa.public_key, b"x", sig, salt_length=-3)
    assert err.value.field == "salt_length"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda j: j.pop("n"), "n"),
        (lambda j: j.update(kty="EC"), "kty"),
        (lambda j: j.update(e="Aw"), "e"),
        (lambda j: j.update(d="***"), "d"),
        (lambda j: j.update(q=j["p"]), "p"),
        (lambda j: j.update(d=j["dp"]), "d"),
        (lambda j: j.update(dp=j["dq"]), "dp"),
        (lambda j: j.update(dq=j["dp"]), "dq"),
        (lambda j: j.update(qi=j["dp"]), "qi"),
        (lambda j: j.update(qi=123), "qi"),
    ],
)
def test_rsa_bad_jwk(rsa: RSASigner, change: Any, field: str) -> None:
    jwk: dict[str, Any] = rsa.to_jwk()
    change(jwk)
    with pytest.raises(WalletError) as err:
        RSASigner.from_jwk(jwk)
    assert err.value.field == field


# -- Ed25519 --------------------------------------------------------------------------------


def test_ed25519_sign_verify() -> None:
    signer = dev_ed25519().signer
    assert isinstance(signer, Ed25519Signer)
    assert signer.signature_type == 2
    assert len(signer.public_key) == 32
    assert signer.address == owner_address(signer.public_key) == address_of(2, signer.public_key)
    sig = signer.sign(b"hello")
    assert len(sig) == 64
    assert sig == signer.sign(b"hello")  # deterministic
    assert verify_ed25519(signer.public_key, b"hello", sig)
    assert not verify_ed25519(signer.public_key, b"hellp", sig)
    assert not verify_ed25519(signer.public_key, b"hello", bytes([sig[0] ^ 4]) + sig[1:])
    assert not verify_ed25519(Ed25519Signer(b"\x07" * 32).public_key, b"hello", sig)


def test_ed25519_rfc8032_vector() -> None:
    # RFC 8032 section 7.1, TEST 1 (empty message)
    secret = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    signer = Ed25519Signer(secret)
    assert signer.public_key.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert signer.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_ed25519_bad_sizes_and_jwk() -> None:
    signer = dev_ed25519().signer
    sig = signer.sign(b"x")
    with pytest.raises(SignatureError) as err:
        verify_ed25519(signer.public_key[:31], b"x", sig)
    assert err.value.field == "public key"
    with pytest.raises(SignatureError) as err:
        verify_ed25519(signer.public_key, b"x", sig + b"\x00")
    assert err.value.field == "signature"
    with pytest.raises(WalletError) as werr:
        Ed25519Signer(b"short")
    assert werr.value.field == "d"
    jwk = signer.to_jwk()
    assert Ed25519Signer.from_jwk(jwk).public_key == signer.public_key
    jwk["x"] = b64u_encode(b"\x01" * 32)
    with pytest.raises(WalletError) as werr:
        Ed25519Signer.from_jwk(jwk)
    assert werr.value.field == "x"


# -- Ethereum -------------------------------------------------------------------------------


def test_keccak_and_eip191() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert eip191_hash(b"Some data") == keccak256(b"\x19Ethereum Signed Message:\n9Some data")


@pytest.mark.parametrize(
    "address",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_vectors(address: str) -> None:
    assert eip55_checksum(address.lower()) == address
    assert eip55_checksum(address[2:].upper()) == address


def test_eip55_rejects_non_addresses() -> None:
    for bad in ("0x1234", "0x" + "g" * 40):
        with pytest.raises(WalletError) as err:
            eip55_checksum(bad)
        assert err.value.field == "address"


def test_ethereum_web3_vector() -> None:
    signer = EthereumSigner(WEB3_KEY)
    assert signer.address == WEB3_ADDRESS
    assert len(signer.public_key) == 65
    assert signer.public_key[0] == 4
    assert signer.sign(b"Some data") == WEB3_SIGNATURE
    assert verify_ethereum(signer.public_key, b"Some data", WEB3_SIGNATURE)
    assert address_of(3, signer.public_key) == WEB3_ADDRESS
    assert signer.owner_address == owner_address(signer.public_key)
    assert signer.owner_address != signer.address


def test_ethereum_verify_rejects() -> None:
    signer = dev_ethereum().signer
    assert isinstance(signer, EthereumSigner)
    sig = signer.sign(b"msg")
    assert sig[64] in (27, 28)
    assert verify_ethereum(signer.public_key, b"msg", sig)
    assert not verify_ethereum(signer.public_key, b"msh", sig)
    flipped_v = sig[:64] + bytes([55 - sig[64]])
    assert not verify_ethereum(signer.public_key, b"msg", flipped_v)
    for v in (0, 1, 29):
        assert not verify_ethereum(signer.public_key, b"msg", sig[:64] + bytes([v]))
    assert not verify_ethereum(signer.public_key, b"msg", b"\x00" * 64 + b"\x1b")
    assert not verify_ethereum(EthereumSigner(WEB3_KEY).public_key, b"msg", sig)
    with pytest.raises(SignatureError) as err:
        verify_ethereum(signer.public_key[1:], b"msg", sig)
    assert err.value.field == "public key"
    with pytest.raises(SignatureError) as err:
        verify_ethereum(b"\x04" + b"\x01" * 64, b"msg", sig)  # not on the curve
    assert err.value.field == "public key"
    with pytest.raises(SignatureError) as err:
        verify_ethereum(signer.public_key, b"msg", sig[:64])
    assert err.value.field == "signature"


def test_ethereum_jwk_round_trip_and_errors() -> None:
    signer = dev_ethereum().signer
    jwk = signer.to_jwk()
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "secp256k1"
    assert EthereumSigner.from_jwk(jwk).address == signer.address
    jwk["y"] = b64u_encode(b"\x02" * 32)
    with pytest.raises(WalletError) as err:
        EthereumSigner.from_jwk(jwk)
    assert err.value.field == "x"
    with pytest.raises(WalletError) as err:
        EthereumSigner(b"\x00" * 32)  # zero is not a valid secret
    assert err.value.field == "d"
    with pytest.raises(WalletError):
        ethereum_address(b"\x04" * 33)


# -- addresses and dispatch -----------------------------------------------------------------


def test_address_of_checks_type_and_length() -> None:
    with pytest.raises(WalletError) as err:
        address_of(99, b"x")
    assert err.value.field == "signature type"
    with pytest.raises(WalletError) as err:
        address_of(1, b"\x01" * 511)
    assert err.value.field == "owner"
    assert address_of(4, b"\x05" * 32) == owner_address(b"\x05" * 32)


def test_signature_type_table() -> None:
    assert (SIGNATURE_TYPES[1].signature_length, SIGNATURE_TYPES[1].owner_length) == (512, 512)
    assert (SIGNATURE_TYPES[2].signature_length, SIGNATURE_TYPES[2].owner_length) == (64, 32)
    assert (SIGNATURE_TYPES[3].signature_length, SIGNATURE_TYPES[3].owner_length) == (65, 65)
    assert SIGNATURE_TYPES[6].signature_length == 2052


def test_signer_from_jwk_dispatch(rsa: RSASigner) -> None:
    assert isinstance(signer_from_jwk(rsa.to_jwk()), RSASigner)
    assert isinstance(signer_from_jwk(dev_ed25519().jwk), Ed25519Signer)
    assert isinstance(signer_from_jwk(dev_ethereum().jwk), EthereumSigner)
    with pytest.raises(WalletError) as err:
        signer_from_jwk({"kty": "oct", "k": "AA"})
    assert err.value.field == "kty"
    with pytest.raises(WalletError) as err:
        signer_from_jwk([1, 2])  # type: ignore[arg-type]
    assert err.value.field == "jwk"


def test_repr_shows_no_secret(rsa: RSASigner) -> None:
    text = repr(rsa)
    assert rsa.address in text
    assert rsa.to_jwk()["d"][:20] not in text
