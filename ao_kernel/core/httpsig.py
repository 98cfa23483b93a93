"""httpsig@1.0: TABM <-> HTTP messages, and RFC 9421-style commitments.

The default codec and commitment device of AO-Core (HyperBEAM ``dev_codec_httpsig*``),
in today's dialect (HyperBEAM edge a7227787, 2025-09: :data:`NEWEST`, the default); the
June 2025 edge format is the option :data:`EDGE`, passed as ``fmt=`` to the calls that
take one. No state of this module selects a format.

Wire form (:func:`to_http`), from a TABM:

1. ``commitments`` become the ``signature`` / ``signature-input`` headers, each labelled
   ``comm-<lowercased b64u SHA-256 of the signature>`` (``sig-`` labels are read too);
2. keys that look like IDs keep their case inside one ``ao-ids`` header (HTTP would
   lowercase them); other keys get their case back on decode from the component names
   of ``signature-input``;
3. the *inline body key* is ``ao-body-key`` if given, else ``body``, else ``data`` (and
   then ``ao-body-key: data`` is added); its value becomes the HTTP body;
4. other values over 4,096 bytes and nested maps move into the body, which then becomes
   ``multipart/form-data`` with a boundary derived from the parts' hash;
5. any body gets a ``content-digest: sha-256=:<base64>:`` header.

Commitments: the *signature base* of a commitment lists the encoded components (the body
replaced by ``content-digest``) as ``"name": value`` lines, then the
``"@signature-params"`` line::

    "basic": value
    "@signature-params": ("basic");alg="hmac-sha256";keyid="constant:ao"

Components are in the order HyperBEAM's ``maps:keys`` gives: sorted up to 32, Erlang/OTP
27's map order above (:mod:`~ao_kernel.core.erlmap`); verification takes the order of the
commitment's own list. The keyid names its scheme and so the key: ``constant:ao`` (HMAC
with that text: the *unsigned ID* of every message), ``publickey:<base64 modulus>``
(``rsa-pss-sha512``, salt 64, ID = SHA-256 of the signature), ``secret:<hash>`` (HMAC
with a secret only its holder can check). Parameters are emitted in alphabetical order;
derived component names (``path`` ...) get an ``@`` in the params line only.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .b64 import b64_decode, b64_encode, b64u_decode, b64u_encode, is_id
from .erlmap import map_keys_order
from .errors import HttpsigError, SignatureError
from .structured import TABM


@dataclass(frozen=True)
class CommitmentFormat:
    """One version of httpsig@1.0's commitment details (they changed after HyperBEAM 0.9).

    ``name``: how to refer to it; ``hmac_key``/``hmac_keyid``: the HMAC key and the keyid
    written in unsigned commitments; ``rsa_keyid_prefix``: text before the standard base64
    modulus in an RSA commitment's keyid; ``label_prefix``: how signatures are labelled in
    the ``signature``/``signature-input`` headers; ``lowercase_keys``: whether keys are
    lowercased before encoding (HyperBEAM did until 2025-06); ``erlang_order``: whether
    more than 32 components are listed in Erlang/OTP 27's map order
    (:mod:`~ao_kernel.core.erlmap`) rather than sorted.

    A format is a value passed to the calls that need it (``fmt=``); nothing in this
    module holds a current one.
    """

    name: str
    hmac_key: bytes
    hmac_keyid: str
    rsa_keyid_prefix: str
    label_prefix: str = "comm-"
    lowercase_keys: bool = False
    erlang_order: bool = True

    def rsa_keyid(self, modulus: bytes) -> str:
        return self.rsa_keyid_prefix + b64_encode(modulus)

    @property
    def hmac_params(self) -> bytes:
        """The tail of an unsigned commitment's ``@signature-params`` line."""
        return _hmac_params(self.hmac_keyid)

    def hmac_id(self, base: bytes) -> str:
        """The ID an HMAC commitment over signature base ``base`` gets (base64url);
        :func:`hmac_b64u` with the format's key, inlined: every unsigned ID comes here."""
        inner_state, outer_state = _hmac_states(self.hmac_key)
        inner = inner_state.copy()
        inner.update(base)
        outer = outer_state.copy()
        outer.update(inner.digest())
        return b64u_encode(outer.digest())


def hmac_b64u(key: bytes, base: bytes) -> str:
    """HMAC-SHA256 of ``base`` under ``key``, base64url.

    As RFC 2104 defines it, from the two keyed SHA-256 states computed once per key
    (copying them skips the key setup each ID would otherwise pay)."""
    inner_state, outer_state = _hmac_states(key)
    inner = inner_state.copy()
    inner.update(base)
    outer = outer_state.copy()
    outer.update(inner.digest())
    return b64u_encode(outer.digest())


