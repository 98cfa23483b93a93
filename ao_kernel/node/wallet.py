"""Wallets: a private key on disk (an Arweave JWK file) and the signer it makes.

``Wallet.load(path)`` reads a JWK JSON file — an Arweave RSA key (``kty: RSA``), or for
tests an Ed25519 (``kty: OKP``) or secp256k1 (``kty: EC``) key — and ``wallet.save(path)``
writes one with file mode 0600. ``wallet.signer`` is the :class:`~ao_kernel.core.signers.Signer`
that commits messages and signs data items; ``wallet.address`` its native address. The
private JWK is available as ``wallet.jwk`` but never appears in ``repr`` or ``str``.
Every failure (missing file, bad JSON, inconsistent key) raises :class:`WalletError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.errors import WalletError
from ..core.signers import RSASigner, Signer, signer_from_jwk


class Wallet:
    """A private key and its signer."""

    __slots__ = ("_jwk", "_signer")

    def __init__(self, signer: Signer) -> None:
        self._signer = signer
        self._jwk = signer.to_jwk()

    @classmethod
    def generate(cls, bits: int = 4096) -> Wallet:
        """A fresh Arweave RSA wallet (about a second for 4096 bits)."""
        return cls(RSASigner.generate(bits))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> Wallet:
        """A wallet from a JWK dict (RSA, OKP Ed25519 or EC secp256k1)."""
        return cls(signer_from_jwk(jwk))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Wallet:
        """Read a JWK JSON file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise WalletError(f"cannot read wallet {os.fspath(path)!r}: {exc.strerror}",
                              field="path") from exc
        except UnicodeDecodeError as exc:
            raise WalletError(f"wallet {os.fspath(path)!r} is not UTF-8 text",
                              field="path") from exc
        try:
            jwk = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WalletError(f"wallet {os.fspath(path)!r} is not JSON: {exc.msg}",
                              field="jwk") from exc
        if not isinstance(jwk, dict):
            raise WalletError(f"wallet {os.fspath(path)!r} is not a JWK object", field="jwk")
        return cls.from_jwk(jwk)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the JWK as JSON, readable by the owner only (mode 0600)."""
        target = Path(path)
        data = json.dumps(self._jwk, indent=None, sort_keys=False).encode("utf-8")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            raise WalletError(f"cannot write wallet {os.fspath(path)!r}: {exc.strerror}",
                              field="path") from exc
        return target

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def rsa_signer(self) -> RSASigner:
        """The signer, when it is an Arweave RSA key (httpsig@1.0 commitments need one)."""
        if not isinstance(self._signer, RSASigner):
            raise WalletError(
                "httpsig@1.0 commitments need an Arweave (RSA) wallet; this one is "
                f"{type(self._signer).__name__}",
                field="wallet",
            )
        return self._signer

    @property
    def address(self) -> str:
        """The native address (base64url SHA-256 of the key; ``0x…`` for Ethereum)."""
        return self._signer.address

    @property
    def public_key(self) -> bytes:
        return self._signer.public_key

    @property
    def signature_type(self) -> int:
        return self._signer.signature_type

    @property
    def jwk(self) -> dict[str, str]:
        """A copy of the private JWK (keep it secret)."""
        return dict(self._jwk)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wallet) and other._jwk == self._jwk

    def __hash__(self) -> int:
        return hash(self._signer.public_key)

    def __repr__(self) -> str:
        kind = {1: "rsa", 2: "ed25519", 3: "ethereum"}.get(self.signature_type, "?")
        return f"<Wallet {kind} {self.address}>"

    __str__ = __repr__


def user_wallet(path: str | os.PathLike[str] | None = None) -> Wallet:
    """The local developer identity: ``$AO_KERNEL_WALLET`` or ``~/.ao-kernel/wallet.json``,
    created (RSA-4096, mode 0600) on first use and reused after, so a kernel starts
    without generating a key each time. Like the aos CLI's ``~/.aos.json``, it signs
    only what you send from this machine."""
    target = Path(path or os.environ.get("AO_KERNEL_WALLET")
                  or Path.home() / ".ao-kernel" / "wallet.json")
    if target.exists():
        return Wallet.load(target)
    wallet = Wallet.generate()
    target.parent.mkdir(parents=True, exist_ok=True)
    wallet.save(target)
    return wallet
