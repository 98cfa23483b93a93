"""Reading a live aos process (state, inspect) runs none of its code, changes nothing,
and hands back data; the sandbox never hands a host object to Lua."""

from __future__ import annotations

from typing import Any

import pytest

from ao_kernel.runtimes.aos.lua_process import AosProcess
from benchmarks.aos_runtime import env, ping, process_message


def _eval(i: int, code: str) -> dict[str, Any]:
    msg = ping(i)
    msg["Tags"] = [{"name": "Action", "value": "Eval"}]
    msg["Data"] = code
    return msg


def _pair() -> tuple[AosProcess, AosProcess]:
    return AosProcess(process_message(), env()), AosProcess(process_message(), env())


def test_require_of_a_name_that_is_not_text_gives_a_lua_string_error():
    proc, _ = _pair()
    out = proc.apply(_eval(1, 'local ok, err = pcall(require, "\\255\\254")\n'
                               'return tostring(ok) .. " " .. type(err) .. " " .. err'))
    assert out.error is None
    assert out.output["data"].startswith("false string module")


def test_state_runs_none_of_the_processes_functions():
    proc, _ = _pair()
    hostile = """
      Ledger = setmetatable({a = 1}, {
        __pairs = function() while true do end end,
        __index = function() while true do end end,
        __tostring = function() while true do end end})
      -- aos itself goes on using pairs: only a walk of the Ledger is trapped
      local raw_pairs = pairs
      pairs = function(t) if t == Ledger then while true do end end return raw_pairs(t) end
    """
    assert proc.apply(_eval(1, hostile)).error is None
    state = proc.state()
    assert state["Ledger"] == {"a": 1}


def test_inspect_changes_nothing_and_hands_back_data():
    proc, twin = _pair()
    proc.apply(_eval(1, "T = {x = 1}; T.self = T; Seen = 0"))
    twin.apply(_eval(1, "T = {x = 1}; T.self = T; Seen = 0"))
    assert proc.inspect("return math.random(6), math.random(6)") is not None
    assert proc.inspect("Seen = 99; T.x = 5; return function() end") == "<function>"
    cyclic = proc.inspect("return T")
    assert cyclic == {"x": 1, "self": "<cycle>"}
    assert proc.inspect("return 1, 'two'") == (1, "two")
    assert proc.inspect("local x = 1") is None
    assert proc.state() == twin.state()
    again = "return tostring(math.random(10 ^ 9)) .. ' ' .. tostring(Seen) .. ' ' .. T.x"
    assert proc.apply(_eval(2, again)).output == twin.apply(_eval(2, again)).output


def test_reading_the_state_does_not_shift_what_the_process_computes_next():
    proc, twin = _pair()
    code = "Clock = os.clock(); return tostring(math.random(10 ^ 9)) .. ' ' .. os.clock()"
    proc.state()
    proc.inspect("return Inbox")
    assert proc.apply(_eval(1, code)).output == twin.apply(_eval(1, code)).output


def test_inspect_of_a_syntax_error_names_it():
    proc, _ = _pair()
    with pytest.raises(Exception, match="inspect"):
        proc.inspect("return +")