@functools.cache
def _hmac_params(keyid: str) -> bytes:
    return f');alg="hmac-sha256";keyid="{keyid}"'.encode()


@functools.cache
def _hmac_states(key: bytes) -> tuple[Any, Any]:
    """The SHA-256 states after HMAC's inner and outer key blocks (RFC 2104), per key:
    the constant keys, and the few secrets a caller verifies with."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return (hashlib.sha256(bytes(b ^ 0x36 for b in block)),
            hashlib.sha256(bytes(b ^ 0x5C for b in block)))


#: HyperBEAM edge a7227787 (2025-09-04) and later: keyid schemes (``constant:ao``,
#: ``publickey:<base64 modulus>``, ``secret:<hash>``), ``comm-`` labels, keys keep their
#: case. The default; reproduces every vector of tests/vectors/hyperbeam-newest.json.
NEWEST = CommitmentFormat("hb-2025-09", b"constant:ao", "constant:ao", "publickey:", "comm-")
#: HyperBEAM 0.9 "edge" (3635c5e6, 2025-06): HMAC key and keyid ``ao``, bare base64
#: modulus keyids, ``sig-`` labels, keys lowercased. Reproduces hyperbeam-edge.json.
EDGE = CommitmentFormat("hb-0.9-edge", b"ao", "ao", "", "sig-", lowercase_keys=True,
                        erlang_order=False)
#: The format every call uses unless given another one.
DEFAULT = NEWEST
FORMATS = {f.name: f for f in (NEWEST, EDGE)} | {"hb-keyid-schemes": NEWEST, "newest": NEWEST,
                                                 "edge": EDGE}


def get_format(fmt: CommitmentFormat | str | None = None) -> CommitmentFormat:
    """The format named (or given) by ``fmt``; :data:`DEFAULT` for None."""
    if fmt is None:
        return DEFAULT
    if isinstance(fmt, CommitmentFormat):
        return fmt
    try:
        return FORMATS[fmt]
    except KeyError:
        raise HttpsigError(f"unknown commitment format {fmt!r}; known: {', '.join(FORMATS)}",
                           field="format") from None


def commitment_format() -> CommitmentFormat:
    """The default commitment format (a constant: pass ``fmt=`` to use another)."""
    return DEFAULT


#: The name of the default format.
FORMAT = DEFAULT.name

KEYID_SCHEMES = ("constant", "publickey", "secret")


def keyid_scheme(keyid: str) -> tuple[str, str]:
    """(scheme, rest) of a keyid; scheme ``""`` for a bare (0.9 edge) keyid."""
    scheme, sep, rest = keyid.partition(":")
    if not sep:
        return "", keyid
    if scheme not in KEYID_SCHEMES:
        raise HttpsigError(f"unknown keyid scheme {scheme!r} (known: {', '.join(KEYID_SCHEMES)})",
                           field="keyid")
    return scheme, rest


def rsa_modulus(keyid: str) -> bytes:
    """The RSA modulus a ``publickey:`` (or bare 0.9-edge) keyid carries."""
    scheme, rest = keyid_scheme(keyid)
    if scheme not in ("publickey", ""):
        raise HttpsigError(f"an RSA commitment cannot have a {scheme!r} keyid", field="keyid")
    try:
        return b64_decode(rest, field="keyid")
    except Exception:
        return b64u_decode(rest, field="keyid")


def keyid_committer(keyid: str) -> str | None:
    """The committer a keyid names (HyperBEAM ``keyid_to_committer``): the address of a
    public key, the hash of a secret, none for a constant key."""
    scheme, rest = keyid_scheme(keyid)
    if scheme == "secret":
        return rest
    if scheme == "publickey" or (scheme == "" and len(rest) > 43):
        return b64u_encode(hashlib.sha256(rsa_modulus(keyid)).digest())
    return None


def secret_keyid(secret: bytes) -> str:
    """The keyid of an HMAC commitment made with ``secret``: ``secret:<b64u SHA-256>``."""
    return "secret:" + b64u_encode(hashlib.sha256(secret).digest())


def hmac_key_of(keyid: str, *, secret: bytes | None = None) -> bytes | None:
    """The HMAC key a commitment's keyid calls for (None: a secret that was not given).

    ``constant:K`` -> the keyid itself; ``secret:H`` -> ``secret`` when its hash is H;
    a bare keyid (0.9 edge, ``ao``) -> the keyid's bytes."""
    scheme, _ = keyid_scheme(keyid)
    if scheme == "secret":
        if secret is None or secret_keyid(secret) != keyid:
            return None
        return secret
    if scheme == "publickey":
        raise HttpsigError("an HMAC commitment cannot have a publickey keyid", field="keyid")
    return keyid.encode("utf-8")
