"""The order in which Erlang/OTP 27 lists the binary keys of a large map.

HyperBEAM lists the components of a signature in ``maps:keys`` order of the encoded
message. Up to 32 keys an Erlang map is a *flatmap*, whose keys are sorted (binaries by
their bytes). Above 32 it is a hash array mapped trie (HAMT) keyed by the VM's internal
term hash, and ``maps:keys`` walks it in a fixed order; so the signature base, the
unsigned ID and every signature of such a message depend on that hash, which changed
between OTP releases (OTP 25 gives other IDs than OTP 27).

For OTP 27 on a 64-bit machine the internal hash of a binary is a 128-bit MurmurHash3
variant folded to 64 bits, fed first with a type tag and the binary's size in bits, then
with the bytes 16 at a time, and finished with the number of mixing steps. The HAMT uses
that hash four bits per level from the least significant end, and ``maps:keys`` returns
the keys in descending order of those nibbles read from the lowest one. This module
reproduces that; the four >32-key vectors of tests/vectors/hyperbeam-newest.json (33 to
65 keys) pin it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

#: Maps with more keys than this are HAMTs; up to it, keys are listed sorted.
FLATMAP_MAX = 32

_MASK = (1 << 64) - 1
_C1 = 0x87C37B91114253D5
_C2 = 0x4CF5AD432745937F
_TYPE_BINARY = 11  # the VM's type tag of a binary in its internal hash


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _MASK


def _fmix(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK
    return h ^ (h >> 33)


def _scramble1(v: int) -> int:
    return (_rotl((v * _C1) & _MASK, 31) * _C2) & _MASK


def _scramble2(v: int) -> int:
    return (_rotl((v * _C2) & _MASK, 33) * _C1) & _MASK


@functools.lru_cache(maxsize=8192)
def internal_hash(data: bytes) -> int:
    """The OTP 27 internal (map) hash of the binary ``data`` (64-bit VM)."""
    a = b = 0
    steps = 0

    def mix_a(value: int) -> None:
        nonlocal a, steps
        a = (_rotl(a ^ _scramble1(value), 27) + b) & _MASK
        a = (a * 5 + 0x52DCE729) & _MASK
        steps += 1

    def mix_b(value: int) -> None:
        nonlocal b, steps
        b = (_rotl(b ^ _scramble2(value), 31) + a) & _MASK
        b = (b * 5 + 0x38495AB5) & _MASK
        steps += 1

    mix_a(_TYPE_BINARY)
    mix_b(len(data) * 8)
    full = len(data) - len(data) % 16
    for at in range(0, full, 16):
        mix_a(int.from_bytes(data[at:at + 8], "little"))
        mix_b(int.from_bytes(data[at + 8:at + 16], "little"))
    tail = data[full:]
    if len(tail) > 8:
        b ^= _scramble2(int.from_bytes(tail[8:], "little"))
    if tail:
        a ^= _scramble1(int.from_bytes(tail[:8], "little"))
    a ^= steps
    b ^= steps
    a = (a + b) & _MASK
    b = (b + a) & _MASK
    a, b = _fmix(a), _fmix(b)
    a = (a + b) & _MASK
    b = (b + a) & _MASK
    return a ^ b


def _trie_position(key: str) -> int:
    """The hash with its 16 nibbles reversed: comparing these compares trie paths."""
    h = internal_hash(key.encode("utf-8"))
    out = 0
    for _ in range(16):
        out = (out << 4) | (h & 15)
        h >>= 4
    return out


def map_keys_order(keys: Iterable[str]) -> list[str]:
    """``keys`` in the order ``maps:keys`` gives for a map with them as binary keys
    (OTP 27): sorted up to :data:`FLATMAP_MAX` keys, the HAMT walk above."""
    listed = list(keys)
    if len(listed) <= FLATMAP_MAX:
        return sorted(listed, key=lambda k: k.encode("utf-8"))
    return sorted(listed, key=_trie_position, reverse=True)
