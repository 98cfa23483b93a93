"""Signers and signature verification: Arweave RSA, Ed25519 and Ethereum keys.

Theory of operation
-------------------
A *signer* holds a private key and knows three things about itself: its ANS-104
``signature_type`` (1 arweave, 2 ed25519, 3 ethereum), its ``public_key`` (the *owner*
bytes a data item carries) and its ``address``. ``signer.sign(message)`` produces the
signature ANS-104 expects for that type over an already-computed message (the 48-byte
deep hash of a data item):

=========  ========================  =========  ==========================================
type       owner                     signature  algorithm
=========  ========================  =========  ==========================================
1 arweave  RSA modulus n, 512 B BE   512 B      RSA-PSS, SHA-256, MGF1-SHA-256, salt 32
                                                (or the maximum, 478, as Node signers do)
2 ed25519  32 B public key           64 B       Ed25519 (pure) over the message
3 eth      65 B uncompressed 0x04..  65 B       EIP-191 personal-sign: keccak256(
                                                "\\x19Ethereum Signed Message:\\n" + len +
                                                message), r || s || v with v in {27, 28}
=========  ========================  =========  ==========================================

RSA signers also sign httpsig@1.0 signature bases with ``sign_pss(base, hash="sha512",
salt_length=64)`` (HyperBEAM's ``rsa-pss-sha512``).

Addresses. Two conventions coexist and both are exposed:

* ``owner_address(owner)`` = base64url(SHA-256(owner)) — what Arweave calls the address
  of an RSA key and what the SU reports as ``owner.address`` for *every* signature type;
* ``address_of(signature_type, owner)`` = the *native* address a process sees as
  ``msg.Owner``: the same as above, except for Ethereum keys where the CU uses the EIP-55
  checksummed ``0x`` + last 20 bytes of keccak256(pubkey without its 0x04 prefix).

Verification functions take raw public-key bytes (the owner field of a data item, the
modulus in an httpsig keyid), return ``True``/``False`` for a well-formed signature that
does or does not verify, and raise :class:`SignatureError` naming the field when the key
or signature bytes cannot be a key or signature at all. RSA verification accepts any
salt length by default (``salt_length=None``): Node signers use the maximum salt,
browser wallets 32.

This module is pure: signing draws randomness (PSS salts, Ed25519 is deterministic,
secp256k1 uses RFC 6979 nonces) but performs no I/O and reads no clock.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import coincurve
from Crypto.Hash import keccak
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from .b64 import b64u_decode, b64u_encode
from .errors import EncodingError, SignatureError, WalletError

__all__ = [
    "SIGNATURE_TYPES",
    "Ed25519Signer",
    "EthereumSigner",
    "RSASigner",
    "SignatureTypeInfo",
    "Signer",
    "address_of",
    "eip55_checksum",
    "eip191_hash",
    "ethereum_address",
    "keccak256",
    "owner_address",
    "signer_from_jwk",
    "verify_ed25519",
    "verify_ethereum",
    "verify_rsa_pss",
]

HashName = Literal["sha256", "sha384", "sha512"]
SaltLength = int | Literal["max"]

RSA_EXPONENT = 65537


@dataclass(frozen=True)
class SignatureTypeInfo:
    """One row of the ANS-104 signature-type table."""

    code: int
    name: str
    signature_length: int
    owner_length: int


#: ANS-104 signature types (arbundles ``SignatureConfig``; same table in the SU).
SIGNATURE_TYPES: dict[int, SignatureTypeInfo] = {
    info.code: info
    for info in (
        SignatureTypeInfo(1, "arweave", 512, 512),
        SignatureTypeInfo(2, "ed25519", 64, 32),
        SignatureTypeInfo(3, "ethereum", 65, 65),
        SignatureTypeInfo(4, "solana", 64, 32),
        SignatureTypeInfo(5, "injectedAptos", 64, 32),
        SignatureTypeInfo(6, "multiAptos", 64 * 32 + 4, 32 * 32 + 1),
        SignatureTypeInfo(7, "typedEthereum", 65, 42),
        SignatureTypeInfo(101, "kyve", 65, 65),
    )
}


# -- hashing helpers ------------------------------------------------------------------------


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (the pre-standard SHA-3 Ethereum uses)."""
    return keccak.new(digest_bits=256, data=data).digest()


