"""Committing to messages and verifying commitments.

A commitment is an entry of a message's ``commitments`` map, keyed by its ID::

    commitments:
      <hmac id>:  {commitment-device: httpsig@1.0, type: hmac-sha256, keyid: constant:ao,
                   committed: [keys...], signature: <hmac id>}
      <rsa id>:   {commitment-device: httpsig@1.0, type: rsa-pss-sha512,
                   keyid: publickey:<std-base64 modulus>, committer: <address>,
                   committed: [keys...], signature: <b64u signature>, tag?: <hashpath>}
      <hmac id>:  {..., type: hmac-sha256, keyid: secret:<hash>, committer: <hash>, ...}

:func:`commit` signs the message's keys (or the keys an existing commitment covers, so
signatures stack) with RSA-PSS-SHA512 and then refreshes the HMAC commitment over the
same keys, as HyperBEAM does; :func:`commit_secret` makes a ``secret:`` HMAC commitment.
The keyid format (``fmt``) is a parameter, the current one by default.

:func:`verify` rebuilds the signature base of each commitment from the message as it is
now, restricted to the keys that commitment lists (a key added later, such as the
``status`` HyperBEAM puts on its answers, changes neither the base nor ``ao-types``), its
components in the order the commitment lists them (the signer's order, which
for HyperBEAM is Erlang's map order), and lets each commitment's own keyid choose the
key: ``constant:ao`` or ``ao`` (0.9 edge) for HMAC, the modulus of ``publickey:`` for
RSA, the caller's ``secret`` for ``secret:``. The keyid and the committer must agree.
Change one committed byte and verification fails.
Commitments of other devices (``ans104@1.0``) are verified by their codec, registered
in :data:`VERIFIERS`.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .b64 import b64u_decode, b64u_encode
from .errors import SignatureError
from .httpsig import (
    CommitmentFormat,
    commitment_params,
    default_committed_keys,
    get_format,
    hmac_b64u,
    hmac_commitment,
    hmac_key_of,
    keyid_committer,
    normalize_for_encoding,
    rsa_modulus,
    signature_base,
)
from .message import Message, Value
from .structured import to_tabm


class RSASignerLike(Protocol):
    """What committing needs from a wallet's signer (an RSA key: httpsig needs RSA-PSS)."""

    @property
    def public_key(self) -> bytes: ...

    @property
    def address(self) -> str: ...

    def sign_pss(self, data: bytes, hash: str = "sha256", salt_length: int = 32) -> bytes: ...


#: Verifiers of commitments made by devices other than httpsig@1.0, by device name.
VERIFIERS: dict[str, Callable[[Message, str, Message], bool]] = {}


def committed_keys(msg: Message, committers: str | Sequence[str] = "all") -> list[str]:
    """The keys covered by the selected signed commitments (all keys' union)."""
    keys: list[str] = []
    for c in msg.commitments.values():
        if not isinstance(c, Message) or "committer" not in c:
            continue
        if committers != "all" and c.text("committer") not in committers:
            continue
        for text in commitment_keys(c) or ():
            if text not in keys:
                keys.append(text)
    return keys


def commitment_keys(commitment: Message) -> list[str] | None:
    """The keys ``commitment`` lists as committed, in its order (None: no list)."""
    committed = commitment.get("committed", ())
    if isinstance(committed, Message) and sorted(committed.keys()) == sorted(
            str(i) for i in range(1, len(committed) + 1)):
        # a list as a numbered message (HyperBEAM's json@1.0 answers send it so), which
        # HyperBEAM reads as the list in key order
        committed = tuple(committed[str(i)] for i in range(1, len(committed) + 1))
    if not isinstance(committed, tuple):
        return None
    return [k.decode() if isinstance(k, bytes) else str(k) for k in committed]


def commit(msg: Message, signer: RSASignerLike, *, committed: Sequence[str] | None = None,
           bundle: bool = False, fmt: CommitmentFormat | str | None = None) -> Message:
    """Sign ``msg`` with ``signer`` (httpsig rsa-pss-sha512) and refresh its HMAC."""
    form = get_format(fmt)
    tabm = to_tabm(msg, links="discard")
    keys = list(committed) if committed is not None else (
        committed_keys(msg) or default_committed_keys(tabm)
    )
    commitment: dict[str, Any] = {
        "commitment-device": "httpsig@1.0",
        "type": "rsa-pss-sha512",
        "keyid": form.rsa_keyid(signer.public_key),
        "committer": signer.address,
    }
    if bundle:
        commitment["bundle"] = "true"
    if msg.hashpath:
        commitment["tag"] = msg.hashpath
    encoded, components, final_keys = normalize_for_encoding(
        tabm, keys, bundle=bundle, erlang_order=form.erlang_order)
    base = signature_base(encoded, components, commitment_params(commitment))
    signature = signer.sign_pss(base, hash="sha512", salt_length=64)
    cid = b64u_encode(hashlib.sha256(signature).digest())
    commitment["signature"] = b64u_encode(signature)
    commitment["committed"] = tuple(final_keys)
    others = {
        k: v for k, v in msg.commitments.items()
        if not (isinstance(v, Message) and _is_httpsig_hmac(v))
    }
    others[cid] = Message(commitment)
    hmac_id, hmac_fields = hmac_commitment(tabm, final_keys, bundle=bundle, fmt=form)
    others[hmac_id] = Message(hmac_fields)
    return msg.with_(commitments=Message(others))


