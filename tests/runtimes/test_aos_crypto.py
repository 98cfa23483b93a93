"""require(".crypto"): our digests against hashlib (the standards), the lengths where the
real aos library pads differently (pinned by the recording crypto_digests), HMAC with the
library's 32-byte block, and the helper shapes."""

from __future__ import annotations

import hashlib

import pytest

from tests.runtimes.aos_harness import AosHarness

LENGTHS = list(range(0, 300))


def sha512_quirk(n: int) -> bool:
    return n % 128 in range(112, 119)


def sponge_quirk(n: int, rate: int) -> bool:
    return n % rate == rate - 1


@pytest.fixture(scope="module")
def p():
    return AosHarness()


def digests(p, name, call):
    """hex digests of 'a'*n ... for every n in LENGTHS (varied bytes, not only 'a')."""
    out = p.lua(
        "local c = require('.crypto') local st = c.utils.stream.fromString local r = {} "
        f"for n = 0, {LENGTHS[-1]} do local s = string.rep('\\1\\255ab', 80):sub(1, n) "
        f"r[#r + 1] = {call} end return table.concat(r, ' ')"
    )
    return out.split(" ")


def data(n: int) -> bytes:
    return (b"\x01\xffab" * 80)[:n]


@pytest.mark.parametrize(
    ("call", "ref"),
    [
        ("c.digest.md5(st(s)).asHex()", hashlib.md5),
        ("c.digest.sha1(st(s)).asHex()", hashlib.sha1),
        ("c.digest.sha2_256(st(s)).asHex()", hashlib.sha256),
    ],
)
def test_stream_digests_are_the_standard_ones(p, call, ref):
    got = digests(p, call, call)
    assert got == [ref(data(n)).hexdigest() for n in LENGTHS]


def test_sha512_is_standard_except_where_the_library_pads_with_8_length_bytes(p):
    got = digests(p, "sha512", "c.digest.sha2_512(s).asHex()")
    for n, g in zip(LENGTHS, got, strict=True):
        if sha512_quirk(n):
            assert g != hashlib.sha512(data(n)).hexdigest(), n
        else:
            assert g == hashlib.sha512(data(n)).hexdigest(), n


@pytest.mark.parametrize(
    ("fn", "ref", "rate"),
    [("sha3_256", hashlib.sha3_256, 136), ("sha3_512", hashlib.sha3_512, 72)],
)
def test_sha3_is_standard_except_one_byte_short_of_a_block(p, fn, ref, rate):
    got = digests(p, fn, f"c.digest.{fn}(s).asHex()")
    for n, g in zip(LENGTHS, got, strict=True):
        if sponge_quirk(n, rate):
            assert g != ref(data(n)).hexdigest(), n
        else:
            assert g == ref(data(n)).hexdigest(), n


def test_keccak_known_digests(p):
    got = p.lua(
        "local c = require('.crypto') return c.digest.keccak256('').asHex() .. ' ' .. "
        "c.digest.keccak256('abc').asHex() .. ' ' .. c.digest.keccak512('').asHex()"
    ).split(" ")
    assert got == [
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
        "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304"
        "c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e",
    ]


def hmac32(key: bytes, msg: bytes, h) -> str:
    """HMAC with a 32-byte block, as the aos library computes it."""
    if len(key) > 32:
        key = h(key).digest()
    key = key.ljust(32, b"\0")
    inner = h(bytes(b ^ 0x36 for b in key) + msg).digest()
    return h(bytes(b ^ 0x5C for b in key) + inner).hexdigest()


@pytest.mark.parametrize(("alg", "h"), [("sha1", hashlib.sha1), ("sha256", hashlib.sha256)])
@pytest.mark.parametrize("key", [b"key", b"k" * 32, b"k" * 40])
def test_hmac_uses_a_32_byte_block(p, alg, h, key):
    got = p.lua(
        "local c = require('.crypto') return c.mac.createHmac("
        f"c.utils.stream.fromString('message'), c.utils.array.fromString('{key.decode()}'), "
        f"'{alg}').asHex()"
    )
    assert got == hmac32(key, b"message", h)


def test_result_shapes_and_helpers(p):
    got = p.lua(
        "local c = require('.crypto') local d = c.digest.sha2_256(c.utils.stream.fromString('ao')) "
        "local w = c.digest.sha2_512('ao').asBytes() "
        "return {#d.asBytes(), #d.asString(), #w, math.type(w[1]), "
        "type(c.digest.keccak256('x').asBytes), c.utils.stream.toHex(c.utils.stream.fromString('ao')), "
        "c.utils.hex.hexToString('616f'), pcall(c.utils.hex.hexToString, 'abc')}"
    )
    assert got[:7] == [32, 32, 8, "integer", "nil", "616F", "ao"]
    assert got[7] is False