def eip191_hash(message: bytes) -> bytes:
    """keccak256 of the EIP-191 personal-sign envelope of ``message``."""
    prefix = b"\x19Ethereum Signed Message:\n" + str(len(message)).encode("ascii")
    return keccak256(prefix + message)


def owner_address(owner: bytes) -> str:
    """base64url(SHA-256(owner)): the Arweave / SU address of any public key."""
    return b64u_encode(hashlib.sha256(owner).digest())


def ethereum_address(public_key: bytes) -> str:
    """EIP-55 checksummed ``0x`` address of a 65-byte uncompressed secp256k1 key."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise WalletError(
            f"an Ethereum public key is 65 bytes starting 0x04, got {len(public_key)} bytes",
            field="public key",
        )
    return eip55_checksum(keccak256(public_key[1:])[-20:].hex())


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a 20-byte hex address (with or without ``0x``)."""
    raw = address[2:] if address[:2] in ("0x", "0X") else address
    raw = raw.lower()
    if len(raw) != 40 or any(c not in "0123456789abcdef" for c in raw):
        raise WalletError(f"not a 20-byte hex address: {address!r}", field="address")
    check = keccak256(raw.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(check[i], 16) >= 8 else c for i, c in enumerate(raw)
    )


def address_of(signature_type: int, owner: bytes) -> str:
    """The native address of ``owner`` for ``signature_type`` (what ``msg.Owner`` holds).

    Ethereum keys (type 3, 65 bytes) give the EIP-55 ``0x`` address, every other type
    base64url(SHA-256(owner)). For the SU's sha256 form of any key use :func:`owner_address`.
    """
    info = SIGNATURE_TYPES.get(signature_type)
    if info is None:
        raise WalletError(f"unknown signature type {signature_type!r}", field="signature type")
    if len(owner) != info.owner_length:
        raise WalletError(
            f"a {info.name} owner is {info.owner_length} bytes, got {len(owner)}", field="owner"
        )
    if signature_type == 3:
        return ethereum_address(owner)
    return owner_address(owner)


def _hash_algorithm(name: str) -> hashes.HashAlgorithm:
    if name == "sha256":
        return hashes.SHA256()
    if name == "sha384":
        return hashes.SHA384()
    if name == "sha512":
        return hashes.SHA512()
    raise SignatureError(f"unsupported PSS hash {name!r} (sha256, sha384, sha512)", field="hash")


# -- signers --------------------------------------------------------------------------------


