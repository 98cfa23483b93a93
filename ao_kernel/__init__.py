"""ao-kernel: a complete local AO node inside a Jupyter kernel.

The public API (see docs/python-api.md)::

    import ao_kernel as ao
    msg = ao.Message({"basic": "value"})
    ao.id(msg); ao.id(msg, committers="all"); ao.hashpath(msg, {"path": "basic"})
    wallet = ao.Wallet.generate(); signed = ao.commit(msg, wallet); ao.verify(signed)
    ao.encode(msg, "httpsig@1.0"); ao.decode(data, "ans104@1.0")
    node = ao.Node(); node.resolve("/~meta@1.0/info")

Names are imported lazily so that ``import ao_kernel`` stays cheap and never pulls in
Jupyter.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .core.errors import AOError
    from .core.message import Message
    from .core.values import Atom, Link
    from .node.node import Node
    from .node.wallet import Wallet

__all__ = [
    "AOError",
    "Atom",
    "Link",
    "Message",
    "Node",
    "Wallet",
    "__version__",
    "commit",
    "connect",
    "decode",
    "encode",
    "hashpath",
    "id",
    "load_ipython_extension",
    "verify",
]

_LAZY = {
    "Message": ("ao_kernel.core.message", "Message"),
    "Atom": ("ao_kernel.core.values", "Atom"),
    "Link": ("ao_kernel.core.values", "Link"),
    "AOError": ("ao_kernel.core.errors", "AOError"),
    "Wallet": ("ao_kernel.node.wallet", "Wallet"),
    "Node": ("ao_kernel.node.node", "Node"),
    "connect": ("ao_kernel.node.remote", "connect"),
    "encode": ("ao_kernel.core.codecs", "encode"),
    "decode": ("ao_kernel.core.codecs", "decode"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ao_kernel' has no attribute {name!r}")


def id(msg: Any, committers: Any = "none") -> str:
    """The ID of a message (``committers="all"`` for the signed ID)."""
    from .core.ids import message_id
    from .core.limits import check_value
    from .core.message import Message

    if isinstance(msg, dict):
        check_value(msg, "message")
        msg = Message(msg)
    return message_id(msg, committers)


def hashpath(base: Any, req: Any = None) -> str:
    """The hashpath of ``base``, or of resolving ``req`` on ``base``."""
    from .core.ids import hashpath as _hashpath
    from .core.limits import check_value
    from .core.message import Message

    for where, value in (("base", base), ("req", req)):
        if isinstance(value, dict):
            check_value(value, where)
    b = base if isinstance(base, (Message, str)) else Message(base)
    r = None if req is None else (req if isinstance(req, Message) else Message(req))
    return _hashpath(b, r)


def commit(msg: Any, wallet: Any) -> Any:
    """``msg`` signed by ``wallet`` (httpsig@1.0 rsa-pss-sha512)."""
    from .core.commitments import commit as _commit
    from .core.limits import check_value
    from .core.message import Message

    if isinstance(msg, dict):
        check_value(msg, "message")
    m = msg if isinstance(msg, Message) else Message(msg)
    return _commit(m, getattr(wallet, "rsa_signer", wallet))


def verify(msg: Any) -> bool:
    """True when every commitment of ``msg`` verifies."""
    from .core.commitments import verify as _verify

    return _verify(msg)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext ao_kernel``: the AO magics in any IPython kernel."""
    from .jupyter.magics import load_ipython_extension as _load

    _load(ipython)


def _show_richly_in_ipython() -> None:
    """Inside a running IPython (a notebook's kernel), results, processes, messages and
    reports display richly once ``ao_kernel`` is imported: the formatters are registered
    by type name, so this imports no node code. Outside IPython it does nothing."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from .jupyter.display import register_formatters

    register_formatters(shell)


with contextlib.suppress(Exception):  # display is a convenience: never break the import
    _show_richly_in_ipython()
