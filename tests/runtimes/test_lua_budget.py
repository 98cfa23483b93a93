"""Every way of spending time in a process counts against its budget.

Each attack runs in a child process with a wall-clock limit, so a regression fails the
test instead of hanging the suite; inside, the budget must stop it with a
ComputeLimitError (a plain loop spends the same budget in about half a second).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from ao_kernel.core.errors import LuaError
from ao_kernel.runtimes.lua import LuaEngine

ATTACKS = {
    "plain find over 64 MB": "local s = string.rep('x', 2^26) while true do s:find('y', 1, true) end",
    "pattern find over 16 MB": "local s = string.rep('x', 2^24) while true do s:find('y') end",
    "match over 16 MB": "local s = string.rep('x', 2^24) .. 'y' while true do s:match('y') end",
    "gmatch over 16 MB": "local s = string.rep('x', 2^24) while true do s:gmatch('y') end",
    "utf8.len over 64 MB": "local s = string.rep('x', 2^26) while true do utf8.len(s) end",
    "tonumber of 16 MB": "local s = string.rep('1', 2^24) while true do tonumber(s) end",
    "insert at the front": (
        "local t = {} for i = 1, 1000000 do t[i] = i end while true do table.insert(t, 1, 0) end"),
    "remove from the front": (
        "local t = {} for i = 1, 1000000 do t[i] = i end while true do table.remove(t, 1); t[#t + 1] = 1 end"),
    "1 MB string.rep": "while true do local s = string.rep('x', 2^20) end",
    "table.concat of 1 MB": (
        "local t = {} for i = 1, 1000 do t[i] = string.rep('x', 1000) end "
        "while true do local s = table.concat(t) end"),
}

_CHILD = textwrap.dedent("""
    import sys
    from ao_kernel.core.errors import ComputeLimitError
    from ao_kernel.runtimes.lua import LuaEngine
    engine = LuaEngine(instruction_limit=100_000_000)
    try:
        engine.execute(sys.argv[1])
    except ComputeLimitError:
        print("stopped by the budget")
    # the engine is still usable afterwards
    print(engine.execute("return 1 + 1"))
""")


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_budget_stops_work_done_inside_library_calls(name):
    done = subprocess.run([sys.executable, "-c", _CHILD, ATTACKS[name]], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["stopped", "by", "the", "budget", "2"], done.stdout


def _used(source: str) -> int:
    engine = LuaEngine()
    engine.execute("S = string.rep('x', 2^20)")
    engine.execute(source)
    return engine.instructions_used


def test_scans_are_charged_by_the_bytes_they_read():
    quiet = _used("local a = 1")
    assert _used("S:find('y', 1, true)") - quiet >= (1 << 20) >> 4
    assert _used("S:find('x', 1, true)") - quiet < 1000  # found at once: nothing read
    assert _used("S:match('y')") - quiet >= (1 << 20) >> 4
    assert _used("S:find('y', -10, true)") - quiet < 1000  # only the last ten bytes


def test_small_calls_are_not_charged():
    def cost(n: int) -> int:
        engine = LuaEngine()
        engine.execute(f"S = string.rep('x', {n})")
        engine.execute("for i = 1, 200 do local x = S:find('y', 1, true) end")
        return engine.instructions_used

    assert abs(cost(4000) - cost(10)) < 1000  # the same Lua work, no charge for the scan
    assert cost(8192) - cost(10) >= 200 * (8192 >> 4) - 1000


@pytest.mark.parametrize(("source", "message"), [
    ('string.find(nil, "x")', "bad argument #1 to 'find' (string expected, got nil)"),
    ('string.find("a", "%")', "malformed pattern (ends with '%')"),
    ('string.match("a")', "bad argument #2 to 'match' (string expected, got no value)"),
    ('string.gmatch("a")', "bad argument #2 to 'gmatch' (string expected, got no value)"),
    ('utf8.len("a", 5)', "bad argument #2 to 'len' (initial position out of string)"),
    ("tonumber()", "bad argument #1 to 'tonumber' (value expected)"),
    ("table.insert({}, 5, 1)", "bad argument #2 to 'insert' (position out of bounds)"),
    ("table.remove(nil)", "bad argument #1 to 'remove' (table expected, got nil)"),
])
def test_errors_of_the_charged_functions_read_as_the_librarys_own(source, message):
    with pytest.raises(LuaError) as info:
        LuaEngine().execute(f"local r = {{{source}}}", "user")
    assert str(info.value) == f'[string "user"]:1: {message}'


def test_results_of_the_charged_functions_are_the_librarys_own():
    engine = LuaEngine()
    assert engine.execute("return string.match('key=val', '(%w+)=(%w+)')") == ("key", "val")
    assert engine.execute("return string.match('abc', 'b'), string.match('abc', '()b()')") == (
        "b", 2, 3)
    assert engine.execute("return string.match('abc', 'b', 10)") is None
    assert engine.execute("return string.find('abc', '', 4)") == (4, 3)
    assert engine.execute("return utf8.len('\\xff')") == (None, 1)
    assert engine.execute("return tonumber('z', 36), tonumber('0x10')") == (35, 16)
    assert engine.execute(
        "local t = {1, 2, 3}; table.insert(t, 1, 0); local x = table.remove(t, 2)"
        "; return table.concat(t, ','), x") == ("0,2,3", 1)
    assert engine.execute(
        "local out = {} for w in string.gmatch('a b c', '%a') do out[#out + 1] = w end"
        " return table.concat(out)") == "abc"
