"""Permanent storage on Arweave: publish as ANS-104 bundles, read through a gateway.

::

    gw = Gateway("http://127.0.0.1:1984")          # any Arweave gateway (arlocal in tests)
    report = node.publish(proc, gateway=gw)          # one bundle: process, messages, assignments
    report.bundle_id, report.items                   # {node ID: Arweave data-item ID}
    store = GatewayStore(gw)                         # read-through: GraphQL + data routes
    store.read_message(item_id)                      # the same signed message, verified

**Publishing.** Every published message is an ANS-104 data item signed by the node
wallet (a message that already carries an ans104@1.0 commitment is published as it
is, so its ID does not change): the process message, each scheduled message, and each
assignment (its ``body`` replaced by ``message: <body item ID>``, since an assignment
names its message). The items go into one ANS-104 bundle, the data of a format-2
Arweave transaction (``Bundle-Format: binary``, ``Bundle-Version: 2.0.0``) signed by
the node wallet (RSA-PSS-SHA256 over the transaction's deep hash; ``data_root`` is the
Merkle root of 256 KiB chunks as Arweave computes it), posted to ``POST /tx``.

**Reading** (HyperBEAM's gateway store, ``hb_store_gateway``): GraphQL
``transactions(ids: [ID])`` gives the item's owner key, signature, anchor, target and
tags; the data route ``GET /<ID>`` gives its data; the rebuilt data item must verify and
hash to the asked ID; when the index lost a field (arlocal drops data items' anchors)
the item is read from the bundle that carries it (``bundledIn``, read by the data
route), and it must verify there too. Read items are cached in a local store
(``cache``), so the gateway is asked once.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import ans104, ans104_codec
from ..core.b64 import b64u_decode, b64u_encode
from ..core.errors import AOError, NotFoundError, RemoteError, SignatureError
from ..core.message import Message

if TYPE_CHECKING:
    from .node import Node
    from .wallet import Wallet

MAX_CHUNK = 256 * 1024
MIN_CHUNK = 32 * 1024
BUNDLE_TAGS = (("Bundle-Format", "binary"), ("Bundle-Version", "2.0.0"))
#: no proxies: a gateway is reached directly (tests use one on loopback)
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# -- the gateway --------------------------------------------------------------------------


class Gateway:
    """An Arweave gateway's HTTP API (the routes arweave.net and arlocal share)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _http(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteError(f"the gateway {self.url} is unreachable: {exc}",
                              field="gateway") from exc

    def get(self, path: str) -> bytes:
        status, body = self._http("GET", path)
        if status == 404:
            raise NotFoundError(f"{path} is not on the gateway {self.url}", field=path)
        if status >= 400:
            raise RemoteError(f"GET {path} on {self.url}: {status} {body[:200]!r}",
                              field=path)
        return body

    def available(self) -> bool:
        try:
            self.get("/info")
        except AOError:
            return False
        return True

    def anchor(self) -> str:
        return self.get("/tx_anchor").decode().strip()

    def price(self, size: int) -> str:
        return self.get(f"/price/{size}").decode().strip()

    def mint(self, address: str, amount: int) -> None:
        """Credit ``address`` (arlocal's test route; real gateways have none)."""
        self.get(f"/mint/{address}/{amount}")

    def mine(self, blocks: int = 1) -> None:
        """Mine pending transactions (arlocal)."""
        self.get(f"/mine/{blocks}")

    def post_tx(self, tx: dict[str, Any]) -> None:
        status, body = self._http("POST", "/tx", json.dumps(tx).encode(),
                                  {"content-type": "application/json"})
        if status >= 400:
            raise RemoteError(f"the gateway refused the transaction: {status} "
                              f"{body[:200]!r}", field="tx")

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        payload = json.dumps({"query": query, "variables": variables or {}}).encode()
        status, body = self._http("POST", "/graphql", payload,
                                  {"content-type": "application/json"})
        if status >= 400:
            raise RemoteError(f"GraphQL on {self.url}: {status} {body[:200]!r}",
                              field="graphql")
        doc = json.loads(body)
        if doc.get("errors"):
            raise RemoteError(f"GraphQL on {self.url}: {doc['errors']}", field="graphql")
        return doc["data"]

    def data(self, id_: str) -> bytes:
        return self.get(f"/{id_}")


def _gateway(value: str | Gateway) -> Gateway:
    return value if isinstance(value, Gateway) else Gateway(value)


# -- Arweave transactions (format 2) --------------------------------------------------------


