"""Bad input to the Python API is an AOError naming the field, and loses nothing."""

from __future__ import annotations

import pytest

import ao_kernel as ao
from ao_kernel.core.errors import AOError


def _nested(levels: int) -> dict:
    value: object = "leaf"
    for _ in range(levels):
        value = {"k": value}
    return value  # type: ignore[return-value]


@pytest.fixture
def proc():
    node = ao.Node()
    return node.spawn(name="echo", lua="Handlers.add('e', 'E', function(m) m.reply({Data = m.Data}) end)")


@pytest.mark.parametrize(("call", "field"), [
    (lambda p: p.send(action="E", data="\ud800"), "data"),
    (lambda p: p.send(action="E", tags={"X": "\udfff"}), "tags['X']"),
    (lambda p: p.send(action="E", tags=[("a", "b")]), "tags"),
    (lambda p: p.send(action="E", tags={1: "b"}), "tags"),
    (lambda p: p.send(action="E", tags={"deep": _nested(600)}), "tags"),
    (lambda p: p.send(action="E", Extra="\ud800"), "Extra"),
    (lambda p: p.send_many(None), "messages"),
    (lambda p: p.send_many("Ping"), "messages"),
    (lambda p: p.state(slot="x"), "slot"),
    (lambda p: p.state(slot=-1), "slot"),
    (lambda p: p.result(-1), "slot"),
    (lambda p: ao.id(_nested(600)), "message"),
])
def test_bad_input_names_the_field_and_the_process_goes_on(proc, call, field):
    with pytest.raises(AOError) as info:
        call(proc)
    assert info.value.field == field.split("[", 1)[0] or info.value.field == field
    slot = proc.slot
    assert proc.send(action="E", data="still here").messages[0]["Data"] == "still here"
    assert proc.slot == slot + 1
