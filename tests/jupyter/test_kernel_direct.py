"""The AO kernel's pieces without sockets: cell routing, Lua syntax, completion, inspection,
and rich display, on a real IPython shell and a real node."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ao_kernel.jupyter import display
from ao_kernel.jupyter.kernel import (
    AOKernel,
    LuaSyntax,
    cell_kind,
    describe_text,
    lua_cell_transformer,
    lua_completions,
    lua_inspection,
)
from ao_kernel.jupyter.session import Session


def test_transformer_routes_cells() -> None:
    assert lua_cell_transformer(["1 + 2\n"]) == ["%%lua\n", "1 + 2\n"]
    assert lua_cell_transformer(["\n", "x = 1\n"]) == ["%%lua\n", "x = 1\n"]
    assert lua_cell_transformer(["%%py\n", "x = 1\n"]) == ["x = 1\n"]
    assert lua_cell_transformer(["%%python\n", "x = 1\n"]) == ["x = 1\n"]
    assert lua_cell_transformer(["%spawn --name a\n"]) == ["%spawn --name a\n"]
    assert lua_cell_transformer(["!ls\n"]) == ["!ls\n"]
    assert lua_cell_transformer(["%%lua p\n", "x\n"]) == ["%%lua p\n", "x\n"]
    assert lua_cell_transformer(["  \n"]) == ["  \n"]
    assert cell_kind("%%py\nx") == "python"
    assert cell_kind("%%lua\nx") == "lua-magic"
    assert cell_kind("%inbox") == "ipython"
    assert cell_kind("Handlers.list") == "lua"


@pytest.mark.parametrize(("code", "status"), [
    ("x = 1", "complete"), ("return 1 + 1", "complete"), ("1 + 2", "complete"), ("", "complete"),
    ("function f()", "incomplete"), ("for i = 1, 3 do", "incomplete"), ("t = {", "incomplete"),
    ("s = [[long", "incomplete"), ("return 1 +", "incomplete"),
    ("x = = 1", "invalid"), ("end", "invalid"),
])
def test_is_complete_compiles_with_lua53(code: str, status: str) -> None:
    assert LuaSyntax().status(code) == status


def test_language_info() -> None:
    info = AOKernel.language_info
    assert info["name"] == "lua" and info["version"] == "5.3"
    assert info["codemirror_mode"] == "lua" and info["pygments_lexer"] == "lua"


def test_plain_cells_are_lua_in_a_real_shell(ip: Any, session: Session) -> None:
    ip.input_transformers_cleanup.insert(0, lua_cell_transformer)
    try:
        res = ip.run_cell("1 + 2", store_history=True)
        assert res.success and res.result.output == "3"
        assert ip.history_manager.input_hist_raw[-1] == "1 + 2"  # history keeps the Lua
        ip.run_cell("%%py\nanswer = 40 + 2")
        assert ip.user_ns["answer"] == 42
        res = ip.run_cell("error('nope')")
        assert not res.success and "nope" in str(res.error_in_exec)
        assert ip.run_cell("%process").result.name == "default"
    finally:
        ip.input_transformers_cleanup.remove(lua_cell_transformer)


def test_completion_of_globals_and_fields(session: Session) -> None:
    session.eval("Config = { alpha = 1, beta = function() end }")
    matches, start = lua_completions(session, "Handlers.a")
    assert {"add", "after", "append"} <= set(matches)
    assert start == len("Handlers.")
    matches, start = lua_completions(session, "x = Hand")
    assert "Handlers" in matches and start == len("x = ")
    assert lua_completions(session, "Config.")[0] == ["alpha", "beta"]
    assert lua_completions(session, "Config:")[0] == ["beta"]  # methods only
    assert "function" in lua_completions(session, "fun")[0]  # keywords too
    assert lua_completions(session, "foo().")[0] == []


def test_inspection_of_globals_fields_and_handlers(session: Session) -> None:
    session.eval('Handlers.add("pong", "Pong", function(msg) end)\nCount = 3')
    text = lua_inspection(session, "Handlers.add(", 10)
    assert text.startswith("Handlers.add: function")
    assert "Count: number = 3" in lua_inspection(session, "Count", 2)
    assert "handler 'pong'" in lua_inspection(session, "pong", 2)
    table = lua_inspection(session, "Handlers", 3)
    assert "table with" in table and "add: function" in table
    assert lua_inspection(session, "   ", 1) == ""
    assert describe_text("x", {}) == ""


def test_rich_display_of_results_processes_messages(ip: Any, session: Session) -> None:
    proc = session.current
    res = session.eval('Send({Target = ao.id, Action = "Ping", Data = "x"})\nreturn "done"')
    bundle = res._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "application/vnd.ao.result+json"}
    assert bundle["text/plain"] == res.output  # aos Output, ANSI colours as aos prints
    assert f'title="{res.message_id}"' in bundle["text/html"]
    assert "navigator.clipboard.writeText" in bundle["text/html"]
    payload = bundle["application/vnd.ao.result+json"]
    json.dumps(payload)
    assert payload["slot"] == res.slot and payload["messages"][0]["Action"] == "Ping"
    assert payload["pushed"] and payload["pushed"][0]["process"] == proc.id

    pbundle = proc._repr_mimebundle_()
    assert pbundle["application/vnd.ao.process+json"]["id"] == proc.id
    assert "default" in pbundle["text/plain"]

    formatted, _ = ip.display_formatter.format(session.assignment(res.slot))
    assert formatted["application/vnd.ao.assignment+json"]["slot"] == res.slot
    assert formatted["application/vnd.ao.assignment+json"]["commitments"]
    body = session.assignment(res.slot)["body"]
    formatted, _ = ip.display_formatter.format(body)
    assert formatted["application/vnd.ao.message+json"]["fields"]["action"] == "Eval"
    report = session.node.verify(proc)
    formatted, _ = ip.display_formatter.format(report)
    assert formatted["application/vnd.ao.verification+json"]["ok"] is True
    assert "verified" in formatted["text/html"]
    graph = display.graph(res)._repr_mimebundle_()
    assert graph["application/vnd.ao.graph+json"]["edges"][0]["to"] == proc.id


def test_display_helpers() -> None:
    assert display.short_id("a" * 43) == "aaaaaa…aaaa"
    assert display.short_id("a" * 43 + "/" + "b" * 43) == "aaaaaa…aaaa/bbbbbb…bbbb"
    html = display.ansi_to_html("\x1b[31mred\x1b[0m <b>")
    assert '<span style="color:#c62828">red</span>' in html and "&lt;b&gt;" in html
    assert display.strip_ansi("\x1b[32mok\x1b[0m") == "ok"
    assert display.jsonable(b"\xff") == {"base64": "/w=="}
    assert set(display.KINDS) == {"message", "result", "process", "assignment",
                                  "verification", "graph"}
