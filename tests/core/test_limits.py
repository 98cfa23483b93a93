"""core.limits: values that cannot become message values are named, not crashed on."""

from __future__ import annotations

import pytest

from ao_kernel.core.errors import MessageError
from ao_kernel.core.limits import MAX_DEPTH, check_tags, check_value


def _nested(levels: int) -> object:
    value: object = "leaf"
    for _ in range(levels):
        value = {"k": value}
    return value


@pytest.mark.parametrize("value", ["text", "ünïcode ✓", b"\xff\x00", 1, 2.5, True, None,
                                   [1, "a", {"b": [b"x"]}], {"a": {"b": ()}},
                                   _nested(MAX_DEPTH)])
def test_message_values_pass(value):
    check_value(value, "data")


@pytest.mark.parametrize(("value", "where", "words"), [
    ("a\ud800b", "data", "lone surrogate"),
    ({"x": ["ok", "\udfff"]}, "data['x'][1]", "lone surrogate"),
    ({1: "a"}, "data", "keys must be text"),
    (object(), "data", "a message value is text"),
    ({"f": print}, "data['f']", "a message value is text"),
    (_nested(MAX_DEPTH + 1), "data", f"more than {MAX_DEPTH} levels"),
    (_nested(5000), "data", f"more than {MAX_DEPTH} levels"),
])
def test_what_is_wrong_and_where(value, where, words):
    with pytest.raises(MessageError) as info:
        check_value(value, "data")
    assert words in str(info.value)
    assert str(info.value).startswith(where[:57])


def test_tags_must_be_a_map():
    check_tags(None)
    check_tags({"Action": "Ping"})
    with pytest.raises(MessageError, match="a list of pairs"):
        check_tags([("Action", "Ping")])
    with pytest.raises(MessageError, match="got a str"):
        check_tags("Action=Ping")