MAX_HEADER_LENGTH = 4096
#: Up to this many components, HyperBEAM's map order is sorted order (an Erlang flatmap).
SORTED_COMPONENTS = 32
CRLF = b"\r\n"
DERIVED_COMPONENTS = frozenset(
    {"method", "target-uri", "authority", "scheme", "request-target", "path", "query",
     "query-param"}
)
_PARAM_KEYS = ("alg", "bundle", "created", "expires", "keyid", "nonce", "tag")
_ID_SIZES = frozenset({32, 42, 43})

HTTPMessage = dict[str, bytes]


# -- helpers -------------------------------------------------------------------------------


def sf_string(text: str) -> str:
    """An RFC 8941 string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def content_digest(body: bytes) -> bytes:
    """The ``content-digest`` header value of ``body``."""
    if len(body) <= 64:  # short bodies ("", "Ping" ...) recur: remember their digests
        known = _SHORT_DIGESTS.get(body)
        if known is None:
            if len(_SHORT_DIGESTS) > 4_096:
                _SHORT_DIGESTS.clear()
            known = _SHORT_DIGESTS[body] = _digest(body)
        return known
    return _digest(body)


def _digest(body: bytes) -> bytes:
    return b"sha-256=:" + b64_encode(hashlib.sha256(body).digest()).encode("ascii") + b":"


_SHORT_DIGESTS: dict[bytes, bytes] = {}


def _is_id_key(key: str) -> bool:
    return len(key) in _ID_SIZES


def inline_key(msg: Mapping[str, object]) -> tuple[dict[str, bytes], str]:
    """(extra headers, inline body key) for a TABM, as HyperBEAM chooses them."""
    explicit = msg.get("ao-body-key")
    if isinstance(explicit, bytes):
        try:
            return {}, explicit.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpsigError("ao-body-key is not UTF-8 text", field="ao-body-key") from None
    if isinstance(explicit, str):
        return {}, explicit
    if isinstance(msg.get("body"), (bytes, dict)):
        return {}, "body"
    if isinstance(msg.get("data"), (bytes, dict)):
        return {"ao-body-key": b"data"}, "data"
    return {}, "body"


# -- TABM -> HTTP --------------------------------------------------------------------------


def to_http(tabm: Mapping[str, Any], *, with_commitments: bool = True,
            fmt: CommitmentFormat | None = None) -> HTTPMessage:
    """Encode a TABM as an HTTP message: header name -> value, plus ``body``.

    Signatures are labelled as ``fmt`` (default :data:`DEFAULT`) labels them."""
    stripped = {
        k: v
        for k, v in tabm.items()
        if k not in ("commitments", "signature", "signature-input") and not k.startswith("priv")
    }
    grouped = _group_ids(stripped)
    extra, inline = inline_key(grouped)
    out: HTTPMessage = dict(extra)
    body_parts: dict[str, Any] = {}
    for key, value in grouped.items():
        if key in ("body", inline) or isinstance(value, dict) or len(value) > MAX_HEADER_LENGTH:
            body_parts[key] = value
        else:
            out[key] = value
    if body_parts:
        if len(body_parts) == 1 and inline in body_parts and isinstance(body_parts[inline], bytes):
            out["body"] = body_parts[inline]
        else:
            content_type, body = _multipart(body_parts, inline)
            out["content-type"] = content_type
            out["body"] = body
        if out["body"]:
            out["content-digest"] = content_digest(out["body"])
    if with_commitments:
        commitments = tabm.get("commitments")
        if isinstance(commitments, Mapping) and commitments:
            out.update(_commitments_to_siginfo(tabm, commitments, get_format(fmt)))
    return out


def _group_ids(msg: Mapping[str, Any]) -> dict[str, Any]:
    ids = {k: v for k, v in msg.items() if _is_id_key(k) and isinstance(v, bytes)}
    if not ids:
        return dict(msg)
    out = {k: v for k, v in msg.items() if k not in ids}
    out["ao-ids"] = ", ".join(
        f"{k}={sf_string(ids[k].decode('utf-8', 'replace'))}" for k in sorted(ids)
    ).encode("utf-8")
    return out


def _group_maps(body: Mapping[str, Any], parent: str, top: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key in sorted(body):
        value = body[key]
        path = key if not parent else f"{parent}/{key}"
        if isinstance(value, dict):
            if not value:
                top[path] = {"ao-types": b"empty-message"}
            elif "commitments" in value:
                top[path] = value  # one part, its commitments as signature headers
            else:
                _group_maps(value, path, top)
        elif len(value) > MAX_HEADER_LENGTH:
            top[path] = value
        else:
            flat[key] = value
    if flat:
        if parent:
            top[parent] = flat
        else:
            top.update(flat)
    return top


def _multipart(body: Mapping[str, Any], inline: str) -> tuple[bytes, bytes]:
    grouped = _group_maps(body, "", {})
    parts: list[bytes] = []
    for name in sorted(grouped):
        value = grouped[name]
        if isinstance(value, dict) and set(value) == {"body"}:
            parts.append(_encode_part(f"{name}/body", value, inline))
        else:
            parts.append(_encode_part(name, value, inline))
    boundary = b64u_encode(hashlib.sha256(CRLF.join(parts)).digest())
    chunks = [b"--" + boundary.encode() + CRLF + part for part in parts]
    payload = CRLF.join(chunks) + CRLF + b"--" + boundary.encode() + b"--"
    return f'multipart/form-data; boundary="{boundary}"'.encode(), payload


def _encode_part(name: str, value: Any, inline: str) -> bytes:
    disposition = b"inline" if name == inline else f'form-data;name="{name}"'.encode()
    if isinstance(value, bytes):
        return b"content-disposition: " + disposition + CRLF + CRLF + value
    encoded = to_http(value)
    encoded["content-disposition"] = disposition
    body = encoded.pop("body", b"")
    headers = CRLF.join(k.encode() + b": " + v for k, v in sorted(encoded.items()))
    return headers + CRLF + CRLF + body if body else headers


# -- HTTP -> TABM --------------------------------------------------------------------------


def from_http(http: Mapping[str, bytes | str]) -> TABM:
    """Decode an HTTP message (headers + ``body``) into a TABM with its commitments."""
    msg: dict[str, Any] = {}
    for key, value in http.items():
        msg[key.lower() if not _is_id_key(key) else key] = (
            value.encode("utf-8") if isinstance(value, str) else value
        )
    _restore_case(msg)
    _, inline = inline_key({k: v for k, v in msg.items() if k != "body"} | {"_": b""})
    body = msg.pop("body", None)
    body_keys: list[str] = []
    if body is not None:
        content_type = msg.get("content-type", b"")
        boundary = _boundary(content_type)
        if boundary is None:
            msg[inline] = body
            body_keys = [inline]
        else:
            for path, value in _parse_multipart(body, boundary, inline):
                _set_path(msg, path, value)
                head = path.split("/", 1)[0]
                if head not in body_keys:
                    body_keys.append(head)
    ids = msg.pop("ao-ids", None)
    if isinstance(ids, bytes):
        msg.update(_parse_ao_ids(ids))
    commitments = _siginfo_to_commitments(msg, body_keys)
    for key in ("signature", "signature-input", "content-digest"):
        msg.pop(key, None)
    if isinstance(msg.get("content-type"), bytes) and msg["content-type"].startswith(
        b"multipart/"
    ):
        del msg["content-type"]
    signed_body_key = any(
        "ao-body-key" in _committed_list(c) for c in commitments.values()
    )
    if not signed_body_key:
        msg.pop("ao-body-key", None)
    if commitments:
        msg["commitments"] = commitments
    return msg


def _restore_case(msg: dict[str, Any]) -> None:
    """Give header keys back the case their signature-input lists them with.

    HTTP lowercases header names, but keys keep their case in AO-Core and the component
    names of a signature say what it was (``"Target"``)."""
    raw = msg.get("signature-input")
    if not isinstance(raw, bytes) or raw.islower() or not any(65 <= b <= 90 for b in raw):
        return
    from . import sf

    try:
        inputs = sf.parse_dictionary(raw.decode("utf-8"))
    except Exception:
        return  # reported with its field by _siginfo_to_commitments
    for inner in inputs.values():
        for member in getattr(inner, "items", None) or ():
            name = getattr(member, "value", member)
            if not isinstance(name, str) or name.islower() or name in msg:
                continue
            lowered = name.lower()
            if lowered in msg and lowered != name:
                msg[name] = msg.pop(lowered)


def _committed_list(commitment: Mapping[str, Any]) -> list[str]:
    committed = commitment.get("committed", {})
    if isinstance(committed, Mapping):
        return [v.decode() if isinstance(v, bytes) else str(v) for v in committed.values()]
    return []


def _boundary(content_type: bytes) -> bytes | None:
    text = content_type.decode("latin-1")
    if not text.lower().startswith("multipart/"):
        return None
    for param in text.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"').encode("latin-1")
    raise HttpsigError("multipart content-type without a boundary", field="content-type")


def _parse_multipart(body: bytes, boundary: bytes, inline: str) -> Iterable[tuple[str, Any]]:
    start_pat = b"--" + boundary + CRLF
    end_pat = CRLF + b"--" + boundary + b"--"
    start = body.find(start_pat)
    end = body.rfind(end_pat)
    if start < 0 or end < 0 or end < start:
        raise HttpsigError("multipart body does not match its boundary", field="body")
    inner = body[start + len(start_pat) : end]
    for part in inner.split(CRLF + b"--" + boundary + CRLF):
        head, sep, value = part.partition(CRLF + CRLF)
        headers: dict[str, bytes] = {}
        for line in head.split(CRLF):
            name, colon, hv = line.partition(b": ")
            if colon:
                headers[name.decode("latin-1").lower()] = hv
        disposition = headers.pop("content-disposition", None)
        if disposition is None:
            raise HttpsigError("multipart part without content-disposition", field="body")
        part_name = _disposition_name(disposition, inline)
        rest = {k: v for k, v in headers.items() if k not in ("ao-types", "content-digest")}
        if not rest and headers.get("ao-types") == b"empty-message" and not value:
            yield part_name, {}
        elif not headers:
            yield part_name, value
        else:
            # a part is an HTTP message of its own: headers, maybe a (multipart) body,
            # maybe signatures; decode it the same way
            sub: dict[str, bytes] = dict(headers)
            if sep and value:
                sub["body"] = value
            yield part_name, from_http(sub)


def _disposition_name(disposition: bytes, inline: str) -> str:
    text = disposition.decode("utf-8", "replace").strip()
    if text == "inline":
        return inline
    for param in text.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip() == "name":
            return value.strip().strip('"')
    raise HttpsigError(f"multipart part has no name: {text!r}", field="content-disposition")


def _set_path(msg: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split("/")
    node = msg
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    last = parts[-1]
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last].update(value)
    else:
        node[last] = value


def _parse_ao_ids(raw: bytes) -> dict[str, bytes]:
    from . import sf

    try:
        entries = sf.parse_dictionary(raw.decode("utf-8"), lenient_keys=True)
    except Exception as exc:
        raise HttpsigError("malformed ao-ids header", field="ao-ids") from exc
    out: dict[str, bytes] = {}
    for key, item in entries.items():
        value = getattr(item, "value", None)
        if isinstance(value, str):
            out[key] = value.encode("utf-8")
        elif isinstance(value, bytes):
            out[key] = value
        else:
            raise HttpsigError(f"ao-ids entry {key!r} is not a string", field="ao-ids")
    return out


# -- commitments on the wire ---------------------------------------------------------------


def _commitments_to_siginfo(
    tabm: Mapping[str, Any], commitments: Mapping[str, Any],
    fmt: CommitmentFormat | None = None,
) -> dict[str, bytes]:
    form = get_format(fmt)
    sigs: list[str] = []
    inputs: list[str] = []
    for cid in sorted(commitments):
        c = commitments[cid]
        signature = b64u_decode(_text(c.get("signature")), field="signature")
        name = form.label_prefix + b64u_encode(hashlib.sha256(signature).digest()).lower()
        components = _encoded_components(tabm, c)
        params = [("alg", sf_string(_alg(c))), ("keyid", sf_string(_text(c.get("keyid"))))]
        for key in ("tag", "created", "expires", "nonce"):
            if key in c:
                params.append((key, _param_value(c[key])))
        for key in sorted(set(c) - _NON_EXTRA_PARAMS):
            params.append((key, sf_string(_text(c[key]))))
        inner = " ".join(sf_string(_derived(k)) for k in components)
        sigs.append(f"{name}=:{b64_encode(signature)}:")
        inputs.append(f"{name}=({inner})" + "".join(f";{k}={v}" for k, v in params))
    return {
        "signature": ", ".join(sigs).encode("utf-8"),
        "signature-input": ", ".join(inputs).encode("utf-8"),
    }


_NON_EXTRA_PARAMS = frozenset(
    {"alg", "keyid", "tag", "created", "expires", "nonce", "committed", "signature", "type",
     "commitment-device", "committer"}
)


def _param_value(value: Any) -> str:
    text = _text(value)
    return text if text.lstrip("-").isdigit() else sf_string(text)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _alg(commitment: Mapping[str, Any]) -> str:
    device = _text(commitment.get("commitment-device", b"httpsig@1.0"))
    kind = _text(commitment.get("type"))
    if device == "httpsig@1.0":
        return kind
    return f"{device}/{kind}" if kind else device


def _derived(name: str) -> str:
    return "@" + name if name in DERIVED_COMPONENTS else name


def _encoded_components(tabm: Mapping[str, Any], commitment: Mapping[str, Any]) -> list[str]:
    keys = _committed_list(commitment)
    _, components, _ = normalize_for_encoding(tabm, keys, bundle=_is_bundle(commitment),
                                              ordered=True)
    return components


def _is_bundle(commitment: Mapping[str, Any]) -> bool:
    return _text(commitment.get("bundle")) == "true"


def _siginfo_to_commitments(msg: Mapping[str, Any], body_keys: Sequence[str]) -> dict[str, Any]:
    sig_raw = msg.get("signature")
    input_raw = msg.get("signature-input")
    if sig_raw is None and input_raw is None:
        return {}
    if not isinstance(sig_raw, bytes) or not isinstance(input_raw, bytes):
        raise HttpsigError("signature and signature-input must come together", field="signature")
    from . import sf

    try:
        sigs = sf.parse_dictionary(sig_raw.decode("utf-8"))
        inputs = sf.parse_dictionary(input_raw.decode("utf-8"))
    except Exception as exc:
        raise HttpsigError(f"malformed signature headers: {exc}", field="signature-input") from exc
    commitments: dict[str, Any] = {}
    for name, sig_item in sigs.items():
        if name not in inputs:
            raise HttpsigError(f"signature {name!r} has no signature-input", field=name)
        signature = getattr(sig_item, "value", sig_item)
        if not isinstance(signature, bytes):
            raise HttpsigError(f"signature {name!r} is not a byte sequence", field=name)
        inner = inputs[name]
        members = getattr(inner, "items", None)
        if members is None:
            raise HttpsigError(f"signature-input {name!r} is not an inner list", field=name)
        components = []
        for member in members:
            value = getattr(member, "value", member)
            if not isinstance(value, str):
                raise HttpsigError(f"signature-input {name!r} lists a non-string", field=name)
            components.append(value)
        params = dict(getattr(inner, "params", {}) or {})
        commitment: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, bytes):
                commitment[key] = b64u_encode(value).encode()
            elif isinstance(value, bool):
                commitment[key] = b"true" if value else b"false"
            else:
                commitment[key] = str(getattr(value, "value", value)).encode("utf-8")
        alg = commitment.pop("alg", b"").decode("utf-8")
        commitment.update(_device_from_alg(alg))
        committed = _from_siginfo_keys(msg, body_keys, components)
        commitment["committed"] = _numbered(committed)
        commitment["signature"] = b64u_encode(signature).encode()
        keyid = commitment.get("keyid", b"")
        committer = keyid_committer(keyid.decode("utf-8", "replace")) if keyid else None
        if committer is not None:
            commitment["committer"] = committer.encode()
        cid = (
            b64u_encode(signature)
            if len(signature) == 32
            else b64u_encode(hashlib.sha256(signature).digest())
        )
        commitments[cid] = commitment
    return commitments


def _numbered(keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {str(i + 1): k.encode("utf-8") for i, k in enumerate(keys)}
    out["ao-types"] = b'.="list"'
    return out


def _device_from_alg(alg: str) -> dict[str, bytes]:
    if "@" not in alg:
        return {"commitment-device": b"httpsig@1.0", "type": alg.encode()}
    device, _, rest = alg.partition("@")
    version, slash, kind = rest.partition("/")
    out = {"commitment-device": f"{device}@{version}".encode()}
    if slash:
        out["type"] = kind.encode()
    return out


def _from_siginfo_keys(
    msg: Mapping[str, Any], body_keys: Sequence[str], components: Sequence[str]
) -> list[str]:
    base = [c[1:] if c.startswith("@") else c for c in components]
    with_body: list[str] = []
    for key in base:
        if key == "content-digest":
            with_body.extend(body_keys)
        else:
            with_body.append(key)
    if "ao-body-key" in with_body:
        orig = msg.get("ao-body-key", b"body")
        orig_text = orig.decode() if isinstance(orig, bytes) else str(orig)
        with_body = [orig_text if k == "body" else k for k in with_body if k != "ao-body-key"]
    ctype = msg.get("content-type", b"")
    if isinstance(ctype, bytes) and ctype.startswith(b"multipart/"):
        with_body = [k for k in with_body if k != "content-type"]
    return [raw[:-5] if raw.endswith("+link") else raw for raw in with_body]


# -- signature base ------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """A TABM normalised for one commitment: header values, components, committed keys."""

    headers: HTTPMessage
    components: list[str]
    committed: list[str]


def normalize_for_encoding(
    tabm: Mapping[str, Any], committed: Sequence[str], *, bundle: bool = False,
    ordered: bool = False, erlang_order: bool = True,
) -> tuple[HTTPMessage, list[str], list[str]]:
    """(encoded headers, signature components, committed AO-Core keys) for a commitment.

    Components are listed as HyperBEAM lists them: in ``maps:keys`` order of the encoded
    message, i.e. sorted up to 32 and in Erlang/OTP 27's HAMT order above
    (``erlang_order=False``: always sorted, the 0.9-edge option). ``ordered`` puts more
    than 32 in the order of ``committed`` instead (verification: the order the
    signature's own component list gave, whichever OTP release signed). Up to 32 every
    signer sorts, and sorting also covers components that moved between headers and
    body on the way (a nested message sent inline, signed as a link)."""
    inputs = []
    for key in committed:
        norm = _tabm_key(key, tabm)
        if norm not in tabm and norm + "+link" in tabm:
            norm += "+link"
        inputs.append(norm)
    only = {k: tabm[k] for k in inputs if k in tabm and k != "commitments"}
    with_sig = to_http(only, with_commitments=False)
    encoded = dict(with_sig)
    body = encoded.pop("body", None)
    if body is not None:
        encoded["content-digest"] = content_digest(body)
    components = sorted(encoded)
    if len(components) > SORTED_COMPONENTS:
        if ordered:
            components = _in_committed_order(components, committed, encoded)
        elif erlang_order:
            components = map_keys_order(components)
    body_keys = [k for k in committed if not _key_present(k, encoded)]
    committed_keys = _from_siginfo_keys(with_sig, body_keys, components)
    return encoded, components, committed_keys


def _tabm_key(key: str, tabm: Mapping[str, Any]) -> str:
    """``key`` as ``tabm`` holds it: exact, else lowercased (0.9-edge messages)."""
    if key in tabm or key + "+link" in tabm:
        return key
    lowered = key.lower()
    return lowered if lowered in tabm or lowered + "+link" in tabm else key


def _in_committed_order(components: list[str], committed: Sequence[str],
                        encoded: Mapping[str, Any]) -> list[str]:
    """``components`` in the order ``committed`` lists their keys.

    A committed key maps to its component (``key`` or ``key+link``); keys that went into
    the body map to ``content-digest``. Components no committed key names (``ao-body-key``,
    ``ao-ids``) keep their sorted place relative to ``content-digest``'s neighbours: they
    are appended where sorting puts them among the remaining ones."""
    order: list[str] = []
    seen: set[str] = set()
    for key in committed:
        for name in (key, key + "+link", key.lower(), key.lower() + "+link"):
            if name in encoded:
                break
        else:
            name = "content-digest" if "content-digest" in encoded else ""
        if name and name not in seen:
            seen.add(name)
            order.append(name)
    if order == components:
        return components
    rest = [c for c in components if c not in seen]
    if not rest:
        return order
    # place each leftover before the first ordered component that sorts after it
    out = list(order)
    for extra in rest:
        at = next((i for i, c in enumerate(out) if c > extra), len(out))
        out.insert(at, extra)
    return out


def _key_present(key: str, msg: Mapping[str, Any]) -> bool:
    return (key in msg or key + "+link" in msg or key.lower() in msg
            or key.lower() + "+link" in msg)


def signature_base(
    encoded: Mapping[str, bytes], components: Sequence[str], params: Sequence[tuple[str, str]]
) -> bytes:
    """The signature base: component lines, then the ``@signature-params`` line.

    ``params`` are (name, already-serialised SF value) pairs; they are sorted here.
    """
    lines = []
    for name in components:
        try:
            value = encoded[name]
        except KeyError as exc:
            raise SignatureError(
                f"committed component {name!r} is missing from the message", field=name
            ) from exc
        lines.append(b'"' + name.encode() + b'": ' + value)
    inner = " ".join(sf_string(_derived(c)) for c in components)
    param_text = "".join(f";{k}={v}" for k, v in sorted(params))
    return b"\n".join(lines) + b'\n"@signature-params": (' + inner.encode() + b")" + (
        param_text.encode("utf-8")
    )


def commitment_params(commitment: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ``@signature-params`` parameters of a commitment (alg from its type)."""
    params: list[tuple[str, str]] = [("alg", sf_string(_text(commitment.get("type"))))]
    for key in ("bundle", "created", "expires", "keyid", "nonce", "tag"):
        if key in commitment:
            params.append((key, _param_value(commitment[key])))
    return params


def hmac_commitment(tabm: Mapping[str, Any], committed: Sequence[str] | None = None,
                    *, bundle: bool = False, fmt: CommitmentFormat | str | None = None,
                    secret: bytes | None = None) -> tuple[str, dict[str, Any]]:
    """The HMAC commitment of a TABM: (ID, commitment fields).

    Unsigned (the format's constant key) by default; with ``secret``, the ``secret:``
    scheme: keyid ``secret:<hash>``, committer = that hash."""
    if committed is None:
        committed = default_committed_keys(tabm)
    form = get_format(fmt)
    encoded, components, committed_keys = normalize_for_encoding(
        tabm, committed, bundle=bundle, erlang_order=form.erlang_order)
    if secret is None:
        key, keyid, committer = form.hmac_key, form.hmac_keyid, None
    else:
        key, keyid = secret, secret_keyid(secret)
        committer = keyid_committer(keyid)
    params = [("alg", '"hmac-sha256"'), ("keyid", sf_string(keyid))]
    if bundle:
        params.append(("bundle", '"true"'))
    base = signature_base(encoded, components, params)
    cid = hmac_b64u(key, base)
    fields: dict[str, Any] = {
        "commitment-device": "httpsig@1.0",
        "type": "hmac-sha256",
        "keyid": keyid,
        "committed": tuple(committed_keys),
        "signature": cid,
    }
    if committer is not None:
        fields["committer"] = committer
    if bundle:
        fields["bundle"] = "true"
    return cid, fields


def default_committed_keys(tabm: Mapping[str, Any]) -> list[str]:
    """Every key of a TABM except metadata, ``+link`` suffixes removed, sorted."""
    return sorted(
        (k[:-5] if k.endswith("+link") else k)
        for k in tabm
        if k not in ("commitments", "priv") and not k.startswith("priv")
    )




def unsigned_id(tabm: Mapping[str, Any], fmt: CommitmentFormat | str | None = None) -> str:
    """The HMAC unsigned ID of a TABM (all keys committed).

    The common case (no ID-like keys, no nested maps, no value over 4,096 bytes, at most
    one body value) is built directly; anything else takes the general path of
    :func:`hmac_commitment`, which gives the same result.
    """
    headers: dict[str, bytes] = {}
    inline = "body"
    if "ao-body-key" in tabm:
        return hmac_commitment(tabm, fmt=fmt)[0]
    if "body" not in tabm and "data" in tabm:
        inline = "data"
        headers["ao-body-key"] = b"data"
    body: bytes | None = None
    for key, value in tabm.items():
        if key == "commitments" or key.startswith("priv"):
            continue
        if type(value) is not bytes or len(key) in _ID_SIZES or len(value) > MAX_HEADER_LENGTH:
            return hmac_commitment(tabm, fmt=fmt)[0]
        if key == inline:
            body = value
        elif key == "body":
            return hmac_commitment(tabm, fmt=fmt)[0]
        else:
            headers[key] = value
    if body is not None:
        headers["content-digest"] = content_digest(body)
    form = get_format(fmt)
    components = sorted(headers)
    if len(components) > SORTED_COMPONENTS and form.erlang_order:
        components = map_keys_order(components)
    lines = [b'"' + k.encode() + b'": ' + headers[k] for k in components]
    if any(c in DERIVED_COMPONENTS for c in components):
        inner = " ".join(sf_string(_derived(c)) for c in components).encode()
    else:
        inner = b" ".join(b'"' + c.encode() + b'"' for c in components)
    base = b"\n".join(lines) + b'\n"@signature-params": (' + inner + form.hmac_params
    return form.hmac_id(base)


def is_committed_id(value: object) -> bool:
    """True for a 43-character ID text."""
    return is_id(value)
