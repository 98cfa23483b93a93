"""The value types a message can hold, besides str/bytes (binary), int, float, list, Message.

* ``True``, ``False`` and ``None`` are the atoms ``true``, ``false`` and ``null``;
* :class:`Atom` is any other atom (an Erlang atom in HyperBEAM, an SF token on the wire);
* :class:`Link` is a lazy reference to another message by ID (``key+link`` on the wire).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Atom:
    """A named constant (``ok``, ``process``, ``infinity`` ...)."""

    name: str

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Atom({self.name!r})"


@dataclass(frozen=True, slots=True)
class Link:
    """A reference to another message by its 43-character ID, loaded on demand."""

    id: str

    def __repr__(self) -> str:
        return f"Link({self.id!r})"
