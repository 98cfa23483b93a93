"""Development wallets shipped with ao-kernel: public keys for tests, demos and notebooks.

``dev_wallet(1)`` .. ``dev_wallet(4)`` are Arweave RSA-4096 wallets; ``dev_ed25519()`` and
``dev_ethereum()`` are an Ed25519 and a secp256k1 key. Everyone has these private keys:
never use them for anything of value. Regenerate with ``tools/make_dev_wallets.py``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ...core.errors import WalletError
from ...node.wallet import Wallet

__all__ = ["DEV_WALLET_COUNT", "dev_ed25519", "dev_ethereum", "dev_wallet", "wallet_path"]

DEV_WALLET_COUNT = 4
_DIR = Path(__file__).resolve().parent


def wallet_path(n: int) -> Path:
    """Path of the JWK file of RSA dev wallet ``n`` (1..4)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= DEV_WALLET_COUNT:
        raise WalletError(f"dev wallets are numbered 1..{DEV_WALLET_COUNT}, got {n!r}",
                          field="n")
    return _DIR / f"dev-{n}.json"


@cache
def dev_wallet(n: int = 1) -> Wallet:
    """RSA-4096 dev wallet ``n`` (1..4), loaded once per process."""
    return Wallet.load(wallet_path(n))


@cache
def dev_ed25519() -> Wallet:
    """The Ed25519 dev key (ANS-104 signature type 2)."""
    return Wallet.load(_DIR / "dev-ed25519.json")


@cache
def dev_ethereum() -> Wallet:
    """The secp256k1 dev key (ANS-104 signature type 3)."""
    return Wallet.load(_DIR / "dev-ethereum.json")
