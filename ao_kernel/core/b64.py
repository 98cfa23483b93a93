"""base64url without padding, the text form of every AO ID and signature."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import EncodingError

_B64U = re.compile(r"^[A-Za-z0-9_-]*$")


def b64u_encode(data: bytes) -> str:
    """base64url text of ``data``, no padding."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=").decode(
        "ascii"
    )


_TO_URL = bytes.maketrans(b"+/", b"-_")
_FROM_URL = bytes.maketrans(b"-_", b"+/")


def b64u_decode(text: str | bytes, *, field: str = "value") -> bytes:
    """Bytes of base64url ``text`` (padding optional); EncodingError names ``field``."""
    if (text.__class__ is str and len(text) == 43 and "+" not in text and "/" not in text
            and "=" not in text):
        # an ID, the common case: strict decoding rejects any other non-alphabet character
        try:
            return binascii.a2b_base64(text.encode("ascii").translate(_FROM_URL) + b"=",
                                       strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            pass  # not base64url: the general path below names the problem
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{field} is not base64url text", field=field) from exc
    stripped = text.rstrip("=")
    if not _B64U.match(stripped) or len(stripped) % 4 == 1:
        raise EncodingError(f"{field} is not valid base64url: {text[:60]!r}", field=field)
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncodingError(f"{field} is not valid base64url", field=field) from exc


def b64_encode(data: bytes) -> str:
    """Standard base64 with padding (httpsig keyids and structured-field byte sequences)."""
    return base64.b64encode(data).decode("ascii")


def b64_decode(text: str | bytes, *, field: str = "value") -> bytes:
    """Bytes of standard base64 ``text``; EncodingError names ``field``."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EncodingError(f"{field} is not valid base64", field=field) from exc


def is_id(value: object) -> bool:
    """True for a 43-character base64url text, the human form of a 32-byte ID."""
    return isinstance(value, str) and len(value) == 43 and bool(_B64U.match(value))


def id_to_bytes(value: str, *, field: str = "id") -> bytes:
    """The 32 raw bytes of a 43-character ID."""
    raw = b64u_decode(value, field=field)
    if len(raw) != 32:
        raise EncodingError(f"{field} is not a 32-byte ID: {value!r}", field=field)
    return raw