def _note(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(chunk-data hash, min byte, max byte) per chunk, split as Arweave splits."""
    out: list[tuple[bytes, int, int]] = []
    rest, cursor = data, 0
    while len(rest) >= MAX_CHUNK:
        size = MAX_CHUNK
        nxt = len(rest) - MAX_CHUNK
        if 0 < nxt < MIN_CHUNK:  # keep the last chunk from being tiny
            size = -(-len(rest) // 2)
        out.append((_sha(rest[:size]), cursor, cursor + size))
        cursor += size
        rest = rest[size:]
    out.append((_sha(rest), cursor, cursor + len(rest)))
    return out


def data_root(data: bytes) -> bytes:
    """The Merkle root Arweave's ``data_root`` names for ``data``."""
    nodes = [(_sha(_sha(h), _sha(_note(hi))), hi) for h, _lo, hi in _chunks(data)]
    while len(nodes) > 1:
        nxt: list[tuple[bytes, int]] = []
        for i in range(0, len(nodes), 2):
            if i + 1 == len(nodes):
                nxt.append(nodes[i])
                continue
            (lid, lmax), (rid, rmax) = nodes[i], nodes[i + 1]
            nxt.append((_sha(_sha(lid), _sha(rid), _sha(_note(lmax))), rmax))
        nodes = nxt
    return nodes[0][0]


def sign_transaction(wallet: Wallet, data: bytes, tags: Sequence[tuple[str, str]],
                     anchor: str, reward: str) -> dict[str, Any]:
    """A signed format-2 Arweave transaction carrying ``data`` (JSON form for POST /tx)."""
    signer = wallet.rsa_signer
    owner = signer.public_key
    root = data_root(data) if data else b""
    raw_tags = [[n.encode(), v.encode()] for n, v in tags]
    message = ans104.deep_hash([
        b"2", owner, b"", b"0", reward.encode(), b64u_decode(anchor), raw_tags,
        str(len(data)).encode(), root,
    ])
    signature = signer.sign_pss(message, "sha256", 32)
    return {
        "format": 2, "id": b64u_encode(hashlib.sha256(signature).digest()),
        "last_tx": anchor, "owner": b64u_encode(owner),
        "tags": [{"name": b64u_encode(n), "value": b64u_encode(v)} for n, v in raw_tags],
        "target": "", "quantity": "0", "data": b64u_encode(data),
        "data_size": str(len(data)), "data_root": b64u_encode(root), "reward": reward,
        "signature": b64u_encode(signature),
    }


# -- publishing -----------------------------------------------------------------------------


@dataclass
class PublishReport:
    """What :func:`publish` posted."""

    gateway: str
    bundle_id: str
    items: dict[str, str] = field(default_factory=dict)   # node ID -> data-item ID
    kinds: dict[str, str] = field(default_factory=dict)   # data-item ID -> kind
    bundle: bytes = b""

    @property
    def ids(self) -> list[str]:
        return list(self.kinds)


def as_data_item(msg: Message, wallet: Wallet) -> ans104.DataItem:
    """``msg`` as a signed data item (kept as is when it is already ans104-signed)."""
    existing = [c for c in msg.commitments.values()
                if isinstance(c, Message) and c.text("commitment-device") == "ans104@1.0"]
    signed = msg if existing else ans104_codec.commit(msg.without("commitments")
                                                      if "commitments" in msg else msg,
                                                      wallet.rsa_signer)
    item = ans104_codec.message_to_item(signed)
    if not ans104.verify(item):
        raise SignatureError("the data item does not verify", field="signature")
    return item


def _publishable(msg: Message) -> Message:
    """Keys an ANS-104 item can hold: text values; nested messages dropped by name."""
    from ..core.ids import message_id

    out: dict[str, Any] = {}
    for key, value in msg.items():
        if key == "commitments":
            continue
        if isinstance(value, Message):
            out[key] = message_id(value, "all")
        else:
            out[key] = value
    return Message(out)


def bundle_items(node: Node, pid: str) -> tuple[list[ans104.DataItem], dict[str, str],
                                                dict[str, str]]:
    """The data items that publish process ``pid``: process, messages, assignments."""
    items: list[ans104.DataItem] = []
    ids: dict[str, str] = {}
    kinds: dict[str, str] = {}
    wallet = node.wallet

    def add(node_id: str, msg: Message, kind: str) -> str:
        try:
            item = as_data_item(msg, wallet)
        except AOError:  # values ANS-104 cannot carry: publish the flat form
            item = as_data_item(_publishable(msg), wallet)
        items.append(item)
        ids[node_id] = item.id
        kinds[item.id] = kind
        return item.id

    add(pid, node.definition(pid), "process")
    from .node import message_id_of_body

    for assignment in node.schedule_of(pid):
        body = assignment.get("body")
        slot = int(assignment["slot"])  # type: ignore[arg-type]
        body_item = pid if slot == 0 else None
        if isinstance(body, Message) and slot > 0:
            body_item = add(message_id_of_body(body), body, "message")
        record = _publishable(assignment.without("body")).with_(
            message=ids.get(pid) if slot == 0 else (body_item or ""))
        add(f"assignment/{pid}/{slot}", record, "assignment")
    return items, ids, kinds


def publish(node: Node, proc: Any, gateway: str | Gateway | None = None) -> PublishReport:
    """Publish process ``proc`` to ``gateway`` as one ANS-104 bundle (see module doc)."""
    gw_value = gateway or node.state.get("gateway")
    if not gw_value:
        raise RemoteError("no gateway: pass gateway= or configure the node's 'gateway'",
                          field="gateway")
    gw = _gateway(gw_value if isinstance(gw_value, Gateway) else str(gw_value))
    pid = proc if isinstance(proc, str) else proc.id
    items, ids, kinds = bundle_items(node, pid)
    bundle = ans104.encode_bundle(items)
    tx = sign_transaction(node.wallet, bundle, BUNDLE_TAGS, gw.anchor(), gw.price(len(bundle)))
    gw.post_tx(tx)
    node.events.publish("published", process=pid, bundle=tx["id"], items=len(items),
                        gateway=gw.url)
    return PublishReport(gateway=gw.url, bundle_id=tx["id"], items=ids, kinds=kinds,
                         bundle=bundle)


# -- reading through a gateway -------------------------------------------------------------

_ITEM_QUERY = """query($ids: [ID!]) { transactions(ids: $ids) { edges { node {
  id anchor signature recipient owner { address key } tags { name value }
  bundledIn { id } } } } }"""
_BUNDLES_QUERY = """query($first: Int) { transactions(first: $first, sort: HEIGHT_DESC,
  tags: [{ name: "Bundle-Format", values: ["binary"] }]) { edges { node { id } } } }"""


class GatewayStore:
    """Read-only store of messages kept on Arweave (HyperBEAM ``hb_store_gateway``).

    ``read_item(id)`` rebuilds the data item from GraphQL + the data route and checks it
    (signature, ID); ``read_message(id)`` decodes it as an ans104@1.0 message. Found
    items are written to ``cache`` (any store with ``read``/``write``) when given.
    """

    scope = "remote"

    def __init__(self, gateway: str | Gateway, *, cache: Any = None) -> None:
        self.gateway = _gateway(gateway)
        self.cache = cache

    def _cached(self, id_: str) -> bytes | None:
        if self.cache is None:
            return None
        raw = self.cache.read(f"arweave/{id_}")
        return bytes(raw) if raw is not None else None

    def read_item(self, id_: str) -> ans104.DataItem:
        raw = self._cached(id_)
        if raw is not None:
            return ans104.parse(raw)
        edges = self.gateway.graphql(_ITEM_QUERY, {"ids": [id_]})["transactions"]["edges"]
        if not edges:
            raise NotFoundError(f"{id_} is not on the gateway {self.gateway.url}", field=id_)
        meta = edges[0]["node"]
        data = self.gateway.data(id_)
        item = ans104.DataItem(
            signature_type=1,
            signature=b64u_decode(meta["signature"]),
            owner=b64u_decode(meta["owner"]["key"]),
            target=b64u_decode(meta.get("recipient") or ""),
            anchor=b64u_decode(meta.get("anchor") or ""),
            tags=tuple((t["name"], t["value"]) for t in meta["tags"]),
            data=data,
        )
        if item.id != id_ or not ans104.verify(item):
            # a gateway may drop a field from its index (arlocal loses data items'
            # anchors): read the item from the bundle that carries it instead
            item = self._from_bundle(id_, (meta.get("bundledIn") or {}).get("id"))
        if self.cache is not None:
            with self.cache.transaction():
                self.cache.write(f"arweave/{id_}", ans104.serialize(item))
        return item

    def _from_bundle(self, id_: str, bundle_id: str | None) -> ans104.DataItem:
        # the bundle named by bundledIn, else (a gateway that does not index bundledIn,
        # as arlocal) the most recent ANS-104 bundles it holds
        candidates = [bundle_id] if bundle_id else self._recent_bundles()
        for bid in candidates:
            try:
                items = ans104.decode_bundle(self.gateway.data(bid))
            except AOError:
                continue
            for item in items:
                if item.id == id_ and ans104.verify(item):
                    return item
        raise SignatureError(f"the gateway's copy of {id_} does not verify", field=id_)

    def _recent_bundles(self, limit: int = 100) -> list[str]:
        found = self.gateway.graphql(_BUNDLES_QUERY, {"first": limit})
        return [e["node"]["id"] for e in found["transactions"]["edges"]]

    def read_message(self, id_: str) -> Message:
        return ans104_codec.item_to_message(self.read_item(id_))

    def read(self, id_: str) -> Message | None:
        """The message, or None when the gateway does not have it."""
        try:
            return self.read_message(id_)
        except NotFoundError:
            return None
