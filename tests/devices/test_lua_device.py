"""lua@5.3a: Lua functions as device keys, sandboxed, metered, errors as results."""

from __future__ import annotations

import pytest

from ao_kernel.core.errors import ComputeLimitError, LuaError
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve
from ao_kernel.devices import default_registry

MODULE = """
function greet(base, req)
  return { greeting = "hello " .. (req.name or "you"), count = base.count + 1 }
end
function list(base, req) return { 1, 2, "three" } end
function status(base, req) return "skip", { why = "asked" } end
function fail(base, req) error("bad input") end
function spin(base, req) while true do end end
function leak(base, req) return io end
"""


@pytest.fixture
def opts() -> Opts:
    return Opts(registry=default_registry())


def base() -> Message:
    return Message({"device": "lua@5.3a", "module": MODULE, "count": 1})


def test_a_key_calls_the_lua_function(opts: Opts) -> None:
    res = resolve(base(), {"path": "greet", "name": "ao"}, opts)
    assert res.ok
    assert res.value == Message({"greeting": "hello ao", "count": 2})
    assert res.value.hashpath is not None


def test_keys_of_the_base_are_data(opts: Opts) -> None:
    assert resolve(base(), "count", opts).value == 1


def test_sequences_become_lists_and_statuses_pass_through(opts: Opts) -> None:
    assert resolve(base(), "list", opts).value == (1, 2, "three")
    res = resolve(base(), "status", opts)
    assert res.status == "skip"
    assert res.value["why"] == "asked"


def test_errors_and_limits_are_error_results(opts: Opts) -> None:
    res = resolve(base(), "fail", opts)
    assert res.status == "error"
    assert isinstance(res.value, LuaError)
    assert "bad input" in str(res.value)
    spin = resolve(base(), "spin", opts)
    assert isinstance(spin.value, ComputeLimitError)
    assert resolve(base(), "leak", opts).value is None  # no io in the sandbox


def test_missing_function_and_module(opts: Opts) -> None:
    assert resolve(base(), "nothing", opts).status == "error"
    no_module = resolve(Message({"device": "lua@5.3a"}), "greet", opts)
    assert "module" in str(no_module.value)


def test_module_as_a_message_and_a_list(opts: Opts) -> None:
    first = Message({"name": "first", "body": "X = 41"})
    second = Message({"name": "second", "body": "function answer() return X + 1 end"})
    msg = Message({"device": "lua@5.3a", "module": [first, second]})
    assert resolve(msg, "answer", opts).value == 42
