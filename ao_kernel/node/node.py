"""The Node: one local AO node — a store, a wallet, the devices it offers, its config.

``Node()`` is in memory with a fresh wallet; ``Node(store="sqlite:my.db")`` persists
messages (and, for a persistent store, the node's wallet, so reopening keeps the same
identity). ``node.resolve(path)`` resolves any AO-Core path through ``meta@1.0``'s node
message and the device registry, exactly as an HTTP request would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.errors import AOError, ResolveError
from ..core.message import Message
from ..core.resolver import Opts, Result, resolve_many
from ..devices import default_registry
from ..devices.meta import NodeState
from .cache import MessageCache, ResultCache
from .stores import Store, open_store
from .wallet import Wallet

_WALLET_KEY = "node/wallet.json"


class Node:
    """A local AO node."""

    def __init__(
        self,
        store: str | Store | None = None,
        *,
        wallet: Wallet | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        self.store = open_store(store)
        self.cache = MessageCache(self.store)
        self.wallet = wallet or self._load_or_create_wallet()
        self.registry = default_registry()
        defaults = {
            "device": "meta@1.0",
            "port": 8734,
            "operator": self.wallet.address,
            "hashpath-alg": "sha-256-chain",
            "commitment-device": "httpsig@1.0",
            "store": self.store.describe() if hasattr(self.store, "describe") else "memory",
        }
        self.state = NodeState(Message({**defaults, **(config or {})}),
                               operator=self.wallet.address)

    def _load_or_create_wallet(self) -> Wallet:
        if self.store.scope == "in_memory":
            return Wallet.generate()
        raw = self.store.read(_WALLET_KEY)
        if raw is not None:
            import json

            return Wallet.from_jwk(json.loads(raw))
        wallet = Wallet.generate()
        import json

        with self.store.transaction():
            self.store.write(_WALLET_KEY, json.dumps(wallet.jwk).encode())
        return wallet

    @property
    def address(self) -> str:
        """The node operator's (and scheduler's) address."""
        return self.wallet.address

    def opts(self, **overrides: Any) -> Opts:
        """Resolution options bound to this node."""
        opts = Opts(
            registry=self.registry,
            loader=self.cache.read,
            cache=ResultCache(self.cache),  # type: ignore[arg-type]
            node=self,
            extra={"node_state": self.state, "wallet": self.wallet},
        )
        for key, value in overrides.items():
            setattr(opts, key, value)
        return opts

    def resolve_result(self, request: str | Sequence[Any] | Message, **opts: Any) -> Result:
        """Resolve a HyperBEAM path (``/~meta@1.0/info``) or a message list; the Result."""
        from ..core.path import parse_path

        if isinstance(request, str):
            steps: Sequence[Any] = parse_path(request)
        elif isinstance(request, Message):
            steps = parse_path(request.text("path") or "/", query={
                k: v for k, v in request.items() if k != "path"  # type: ignore[misc]
            })
        else:
            steps = request
        return resolve_many(steps, self.opts(**opts))

    def resolve(self, request: str | Sequence[Any] | Message, **opts: Any) -> Any:
        """Resolve and return the value; a non-ok status raises its error."""
        result = self.resolve_result(request, **opts)
        if result.ok:
            return result.value
        if isinstance(result.value, AOError):
            raise result.value
        raise ResolveError(f"resolution ended with status {result.status}: {result.value!r}")

    def write(self, msg: Message | Mapping[str, Any]) -> str:
        """Store a message; returns its ID."""
        return self.cache.write(msg if isinstance(msg, Message) else Message(msg))

    def read(self, id_: str) -> Message:
        """A stored message by any of its IDs."""
        return self.cache.read(id_)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<ao.Node {self.address[:8]}… store={self.state.message.text('store')}>"
