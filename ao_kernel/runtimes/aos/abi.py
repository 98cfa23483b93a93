"""The module ABI between AO-Core messages and an aos process (JSON-1 shapes).

An aos process (our Lua runtime or the real wasm module) is called once per slot with
``handle(msg, env)``. This module builds those two objects from the scheduled message
and its assignment, and reads the response back. The field mapping follows the reference
compute unit (legacy brief section 4.2) and HyperBEAM's ``json-iface@1.0``::

    Id            the message's signed ID (its unsigned ID when unsigned)
    Owner         the signer's address; an unsigned message was accepted in-process
                  by this node, so its owner is the scheduler's address
    From          the From-Process key when present, else Owner
    Target, Anchor, Data, Signature   from the keys of the same names
    Tags          the tags exactly as signed (order, case, duplicates, names shared
                  with fields such as ``Target``) when the message came as a data item
                  or a dry-run; else every other key, lowercase ones Header-Cased
                  (``reply-to`` -> ``Reply-To``), in the message's own order
    Timestamp, Block-Height, Epoch, Nonce (= slot), Hash-Chain   from the assignment
    Cron, Read-Only   set for cron ticks and dry-runs

The response ``{Output, Messages, Spawns, Assignments, Error}`` comes back as an
:class:`Outcome`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...core.ids import message_id
from ...core.message import Message, Value
from ...core.values import Atom

ROOT_KEYS = frozenset({"id", "owner", "from", "target", "anchor", "data", "signature",
                       "commitments", "ao-types", "path", "method"})
_ASSIGNMENT_ROOT = (("timestamp", "Timestamp"), ("block-height", "Block-Height"),
                    ("epoch", "Epoch"), ("slot", "Nonce"), ("hash-chain", "Hash-Chain"))


_ABSENT: Any = object()


def header_case(key: str) -> str:
    """``reply-to`` -> ``Reply-To``; keys with a capital (``SDK``) and ID-like keys keep
    their case: only all-lowercase keys (HTTP headers, 0.9-edge messages) are re-cased."""
    try:
        return _HEADER_CASE[key]
    except KeyError:
        pass
    cased = key if len(key) in (32, 42, 43) or not key.islower() else \
        "-".join(part[:1].upper() + part[1:] for part in key.split("-"))
    if len(_HEADER_CASE) > 50_000:
        _HEADER_CASE.clear()
    _HEADER_CASE[key] = cased
    return cased


_HEADER_CASE: dict[str, str] = {}  # tag names recur in every message


def lua_text(value: Value) -> str | bytes:
    """A message value as a Lua string for the process: like :func:`tag_value`, except that
    bytes which are not UTF-8 stay bytes, so binary data reaches Lua byte for byte."""
    if value.__class__ is bytes:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return tag_value(value)


def json_text(value: object) -> str:
    """``json.dumps(default=...)`` for JSON that must carry a process's binary values: JSON
    carries text only, so bytes go as UTF-8 with replacement characters (the legacy CU's
    strings and the real module's JSON ABI are text too)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def tag_value(value: Value) -> str:
    """A message value as tag text (aos tags are strings)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, Atom):
        return value.name
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, tuple):
        return ", ".join(tag_value(v) for v in value)
    return message_id(value) if isinstance(value, Message) else str(value)


def owner_of(msg: Message, default: str) -> str:
    """The address that signed ``msg`` (first signer), else ``default``."""
    if "commitments" not in msg._items:  # keys are normal: no need to normalise a miss
        return default
    for commitment in msg.commitments.values():
        if isinstance(commitment, Message):
            who = commitment.text("committer")
            if who:
                return who
    return default


def tags_of(msg: Message) -> list[dict[str, str]]:
    """The tag list of ``msg`` in its own order (original ANS-104 tags when known), as text."""
    return tags_for_lua(msg, text=tag_value)  # type: ignore[return-value]


def tags_for_lua(msg: Message, text: Any = lua_text) -> list[dict[str, str | bytes]]:
    """The tag list of ``msg`` as the process sees it: values that are not UTF-8 kept as
    bytes (``text=tag_value`` gives them as text with replacement characters)."""
    items = msg._items
    for commitment in (msg.commitments.values() if "commitments" in items else ()):
        if isinstance(commitment, Message):
            original = commitment.get("original-tags")
            if isinstance(original, (Message, tuple)) and original:
                # a tuple as signed; a numbered message once stored and read back
                ordered = (list(enumerate(original)) if isinstance(original, tuple)
                           else sorted(original.items(), key=lambda kv: int(kv[0])))
                out: list[dict[str, str | bytes]] = []
                for _, tag in ordered:
                    if isinstance(tag, Message):
                        value = tag.get("value")
                        out.append({"name": tag.text("name") or "",
                                    "value": "" if value is None else text(value)})
                return out
    return [
        {"name": header_case(k), "value": v if v.__class__ is str else text(v)}
        for k, v in items.items()
        if k not in ROOT_KEYS and k[:4] != "priv" and v.__class__ is not Message
    ]


def json1_message(
    msg: Message,
    *,
    msg_id: str | None = None,
    default_owner: str,
    assignment: Mapping[str, Value] | None = None,
    cron: bool = False,
    read_only: bool = False,
) -> dict[str, Any]:
    """The JSON-1 ``msg`` object for ``msg`` as scheduled by ``assignment``."""
    items = msg._items  # normal keys: reading them directly skips normalising misses
    owner = owner_of(msg, default_owner)
    from_process = items.get("From-Process")  # pushed messages; older stores lowercased
    if from_process is None:
        from_process = items.get("from-process")
    target = items.get("target", _ABSENT)
    data = items.get("data", _ABSENT)
    anchor = items.get("anchor", _ABSENT)
    out: dict[str, Any] = {
        "Id": msg_id or message_id(msg, "all"),
        "Owner": owner,
        "From": tag_value(from_process) if from_process is not None else owner,
        "Target": "" if target is _ABSENT else tag_value(target),
        "Tags": tags_for_lua(msg),
        "Data": "" if data is _ABSENT else lua_text(data),
    }
    if anchor is not _ABSENT:
        out["Anchor"] = tag_value(anchor)
    if from_process is not None:
        out["Forwarded-By"] = owner
    if assignment is not None:
        fields = assignment._items if isinstance(assignment, Message) else assignment
        for key, name in _ASSIGNMENT_ROOT:
            value = fields.get(key, _ABSENT)
            if value is not _ABSENT:
                if value.__class__ is int and key != "hash-chain":
                    out[name] = value
                    continue
                out[name] = int(value) if key in ("timestamp", "block-height", "slot") and \
                    isinstance(value, (int, str)) and str(value).isdigit() else tag_value(value)
        if "Epoch" in out and str(out["Epoch"]).isdigit():
            out["Epoch"] = int(out["Epoch"])
    if cron:
        out["Cron"] = True
    if read_only:
        out["Read-Only"] = True
    return out


def json1_env(process: Message, process_id: str, owner: str, module_id: str) -> dict[str, Any]:
    """The JSON-1 ``env`` object: the process and its module."""
    return {
        "Process": {"Id": process_id, "Owner": owner, "Tags": tags_of(process)},
        "Module": {"Id": module_id, "Owner": owner, "Tags": []},
    }


@dataclass
class Outcome:
    """What an aos process returned for one message."""

    output: Any = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    spawns: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> str:
        """``Output.data`` as text (what the aos prompt shows)."""
        out = self.output
        if isinstance(out, Mapping):
            out = out.get("data", "")
        if out is None:
            return ""
        return out if isinstance(out, str) else str(out)

    @property
    def prompt(self) -> str | None:
        out = self.output
        if isinstance(out, Mapping):
            p = out.get("prompt")
            return p if isinstance(p, str) else None
        return None


def outcome_from(response: Mapping[str, Any]) -> Outcome:
    """An :class:`Outcome` from a JSON-shaped response object."""
    error = response.get("Error")
    return Outcome(
        output=response.get("Output", ""),
        messages=list(as_list(response.get("Messages"))),
        spawns=list(as_list(response.get("Spawns"))),
        assignments=list(as_list(response.get("Assignments"))),
        error=None if error is None else (error if isinstance(error, str) else str(error)),
        raw=dict(response),
    )


def as_list(value: Any, *, split_text: bool = False) -> list[Any]:
    """A JSON-1 list field as a list: None is empty, a list is itself, a table with
    integer keys ``{"1": a, "2": b}`` is in key order. Text is a comma-separated list
    when ``split_text`` (tag values such as ``Assignments: "pid1,pid2"``), else no list
    at all (an outbox given as text holds no messages); so is any other scalar, unless
    ``split_text`` (a lone value is a one-item list)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0)]
    if not split_text:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def outcome_text(value: Any) -> Any:
    """A value coming *out* of a process (an outbox tag, ``Data``, ``Anchor``) as the text
    of a message field; :func:`tag_value` is its counterpart for message values going
    *in*. JSON null is absent (``""``); numbers are as JSON decoded them (``1.0`` stays
    ``"1.0"``); tables are their JSON text; a Lua string that is not UTF-8 stays bytes
    (binary data goes on byte for byte). Pushed messages are built with it, so their
    IDs (and the hashpaths over them) depend on exactly this text."""
    if value is None:
        return ""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def tags_to_dict(tags: Any) -> dict[str, Any]:
    """A tag list as an ordered name -> value dict (last duplicate wins)."""
    out: dict[str, Any] = {}
    for tag in as_list(tags):
        if isinstance(tag, Mapping):
            out[str(tag.get("name"))] = outcome_text(tag.get("value"))
    return out
