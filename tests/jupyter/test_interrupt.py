"""Interrupting the AO kernel stops a runaway Lua cell, and the next cell runs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture(scope="module")
def kernel() -> Iterator[tuple[Any, Any]]:
    km, kc = start_new_kernel(kernel_name="ao")
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def reply_to(kc: Any, msg_id: str, timeout: float = 30) -> dict[str, Any]:
    while True:
        msg = kc.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg  # type: ignore[no-any-return]


def result_of(kc: Any, code: str) -> str:
    msg_id = kc.execute(code)
    text = ""
    while True:
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            text = msg["content"]["data"]["text/plain"]
        if msg["msg_type"] == "error":
            text = f"error {msg['content']['ename']}: {msg['content']['evalue']}"
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return text


def test_interrupt_stops_runaway_lua(kernel: tuple[Any, Any]) -> None:
    km, kc = kernel
    assert result_of(kc, "1 + 1") == "2"
    # stop_on_error=False: ipykernel would otherwise abort the next cells sent right away
    msg_id = kc.execute("local i = 0\nwhile true do i = i + 1 end", stop_on_error=False)
    while True:  # the cell has started...
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "busy"):
            break
    time.sleep(0.2)  # ...and its Lua runs: well inside the message's budget (about 0.5 s)
    sent = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    took = time.monotonic() - sent
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert took < 1.0
    # the Lua really stopped on the interrupt (not on the instruction limit)
    errors = result_of(kc, "%%py\np = get_ipython()._ao_magics.session.current\n"
                           "p.result(p.slot).error")
    assert "interrupted" in errors
    # and the process still works, its state intact
    assert result_of(kc, "x = 40\nreturn x + 2") == "42"