def commit_secret(msg: Message, secret: bytes | str, *,
                  committed: Sequence[str] | None = None) -> Message:
    """``msg`` with an HMAC commitment under ``secret`` (HyperBEAM's ``secret:`` keyid
    scheme): keyid ``secret:<b64u SHA-256(secret)>``, committer = that hash. Only a
    holder of the secret can verify it (``verify(msg, secret=...)``)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    tabm = to_tabm(msg, links="discard")
    keys = list(committed) if committed is not None else default_committed_keys(tabm)
    cid, fields = hmac_commitment(tabm, keys, secret=key)
    return msg.with_(commitments=Message({**msg.commitments, cid: Message(fields)}))


def with_hmac(msg: Message, *, fmt: CommitmentFormat | str | None = None) -> Message:
    """``msg`` with an HMAC commitment over all its keys (its unsigned ID made explicit)."""
    tabm = to_tabm(msg, links="discard")
    keys = committed_keys(msg) or default_committed_keys(tabm)
    hmac_id, fields = hmac_commitment(tabm, keys, fmt=fmt)
    others = {
        k: v for k, v in msg.commitments.items()
        if not (isinstance(v, Message) and _is_httpsig_hmac(v))
    }
    others[hmac_id] = Message(fields)
    return msg.with_(commitments=Message(others))


def _is_httpsig_hmac(c: Message) -> bool:
    return (c.text("commitment-device") == "httpsig@1.0" and c.text("type") == "hmac-sha256"
            and "committer" not in c)


def verify_commitment(msg: Message, cid: str, commitment: Message, *,
                      secret: bytes | str | None = None) -> bool:
    """True when ``commitment`` (with ID ``cid``) verifies against ``msg`` as it is now.

    A ``secret:`` commitment verifies only with its ``secret``."""
    device = commitment.text("commitment-device", "httpsig@1.0")
    if device != "httpsig@1.0":
        if device == "ans104@1.0":
            from . import ans104_codec  # noqa: F401  (registers its verifier)
        verifier = VERIFIERS.get(device or "")
        if verifier is None:
            raise SignatureError(f"no verifier for commitment device {device!r}", field=cid)
        return verifier(msg, cid, commitment)
    keys = commitment_keys(commitment)
    if keys is None:
        raise SignatureError(f"commitment {cid} has no committed key list", field="committed")
    tabm = to_tabm(only_committed(msg, keys), links="discard")
    missing = [k for k in keys if not _present(k, tabm)]
    if missing:
        return False
    bundle = commitment.text("bundle") == "true"
    encoded, components, _ = normalize_for_encoding(tabm, keys, bundle=bundle, ordered=True)
    kind = commitment.text("type")
    base = signature_base(encoded, components, commitment_params(_fields(commitment)))
    signature_text = commitment.text("signature") or ""
    keyid = commitment.text("keyid") or ""
    committer = commitment.text("committer")
    if committer != keyid_committer(keyid):
        return False  # the keyid and the committer must name the same key
    if kind == "hmac-sha256":
        raw_secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        key = hmac_key_of(keyid, secret=raw_secret)
        if key is None:
            return False  # a secret: commitment, without (the right) secret
        expected = hmac_b64u(key, base)
        return _hmac.compare_digest(expected, signature_text) and expected == cid
    if kind == "rsa-pss-sha512":
        from .signers import verify_rsa_pss

        n = rsa_modulus(keyid)
        signature = b64u_decode(signature_text, field="signature")
        if b64u_encode(hashlib.sha256(signature).digest()) != cid:
            return False
        return verify_rsa_pss(n, base, signature, hash="sha512", salt_length=64)
    raise SignatureError(f"unsupported commitment type {kind!r}", field=cid)


def only_committed(msg: Message, keys: Sequence[str]) -> Message:
    """``msg`` without its commitments and without the keys ``keys`` does not name.

    A signature covers the committed keys and the ``ao-types`` of those keys alone: a
    key added after signing (HyperBEAM adds ``status`` to every message it answers)
    must neither enter the signature base nor the ``ao-types`` line rebuilt for it."""
    wanted = set(keys) | {k.lower() for k in keys}
    return Message({k: v for k, v in msg.items() if k != "commitments" and (
        k in wanted or k.lower() in wanted or k.removesuffix("+link") in wanted)})


def _present(key: str, tabm: Mapping[str, Any]) -> bool:
    if key in ("body", "data") or key in tabm or key + "+link" in tabm:
        return True
    lowered = key.lower()  # a 0.9-edge commitment lists lowercased keys
    return lowered in tabm or lowered + "+link" in tabm


def _fields(commitment: Message) -> Mapping[str, Value]:
    return commitment


def verify(msg: Message, committers: str | Sequence[str] = "all", *,
           secret: bytes | str | None = None) -> bool:
    """True when every selected commitment verifies (and there is at least one).

    ``secret`` verifies ``secret:`` commitments (without it they fail)."""
    comms = msg.commitments
    if not comms:
        return False
    checked = 0
    for cid, c in comms.items():
        if not isinstance(c, Message):
            return False
        who = c.text("committer")
        if committers != "all" and who not in committers:
            continue
        if not verify_commitment(msg, cid, c, secret=secret):
            return False
        checked += 1
    return checked > 0


def committers(msg: Message) -> list[str]:
    """Addresses of every signer of ``msg``."""
    out = []
    for c in msg.commitments.values():
        if isinstance(c, Message) and (who := c.text("committer")) and who not in out:
            out.append(who)
    return sorted(out)
