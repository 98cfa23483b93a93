"""Wallets: JWK files on disk, the shipped dev wallets, secrets kept out of repr."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from ao_kernel.core.b64 import b64u_encode
from ao_kernel.core.errors import WalletError
from ao_kernel.core.signers import Ed25519Signer, EthereumSigner, RSASigner, verify_rsa_pss
from ao_kernel.node.wallet import Wallet
from ao_kernel.testing.wallets import dev_ed25519, dev_ethereum, dev_wallet, wallet_path


def test_dev_wallets_are_four_distinct_rsa_4096_keys() -> None:
    wallets = [dev_wallet(n) for n in range(1, 5)]
    assert len({w.address for w in wallets}) == 4
    for w in wallets:
        assert isinstance(w.signer, RSASigner)
        assert w.signer.key_size == 4096
        assert w.signature_type == 1
        assert len(w.public_key) == 512
        assert w.address == b64u_encode(hashlib.sha256(w.public_key).digest())
    assert dev_wallet(1) is dev_wallet(1)  # loaded once


def test_dev_wallet_numbers_are_checked() -> None:
    for bad in (0, 5, -1, True):
        with pytest.raises(WalletError) as err:
            wallet_path(bad)
        assert err.value.field == "n"


def test_dev_ed25519_and_ethereum_keys() -> None:
    ed, eth = dev_ed25519(), dev_ethereum()
    assert isinstance(ed.signer, Ed25519Signer)
    assert ed.signature_type == 2
    assert isinstance(eth.signer, EthereumSigner)
    assert eth.signature_type == 3
    assert eth.address.startswith("0x")
    assert len(eth.address) == 42


def test_save_load_round_trip_mode_0600(tmp_path: Path) -> None:
    wallet = dev_wallet(2)
    path = wallet.save(tmp_path / "w.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = Wallet.load(path)
    assert loaded == wallet
    assert loaded.address == wallet.address
    assert json.loads(path.read_text()) == wallet.jwk
    sig = loaded.signer.sign(b"m")
    assert verify_rsa_pss(wallet.public_key, b"m", sig)


def test_save_tightens_existing_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text("old")
    path.chmod(0o644)
    dev_ed25519().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Wallet.load(path).address == dev_ed25519().address


@pytest.mark.parametrize("make", [dev_ed25519, dev_ethereum])
def test_other_key_types_round_trip(tmp_path: Path, make: object) -> None:
    wallet = make()  # type: ignore[operator]
    again = Wallet.load(wallet.save(tmp_path / "k.json"))
    assert again.address == wallet.address
    assert again.public_key == wallet.public_key


def test_repr_and_str_hide_the_private_key() -> None:
    for wallet in (dev_wallet(1), dev_ed25519(), dev_ethereum()):
        secret = wallet.jwk["d"]
        for text in (repr(wallet), str(wallet)):
            assert wallet.address in text
            assert secret not in text
            assert secret[:16] not in text


def test_jwk_is_a_copy() -> None:
    wallet = dev_wallet(3)
    jwk = wallet.jwk
    jwk["d"] = "tampered"
    assert wallet.jwk["d"] != "tampered"
    assert Wallet.from_jwk(wallet.jwk) == wallet


def test_generate_makes_a_working_rsa_wallet() -> None:
    wallet = Wallet.generate(bits=2048)  # one small key: generation is slow at 4096
    assert isinstance(wallet.signer, RSASigner)
    assert wallet.signer.key_size == 2048
    assert wallet.address != dev_wallet(1).address
    assert Wallet.from_jwk(wallet.jwk).address == wallet.address


def test_load_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(WalletError) as err:
        Wallet.load(tmp_path / "missing.json")
    assert err.value.field == "path"
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(WalletError) as err:
        Wallet.load(bad_json)
    assert err.value.field == "jwk"
    a_list = tmp_path / "list.json"
    a_list.write_text("[1, 2]")
    with pytest.raises(WalletError) as err:
        Wallet.load(a_list)
    assert err.value.field == "jwk"
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(WalletError) as err:
        Wallet.load(binary)
    assert err.value.field == "path"
    no_n = tmp_path / "no_n.json"
    jwk = dev_wallet(1).jwk
    del jwk["n"]
    no_n.write_text(json.dumps(jwk))
    with pytest.raises(WalletError) as err:
        Wallet.load(no_n)
    assert err.value.field == "n"


def test_save_error_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(WalletError) as err:
        dev_wallet(1).save(tmp_path / "no-such-dir" / "w.json")
    assert err.value.field == "path"


def test_user_wallet_is_created_once_and_reused(tmp_path: Path) -> None:
    from ao_kernel.node.wallet import user_wallet

    path = tmp_path / "id" / "wallet.json"
    first = user_wallet(path)
    assert path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert user_wallet(path).address == first.address
