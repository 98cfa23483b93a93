"""RFC 8941 structured fields: the RFC's examples, strict errors, round-trips, hb_escape."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ao_kernel.core.errors import MalformedError, StructuredFieldError
from ao_kernel.core.sf import (
    InnerList,
    Item,
    Token,
    escape_key,
    parse_dictionary,
    parse_item,
    parse_list,
    serialize_dictionary,
    serialize_item,
    serialize_list,
    unescape_key,
)


def typed(x: Any) -> Any:
    """A comparison form that keeps types (True != 1, Decimal(1) != 1, Token != str)."""
    if isinstance(x, Item):
        return ("item", typed(x.value), typed(x.params))
    if isinstance(x, InnerList):
        return ("inner", [typed(i) for i in x.items], typed(x.params))
    if isinstance(x, dict):
        return [(k, typed(v)) for k, v in x.items()]
    if isinstance(x, list):
        return [typed(v) for v in x]
    return (type(x).__name__, x)


# -- RFC 8941 examples ----------------------------------------------------------------------


class TestRFCExamples:
    def test_list_of_tokens(self) -> None:
        assert parse_list("sugar, tea, rum") == [
            Item(Token("sugar")),
            Item(Token("tea")),
            Item(Token("rum")),
        ]

    def test_list_of_inner_lists(self) -> None:
        parsed = parse_list('("foo" "bar"), ("baz"), ("bat" "one"), ()')
        assert parsed == [
            InnerList([Item("foo"), Item("bar")]),
            InnerList([Item("baz")]),
            InnerList([Item("bat"), Item("one")]),
            InnerList([]),
        ]
        assert serialize_list(parsed) == '("foo" "bar"), ("baz"), ("bat" "one"), ()'

    def test_inner_list_parameters(self) -> None:
        parsed = parse_list('("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1')
        assert parsed == [
            InnerList([Item("foo", {"a": 1, "b": 2})], {"lvl": 5}),
            InnerList([Item("bar"), Item("baz")], {"lvl": 1}),
        ]
        assert serialize_list(parsed) == '("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1'

    def test_parameters(self) -> None:
        parsed = parse_list('abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w')
        assert parsed == [
            Item(Token("abc"), {"a": 1, "b": 2, "cde_456": True}),
            InnerList(
                [Item(Token("ghi"), {"jk": 4}), Item(Token("l"))], {"q": "9", "r": Token("w")}
            ),
        ]
        assert serialize_list(parsed) == 'abc;a=1;b=2;cde_456, (ghi;jk=4 l);q="9";r=w'

    def test_dictionary(self) -> None:
        parsed = parse_dictionary('en="Applepie", da=:w4ZibGV0w6ZydGUK:')
        assert parsed == {"en": Item("Applepie"), "da": Item(b"\xc3\x86blet\xc3\xa6rte\n")}
        assert serialize_dictionary(parsed) == 'en="Applepie", da=:w4ZibGV0w6ZydGUK:'

    def test_dictionary_boolean_members(self) -> None:
        parsed = parse_dictionary("a=?0, b, c; foo=bar")
        assert typed(parsed) == typed(
            {"a": Item(False), "b": Item(True), "c": Item(True, {"foo": Token("bar")})}
        )
        assert serialize_dictionary(parsed) == "a=?0, b, c;foo=bar"

    def test_dictionary_with_inner_lists(self) -> None:
        parsed = parse_dictionary("rating=1.5, feelings=(joy sadness)")
        assert typed(parsed) == typed(
            {
                "rating": Item(Decimal("1.5")),
                "feelings": InnerList([Item(Token("joy")), Item(Token("sadness"))]),
            }
        )
        text = "a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid"
        parsed = parse_dictionary(text)
        assert parsed["c"] == Item(4, {"aa": Token("bb")})
        assert parsed["d"] == InnerList([Item(5), Item(6)], {"valid": True})
        assert serialize_dictionary(parsed) == text

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("42", 42),
            ("-42", -42),
            ("0", 0),
            ("4.5", Decimal("4.5")),
            ("-4.5", Decimal("-4.5")),
            ('"hello world"', "hello world"),
            ('"a \\"quote\\" and \\\\"', 'a "quote" and \\'),
            ("foo123/456", Token("foo123/456")),
            ("*foo:bar", Token("*foo:bar")),
            (":cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:", b"pretend this is binary content."),
            ("::", b""),
            ("?1", True),
            ("?0", False),
            ("999999999999999", 999_999_999_999_999),
            ("123456789012.123", Decimal("123456789012.123")),
        ],
    )
    def test_items(self, text: str, value: Any) -> None:
        item = parse_item(text)
        assert typed(item.value) == typed(value)
        assert item.params == {}
        assert serialize_item(item) == text

    def test_item_with_parameters_and_spaces(self) -> None:
        item = parse_item("  5; foo=bar  ")
        assert typed(item) == typed(Item(5, {"foo": Token("bar")}))
        assert serialize_item(item) == "5;foo=bar"

    def test_whitespace_rules(self) -> None:
        # OWS (space or tab) around commas, only SP at the ends and inside inner lists.
        assert parse_list("a ,\tb") == [Item(Token("a")), Item(Token("b"))]
        assert parse_list("( a  b )") == [InnerList([Item(Token("a")), Item(Token("b"))])]
        assert parse_list("") == []
        assert parse_dictionary("   ") == {}

    def test_duplicate_keys_overwrite_in_place(self) -> None:
        parsed = parse_dictionary("a=1, b=2, a=3")
        assert list(parsed) == ["a", "b"]
        assert parsed["a"] == Item(3)
        assert parse_item("1;x=1;x=2").params == {"x": 2}

    def test_unpadded_base64_is_accepted(self) -> None:
        assert parse_item(":YQ:").value == b"a"

    def test_bytes_input(self) -> None:
        assert parse_dictionary(b"a=1") == {"a": Item(1)}


# -- serialization details --------------------------------------------------------------------


class TestSerialize:
    def test_decimals_round_half_even(self) -> None:
        assert serialize_item(1.5) == "1.5"
        assert serialize_item(Decimal("0.0005")) == "0.0"
        assert serialize_item(Decimal("0.0015")) == "0.002"
        assert serialize_item(Decimal("-2")) == "-2.0"
        assert serialize_item(-0.0) == "0.0"

    def test_bare_values_become_items(self) -> None:
        assert serialize_list([1, "x", Token("t"), b"\x00", False]) == '1, "x", t, :AA==:, ?0'
        assert serialize_dictionary({"k": "v", "f": True}) == 'k="v", f'

    @pytest.mark.parametrize(
        ("value", "needle"),
        [
            (10**15, "15 digits"),
            (Decimal("1234567890123.0"), "12 integer digits"),
            (float("inf"), "not finite"),
            ("caf\u00e9", "non-printable-ASCII"),
            ("tab\there", "non-printable-ASCII"),
            (Token("1abc"), "invalid token"),
            (Token("a b"), "invalid token"),
        ],
    )
    def test_unserializable_values(self, value: Any, needle: str) -> None:
        with pytest.raises(StructuredFieldError, match=re.escape(needle)):
            serialize_item(value)

    def test_invalid_keys(self) -> None:
        with pytest.raises(StructuredFieldError, match="invalid key 'Upper'"):
            serialize_dictionary({"Upper": 1})
        with pytest.raises(StructuredFieldError, match="invalid key 'A'"):
            serialize_item(Item(1, {"A": 1}))
        assert serialize_dictionary({"Upper": 1}, lenient_keys=True) == "Upper=1"

    def test_nested_inner_list_is_rejected(self) -> None:
        with pytest.raises(StructuredFieldError, match="inner list"):
            serialize_list([InnerList([InnerList([])])])  # type: ignore[list-item]


# -- errors -------------------------------------------------------------------------------------

ITEM_ERRORS = [
    ("", 0, "expected an item"),
    ("1234567890123456", 0, "more than 15 digits"),
    ("1234567890123.5", 0, "more than 12 integer digits"),
    ("1.2345", 0, "3 fractional digits"),
    ("1.", 1, "ends with '.'"),
    ("-", 1, "expected a digit"),
    ("-a", 1, "expected a digit"),
    ('"abc', 4, "unterminated string"),
    ('"a\\b"', 2, "invalid escape"),
    ('"a\\', 3, "inside an escape"),
    ('"a\tb"', 2, "invalid character"),
    ('"caf\u00e9"', 4, "non-ASCII"),
    (":abc", 0, "unterminated byte sequence"),
    (":a-b=:", 2, "invalid base64 character"),
    (":a=b=:", 1, "malformed base64"),
    (":a:", 1, "malformed base64"),
    ("?2", 1, "expected '1' or '0'"),
    ("?", 1, "expected '1' or '0'"),
    ("1 2", 2, "trailing character"),
    ("a;", 2, "expected a key"),
    ("a;B=1", 2, "expected a key"),
    ("a;b=", 4, "expected an item"),
    ("@123", 0, "expected an item"),
    ('%"x"', 0, "expected an item"),
    ("\ta", 0, "expected an item"),
    ("a\t", 1, "trailing character"),
]


@pytest.mark.parametrize(("text", "offset", "needle"), ITEM_ERRORS)
def test_item_errors_name_the_offset(text: str, offset: int, needle: str) -> None:
    with pytest.raises(StructuredFieldError, match=re.escape(needle)) as info:
        parse_item(text)
    assert info.value.field == f"offset {offset}"
    assert f"offset {offset}" in str(info.value)


@pytest.mark.parametrize(
    ("text", "offset", "needle"),
    [
        ("a,", 2, "trailing ','"),
        ("a, ", 3, "trailing ','"),
        ("a b", 2, "expected ','"),
        ("(a b", 4, "unterminated inner list"),
        ("(a,b)", 2, "expected ' ' or ')'"),
        ("(a)b", 3, "expected ','"),
        ("((a))", 1, "expected an item"),
    ],
)
def test_list_errors(text: str, offset: int, needle: str) -> None:
    with pytest.raises(StructuredFieldError, match=re.escape(needle)) as info:
        parse_list(text)
    assert info.value.field == f"offset {offset}"


@pytest.mark.parametrize(
    ("text", "offset", "needle"),
    [
        ("a=1,", 4, "trailing ','"),
        ("A=1", 0, "expected a key"),
        ("1a=1", 0, "expected a key"),
        ("a=1 b=2", 4, "expected ','"),
        ("a=", 2, "expected an item"),
        ("a=1;", 4, "expected a key"),
        ("%41o=1", 0, "expected a key"),
    ],
)
def test_dictionary_errors(text: str, offset: int, needle: str) -> None:
    with pytest.raises(StructuredFieldError, match=re.escape(needle)) as info:
        parse_dictionary(text)
    assert info.value.field == f"offset {offset}"


def test_lenient_keys_accept_hyperbeam_dictionaries() -> None:
    ids = 'Ab-_9xYz="v1", 0Xyz="v2"'
    parsed = parse_dictionary(ids, lenient_keys=True)
    assert parsed == {"Ab-_9xYz": Item("v1"), "0Xyz": Item("v2")}
    assert serialize_dictionary(parsed, lenient_keys=True) == ids
    types = '%41o-%54ypes="integer", a/b="atom"'
    assert parse_dictionary(types, lenient_keys=True) == {
        "%41o-%54ypes": Item("integer"),
        "a/b": Item("atom"),
    }
    # Parameter keys stay strict even then.
    with pytest.raises(StructuredFieldError, match="expected a key"):
        parse_dictionary("a=1;B=2", lenient_keys=True)


def test_errors_are_malformed_errors_with_status_400() -> None:
    with pytest.raises(MalformedError) as info:
        parse_item("?x")
    assert info.value.status == 400


# -- hb_escape --------------------------------------------------------------------------------


class TestEscape:
    def test_uppercase_is_escaped(self) -> None:
        # 'A' is 0x41 and 'T' is 0x54: uppercase letters are not in the kept set.
        assert escape_key("Ao-Types") == "%41o-%54ypes"
        assert unescape_key("%41o-%54ypes") == "Ao-Types"

    def test_kept_and_escaped_characters(self) -> None:
        kept = "abcxyz0189.-_/?&"
        assert escape_key(kept) == kept
        assert escape_key("a b*c+d=e%") == "a%20b%2ac%2bd%3de%25"
        assert escape_key("caf\u00e9") == "caf%c3%a9"
        assert escape_key("") == ""

    def test_unescape_accepts_either_hex_case(self) -> None:
        assert unescape_key("%4F%4f") == "OO"
        assert unescape_key("plain") == "plain"

    @pytest.mark.parametrize(
        ("text", "offset"),
        [("%", 0), ("a%4", 1), ("%zz", 0), ("ab%g0", 2), ("%4%41", 0)],
    )
    def test_malformed_escapes(self, text: str, offset: int) -> None:
        with pytest.raises(StructuredFieldError, match="malformed percent escape") as info:
            unescape_key(text)
        assert info.value.field == f"offset {offset}"

    def test_non_utf8_escape(self) -> None:
        with pytest.raises(StructuredFieldError, match="not UTF-8"):
            unescape_key("%ff")

    @given(st.text())
    def test_round_trip(self, key: str) -> None:
        escaped = escape_key(key)
        assert all(c.isascii() and not c.isupper() for c in escaped)
        assert unescape_key(escaped) == key

    @given(st.text())
    def test_escaped_keys_survive_lenient_dictionaries(self, key: str) -> None:
        escaped = escape_key(key)
        if not escaped:
            return
        text = serialize_dictionary({escaped: Item("integer")}, lenient_keys=True)
        parsed = parse_dictionary(text, lenient_keys=True)
        assert [unescape_key(k) for k in parsed] == [key]


# -- round-trips ------------------------------------------------------------------------------

keys = st.from_regex(r"\A[a-z*][a-z0-9_\-.*]{0,8}\Z")
lenient_keys = st.from_regex(r"\A[A-Za-z0-9_\-.*%/?&]{1,10}\Z")
integers = st.integers(-999_999_999_999_999, 999_999_999_999_999)
decimals = st.builds(
    lambda n, scale: Decimal(n).scaleb(-scale),
    st.integers(-999_999_999_999_999, 999_999_999_999_999),
    st.integers(0, 3),
).filter(lambda d: abs(d) < Decimal(10) ** 12)
strings = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
tokens = st.from_regex(r"\A[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]{0,10}\Z").map(Token)
bare_items = st.one_of(integers, decimals, strings, tokens, st.binary(max_size=20), st.booleans())
params = st.dictionaries(keys, bare_items, max_size=3)
items = st.builds(Item, bare_items, params)
inner_lists = st.builds(InnerList, st.lists(items, max_size=4), params)
members = st.one_of(items, inner_lists)


@settings(max_examples=300)
@given(items)
def test_item_round_trip(item: Item) -> None:
    assert typed(parse_item(serialize_item(item))) == typed(item)


@settings(max_examples=100)
@given(st.lists(members, max_size=5))
def test_list_round_trip(value: list[Any]) -> None:
    assert typed(parse_list(serialize_list(value))) == typed(value)


@settings(max_examples=100)
@given(st.dictionaries(keys, members, max_size=5))
def test_dictionary_round_trip(value: dict[str, Any]) -> None:
    assert typed(parse_dictionary(serialize_dictionary(value))) == typed(value)


@settings(max_examples=100)
@given(st.dictionaries(lenient_keys, members, max_size=5))
def test_lenient_dictionary_round_trip(value: dict[str, Any]) -> None:
    text = serialize_dictionary(value, lenient_keys=True)
    assert typed(parse_dictionary(text, lenient_keys=True)) == typed(value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e11, max_value=1e11))
def test_float_serializes_to_the_rounded_decimal(value: float) -> None:
    parsed = parse_item(serialize_item(value)).value
    assert isinstance(parsed, Decimal)
    assert abs(parsed - Decimal(repr(value))) <= Decimal("0.0005")


# -- fuzz ---------------------------------------------------------------------------------------

sf_alphabet = st.sampled_from([*' \t,;=()"\\:?*-.%/&abcAZ019+', "\u00e9", "\x00"])
fuzz_text = st.one_of(st.text(max_size=40), st.text(sf_alphabet, max_size=40))


@settings(max_examples=500)
@given(fuzz_text)
def test_fuzz_parsers_raise_only_structured_field_errors(text: str) -> None:
    for parse in (
        parse_item,
        parse_list,
        parse_dictionary,
        lambda t: parse_dictionary(t, lenient_keys=True),
    ):
        error: StructuredFieldError | None = None
        try:
            result = parse(text)
        except StructuredFieldError as exc:
            error = exc
        if error is not None:
            assert error.field is not None
            assert error.field.startswith("offset ")
            continue
        # Whatever parses serializes back to something that parses to the same value.
        if isinstance(result, Item):
            assert typed(parse_item(serialize_item(result))) == typed(result)
        elif isinstance(result, list):
            assert typed(parse_list(serialize_list(result))) == typed(result)
        else:
            again = parse_dictionary(
                serialize_dictionary(result, lenient_keys=True), lenient_keys=True
            )
            assert typed(again) == typed(result)
