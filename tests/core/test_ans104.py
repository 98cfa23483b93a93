"""ANS-104 data items, Avro tags, deep hash and bundles against the reference vectors."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ao_kernel.core import ans104
from ao_kernel.core.ans104 import DataItem
from ao_kernel.core.b64 import b64u_decode, b64u_encode
from ao_kernel.core.errors import ANS104Error, AOError, SignatureError
from ao_kernel.core.signers import SIGNATURE_TYPES, address_of, verify_rsa_pss
from ao_kernel.testing.wallets import dev_ed25519, dev_ethereum, dev_wallet
from tests.conftest import load_vectors

VECTORS = load_vectors("ans104.json")
ITEMS = {v["name"]: v for v in VECTORS["data_items"]}
RAW = {name: b64u_decode(v["b64url"]) for name, v in ITEMS.items()}

# The process item's tags as listed in the legacy brief §3.7 (not in the JSON vector).
PROCESS_TAGS = (
    ("Scheduled-Interval", "1-hour"),
    ("Scheduled-Message", '{"tags":[{"name":"function","value":"hello"}]}'),
    ("Data-Protocol", "ao"),
    ("ao-type", "process"),
    ("Contract-Src", "V4Z_o704ILkjFX6Dy93ycoKerywfip94j07dRjxMCPs"),
    ("Content-Type", "text/plain"),
    ("SDK", "ao"),
)


def _from_vector(node: dict[str, Any]) -> Any:
    if "blob_hex" in node:
        return bytes.fromhex(node["blob_hex"])
    return [_from_vector(x) for x in node["list"]]


def _avro_long(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _avro_str(s: bytes) -> bytes:
    return _avro_long(len(s)) + s


def _raw_item(
    *,
    sig_type: int = 2,
    signature: bytes = b"\x11" * 64,
    owner: bytes = b"\x22" * 32,
    target: bytes = b"\x00",
    anchor: bytes = b"\x00",
    tag_count: int | None = None,
    tag_bytes: int | None = None,
    raw_tags: bytes = b"",
    data: bytes = b"body",
) -> bytes:
    if tag_count is None:
        tag_count = len(ans104.decode_tags(raw_tags)) if raw_tags else 0
    if tag_bytes is None:
        tag_bytes = len(raw_tags)
    return (
        sig_type.to_bytes(2, "little") + signature + owner + target + anchor
        + tag_count.to_bytes(8, "little") + tag_bytes.to_bytes(8, "little") + raw_tags + data
    )


@pytest.fixture(scope="module")
def rsa_item() -> DataItem:
    """One RSA-signed item for the whole module (RSA signing is slow-ish)."""
    return ans104.sign(
        {"target": ITEMS["message"]["target"], "anchor": "00000000000000000000000000000007",
         "tags": [("Action", "Ping"), ("Action", "Ping"), ("Name", "ünïcødé ✓")],
         "data": b"\x00\xffhello"},
        dev_wallet(1).signer,
    )


# -- deep hash and Avro vectors -------------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS["deep_hash_sha384"])
def test_deep_hash_vectors(vector: dict[str, Any]) -> None:
    assert ans104.deep_hash(_from_vector(vector["input"])).hex() == vector["hex"]


def test_deep_hash_str_is_utf8_and_bad_types_raise() -> None:
    assert ans104.deep_hash("dataitem") == ans104.deep_hash(b"dataitem")
    assert ans104.deep_hash([]) != ans104.deep_hash(b"")
    assert len(ans104.deep_hash([[b"a"], b"b"])) == 48
    with pytest.raises(AOError):
        ans104.deep_hash(5)  # type: ignore[arg-type]


@pytest.mark.parametrize("vector", VECTORS["avro_tags"])
def test_avro_vector(vector: dict[str, Any]) -> None:
    tags = tuple(tuple(t) for t in vector["tags"])
    assert ans104.encode_tags(tags).hex() == vector["hex"]
    assert ans104.decode_tags(bytes.fromhex(vector["hex"])) == tags


def test_avro_empty_and_generic_blocks() -> None:
    assert ans104.encode_tags([]) == b""
    assert ans104.decode_tags(b"") == ()
    assert ans104.decode_tags(b"\x00") == ()
    rec_a = _avro_str(b"a") + _avro_str(b"1")
    rec_b = _avro_str(b"b") + _avro_str(b"2")
    # two positive blocks
    two = _avro_long(1) + rec_a + _avro_long(1) + rec_b + b"\x00"
    assert ans104.decode_tags(two) == (("a", "1"), ("b", "2"))
    # a negative count followed by the block's byte size
    neg = _avro_long(-2) + _avro_long(len(rec_a + rec_b)) + rec_a + rec_b + b"\x00"
    assert ans104.decode_tags(neg) == (("a", "1"), ("b", "2"))
    wrong_size = _avro_long(-2) + _avro_long(3) + rec_a + rec_b + b"\x00"
    with pytest.raises(ANS104Error, match="block size"):
        ans104.decode_tags(wrong_size)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (_avro_long(1) + _avro_long(-1) + b"a" + _avro_str(b"v") + b"\x00", "negative"),
        (_avro_long(1) + _avro_str(b"a") + _avro_str(b"v"), "truncated varint"),
        (_avro_long(1) + _avro_str(b"a") + _avro_long(9) + b"v", "runs past"),
        (b"\xff" * 11, "overflow"),
        (b"\x80" * 9 + b"\x02", "overflow"),
        (_avro_long(1) + _avro_str(b"\xff") + _avro_str(b"v") + b"\x00", "not UTF-8"),
        (_avro_long(1) + _avro_str(b"a") + _avro_str(b"v") + b"\x00\x00", "trailing"),
        (_avro_long(129) + b"\x00", "more than 128"),
        (_avro_long(-1) + _avro_long(-4) + b"\x00", "negative block size"),
    ],
)
def test_avro_rejects(raw: bytes, match: str) -> None:
    with pytest.raises(ANS104Error, match=match) as err:
        ans104.decode_tags(raw)
    assert err.value.field == "tags"


def test_avro_varint_limits() -> None:
    big = (1 << 63) - 1
    assert ans104.decode_tags(_avro_long(1) + _avro_str(b"k") + _avro_str(b"v") + b"\x00")
    # the largest 64-bit zigzag value parses as a length (and then runs past the buffer)
    with pytest.raises(ANS104Error, match="runs past"):
        ans104.decode_tags(_avro_long(1) + _avro_long(big) + b"x")


# -- the three SU data items ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ITEMS))
def test_vector_items(name: str) -> None:
    v, raw = ITEMS[name], RAW[name]
    item = ans104.parse(raw)
    assert item.signature_type == 1
    assert item.id == v["id"]
    assert item.raw_id == b64u_decode(v["id"])
    assert item.owner_address == v["owner_address"]
    assert address_of(1, item.owner) == v["owner_address"]
    assert item.data == v["data"].encode()
    if "target" in v:
        assert (b64u_encode(item.target) or None) == v["target"]
    if v.get("anchor", "absent") is None:
        assert item.anchor == b""
    expected_tags = tuple(tuple(t) for t in v["tags"]) if "tags" in v else PROCESS_TAGS
    assert item.tags == expected_tags
    if "signing_deep_hash_hex" in v:
        assert item.signing_message().hex() == v["signing_deep_hash_hex"]
    assert ans104.verify(item)
    assert ans104.serialize(item) == raw
    assert ans104.parse(bytes(bytearray(raw))) == item


def test_vector_items_were_signed_with_max_salt() -> None:
    item = ans104.parse(RAW["message"])
    msg = item.signing_message()
    assert verify_rsa_pss(item.owner, msg, item.signature, "sha256", 478)
    assert not verify_rsa_pss(item.owner, msg, item.signature, "sha256", 32)


def test_message_signing_message_is_deep_hash_of_fields() -> None:
    item = ans104.parse(RAW["message"])
    assert len(item.raw_tags) == 72
    expected = ans104.deep_hash(
        [b"dataitem", b"1", b"1", item.owner, item.target, item.anchor, item.raw_tags, item.data]
    )
    assert item.signing_message() == expected
    assert item.tag("Data-Protocol") == "ao"
    assert item.tag("missing", "d") == "d"


def test_assignment_item_details() -> None:
    item = ans104.parse(RAW["assignment"])
    assert item.target == b""
    assert len(item.anchor) == 32
    assert len(item.raw_tags) == 227
    assert item.data == b""
    assert item.tag("Nonce") == "1"


# -- tampering ------------------------------------------------------------------------------


def _flip(raw: bytes, offset: int, mask: int = 1) -> bytes:
    return raw[:offset] + bytes([raw[offset] ^ mask]) + raw[offset + 1 :]


@pytest.mark.parametrize(
    ("where", "offset", "changes_id"),
    [
        ("signature", 2 + 100, True),
        ("owner", 2 + 512 + 200, False),
        ("target", 2 + 1024 + 1 + 5, False),
        ("tag", 2 + 1024 + 33 + 1 + 16 + 3, False),  # inside "Data-Protocol"
        ("data", -1, False),
    ],
)
def test_tampered_message_does_not_verify(where: str, offset: int, changes_id: bool) -> None:
    raw = RAW["message"]
    original = ans104.parse(raw)
    tampered = ans104.parse(_flip(raw, offset % len(raw)))
    assert not ans104.verify(tampered)
    assert (tampered.id != original.id) is changes_id
    if where == "owner":
        assert tampered.owner_address != original.owner_address
    if where == "tag":
        assert tampered.tags != original.tags


def test_tampered_signed_items_of_every_type(rsa_item: DataItem) -> None:
    ed = ans104.sign({"tags": [("a", "b")], "data": b"x"}, dev_ed25519().signer)
    eth = ans104.sign({"tags": [("a", "b")], "data": b"x"}, dev_ethereum().signer)
    for item in (rsa_item, ed, eth):
        assert ans104.verify(item)
        raw = ans104.serialize(item)
        data_off = len(raw) - 1
        assert not ans104.verify(ans104.parse(_flip(raw, data_off)))
        assert not ans104.verify(ans104.parse(_flip(raw, 5)))  # in the signature
        assert ans104.parse(_flip(raw, 5)).id != item.id


# -- signing --------------------------------------------------------------------------------


def test_rsa_signed_item(rsa_item: DataItem) -> None:
    wallet = dev_wallet(1)
    assert rsa_item.signature_type == 1
    assert rsa_item.owner == wallet.public_key
    assert rsa_item.owner_address == wallet.address
    assert rsa_item.target == b64u_decode(ITEMS["message"]["target"])
    assert rsa_item.anchor == b"00000000000000000000000000000007"
    assert rsa_item.tags == (("Action", "Ping"), ("Action", "Ping"), ("Name", "ünïcødé ✓"))
    assert rsa_item.is_signed
    msg = rsa_item.signing_message()
    assert verify_rsa_pss(rsa_item.owner, msg, rsa_item.signature, "sha256", 32)
    again = ans104.parse(ans104.serialize(rsa_item))
    assert again == rsa_item
    assert ans104.verify(again)
    assert rsa_item.id == b64u_encode(hashlib.sha256(rsa_item.signature).digest())


def test_rsa_sign_with_max_salt() -> None:
    item = ans104.sign({"data": "x"}, dev_wallet(2).signer, salt_length="max")
    msg = item.signing_message()
    assert ans104.verify(item)
    assert verify_rsa_pss(item.owner, msg, item.signature, "sha256", 478)
    assert not verify_rsa_pss(item.owner, msg, item.signature, "sha256", 32)


def test_sign_accepts_item_and_field_forms() -> None:
    signer = dev_ed25519().signer
    a = ans104.sign({"tags": {"A": "1", "B": "2"}, "data": "héllo"}, signer)
    b = ans104.sign({"tags": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "data": "héllo".encode()}, signer)
    assert a == b  # ed25519 is deterministic
    resigned = ans104.sign(a, dev_ethereum().signer)
    assert resigned.signature_type == 3
    assert resigned.tags == a.tags
    assert ans104.verify(resigned)
    assert address_of(3, resigned.owner) == dev_ethereum().address
    assert resigned.owner_address != dev_ethereum().address  # SU form vs EIP-55


def test_sign_keeps_unusual_raw_tag_bytes_and_verifies() -> None:
    rec = _avro_str(b"k") + _avro_str(b"v")
    raw_tags = _avro_long(-1) + _avro_long(len(rec)) + rec + _avro_long(1) + rec + b"\x00"
    unsigned = DataItem(2, bytes(64), bytes(32), tags=(("k", "v"), ("k", "v")),
                        raw_tags=raw_tags)
    assert not unsigned.is_signed
    item = ans104.sign(unsigned, dev_ed25519().signer)
    assert item.raw_tags == raw_tags
    raw = ans104.serialize(item)
    assert raw_tags in raw
    again = ans104.parse(raw)
    assert again.raw_tags == raw_tags
    assert ans104.serialize(again) == raw
    assert ans104.verify(again)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": "short"}, "target"),
        ({"target": b"\x01" * 31}, "target"),
        ({"anchor": b"\x01" * 33}, "anchor"),
        ({"anchor": 7}, "anchor"),
        ({"data": 7}, "data"),
        ({"tags": [("a",)]}, "tags"),
        ({"tags": [("a", 1)]}, "tags"),
        ({"tags": [("", "v")]}, "tag name"),
        ({"tags": [(str(i), "v") for i in range(129)]}, "tag count"),
        ({"tags": [("n", "v" * 5000)]}, "tag bytes"),
        ({"colour": "red"}, "fields"),
    ],
)
def test_sign_rejects_bad_fields(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ANS104Error) as err:
        ans104.sign(fields, dev_ed25519().signer)
    assert err.value.field == field


def test_sign_refuses_a_non_4096_rsa_key() -> None:
    from ao_kernel.core.signers import RSASigner

    small = RSASigner.generate(1024)  # one small key, generated once
    with pytest.raises(ANS104Error) as err:
        ans104.sign({"data": "x"}, small)
    assert err.value.field == "owner"


def test_data_item_constructor_checks() -> None:
    with pytest.raises(ANS104Error) as err:
        DataItem(9, b"", b"")
    assert err.value.field == "signature type"
    with pytest.raises(ANS104Error) as err:
        DataItem(2, bytes(63), bytes(32))
    assert err.value.field == "signature"
    with pytest.raises(ANS104Error) as err:
        DataItem(2, bytes(64), bytes(33))
    assert err.value.field == "owner"
    with pytest.raises(ANS104Error) as err:
        DataItem(2, bytes(64), bytes(32), target=b"\x01")
    assert err.value.field == "target"
    with pytest.raises(ANS104Error) as err:
        DataItem(2, bytes(64), bytes(32), data="text")  # type: ignore[arg-type]
    assert err.value.field == "data"
    with pytest.raises(ANS104Error) as err:
        DataItem(2, bytes(64), bytes(32), tags=(("a", "b"),),
                 raw_tags=ans104.encode_tags([("a", "c")]))
    assert err.value.field == "raw_tags"


def test_verify_unsupported_type_raises() -> None:
    item = DataItem(5, bytes(64), bytes(32))
    with pytest.raises(SignatureError) as err:
        ans104.verify(item)
    assert err.value.field == "signature type"


def test_verify_false_for_impossible_keys() -> None:
    assert not ans104.verify(DataItem(1, bytes(512), bytes(512)))
    assert not ans104.verify(DataItem(2, bytes(64), bytes(32)))
    assert not ans104.verify(DataItem(3, bytes(65), b"\x04" + bytes(64)))


# -- strict parsing -------------------------------------------------------------------------


_ONE_TAG = _avro_long(1) + _avro_str(b"a") + _avro_str(b"b") + b"\x00"

_BAD_ITEMS: list[tuple[str, bytes, str]] = [
    ("empty", b"", "signature type"),
    ("one byte", b"\x01", "signature type"),
    ("type 0", _raw_item(sig_type=0), "signature type"),
    ("type 8", _raw_item(sig_type=8), "signature type"),
    ("short signature", b"\x02\x00" + b"\x11" * 10, "signature"),
    ("short owner", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 5, "owner"),
    ("no target byte", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 32, "target presence byte"),
    ("target byte 2", _raw_item(target=b"\x02" + bytes(32)), "target presence byte"),
    ("target byte ff", _raw_item(target=b"\xff"), "target presence byte"),
    ("short target", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 32 + b"\x01" + bytes(31),
     "target"),
    ("anchor byte 2", _raw_item(anchor=b"\x02"), "anchor presence byte"),
    ("short anchor", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 32 + b"\x00\x01" + bytes(31),
     "anchor"),
    ("no tag count", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 32 + b"\x00\x00" + bytes(5),
     "tag count"),
    ("no tag bytes", b"\x02\x00" + b"\x11" * 64 + b"\x22" * 32 + b"\x00\x00" + bytes(12),
     "tag bytes"),
    ("tag bytes > 4096", _raw_item(tag_bytes=4097), "tag bytes"),
    ("tag count > 128", _raw_item(tag_count=129), "tag count"),
    ("tag count mismatch", _raw_item(raw_tags=_ONE_TAG, tag_count=2), "tag count"),
    ("tag count without bytes", _raw_item(tag_count=1), "tag count"),
    ("tag bytes past end", _raw_item(raw_tags=_ONE_TAG, tag_bytes=200, data=b""), "tags"),
    ("tag bytes cut avro", _raw_item(raw_tags=_ONE_TAG, tag_bytes=len(_ONE_TAG) - 1), "tags"),
    ("empty tag name",
     _raw_item(raw_tags=_avro_long(1) + _avro_str(b"") + _avro_str(b"v") + b"\x00"),
     "tag name"),
    ("negative name length",
     _raw_item(raw_tags=_avro_long(1) + _avro_long(-3) + b"abc" + b"\x00", tag_count=1),
     "tags"),
    ("varint overflow", _raw_item(raw_tags=b"\xff" * 12, tag_count=1), "tags"),
]


@pytest.mark.parametrize(("case", "raw", "field"), _BAD_ITEMS, ids=[c[0] for c in _BAD_ITEMS])
def test_parse_rejects(case: str, raw: bytes, field: str) -> None:
    with pytest.raises(ANS104Error) as err:
        ans104.parse(raw)
    assert err.value.field == field, (case, err.value)
    assert field in str(err.value)


def test_parse_minimal_items() -> None:
    item = ans104.parse(_raw_item(data=b""))
    assert (item.target, item.anchor, item.tags, item.data) == (b"", b"", (), b"")
    full = ans104.parse(
        _raw_item(target=b"\x01" + b"T" * 32, anchor=b"\x01" + b"A" * 32, raw_tags=_ONE_TAG)
    )
    assert full.target == b"T" * 32
    assert full.anchor == b"A" * 32
    assert full.tags == (("a", "b"),)
    assert full.data == b"body"
    with pytest.raises(ANS104Error):
        ans104.parse("text")  # type: ignore[arg-type]


# -- bundles --------------------------------------------------------------------------------


def test_bundle_round_trip(rsa_item: DataItem) -> None:
    items = [ans104.parse(RAW[n]) for n in ("assignment", "message", "process")] + [rsa_item]
    bundle = ans104.encode_bundle(items)
    assert int.from_bytes(bundle[:32], "little") == 4
    assert bundle[32:64] == len(RAW["assignment"]).to_bytes(32, "little")
    assert bundle[64:96] == b64u_decode(ITEMS["assignment"]["id"])
    decoded = ans104.decode_bundle(bundle)
    assert decoded == items
    assert [i.id for i in decoded[:3]] == [ITEMS[n]["id"] for n in
                                           ("assignment", "message", "process")]
    assert ans104.decode_bundle(ans104.encode_bundle([])) == []


def test_bundle_rejects() -> None:
    items = [ans104.parse(RAW["message"]), ans104.parse(RAW["process"])]
    good = ans104.encode_bundle(items)
    cases: list[tuple[bytes, str]] = [
        (good[:20], "bundle item count"),
        ((1000).to_bytes(32, "little") + good[32:], "bundle item count"),
        ((3).to_bytes(32, "little") + good[32:], "bundle item 0 signature type"),
        ((1 << 200).to_bytes(32, "little") + good[32:], "bundle item count"),
        (good + b"\x00", "bundle"),
        (good[:-1], "bundle item 1 size"),
        (_flip(good, 32 + 32 + 3), "bundle item 0 id"),
        (_flip(good, 32 + 128 + 2 + 7), "bundle item 0 id"),  # signature byte of item 0
        (_flip(good, 32 + 128), "bundle item 0 signature type"),
        (_flip(good, 32 + 64 + 32 + 31), "bundle item 1 id"),
    ]
    for raw, field in cases:
        with pytest.raises(ANS104Error) as err:
            ans104.decode_bundle(raw)
        assert err.value.field == field, (field, err.value)
    with pytest.raises(ANS104Error):
        ans104.decode_bundle(None)  # type: ignore[arg-type]


# -- property tests -------------------------------------------------------------------------

_tag_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20
)
_tag = st.tuples(_tag_text, st.text(alphabet=st.characters(exclude_categories=["Cs"]),
                                    max_size=30))
_tags = st.lists(_tag, max_size=12).flatmap(
    lambda base: st.lists(st.sampled_from(base), max_size=4).map(lambda extra: base + extra)
    if base else st.just(base)
)
_opt32 = st.one_of(st.just(b""), st.binary(min_size=32, max_size=32))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sig_type=st.sampled_from([1, 2, 3, 4, 6, 7]), signature=st.binary(min_size=1),
       target=_opt32, anchor=_opt32, tags=_tags, data=st.binary(max_size=300))
def test_unsigned_round_trip(*, sig_type: int, signature: bytes, target: bytes, anchor: bytes,
                             tags: list[tuple[str, str]], data: bytes) -> None:
    info = SIGNATURE_TYPES[sig_type]
    sig = (signature * info.signature_length)[: info.signature_length]
    owner = (signature[::-1] * info.owner_length)[: info.owner_length]
    item = DataItem(sig_type, sig, owner, target, anchor, tuple(tags), data)
    raw = ans104.serialize(item)
    again = ans104.parse(raw)
    assert again == item
    assert again.tags == tuple(tags)
    assert ans104.serialize(again) == raw
    assert ans104.decode_tags(item.raw_tags) == tuple(tags)


@settings(max_examples=60, deadline=None)
@given(target=_opt32, anchor=_opt32, tags=_tags, data=st.binary(max_size=300))
def test_ed25519_signed_round_trip(target: bytes, anchor: bytes, tags: list[tuple[str, str]],
                                   data: bytes) -> None:
    item = ans104.sign({"target": target, "anchor": anchor, "tags": tags, "data": data},
                       dev_ed25519().signer)
    raw = ans104.serialize(item)
    again = ans104.parse(raw)
    assert again == item
    assert ans104.verify(again)
    assert again.id == b64u_encode(hashlib.sha256(item.signature).digest())


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_breaks_the_rsa_item(rsa_item: DataItem,
                                                    data: st.DataObject) -> None:
    raw = ans104.serialize(rsa_item)
    offset = data.draw(st.integers(0, len(raw) - 1))
    mask = data.draw(st.integers(1, 255))
    try:
        item = ans104.parse(_flip(raw, offset, mask))
    except ANS104Error:
        return
    assert not ans104.verify(item)


# -- fuzzing: only our own errors escape ----------------------------------------------------


def _only_ao_errors(fn: Any, raw: bytes) -> None:
    with contextlib.suppress(AOError):
        fn(raw)


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=1500))
def test_fuzz_random_bytes(raw: bytes) -> None:
    for fn in (ans104.parse, ans104.decode_tags, ans104.decode_bundle):
        _only_ao_errors(fn, raw)
    _only_ao_errors(ans104.parse, b"\x02\x00" + raw)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(RAW)), data=st.data())
def test_fuzz_mutated_vectors(name: str, data: st.DataObject) -> None:
    raw = RAW[name]
    offset = data.draw(st.integers(0, len(raw) - 1))
    value = data.draw(st.integers(0, 255))
    mutated = raw[:offset] + bytes([value]) + raw[offset + 1 :]
    try:
        item = ans104.parse(mutated)
    except AOError:
        item = None
    if item is not None:
        assert ans104.verify(item) == (mutated == raw)
    _only_ao_errors(ans104.decode_tags, ans104.parse(raw).raw_tags[:offset % 80] + bytes([value]))
    bundle = ans104.encode_bundle([ans104.parse(raw)])
    pos = data.draw(st.integers(0, len(bundle) - 1))
    _only_ao_errors(ans104.decode_bundle, bundle[:pos] + bytes([value]) + bundle[pos + 1 :])

