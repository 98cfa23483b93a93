"""A Lua cell's prints are stdout ``stream`` messages sent as they happen, before the cell's
value (its ``execute_result``); the aos prompt comes after, only when it changed. Real
kernels through jupyter_client: the AO kernel, and ``%%lua`` in IPython's python3 kernel."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

# no loop in these tests ends on the per-message budget: only an interrupt stops one
BIG_BUDGET = {"AO_KERNEL_INSTRUCTION_LIMIT": str(10**13)}


def _start(name: str) -> tuple[Any, Any]:
    return start_new_kernel(kernel_name=name, env={**os.environ, **BIG_BUDGET})  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def ao_kernel() -> Iterator[tuple[Any, Any]]:
    km, kc = _start("ao")
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def python_kernel() -> Iterator[tuple[Any, Any]]:
    km, kc = _start("python3")
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def outputs(kc: Any, code: str) -> list[tuple[str, Any]]:
    """The cell's iopub messages in arrival order: ("stream", text), ("result", plain),
    ("error", evalue), ("display", data)."""
    msg_id = kc.execute(code)
    seen: list[tuple[str, Any]] = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            assert content["name"] == "stdout"
            if seen and seen[-1][0] == "stream":  # one write may be split or joined
                seen[-1] = ("stream", seen[-1][1] + content["text"])
            else:
                seen.append(("stream", content["text"]))
        elif kind == "execute_result":
            seen.append(("result", content["data"]))
        elif kind == "error":
            seen.append(("error", content["evalue"]))
        elif kind == "display_data":
            seen.append(("display", content["data"]))
        elif kind == "status" and content["execution_state"] == "idle":
            reply_to(kc, msg_id)  # and its reply, so the shell channel holds nothing old
            return seen


def reply_to(kc: Any, msg_id: str) -> dict[str, Any]:
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply  # type: ignore[no-any-return]


def test_prints_stream_before_the_value(ao_kernel: tuple[Any, Any]) -> None:
    _km, kc = ao_kernel
    first = outputs(kc, 'print("hello")\nprint(42)\nreturn "value"')
    assert [k for k, _ in first] == ["stream", "result", "stream"]
    assert first[0][1] == "hello\n\x1b[32m42\x1b[0m\n"  # aos colours a number
    assert first[1][1]["text/plain"] == "value"  # the card shows the value, not the prints
    assert first[1][1]["application/vnd.ao.result+json"]["output"] == "value"
    assert "aos-" in first[2][1] and "Inbox" in first[2][1]  # the first prompt, after
    # the same prompt again: not repeated; a cell that only prints has no result
    assert outputs(kc, 'print("only a print")') == [("stream", "only a print\n")]
    # a value without prints: no stream at all
    assert outputs(kc, "1 + 2")[0][0] == "result"
    assert [k for k, _ in outputs(kc, "1 + 2")] == ["result"]


def test_an_error_after_a_print_is_not_printed_twice(ao_kernel: tuple[Any, Any]) -> None:
    _km, kc = ao_kernel
    got = outputs(kc, 'print("before")\nerror("boom")')
    assert got[0] == ("stream", "before\n")
    assert got[1][0] == "error" and got[1][1] == '[string "aos"]:2: boom'


def test_prints_of_messages_the_cell_caused_are_in_its_card(
        ao_kernel: tuple[Any, Any]) -> None:
    _km, kc = ao_kernel
    outputs(kc, 'Handlers.add("hi", "Hi", function() print("hi there") end)')
    got = outputs(kc, 'print("sending")\nSend({ Target = ao.id, Action = "Hi" })')
    streams = "".join(text for kind, text in got if kind == "stream")
    assert streams.startswith("sending\n") and "hi there" not in streams
    card = next(data for kind, data in got if kind == "result")
    pushed = card["application/vnd.ao.result+json"]["pushed"]
    assert [p["output"] for p in pushed] == ["hi there"]


def test_a_print_arrives_while_a_long_cell_still_runs(ao_kernel: tuple[Any, Any]) -> None:
    km, kc = ao_kernel
    msg_id = kc.execute('print("started")\nlocal i = 0\nwhile true do i = i + 1 end',
                        stop_on_error=False)
    deadline = time.monotonic() + 30
    while True:  # the print comes while the loop runs (it never ends by itself)
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        assert msg["msg_type"] not in ("execute_result", "error")
        if msg["msg_type"] == "stream":
            assert msg["content"]["text"] == "started\n"
            break
    assert not kc.shell_channel.msg_ready()  # no reply yet: the cell is still running
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"


def test_lua_magic_in_a_python_kernel_streams_the_same(
        python_kernel: tuple[Any, Any]) -> None:
    _km, kc = python_kernel
    assert [k for k, _ in outputs(kc, "%load_ext ao_kernel")] == []
    got = outputs(kc, '%%lua\nprint("from python")\nreturn 6 * 7')
    assert got[0] == ("stream", "from python\n")
    assert got[1][0] == "result" and got[1][1]["text/plain"] == "42"
    assert got[2][0] == "stream" and "aos-" in got[2][1]  # the prompt, once
    assert outputs(kc, '%%lua\nprint("again")') == [("stream", "again\n")]