class Signer(ABC):
    """A private key that signs ANS-104 messages (and, for RSA, httpsig bases)."""

    #: The ANS-104 signature type this signer produces.
    signature_type: int

    @property
    @abstractmethod
    def public_key(self) -> bytes:
        """The owner bytes a data item signed by this key carries."""

    @property
    @abstractmethod
    def address(self) -> str:
        """The native address of this key (see :func:`address_of`)."""

    @property
    def owner_address(self) -> str:
        """base64url(SHA-256(public_key)), the SU / ANS-104 owner address."""
        return owner_address(self.public_key)

    @abstractmethod
    def sign(self, message: bytes) -> bytes:
        """The ANS-104 signature of ``message`` for this key type."""

    @abstractmethod
    def to_jwk(self) -> dict[str, str]:
        """The private key as a JWK dict (keep it secret)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.address}>"


def _jwk_int(jwk: Mapping[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise WalletError(f"JWK field {name!r} is missing or not a string", field=name)
    try:
        raw = b64u_decode(value, field=name)
    except EncodingError as exc:
        raise WalletError(f"JWK field {name!r} is not base64url", field=name) from exc
    return int.from_bytes(raw, "big")


def _check_rsa_numbers(n: int, e: int, d: int, *, p: int, q: int, dp: int, dq: int,
                       qi: int) -> None:
    """Arithmetic consistency of an RSA private key (WalletError naming the bad field)."""
    if p < 3 or q < 3 or p * q != n:
        raise WalletError("JWK p * q is not n", field="p")
    if not 1 < d < n or (d * e) % (p - 1) != 1 or (d * e) % (q - 1) != 1:
        raise WalletError("JWK d is not the private exponent of n, e", field="d")
    if dp != d % (p - 1):
        raise WalletError("JWK dp is not d mod (p - 1)", field="dp")
    if dq != d % (q - 1):
        raise WalletError("JWK dq is not d mod (q - 1)", field="dq")
    if (qi * q) % p != 1:
        raise WalletError("JWK qi is not the inverse of q mod p", field="qi")


def _int_bytes(value: int, length: int | None = None) -> bytes:
    return value.to_bytes(length or max(1, (value.bit_length() + 7) // 8), "big")


def _b64u_int(value: int) -> str:
    return b64u_encode(_int_bytes(value))


class RSASigner(Signer):
    """An Arweave RSA key (4096 bits, e = 65537 for real wallets)."""

    signature_type = 1

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        numbers = key.private_numbers().public_numbers
        if numbers.e != RSA_EXPONENT:
            raise WalletError(f"RSA public exponent must be 65537, got {numbers.e}", field="e")
        self._key = key
        self._public_key = _int_bytes(numbers.n, (key.key_size + 7) // 8)

    @classmethod
    def generate(cls, bits: int = 4096) -> RSASigner:
        """A fresh key (4096 bits takes about a second)."""
        if bits < 1024:
            raise WalletError(f"RSA keys must have at least 1024 bits, got {bits}", field="bits")
        return cls(rsa.generate_private_key(public_exponent=RSA_EXPONENT, key_size=bits))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> RSASigner:
        """A signer from an Arweave JWK (``n, e, d`` required; ``p, q, dp, dq, qi`` used
        when present, recovered otherwise)."""
        if jwk.get("kty") != "RSA":
            raise WalletError(f"JWK kty must be 'RSA', got {jwk.get('kty')!r}", field="kty")
        n, e, d = _jwk_int(jwk, "n"), _jwk_int(jwk, "e"), _jwk_int(jwk, "d")
        if e != RSA_EXPONENT:
            raise WalletError(f"RSA public exponent must be 65537, got {e}", field="e")
        try:
            if "p" in jwk and "q" in jwk:
                p, q = _jwk_int(jwk, "p"), _jwk_int(jwk, "q")
            else:
                p, q = rsa.rsa_recover_prime_factors(n, e, d)
            dp = _jwk_int(jwk, "dp") if "dp" in jwk else rsa.rsa_crt_dmp1(d, p)
            dq = _jwk_int(jwk, "dq") if "dq" in jwk else rsa.rsa_crt_dmq1(d, q)
            qi = _jwk_int(jwk, "qi") if "qi" in jwk else rsa.rsa_crt_iqmp(p, q)
            _check_rsa_numbers(n, e, d, p=p, q=q, dp=dp, dq=dq, qi=qi)
            numbers = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, rsa.RSAPublicNumbers(e, n))
            # OpenSSL's full check (primality tests) takes ~1 s for 4096 bits; the
            # arithmetic checks above catch every inconsistent JWK in microseconds.
            key = numbers.private_key(unsafe_skip_rsa_key_validation=True)
        except (ValueError, TypeError) as exc:
            raise WalletError(f"inconsistent RSA JWK: {exc}", field="jwk") from exc
        return cls(key)

    def to_jwk(self) -> dict[str, str]:
        pn = self._key.private_numbers()
        return {
            "kty": "RSA",
            "e": _b64u_int(pn.public_numbers.e),
            "n": b64u_encode(self._public_key),
            "d": _b64u_int(pn.d),
            "p": _b64u_int(pn.p),
            "q": _b64u_int(pn.q),
            "dp": _b64u_int(pn.dmp1),
            "dq": _b64u_int(pn.dmq1),
            "qi": _b64u_int(pn.iqmp),
        }

    @property
    def key_size(self) -> int:
        """Bits of the modulus."""
        return self._key.key_size

    @property
    def public_key(self) -> bytes:
        """The modulus n, big-endian, ceil(bits/8) bytes (512 for RSA-4096)."""
        return self._public_key

    @property
    def address(self) -> str:
        cached: str | None = self.__dict__.get("_address")
        if cached is None:
            cached = self.__dict__["_address"] = owner_address(self._public_key)
        return cached

    def sign_pss(
        self, data: bytes, hash: HashName | str = "sha256", salt_length: SaltLength = 32
    ) -> bytes:
        """RSA-PSS over ``data`` with ``hash`` and MGF1 of the same hash.

        ``salt_length`` is a byte count or ``"max"`` (key bytes - hash bytes - 2).
        """
        algorithm = _hash_algorithm(hash)
        mgf = padding.MGF1(algorithm)
        if salt_length == "max":
            pss = padding.PSS(mgf=mgf, salt_length=padding.PSS.MAX_LENGTH)
        elif isinstance(salt_length, int) and not isinstance(salt_length, bool):
            limit = (self._key.key_size + 7) // 8 - algorithm.digest_size - 2
            if not 0 <= salt_length <= limit:
                raise SignatureError(
                    f"salt length must be 0..{limit} for this key, got {salt_length}",
                    field="salt_length",
                )
            pss = padding.PSS(mgf=mgf, salt_length=salt_length)
        else:
            raise SignatureError(f"bad salt length {salt_length!r}", field="salt_length")
        return self._key.sign(bytes(data), pss, algorithm)

    def sign(self, message: bytes, *, salt_length: SaltLength = 32) -> bytes:
        """ANS-104 type-1 signature: RSA-PSS-SHA256 over ``message``."""
        return self.sign_pss(message, "sha256", salt_length)


class Ed25519Signer(Signer):
    """An Ed25519 key (ANS-104 signature type 2)."""

    signature_type = 2

    def __init__(self, private_bytes: bytes) -> None:
        if not isinstance(private_bytes, bytes) or len(private_bytes) != 32:
            raise WalletError("an Ed25519 private key is 32 bytes", field="d")
        self._key = ed25519.Ed25519PrivateKey.from_private_bytes(private_bytes)
        self._private = private_bytes
        self._public_key = self._key.public_key().public_bytes_raw()

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(ed25519.Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> Ed25519Signer:
        """From an OKP JWK (``{"kty": "OKP", "crv": "Ed25519", "x", "d"}``)."""
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise WalletError("an Ed25519 JWK has kty 'OKP' and crv 'Ed25519'", field="kty")
        signer = cls(_jwk_bytes(jwk, "d"))
        if "x" in jwk and _jwk_bytes(jwk, "x") != signer.public_key:
            raise WalletError("JWK x does not match the private key d", field="x")
        return signer

    def to_jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64u_encode(self._public_key),
            "d": b64u_encode(self._private),
        }

    @property
    def public_key(self) -> bytes:
        return self._public_key

    @property
    def address(self) -> str:
        return owner_address(self._public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(bytes(message))


class EthereumSigner(Signer):
    """A secp256k1 key signing EIP-191 personal messages (ANS-104 signature type 3)."""

    signature_type = 3

    def __init__(self, private_bytes: bytes) -> None:
        if not isinstance(private_bytes, bytes) or len(private_bytes) != 32:
            raise WalletError("a secp256k1 private key is 32 bytes", field="d")
        try:
            self._key = coincurve.PrivateKey(private_bytes)
        except ValueError as exc:
            raise WalletError(f"invalid secp256k1 private key: {exc}", field="d") from exc
        self._private = private_bytes
        self._public_key = self._key.public_key.format(compressed=False)

    @classmethod
    def generate(cls) -> EthereumSigner:
        return cls(coincurve.PrivateKey().secret)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> EthereumSigner:
        """From an EC JWK (``{"kty": "EC", "crv": "secp256k1", "x", "y", "d"}``)."""
        if jwk.get("kty") != "EC" or jwk.get("crv") != "secp256k1":
            raise WalletError("an Ethereum JWK has kty 'EC' and crv 'secp256k1'", field="kty")
        signer = cls(_jwk_bytes(jwk, "d"))
        if "x" in jwk and "y" in jwk:
            public = b"\x04" + _jwk_bytes(jwk, "x") + _jwk_bytes(jwk, "y")
            if public != signer.public_key:
                raise WalletError("JWK x, y do not match the private key d", field="x")
        return signer

    def to_jwk(self) -> dict[str, str]:
        return {
            "kty": "EC",
            "crv": "secp256k1",
            "x": b64u_encode(self._public_key[1:33]),
            "y": b64u_encode(self._public_key[33:]),
            "d": b64u_encode(self._private),
        }

    @property
    def public_key(self) -> bytes:
        """65-byte uncompressed public key (0x04 || X || Y)."""
        return self._public_key

    @property
    def address(self) -> str:
        """EIP-55 checksummed ``0x`` address (what the CU shows as ``Owner``)."""
        return ethereum_address(self._public_key)

    def sign(self, message: bytes) -> bytes:
        """EIP-191 personal-sign of ``message``: r || s || v, v in {27, 28}, low s."""
        rsv = self._key.sign_recoverable(eip191_hash(bytes(message)), hasher=None)
        return rsv[:64] + bytes([27 + rsv[64]])


def _jwk_bytes(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise WalletError(f"JWK field {name!r} is missing or not a string", field=name)
    try:
        return b64u_decode(value, field=name)
    except EncodingError as exc:
        raise WalletError(f"JWK field {name!r} is not base64url", field=name) from exc


def signer_from_jwk(jwk: Mapping[str, Any]) -> Signer:
    """The signer for any supported JWK: RSA, OKP Ed25519 or EC secp256k1."""
    if not isinstance(jwk, Mapping):
        raise WalletError("a JWK is a JSON object", field="jwk")
    kty = jwk.get("kty")
    if kty == "RSA":
        return RSASigner.from_jwk(jwk)
    if kty == "OKP":
        return Ed25519Signer.from_jwk(jwk)
    if kty == "EC":
        return EthereumSigner.from_jwk(jwk)
    raise WalletError(f"unsupported JWK kty {kty!r} (RSA, OKP, EC)", field="kty")


# -- verification ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _rsa_public_key(n_bytes: bytes) -> rsa.RSAPublicKey:
    n = int.from_bytes(n_bytes, "big")
    if n.bit_length() < 512 or not n & 1:
        raise SignatureError(
            f"RSA modulus of {n.bit_length()} bits (even: {not n & 1}) is not a usable key",
            field="public key",
        )
    try:
        return rsa.RSAPublicNumbers(RSA_EXPONENT, n).public_key()
    except ValueError as exc:
        raise SignatureError(f"invalid RSA modulus: {exc}", field="public key") from exc


def verify_rsa_pss(
    n_bytes: bytes,
    data: bytes,
    signature: bytes,
    hash: HashName | str = "sha256",
    salt_length: int | None = None,
) -> bool:
    """True when ``signature`` is an RSA-PSS signature of ``data`` by modulus ``n_bytes``.

    ``salt_length=None`` accepts any salt length (PSS "auto"); an int demands exactly it.
    """
    algorithm = _hash_algorithm(hash)
    key = _rsa_public_key(bytes(n_bytes))
    size = (key.key_size + 7) // 8
    if len(signature) != size:
        raise SignatureError(
            f"an RSA-{key.key_size} signature is {size} bytes, got {len(signature)}",
            field="signature",
        )
    mgf = padding.MGF1(algorithm)
    if salt_length is None:
        pss = padding.PSS(mgf=mgf, salt_length=padding.PSS.AUTO)
    elif isinstance(salt_length, int) and not isinstance(salt_length, bool) and salt_length >= 0:
        pss = padding.PSS(mgf=mgf, salt_length=salt_length)
    else:
        raise SignatureError(f"bad salt length {salt_length!r}", field="salt_length")
    try:
        key.verify(bytes(signature), bytes(data), pss, algorithm)
    except InvalidSignature:
        return False
    return True


def verify_ed25519(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the Ed25519 signature of ``data`` by ``public_key``."""
    if len(public_key) != 32:
        raise SignatureError(
            f"an Ed25519 public key is 32 bytes, got {len(public_key)}", field="public key"
        )
    if len(signature) != 64:
        raise SignatureError(
            f"an Ed25519 signature is 64 bytes, got {len(signature)}", field="signature"
        )
    try:
        key = ed25519.Ed25519PublicKey.from_public_bytes(bytes(public_key))
        key.verify(bytes(signature), bytes(data))
    except InvalidSignature:
        return False
    except ValueError as exc:
        raise SignatureError(f"invalid Ed25519 public key: {exc}", field="public key") from exc
    return True


def verify_ethereum(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` (r || s || v) is the EIP-191 personal signature of ``data``
    by the 65-byte uncompressed secp256k1 ``public_key`` (checked by public-key recovery,
    as the SU does)."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise SignatureError(
            f"an Ethereum public key is 65 bytes starting 0x04, got {len(public_key)} bytes",
            field="public key",
        )
    if len(signature) != 65:
        raise SignatureError(
            f"an Ethereum signature is 65 bytes, got {len(signature)}", field="signature"
        )
    try:
        coincurve.PublicKey(bytes(public_key))
    except ValueError as exc:
        raise SignatureError(f"invalid secp256k1 public key: {exc}", field="public key") from exc
    v = signature[64]
    if v not in (27, 28):
        return False
    try:
        recovered = coincurve.PublicKey.from_signature_and_message(
            bytes(signature[:64]) + bytes([v - 27]), eip191_hash(bytes(data)), hasher=None
        )
    except (ValueError, TypeError):
        return False
    return recovered.format(compressed=False) == bytes(public_key)
