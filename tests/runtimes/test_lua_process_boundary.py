"""The Python <-> Lua boundary of an aos process: the one-call fast path (flat arguments
in, plain values out) must give exactly what the general path (tables both ways) gives."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aos_harness import journal

import ao_kernel as ao
from ao_kernel.node.clock import VirtualClock
from ao_kernel.runtimes.aos import lua_process as aos_process
from ao_kernel.runtimes.aos.lua_process import AosProcess
from ao_kernel.testing.wallets import dev_wallet

HANDLERS = r"""
Handlers.add("ping", "Ping", function(msg) Count = (Count or 0) + 1 end)
Handlers.add("echo", "Echo", function(msg) print("got " .. msg.Data) end)
Handlers.add("reply", "Reply", function(msg) msg.reply({ Data = "pong", Extra = "1" }) end)
Handlers.add("boom", "Boom", function(msg) error("boom at " .. msg.Data) end)
Handlers.add("spawn", "Spawn", function(msg) Spawn(ao._module, { Data = "child" }) end)
Handlers.add("silent", "Silent", function(msg) ao.outbox.Output = {} end)
Handlers.add("odd", "Odd", function(msg) ao.outbox.Output = { data = { 1, 2 }, prompt = "> " } end)
Handlers.add("num", "Num", function(msg) ao.outbox.Output = { data = 42 } end)
Handlers.add("extra", "Extra", function(msg) ao.outbox.Output = { data = "x", other = "y" } end)
Handlers.add("weird", "Weird", function(msg)
  ao.outbox.Output = { data = { [1] = "a", [3] = "c" }, sparse = { [2] = "b" },
    mixed = { 1.5, true, { k = "v", [7] = 8 }, {} }, big = 2^53, neg = -0.0 }
  msg.reply({ Data = "r", Nested = { 1, 2, x = 3 } })
end)
Handlers.add("binary", "Binary", function(msg) msg.reply({ Data = "\xff\xfe" }) end)
Handlers.add("binprint", "Binprint", function(msg) print("ok \xff") end)
Handlers.add("deep", "Deep", function(msg)
  local t = {} ; local c = t
  for i = 1, 40 do c.next = {} ; c = c.next end
  ao.outbox.Output = { data = "deep", tree = t }
end)
"""

SENDS: list[dict[str, Any]] = [
    {"action": "Ping"},
    {"action": "Echo", "data": "hello"},
    {"action": "Echo", "data": "h\u00e9llo \u2603"},
    {"action": "Reply"},
    {"action": "Boom", "data": "x"},
    {"action": "Spawn"},
    {"action": "Silent"},
    {"action": "Odd"},
    {"action": "Num"},
    {"action": "Extra"},
    {"action": "Weird"},
    {"action": "Binary"},  # not UTF-8: read binary-safely
    {"action": "Binprint"},
    {"action": "Deep"},
    {"action": "Nobody"},  # the default handler: into the Inbox
    {"action": "Eval", "data": "return { a = 1, b = { 'x' } }"},
    {"action": "Eval", "data": "print('p'); return 7"},
    {"action": "Eval", "data": "error('bad eval')"},
    {"action": "Eval", "data": "return #Inbox"},
    {"action": "Ping", "tags": {"Content_Type": "text/plain", "X-Thing": "1"}},
]


def _journal() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    return journal(HANDLERS, SENDS, "boundary")


def _outcomes(env: dict[str, Any], spawn: dict[str, Any],
              messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    process = AosProcess(spawn, env, seed=b"boundary")
    out = [dataclasses.asdict(process.boot_outcome)]
    out += [dataclasses.asdict(process.apply(m)) for m in messages]
    out.append({"state": process.state()})
    return out


def test_the_fast_path_gives_what_the_general_path_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env, spawn, messages = _journal()
    assert len(messages) > len(SENDS)  # each send, plus the handlers' Eval
    fast = _outcomes(env, spawn, messages)
    monkeypatch.setattr(aos_process, "_flat_args", lambda msg: None)
    monkeypatch.setattr(aos_process, "_env_to_lua", aos_process.to_lua)
    general = _outcomes(env, spawn, messages)
    assert fast == general
    # the journal covers both answers of the fast path: plain values and whole tables
    outputs = [o.get("output") for o in fast]
    assert any(isinstance(o, dict) and o.get("print") for o in outputs)
    assert any(o.get("messages") for o in fast) and any(o.get("spawns") for o in fast)
    assert any(o.get("error") for o in fast)


def test_flat_args_refuse_nested_values() -> None:
    assert aos_process._flat_args({"Id": "a", "Tags": [], "Nested": {"x": 1}}) is None
    assert aos_process._flat_args({"Id": "a", "Tags": [{"name": "N", "value": 1}]}) is None
    assert aos_process._flat_args({"Id": "a"}) is None  # no tag list
    assert aos_process._flat_args(
        {"Id": "a", "Cron": True, "Tags": [{"name": "N", "value": "v"}]}
    ) == (2, "Id", "a", "Cron", True, "N", "v")


def test_text_that_is_not_utf8_does_not_break_the_node() -> None:
    node = ao.Node(wallet=dev_wallet(1), clock=VirtualClock(1_700_000_000_000))
    proc = node.spawn(lua=HANDLERS)
    reply = proc.send(action="Binary")  # used to raise UnicodeDecodeError out of send
    assert reply.error is None
    assert reply.messages[0]["Data"] == b"\xff\xfe"  # binary data goes on byte for byte
    assert proc.send(action="Binprint").output == "ok \ufffd"  # shown with a replacement mark
    assert proc.send(action="Ping").error is None  # and the process goes on
