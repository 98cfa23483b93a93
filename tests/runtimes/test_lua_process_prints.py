"""Watching a slot's prints (``watching_prints``): the lines one message of an aos process
prints reach a listener as they are printed, and nothing else changes -- not the
outcomes, not the state, not the metered instructions -- and no other slot's prints
(a rollback's replays, other messages) reach it."""

from __future__ import annotations

import dataclasses
from typing import Any

from aos_harness import journal

from ao_kernel.runtimes.aos.lua_process import AosProcess
from ao_kernel.runtimes.aos.process import print_listener, watching_prints

HANDLERS = r"""
Handlers.add("echo", "Echo", function(msg) print("got " .. msg.Data) end)
Handlers.add("boom", "Boom", function(msg) print("about to fail") error("boom") end)
Handlers.add("many", "Many", function(msg)
  for i = 1, 3 do print(i) end
  print({ a = 1 })
  print("bin \xff")
end)
"""

SENDS: list[dict[str, Any]] = [
    {"action": "Echo", "data": "one"},
    {"action": "Many"},
    {"action": "Eval", "data": "print('from eval') return 6 * 7"},
    {"action": "Boom"},
    {"action": "Echo", "data": "two"},
    {"action": "Nobody"},  # the default handler prints "New Message From ..."
]


def _journal() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    return journal(HANDLERS, SENDS, "printer")


def test_each_watched_slot_streams_its_own_prints_and_nothing_else_changes() -> None:
    env, spawn, messages = _journal()
    pid = env["Process"]["Id"]
    plain = AosProcess(spawn, env, seed=b"p")
    watched = AosProcess(spawn, env, seed=b"p")
    for msg in messages:
        lines: list[str] = []
        expected = plain.apply(msg)
        plain_cost = plain.last_instructions
        with watching_prints(pid, msg["Nonce"], lines.append):
            got = watched.apply(msg)
        assert dataclasses.asdict(got) == dataclasses.asdict(expected)
        assert watched.last_instructions == plain_cost  # metering is unchanged by watching
        if got.error is None:
            # every line printed, in order: Output.data is the print log joined (an
            # Eval adds its value after the prints)
            assert "\n".join(lines) == got.data or got.data.startswith("\n".join(lines) + "\n")
        else:  # printed before the error (aos adds its error lines), still streamed
            assert lines[0] == "about to fail"
            assert got.error.startswith("\n".join(lines) + "\n\n")
    assert watched.state() == plain.state()


def test_only_the_watched_slot_of_the_watched_process_streams() -> None:
    env, spawn, messages = _journal()
    pid = env["Process"]["Id"]
    proc = AosProcess(spawn, env, seed=b"p")
    lines: list[str] = []
    echo_one, many = messages[0], messages[1]
    with watching_prints(pid, many["Nonce"], lines.append):
        proc.apply(echo_one)  # another slot
        assert lines == []
        proc.apply(many)
    assert lines[:3] == ["\x1b[32m1\x1b[0m", "\x1b[32m2\x1b[0m", "\x1b[32m3\x1b[0m"]
    assert "a" in lines[3] and lines[4] == "bin \ufffd"
    with watching_prints("another-process", messages[2]["Nonce"], lines.append):
        proc.apply(messages[2])
    assert len(lines) == 5
    proc.apply(messages[3])  # outside any watch
    assert len(lines) == 5
    assert print_listener(pid, messages[3]) is None


def test_a_rollback_does_not_stream_the_replayed_messages() -> None:
    env, spawn, messages = _journal()
    pid = env["Process"]["Id"]
    proc = AosProcess(spawn, env, seed=b"p")
    for msg in messages[:3]:
        proc.apply(msg)
    boom = messages[3]
    assert boom["Tags"] and any(t["value"] == "Boom" for t in boom["Tags"])
    lines: list[str] = []
    with watching_prints(pid, boom["Nonce"], lines.append):
        outcome = proc.apply(boom)  # fails: the state is rebuilt by replaying slots 1-3
    assert outcome.error is not None
    # what Boom printed (its print, then aos's error lines); the replays of Echo, Many and
    # the Eval that rebuilt the state printed again, unseen
    assert lines[0] == "about to fail" and "Action = Boom" in lines[1]
    assert not [ln for ln in lines if "got" in ln or "from eval" in ln]
    assert outcome.error.startswith("\n".join(lines) + "\n\n")
