"""lua_patterns.lua, the matcher that runs in Lua where C could backtrack past the budget,
against the C string library it stands in for: the same results and the same errors, for
find, match, gmatch and gsub, on generated patterns and subjects."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lupa import lua53

_SOURCE = resources.files("ao_kernel.runtimes").joinpath("lua_patterns.lua").read_text()

# Each side answers a plain list: {"ok", values...} or {"err", message}.
_HARNESS = """
local M = load(...)()
local function pack(ok, ...) return {ok and "ok" or "err", ...} end
local function start(s, init)
  local n = #s
  if init == nil or init == 0 then return 1 end
  if init < 0 then init = n + init + 1; if init < 1 then init = 1 end end
  return init
end
local lua = {}
function lua.find(s, p, init)
  return pack(pcall(function()
    local i = start(s, init)
    if i > #s + 1 then return nil end
    local a, b, caps, n = M.find(s, p, i, true)
    if a == nil then return nil end
    return a, b, table.unpack(caps, 1, n)
  end))
end
function lua.match(s, p, init)
  return pack(pcall(function()
    local i = start(s, init)
    if i > #s + 1 then return nil end
    local _, _, caps, n = M.find(s, p, i, false)
    if caps == nil then return nil end
    return table.unpack(caps, 1, n)
  end))
end
local function all(it)
  local out = {}
  while true do
    local r = table.pack(it())
    if r[1] == nil then return out end
    out[#out + 1] = table.concat((function() local t = {} for i = 1, r.n do t[i] = tostring(r[i]) end return t end)(), ",")
    if #out > 100 then return out end
  end
end
function lua.gmatch(s, p)
  return pack(pcall(function() return table.concat(all(M.gmatch(s, p)), "|") end))
end
function lua.gsub(s, p, repl, n)
  return pack(pcall(M.gsub, s, p, repl, n or #s + 1))
end
local c = {}
function c.find(s, p, init) return pack(pcall(string.find, s, p, init)) end
function c.match(s, p, init) return pack(pcall(string.match, s, p, init)) end
function c.gmatch(s, p)
  return pack(pcall(function() return table.concat(all(string.gmatch(s, p)), "|") end))
end
function c.gsub(s, p, repl, n) return pack(pcall(string.gsub, s, p, repl, n)) end
return lua, c
"""

_RT = lua53.LuaRuntime(unpack_returned_tuples=True)
_LUA, _C = _RT.execute(_HARNESS, _SOURCE)


def _plain(value):
    out = [value[i] for i in range(1, len(value) + 1)]
    if out and out[0] == "err":  # where the error was raised is the caller's business
        out[1] = re.sub(r'^\[string "[^"]*"\]:\d+: ', "", str(out[1]))
    return out


def _both(kind: str, *args):
    return _plain(getattr(_LUA, kind)(*args)), _plain(getattr(_C, kind)(*args))


ITEMS = ["a", "b", ".", "%a", "%d", "%s", "%w", "%A", "%S", "[ab]", "[^a]", "[a-c]", "%%",
         "%.", "(", ")", "()", "%b()", "%f[%w]", "%f[%W]", "%1", "x", "$", "^", "[%d%s]", "%]"]
QUANT = ["", "", "*", "+", "-", "?"]
subjects = st.text(alphabet="ab ()x1.%[]^$-\n", max_size=14)
patterns = st.one_of(
    st.lists(st.tuples(st.sampled_from(ITEMS), st.sampled_from(QUANT)), max_size=6).map(
        lambda parts: "".join(i + q for i, q in parts)),
    st.text(alphabet="ab()[]%^$*+-?.x1", max_size=8),
)
inits = st.one_of(st.none(), st.integers(min_value=-16, max_value=16))
FAST = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(subjects, patterns, inits)
def test_find_and_match_agree_with_c(s, p, init):
    for kind in ("find", "match"):
        ours, theirs = _both(kind, s, p, init)
        assert ours == theirs, (kind, s, p, init)


@FAST
@given(subjects, patterns)
def test_gmatch_agrees_with_c(s, p):
    ours, theirs = _both("gmatch", s, p)
    assert ours == theirs, (s, p)


@FAST
@given(subjects, patterns, st.sampled_from(["<%0>", "%1", "%%", "-", "%2", "%", "%x", ""]),
       st.one_of(st.none(), st.integers(min_value=0, max_value=4)))
def test_gsub_with_a_string_agrees_with_c(s, p, repl, n):
    ours, theirs = _both("gsub", s, p, repl, n)
    assert ours == theirs, (s, p, repl, n)


def test_gsub_with_a_table_or_a_function_agrees_with_c():
    table = _RT.table_from({"a": "A", "b": False, "1": 10})
    upper = _RT.eval("function(x, y) if x == 'b' then return nil end return x:upper() .. tostring(y) end")
    bad = _RT.eval("function() return {} end")
    for s, p in [("abcab", "%w"), ("a1b2", "(%a)(%d)"), ("xx", "()"), ("ab", "")]:
        for repl in (table, upper, bad):
            ours, theirs = _both("gsub", s, p, repl, None)
            assert ours == theirs, (s, p)


def test_the_sandbox_stops_pathological_backtracking_by_the_budget():
    child = textwrap.dedent("""
        import sys
        from ao_kernel.core.errors import ComputeLimitError
        from ao_kernel.runtimes.lua import LuaEngine
        engine = LuaEngine(instruction_limit=100_000_000)
        for source in sys.argv[1:]:
            try:
                engine.execute(source)
                print("finished")
            except ComputeLimitError:
                print("stopped")
    """)
    sources = [
        "return string.find(string.rep('a', 4000), 'a-a-b')",  # over a minute in C
        "return string.match(string.rep('a', 100000), '.-b')",
        "return string.gsub(string.rep('a', 3000), 'a-a-b', 'x')",
        "for w in string.gmatch(string.rep('a', 3000), 'a-a-b') do end",
        "return string.find(string.rep('a', 300) .. 'b', 'a-a-b')",  # small: still C, answers
    ]
    done = subprocess.run([sys.executable, "-c", child, *sources], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["stopped"] * 4 + ["finished"]


@pytest.mark.parametrize(("source", "expected"), [
    ("return ('  trim me  '):match('^%s*(.-)%s*$')", "trim me"),
    ("return (string.rep('a', 5000) .. 'b'):find('a-b')", (1, 5001)),
    ("return select(2, string.rep('ab', 3000):gsub('(a)(b)', '%2%1'))", 3000),
    ("return (string.rep('x', 6000) .. '=1'):match('(%w+)=(%d)')", ("x" * 6000, "1")),
])
def test_large_ordinary_searches_give_the_librarys_answers(source, expected):
    from ao_kernel.runtimes.lua import LuaEngine

    assert LuaEngine().execute(source) == expected
