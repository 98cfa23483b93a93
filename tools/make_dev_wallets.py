"""Generate the development wallets shipped in ao_kernel/testing/wallets (run once).

    .venv/bin/python tools/make_dev_wallets.py [--force]

Writes dev-1.json .. dev-4.json (Arweave RSA-4096 JWKs), dev-ed25519.json (OKP) and
dev-ethereum.json (EC secp256k1). These keys are public test fixtures: never use them
for anything of value. Existing files are kept unless --force is given, so the
addresses tests and notebooks rely on stay stable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ao_kernel.core.signers import Ed25519Signer, EthereumSigner, RSASigner, Signer
from ao_kernel.node.wallet import Wallet

OUT = Path(__file__).resolve().parent.parent / "ao_kernel" / "testing" / "wallets"


def main(argv: list[str]) -> int:
    force = "--force" in argv
    OUT.mkdir(parents=True, exist_ok=True)
    makers: list[tuple[str, type[Signer]]] = [(f"dev-{i}.json", RSASigner) for i in range(1, 5)]
    makers += [("dev-ed25519.json", Ed25519Signer), ("dev-ethereum.json", EthereumSigner)]
    for name, kind in makers:
        path = OUT / name
        if path.exists() and not force:
            print(f"keep   {path.name}  {Wallet.load(path).address}")
            continue
        wallet = Wallet(kind.generate())  # type: ignore[attr-defined]
        wallet.save(path)
        print(f"wrote  {path.name}  {wallet.address}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
