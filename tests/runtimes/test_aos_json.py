"""The runtime's own `json` module (require("json")): encoding rules and round trips."""

import json

import pytest
from aos_harness import AosHarness
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def p():
    return AosHarness()


def lua_encode(p, expr):
    return p.lua(f'return require("json").encode({expr})')


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("{}", "[]"),
        ("{1, 2, 3}", "[1,2,3]"),
        ('{a = 1, b = "x"}', '{"a":1,"b":"x"}'),
        ("{a = 1, f = function() end}", '{"a":1}'),
        ("{x = {}}", '{"x":[]}'),
        ('"a\\"b\\n\\1"', '"a\\"b\\n\\u0001"'),
        ("1.5", "1.5"),
        ("1700000000000", "1700000000000"),
        ("true", "true"),
        ("nil", "null"),
    ],
)
def test_encode(p, expr, expected):
    assert lua_encode(p, expr) == expected


@pytest.mark.parametrize("expr", ["{1, 2, nil, 4}", "{1, a = 2}", "{[0.5] = 1}", "0/0"])
def test_encode_rejects_what_json_cannot_hold(p, expr):
    ok = p.lua(f'return (pcall(require("json").encode, {expr}))')
    assert ok is False


def test_decode_basics(p):
    got = p.lua(
        'local v = require("json").decode(\'{"a":[1,2.5,"\\\\u00e9\\\\ud83d\\\\ude00"],'
        '"n":null,"t":true}\') return {v.a[1], math.type(v.a[1]), v.a[2], v.a[3],'
        " v.n == nil, v.t}"
    )
    assert got == [1, "integer", 2.5, "é😀", True, True]


@pytest.mark.parametrize("text", ["", "{", '{"a" 1}', "[1,,]", "nul", '"\\x"', "1 2"])
def test_decode_errors(p, text):
    # ("[1,]" is accepted, as by the real module's decoder: recording json_corners)
    ok, err = p.lua(f"return pcall(require('json').decode, {json.dumps(text)})")
    assert (ok is False and " at line " in err) or "unexpected" in err


# null only as an object value: a nil inside a Lua array is a hole, which encoders reject.
# Integers of up to 14 digits: encode writes every number with %.14g, as the real module
# does (see test_large_integers_keep_fourteen_digits).
json_values = st.recursive(
    st.booleans() | st.integers(-(10**14) + 1, 10**14 - 1) | st.text(max_size=20),
    lambda children: (
        st.lists(children, min_size=1, max_size=4)
        | st.dictionaries(
            st.text(min_size=1, max_size=8), children | st.none(), min_size=1, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_round_trip_against_python_json(value):
    p = _shared()
    text = json.dumps(value)
    again = p.engine.execute(
        'local j = require("json") return function(s) return j.encode(j.decode(s)) end', "=t"
    )(text)
    assert json.loads(again) == _drop_nulls(value)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [  # as the real module encodes them (recording json_numbers)
        ("123456789012345678", "1.2345678901235e+17"),
        ("math.maxinteger", "9.2233720368548e+18"),
        ("12345678901234", "12345678901234"),
        ("2^53", "9.007199254741e+15"),
        ("3.0", "3"),
    ],
)
def test_large_integers_keep_fourteen_digits(p, expr, expected):
    assert lua_encode(p, expr) == expected
    # decoding keeps integers exact
    assert p.lua('return require("json").decode("123456789012345678")') == 123456789012345678


@pytest.mark.parametrize("number", [0.1, -2.5e-7, 3.14159265358979, 1e300])
def test_floats_keep_fourteen_digits(p, number):
    back = p.lua(f'local j = require("json") return j.decode(j.encode({number!r}))')
    assert back == pytest.approx(number, rel=1e-13)


def _drop_nulls(v):
    if isinstance(v, dict):
        out = {k: _drop_nulls(x) for k, x in v.items() if x is not None}
        return out or []
    if isinstance(v, list):
        return [_drop_nulls(x) for x in v]
    return v


_P = []


def _shared():
    if not _P:
        _P.append(AosHarness())
    return _P[0]
