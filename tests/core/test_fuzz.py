"""Random bytes and random mutations of valid inputs thrown at every decoder we own:
only AOError subclasses may come out (sf, path and ans104 have their own fuzz tests)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ao_kernel.core import tabm_bytes
from ao_kernel.core.codecs import decode, encode
from ao_kernel.core.errors import AOError
from ao_kernel.core.message import Message
from ao_kernel.core.structured import decode_ao_types, from_tabm


def survives(fn: object, *args: object) -> None:
    """Call ``fn``: it may succeed or raise an AOError that says what was wrong; any
    other exception fails the test."""
    error: AOError | None = None
    try:
        fn(*args)  # type: ignore[operator]
    except AOError as exc:
        error = exc
    assert error is None or str(error), "an AOError must name what was wrong"


VALID = Message({"a": 1, "b": "two", "c": [1, {"d": True}], "data": "body text", "f": 1.5})


def mutate(blob: bytes, positions: list[int], values: list[int]) -> bytes:
    out = bytearray(blob)
    for p, v in zip(positions, values, strict=False):
        if out:
            out[p % len(out)] = v
    return bytes(out)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_tabm_bytes_loads(data: bytes) -> None:
    survives(tabm_bytes.loads, data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=4), st.lists(st.integers(0, 255), max_size=4))
def test_tabm_bytes_mutated(positions: list[int], values: list[int]) -> None:
    blob = tabm_bytes.dumps({"a": b"1", "n": {"x": b"y"}})
    survives(lambda: from_tabm(tabm_bytes.loads(mutate(blob, positions, values))))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_ao_types(text: str) -> None:
    survives(decode_ao_types, text)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.binary(max_size=16), max_size=5),
       st.text(max_size=40))
def test_from_tabm_with_random_types(tabm: dict[str, bytes], types: str) -> None:
    survives(from_tabm, {**tabm, "ao-types": types.encode("utf-8", "replace")})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_json_and_flat(data: bytes) -> None:
    for codec in ("json@1.0", "flat@1.0", "ans104@1.0"):
        survives(decode, data, codec)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=4), st.lists(st.integers(0, 255), max_size=4))
def test_mutated_valid_encodings(positions: list[int], values: list[int]) -> None:
    for codec in ("json@1.0", "flat@1.0"):
        blob = encode(VALID.without("c"), codec) if codec == "flat@1.0" else encode(VALID, codec)
        survives(decode, mutate(blob, positions, values), codec)
    http = encode(VALID, "httpsig@1.0")
    for key in list(http):
        broken = dict(http)
        broken[key] = mutate(http[key], positions, values)
        survives(decode, broken, "httpsig@1.0")
