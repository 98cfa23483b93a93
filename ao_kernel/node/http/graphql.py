"""The gateway's ``/graphql`` as AO clients use it: ``transactions(...)`` lookups only.

aoconnect's ``spawn`` checks the module (``transactions(ids: [$id])`` → tags
``Data-Protocol=ao, Type=Module, Module-Format, Input-Encoding, Output-Encoding``);
the aos CLI finds a process by name (``transactions(owners, tags: [{name, values}])``)
and older clients look up a ``Scheduler-Location`` record. This module parses just
enough GraphQL to read the arguments of ``transactions`` (literals or ``$variables``)
and answers ``{data: {transactions: {pageInfo, edges: [{cursor, node}]}}}`` with every
field such clients read (extra fields are harmless to them). Other root fields answer
empty connections.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...core.errors import MalformedError
from ...runtimes.aos.wasm_modules import AOS_COMPUTE_LIMIT, AOS_MEMORY_LIMIT, KNOWN_MODULES

if TYPE_CHECKING:
    from .legacy import LegacyAPI

MODULE_FORMAT = "wasm64-unknown-emscripten-draft_2024_02_15"
_TOKEN = re.compile(r'\s*(?:(\.\.\.)|([{}()\[\]:,!=@])|(\$?[A-Za-z_][A-Za-z0-9_]*)|'
                    r'("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|(#[^\n]*))', re.S)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise MalformedError(f"GraphQL syntax error near {text[pos:pos + 20]!r}",
                                 field="query")
        pos = m.end()
        tok = next(g for g in m.groups() if g is not None)
        if not tok.startswith("#"):
            out.append(tok)
    return out


class _Parser:
    def __init__(self, tokens: list[str], variables: Mapping[str, Any]) -> None:
        self.t = tokens
        self.i = 0
        self.vars = variables

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise MalformedError(f"GraphQL: expected {expected or 'more'}, got {tok!r}",
                                 field="query")
        self.i += 1
        return tok

    def value(self) -> Any:
        tok = self.take()
        if tok == "[":
            items = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.take()
            self.take("]")
            return items
        if tok == "{":
            obj = {}
            while self.peek() != "}":
                key = self.take()
                self.take(":")
                obj[key] = self.value()
                if self.peek() == ",":
                    self.take()
            self.take("}")
            return obj
        if tok.startswith("$"):
            return self.vars.get(tok[1:])
        if tok.startswith('"'):
            return bytes(tok[1:-1], "utf-8").decode("unicode_escape")
        if re.fullmatch(r"-?\d+", tok):
            return int(tok)
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "null":
            return None
        return tok  # enum (HEIGHT_DESC ...)

    def arguments(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.peek() != "(":
            return args
        self.take("(")
        while self.peek() != ")":
            key = self.take()
            self.take(":")
            args[key] = self.value()
            if self.peek() == ",":
                self.take()
        self.take(")")
        return args


def root_fields(query: str, variables: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """[(root field name, its arguments)] of the first operation in ``query``."""
    p = _Parser(_tokens(query), variables)
    while p.peek() not in ("{", None):  # query Name ($a: T!, ...)
        p.take()
    p.take("{")
    out: list[tuple[str, dict[str, Any]]] = []
    while p.peek() not in ("}", None):
        name = p.take()
        if p.peek() == ":":  # alias
            p.take()
            name = p.take()
        args = p.arguments()
        out.append((name, args))
        if p.peek() == "{":
            depth = 0
            while True:
                tok = p.take()
                depth += tok == "{"
                depth -= tok == "}"
                if depth == 0:
                    break
    return out


def tx_node(id_: str, owner: Mapping[str, str], tags: list[dict[str, str]], *,
            signature: str | None = None, anchor: str | None = None,
            target: str | None = None, size: int = 0) -> dict[str, Any]:
    return {
        "id": id_, "anchor": anchor or "", "signature": signature or "",
        "recipient": target or "", "owner": dict(owner),
        "fee": {"winston": "0", "ar": "0"}, "quantity": {"winston": "0", "ar": "0"},
        "data": {"size": str(size), "type": _content_type(tags)},
        "tags": list(tags), "block": {"id": "", "height": 0, "timestamp": 0,
                                      "previous": ""},
        "ingested_at": 0, "bundledIn": None, "parent": None,
    }


def _content_type(tags: list[dict[str, str]]) -> str | None:
    for t in tags:
        if t["name"].lower() == "content-type":
            return t["value"]
    return None


def module_record(id_: str, address: str, name: str = "aos") -> dict[str, Any]:
    """A module's record; ``name`` is what ``aos --module NAME`` searches by."""
    tags = [
        {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
        {"name": "Type", "value": "Module"},
        {"name": "Module-Format", "value": KNOWN_MODULES[id_].format
         if id_ in KNOWN_MODULES else MODULE_FORMAT},
        {"name": "Input-Encoding", "value": "JSON-1"},
        {"name": "Output-Encoding", "value": "JSON-1"},
        # the limits real aos 2.0.x modules carry (the CU refuses more than 1 GiB)
        {"name": "Memory-Limit", "value": AOS_MEMORY_LIMIT},
        {"name": "Compute-Limit", "value": AOS_COMPUTE_LIMIT},
        {"name": "Name", "value": name}, {"name": "Runtime", "value": "ao-kernel aos (Lua)"},
        {"name": "Content-Type", "value": "application/wasm"},
    ]
    return tx_node(id_, {"address": address, "key": ""}, tags)


def scheduler_location(address: str, url: str) -> dict[str, Any]:
    tags = [
        {"name": "Data-Protocol", "value": "ao"}, {"name": "Variant", "value": "ao.TN.1"},
        {"name": "Type", "value": "Scheduler-Location"}, {"name": "Url", "value": url},
        {"name": "Time-To-Live", "value": "3600000"},
    ]
    import hashlib

    from ...core.b64 import b64u_encode

    rid = b64u_encode(hashlib.sha256(f"scheduler-location:{address}:{url}".encode()).digest())
    return tx_node(rid, {"address": address, "key": ""}, tags)


def _matches(node: Mapping[str, Any], args: Mapping[str, Any]) -> bool:
    owners = args.get("owners")
    if owners and node["owner"]["address"] not in owners:
        return False
    recipients = args.get("recipients")
    if recipients and node["recipient"] not in recipients:
        return False
    for flt in args.get("tags") or []:
        if not isinstance(flt, Mapping):
            continue
        name = str(flt.get("name", ""))
        values = flt.get("values") or ([flt["value"]] if "value" in flt else [])
        if not any(t["name"] == name and (not values or t["value"] in values)
                   for t in node["tags"]):
            return False
    return True


def answer(api: LegacyAPI, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` answer of a GraphQL query."""
    data: dict[str, Any] = {}
    for name, args in root_fields(query, variables):
        if name != "transactions":
            data[name] = {"pageInfo": {"hasNextPage": False}, "edges": []}
            continue
        first_arg = args.get("first")
        first = first_arg if isinstance(first_arg, int) else 100
        ids = args.get("ids")
        if ids:
            nodes = [api.record_by_id(str(i)) for i in ids]
        else:
            nodes = api.transaction_records()
            nodes.reverse()  # newest first, as HEIGHT_DESC would be
        nodes = [n for n in nodes if _matches(n, args)]
        data[name] = {
            "pageInfo": {"hasNextPage": len(nodes) > first},
            "edges": [{"cursor": n["id"], "node": n} for n in nodes[:first]],
            "count": len(nodes),
        }
    return {"data": data}
