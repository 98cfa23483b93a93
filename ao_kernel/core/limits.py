"""Checks on values handed to the Python API before they become messages.

A message value is text, bytes, a number, a boolean, ``None``, or a list or map of those;
text must be encodable as UTF-8 (a lone surrogate is not) and nesting is bounded. A value
that breaks a rule is a :class:`MessageError` naming where it is (``tags['X'][2]``), so a
mistake in a notebook reads as one, not as a ``RecursionError`` or a
``UnicodeEncodeError`` from deep inside an encoder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import MessageError

__all__ = ["MAX_DEPTH", "check_tags", "check_value"]

#: How deeply maps and lists may nest inside one message.
MAX_DEPTH = 64

_SCALARS = (str, bytes, int, float, bool, type(None))


def check_value(value: Any, where: str, depth: int = 0) -> None:
    """Raise :class:`MessageError` naming ``where`` if ``value`` cannot be a message value."""
    if depth > MAX_DEPTH:
        top = where if len(where) <= 60 else where[:57] + "..."
        raise MessageError(f"{top} nests more than {MAX_DEPTH} levels of maps and lists",
                           field=where.split("[", 1)[0])
    if isinstance(value, str):
        if value.isascii():
            return
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MessageError(
                f"{where} is not valid text: {value[exc.start:exc.end]!r} at position "
                f"{exc.start} (a lone surrogate) cannot be encoded; send bytes for binary "
                "data", field=where) from None
        return
    if isinstance(value, _SCALARS):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise MessageError(f"{where} has the key {key!r}: keys must be text",
                                   field=where)
            check_value(item, f"{where}[{key!r}]", depth + 1)
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_value(item, f"{where}[{i}]", depth + 1)
        return
    items = getattr(value, "items", None)  # a Message, or another mapping-like value
    if callable(items):
        for key, item in items():
            check_value(item, f"{where}[{key!r}]", depth + 1)
        return
    raise MessageError(f"{where} is a {type(value).__name__}; a message value is text, bytes, "
                       "a number, a boolean, None, or a list or map of those", field=where)


def check_tags(tags: Any) -> None:
    """``tags`` as given to ``send``: a map of text names to message values."""
    if tags is None:
        return
    if not isinstance(tags, Mapping):
        raise MessageError(
            f"tags must be a dict of name -> value, got a {type(tags).__name__}"
            + (" (a list of pairs? pass dict(pairs))" if isinstance(tags, (list, tuple))
               else ""), field="tags")
    check_value(tags, "tags")
