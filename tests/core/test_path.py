"""HyperBEAM path grammar: the brief's examples, typed keys, sub-paths, globals, errors."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ao_kernel.core.errors import MalformedError, PathError
from ao_kernel.core.path import As, Resolve, parse_path, to_path
from ao_kernel.core.values import Atom

PID = "e5ohB7TgMYRoc0BLllkmAqkqLy1SrliEkOPJlNPXBQ8"
OTHER = "IYkkrqlZNW_J-4T-5eFApZOMRl5P4VjvrcOXWvIqB1Q"


def typed(x: Any) -> Any:
    """A comparison form that keeps types (1 != 1.0 != True)."""
    if isinstance(x, dict):
        return ("dict", sorted((k, typed(v)) for k, v in x.items()))
    if isinstance(x, list):
        return ("list", [typed(v) for v in x])
    if isinstance(x, As):
        return ("as", x.device, typed(x.message))
    if isinstance(x, Resolve):
        return ("resolve", typed(x.steps))
    return (type(x).__name__, repr(x))


def same(a: Any, b: Any) -> bool:
    return bool(typed(a) == typed(b))


def round_trips(steps: list[Any]) -> None:
    text = to_path(steps)
    assert same(parse_path(text), steps), text


# -- the examples of the brief (section 10.3) ---------------------------------------------------


class TestBriefExamples:
    def test_meta_info(self) -> None:
        steps = parse_path("/~meta@1.0/info")
        assert steps == [{"device": "meta@1.0"}, {"path": "info"}]
        assert to_path(steps) == "/~meta@1.0/info"

    def test_meta_info_address(self) -> None:
        steps = parse_path("/~meta@1.0/info/address")
        assert steps == [{"device": "meta@1.0"}, {"path": "info"}, {"path": "address"}]
        assert to_path(steps) == "/~meta@1.0/info/address"

    def test_process_now(self) -> None:
        steps = parse_path(f"/{PID}~process@1.0/now")
        assert steps == [As("process@1.0", {"path": PID}), {"path": "now"}]
        assert to_path(steps) == f"/{PID}~process@1.0/now"

    def test_process_compute_outbox(self) -> None:
        path = f"/{PID}~process@1.0/compute&slot=1/results/outbox/1/data"
        steps = parse_path(path)
        assert steps == [
            As("process@1.0", {"path": PID}),
            {"path": "compute", "slot": "1"},  # untyped: stays text (Appendix B trap)
            {"path": "results"},
            {"path": "outbox"},
            {"path": "1"},
            {"path": "data"},
        ]
        assert to_path(steps) == path

    def test_process_slot_current(self) -> None:
        steps = parse_path(f"/{PID}~process@1.0/slot/current")
        assert steps == [As("process@1.0", {"path": PID}), {"path": "slot"}, {"path": "current"}]

    def test_process_compute_cache(self) -> None:
        steps = parse_path(f"/{PID}~process@1.0/compute/cache/{OTHER}")
        assert steps[-1] == OTHER  # an ID segment later in the path is an ID to load
        round_trips(steps)

    def test_push_with_slot(self) -> None:
        steps = parse_path(f"/{PID}~process@1.0/push&slot=3")
        assert steps[1] == {"path": "push", "slot": "3"}

    def test_scheduler_schedule(self) -> None:
        path = f"/~scheduler@1.0/schedule&target={PID}&from=0&to=10"
        steps = parse_path(path)
        assert steps == [
            {"device": "scheduler@1.0"},
            {"path": "schedule", "target": PID, "from": "0", "to": "10"},
        ]
        assert to_path(steps) == path

    def test_scheduler_schedule_query_form(self) -> None:
        steps = parse_path(f"/~scheduler@1.0/schedule?target={PID}&from=0&to=10")
        # Query keys are global: they reach the {device} base as well as the request.
        assert steps[1] == {"path": "schedule", "target": PID, "from": "0", "to": "10"}
        assert steps[0]["device"] == "scheduler@1.0"
        assert steps[0]["target"] == PID

    def test_message_greeting_count(self) -> None:
        # The quotes around Hello are syntax (HyperBEAM unquotes), the count is an integer.
        steps = parse_path('/~message@1.0&greeting="Hello"&count+integer=42/count')
        assert same(
            steps,
            [{"device": "message@1.0", "greeting": "Hello", "count": 42}, {"path": "count"}],
        )
        assert to_path(steps) == "/~message@1.0&greeting=Hello&count+integer=42/count"
        round_trips(steps)

    def test_relay_and_cron_queries(self) -> None:
        steps = parse_path("/~relay@1.0/call?relay-method=GET&relay-path=https://x.io/a%3Fb")
        assert steps[1] == {
            "path": "call",
            "relay-method": "GET",
            "relay-path": "https://x.io/a?b",
        }
        steps = parse_path("/~cron@1.0/every?cron-path=/a/b&interval=10-seconds")
        assert steps[1]["cron-path"] == "/a/b"
        assert steps[1]["interval"] == "10-seconds"

    def test_brief_task_example(self) -> None:
        steps = parse_path(f"/{PID}~process@1.0/compute&slot+integer=3/results/data?x=1")
        assert same(
            steps,
            [
                As("process@1.0", {"path": PID}),  # an ID base takes no globals
                {"path": "compute", "slot": 3, "x": "1"},
                {"path": "results", "x": "1"},
                {"path": "data", "x": "1"},
            ],
        )
        round_trips(steps)


# -- segments ---------------------------------------------------------------------------------


class TestSegments:
    def test_plain_keys_get_an_empty_base(self) -> None:
        assert parse_path("/hello") == [{}, {"path": "hello"}]
        assert parse_path("a/b") == [{}, {"path": "a"}, {"path": "b"}]
        assert parse_path("") == [{}]
        assert parse_path("/") == [{}]

    def test_empty_segments_are_dropped(self) -> None:
        assert parse_path("//a///b/") == [{}, {"path": "a"}, {"path": "b"}]

    def test_id_base(self) -> None:
        assert parse_path(f"/{PID}/a") == [PID, {"path": "a"}]
        assert to_path([PID, {"path": "a"}]) == f"/{PID}/a"

    def test_bare_key_is_true(self) -> None:
        assert parse_path("/a&flag&k=v") == [{}, {"path": "a", "flag": True, "k": "v"}]
        assert to_path([{}, {"path": "a", "flag": True}]) == "/a&flag"

    def test_key_equals_shorthand(self) -> None:
        assert parse_path("/a/b=4/c") == [{}, {"path": "a"}, {"path": "b", "b": "4"}, {"path": "c"}]
        assert same(parse_path("/b+integer=4&c=5"), [{}, {"path": "b", "b": 4, "c": "5"}])

    def test_device_on_a_later_step(self) -> None:
        assert parse_path("/a/b~lua@5.3a&x=1") == [
            {},
            {"path": "a"},
            As("lua@5.3a", {"path": "b", "x": "1"}),
        ]
        # An empty key after the base: only the device changes.
        assert parse_path("/a/~json@1.0") == [{}, {"path": "a"}, As("json@1.0", {})]

    def test_percent_decoding(self) -> None:
        assert parse_path("/caf%C3%A9/a%2Fb&k=x%20y") == [
            {},
            {"path": "café"},
            {"path": "a/b", "k": "x y"},
        ]

    def test_quotes_protect_separators(self) -> None:
        steps = parse_path('/a&k="v/1&x=(y)"/c')
        assert steps == [{}, {"path": "a", "k": "v/1&x=(y)"}, {"path": "c"}]
        assert parse_path('/a&k="say \\"hi\\" \\\\"') == [{}, {"path": "a", "k": 'say "hi" \\'}]
        assert parse_path('/"a~b"&"k+1"=2') == [{}, {"path": "a~b", "k+1": "2"}]

    def test_unbalanced_quotes_inside_values_are_literal(self) -> None:
        assert parse_path('/a&k=x"y"z') == [{}, {"path": "a", "k": 'x"y"z'}]

    def test_id_key_with_keys_is_a_request(self) -> None:
        assert parse_path(f"/{PID}&k=v") == [{}, {"path": PID, "k": "v"}]
        # A lone ID written as a request key is quoted so it is not read as an ID to load.
        steps: list[Any] = [{}, {"path": PID}]
        assert to_path(steps) == f"/%22{PID}%22"
        round_trips(steps)


# -- typed keys -------------------------------------------------------------------------------


class TestTypedKeys:
    @pytest.mark.parametrize(
        ("segment", "value"),
        [
            ("k+integer=42", 42),
            ("k+integer=-7", -7),
            ("k+Integer=1", 1),
            ("k%20integer=42", 42),  # a space instead of '+'
            ("k+float=1.5", 1.5),
            ("k+float=-2e-3", -0.002),
            ("k+float=1.50000000000000000000e+00", 1.5),  # Erlang's float text
            ("k+atom=ok", Atom("ok")),
            ("k+atom=true", True),
            ("k+atom=false", False),
            ("k+atom=null", None),
            ('k+atom="hello world"', Atom("hello world")),
            ("k+atom=%3F1", True),
            ('k+list="apple",1', ["apple", 1]),
            (
                "k+list=1, 2.5, %3F0, tok, :%2FwA=:, (1 2)",
                [1, 2.5, False, Atom("tok"), b"\xff\x00", [1, 2]],
            ),
            ("k+list=:YQ==:", ["a"]),  # UTF-8 byte sequences become text
            ('k+list="(ao-type-float) 0.25","(ao-type-list) 1, 2"', [0.25, [1, 2]]),
            ("k+list=", []),
            ('k+map=k1="v", k2=true', {"k1": "v", "k2": True}),
            ('k+map=Abc=1, d, e="(ao-type-map) x=1"', {"Abc": 1, "d": True, "e": {"x": 1}}),
            ("k+binary=42", "42"),
            ('k+binary="x&y"', "x&y"),
        ],
    )
    def test_types(self, segment: str, value: Any) -> None:
        steps = parse_path("/a&" + segment)
        assert same(steps[1]["k"], value)
        round_trips(steps)

    def test_resolve_type(self) -> None:
        expected = Resolve([{}, {"path": "x"}, {"path": "y"}])
        assert parse_path("/a&k+resolve=(/x/y)")[1]["k"] == expected
        assert parse_path("/a&k=(/x/y)")[1]["k"] == expected
        assert parse_path("/a?k+resolve=/x/y")[1]["k"] == expected

    @pytest.mark.parametrize("type_name", ["link", "string", "int", "res", "x"])
    def test_unknown_type_is_named(self, type_name: str) -> None:
        with pytest.raises(PathError, match=f"unknown type '{type_name}'") as info:
            parse_path(f"/a&k+{type_name}=1")
        assert info.value.field == type_name

    @pytest.mark.parametrize(
        ("segment", "needle"),
        [
            ("k+integer=abc", "is not an integer"),
            ("k+integer=1.5", "is not an integer"),
            ("k+integer=1234567890123456", "not a valid integer"),
            ("k+float=nan", "not a finite float"),
            ("k+float=1e999", "not a finite float"),
            ("k+float=abc", "not a finite float"),
            ("k+atom=1", "is not an atom"),
            ("k+list=1;p=2", "parameters are not allowed"),
            ('k+map=k1="v";k2=true', "parameters are not allowed"),
            ("k+map=a=1,,b=2", "not a valid map"),
            ('k+list="(ao-type-float)"', "malformed typed string"),
            ('k+list="(ao-type-x) 1"', "unknown type 'x'"),
            ("k+integer", "has no value"),
        ],
    )
    def test_bad_typed_values(self, segment: str, needle: str) -> None:
        with pytest.raises(PathError, match=needle.replace("(", r"\(").replace(")", r"\)")):
            parse_path("/a&" + segment)

    def test_errors_name_the_key(self) -> None:
        with pytest.raises(PathError, match="key 'count'"):
            parse_path("/a&count+integer=x")


# -- sub-paths --------------------------------------------------------------------------------


class TestSubPaths:
    def test_subpath_segment(self) -> None:
        steps = parse_path("/a/(x/y/z)/c")
        assert steps == [
            {},
            {"path": "a"},
            Resolve([{}, {"path": "x"}, {"path": "y"}, {"path": "z"}]),
            {"path": "c"},
        ]
        assert to_path(steps) == "/a/(/x/y/z)/c"

    def test_subpath_as_base(self) -> None:
        steps = parse_path(f"/(/{PID}/now)/data")
        assert steps == [Resolve([PID, {"path": "now"}]), {"path": "data"}]
        round_trips(steps)

    def test_nested_subpaths(self) -> None:
        steps = parse_path("/a&k=(/b&j=(/c/d)/e)/f")
        inner = Resolve([{}, {"path": "c"}, {"path": "d"}])
        assert steps == [
            {},
            {"path": "a", "k": Resolve([{}, {"path": "b", "j": inner}, {"path": "e"}])},
            {"path": "f"},
        ]
        round_trips(steps)

    def test_subpath_keeps_its_own_keys_and_ignores_globals(self) -> None:
        steps = parse_path("/(/x&k=1)/y", query={"g": "2"})
        assert steps == [Resolve([{}, {"path": "x", "k": "1"}]), {"path": "y", "g": "2"}]

    def test_subpath_with_its_own_query(self) -> None:
        steps = parse_path("/a/(/b?q=1)/c?g=2")
        assert steps[2] == Resolve([{"q": "1"}, {"path": "b", "q": "1"}])
        assert steps[3] == {"path": "c", "g": "2"}

    def test_percent_escapes_nest(self) -> None:
        # Each level decodes once: %2525 -> %25 (outer) -> % (inner).
        steps = parse_path("/a&k=(/b&v=x%2525y)")
        assert steps[1]["k"] == Resolve([{}, {"path": "b", "v": "x%y"}])
        round_trips(steps)


# -- globals and scoped keys --------------------------------------------------------------------


class TestGlobals:
    def test_query_goes_into_every_dict_step(self) -> None:
        steps = parse_path("/a/b?x=1&y")
        assert steps == [
            {"x": "1", "y": True},
            {"path": "a", "x": "1", "y": True},
            {"path": "b", "x": "1", "y": True},
        ]

    def test_not_into_ids_or_resolves(self) -> None:
        steps = parse_path(f"/{PID}/(/q)/{OTHER}~d@1.0/e~d@1.0?x=1")
        assert steps == [
            PID,
            Resolve([{}, {"path": "q"}]),
            As("d@1.0", {"path": OTHER}),
            As("d@1.0", {"path": "e", "x": "1"}),
        ]

    def test_headers_are_global_except_path(self) -> None:
        steps = parse_path(
            "/a", headers={"path": "/ignored", "action": "Transfer", "n+integer": "7"}
        )
        assert same(
            steps, [{"action": "Transfer", "n": 7}, {"path": "a", "action": "Transfer", "n": 7}]
        )

    def test_query_mapping_and_string(self) -> None:
        steps = parse_path("/a?k=path", query={"k": "mapping", "m": '"quoted"'})
        assert steps[1] == {"path": "a", "k": "path", "m": "quoted"}

    def test_precedence(self) -> None:
        steps = parse_path(
            "/a&k=inline/b?k=query&1.j=scoped",
            headers={"k": "header", "j": "header"},
        )
        assert steps[1] == {"path": "a", "k": "inline", "j": "scoped"}
        assert steps[2] == {"path": "b", "k": "query", "j": "header"}

    def test_scoped_keys(self) -> None:
        steps = parse_path("/a/b/c?2.test-key=v&0.base=1&2.n+integer=5")
        assert same(
            steps,
            [
                {"base": "1"},
                {"path": "a"},
                {"path": "b", "test-key": "v", "n": 5},
                {"path": "c"},
            ],
        )

    def test_plus_in_query_reads_as_space_which_types(self) -> None:
        steps = parse_path("/a?count+integer=42&s=a+b")
        assert same(steps[1], {"path": "a", "count": 42, "s": "a b"})

    def test_dotted_keys_without_numeric_prefix_are_plain(self) -> None:
        assert parse_path("/a?x.y=1")[1] == {"path": "a", "x.y": "1"}

    def test_inline_scoped_syntax_is_just_a_key(self) -> None:
        assert parse_path("/a&1.k=v")[1] == {"path": "a", "1.k": "v"}

    def test_as_with_key_takes_globals(self) -> None:
        assert parse_path("/a~d@1.0?x=1") == [As("d@1.0", {"path": "a", "x": "1"})]


# -- errors -----------------------------------------------------------------------------------


class TestErrors:
    def test_segment_too_long(self) -> None:
        assert parse_path("/" + "a" * 512)[1] == {"path": "a" * 512}
        with pytest.raises(PathError, match="513 bytes exceeds 512"):
            parse_path("/" + "a" * 513)
        with pytest.raises(PathError, match="exceeds 512"):
            parse_path("/x/" + "é" * 257)  # 514 bytes once decoded to UTF-8
        with pytest.raises(PathError, match="exceeds 512"):
            parse_path("/a&k=(/" + "b" * 600 + ")")

    @pytest.mark.parametrize(
        ("path", "needle"),
        [
            ("/a/(b/c", "unbalanced '('"),
            ("/a)/b", "unbalanced ')' at offset 2"),
            ("/a&k=(x", "unbalanced '('"),
            ('/a&k="x', "unterminated quoted string"),
            ("/(a)b", "text after the sub-path '(a)'"),
            ("/a&k=(x)y", "text after the sub-path"),
            ('/a&k="x"y', "text after its closing quote"),
            ('/a&k="x\\n"', "invalid escape"),
            ("/a%zz", "malformed percent escape '%zz'"),
            ("/a%4", "malformed percent escape"),
            ("/a%ff", "does not percent-decode to UTF-8"),
            ("/&k=v", "empty key"),
            ("/a&+integer=1", "empty key"),
            ("/a~", "empty device"),
            ("/a~(/b)", "cannot be a sub-path"),
            ("/a&path=b", "inline key 'path'"),
            ("/path=b", "inline key 'path'"),
            ("/~d@1.0&device=e", "device given twice"),
            ("/a?path=b", "would replace the step's path"),
            ("/a?k+integer", "has no value"),
            ("/a?5.k=1", "name step 5, but the path has 1 steps"),
            (f"/{PID}/a?0.k=1", "cannot take keys"),
            ("/(/x)/a?0.k=1", "cannot take keys"),
            ("/a?%zz=1", "malformed percent escape"),
        ],
    )
    def test_parse_errors(self, path: str, needle: str) -> None:
        with pytest.raises(PathError) as info:
            parse_path(path)
        assert needle in str(info.value)
        assert info.value.status == 400

    def test_nesting_depth_is_limited(self) -> None:
        assert parse_path("/" + "(" * 30 + "a" + ")" * 30)
        with pytest.raises(PathError, match="nest deeper than 32"):
            parse_path("/" + "(" * 40 + "a" + ")" * 40)
        with pytest.raises(PathError, match="nest deeper than 32"):
            parse_path("/a?k+resolve=" + "(" * 40 + "a" + ")" * 40)

    def test_lone_surrogates_are_rejected(self) -> None:
        with pytest.raises(PathError, match="not valid Unicode"):
            parse_path("/a\udc80")
        with pytest.raises(PathError, match="not valid Unicode"):
            parse_path("/a", headers={"k": "\ud800"})

    def test_errors_name_the_segment(self) -> None:
        with pytest.raises(PathError) as info:
            parse_path("/ok/bad~")
        assert info.value.field == "bad~"

    @pytest.mark.parametrize(
        ("steps", "needle"),
        [
            ([], "empty step list"),
            ([{}, {"k": 1}], "non-empty text 'path'"),
            ([{}, {"path": ""}], "non-empty text 'path'"),
            ([{"device": "d"}, "not-an-id"], "43-character ID"),
            ([{}, PID], "it would become the base"),
            ([{"x": "1"}, As("d", {"path": "a"})], "it would become the base"),
            ([{"path": "a"}], "cannot have a 'path'"),
            ([{}, {"path": "a", "b": b"\xff"}], "non-UTF-8"),
            ([{}, {"path": "a", "n": 10**15}], "more than 15 digits"),
            ([{}, {"path": "a", "f": float("nan")}], "not a finite float"),
            ([{}, {"path": "a", "m": {"a&b": 1}}], "map key 'a&b'"),
            ([{}, {"path": "a", "o": object()}], "object value cannot be written"),
            ([{}, {"path": "a", "path2": {"x": [object()]}}], "cannot be written"),
            ([{"device": "d"}, As("", {"path": "a"})], "invalid device"),
            ([{}, {"path": "a", "t": Atom("caf\u00e9")}], "cannot be written"),
        ],
    )
    def test_to_path_errors(self, steps: list[Any], needle: str) -> None:
        with pytest.raises(PathError, match=needle.replace("(", r"\(")):
            to_path(steps)


# -- to_path ----------------------------------------------------------------------------------


class TestToPath:
    def test_quoting_and_escaping(self) -> None:
        steps: list[Any] = [
            {},
            {"path": "a b", "k&=": 'v&"x"(y)', "q": "50%?#", "u": "café", "e": ""},
        ]
        text = to_path(steps)
        assert " " not in text
        assert "?" not in text
        assert "#" not in text
        round_trips(steps)

    def test_base_keys_go_to_the_query(self) -> None:
        steps: list[Any] = [{"x": "1", "n": 2, "r": Resolve([{}, {"path": "z"}])}, {"path": "a"}]
        text = to_path(steps)
        assert text.startswith("/a?0.x=1&")
        round_trips(steps)

    def test_device_base_with_keys(self) -> None:
        steps: list[Any] = [{"device": "message@1.0", "a": Atom("ok"), "l": [1, "two"]}]
        assert to_path(steps) == "/~message@1.0&a+atom=ok&l+list=1,%20%22two%22"
        round_trips(steps)

    def test_values_needing_ao_type_strings(self) -> None:
        steps: list[Any] = [
            {},
            {
                "path": "a",
                "l": [
                    0.5,
                    [1, [2]],
                    {"k": None},
                    "(ao-type-integer) 1",
                    "ünï",
                    b"\xff",
                    Atom("a&b"),
                ],
                "m": {"Up": 1.25, "n": [], "t": Atom("x/y"), "u": Atom("a b")},
            },
        ]
        round_trips(steps)

    def test_parse_to_parse_is_stable(self) -> None:
        for path in [
            "/a/b&k1=v1/c&k2=v2?method=POST",
            '/~message@1.0&greeting="Hello"&count+integer=42/count',
            "/part1/part2&test=1&b=(/x/y)/part3",
            f"/{PID}~process@1.0/compute&slot+integer=3/results/data?x=1&1.y=2",
        ]:
            steps = parse_path(path)
            assert same(parse_path(to_path(steps)), steps), path


# -- hypothesis round-trips ---------------------------------------------------------------------

text = st.text(
    st.one_of(
        st.sampled_from([*string.printable[:-5], "é", "\u4e2d"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=6,
)
keys = text.filter(lambda k: k not in ("path", "device"))
ids = st.sampled_from([PID, OTHER])
atoms = (
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=5)
    .filter(lambda n: n not in ("true", "false", "null"))
    .map(Atom)
)
sf_ints = st.integers(-999_999_999_999_999, 999_999_999_999_999)
floats = st.floats(allow_nan=False, allow_infinity=False)
map_keys = st.from_regex(r"\A[A-Za-z0-9_\-.*%/?]{1,5}\Z")
scalars = st.one_of(st.booleans(), st.none(), sf_ints, floats, text, atoms, st.just(b"\xff\x00"))
list_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(map_keys, inner, max_size=3)
    ),
    max_leaves=6,
)


def values(depth: int) -> st.SearchStrategy[Any]:
    base = st.one_of(
        text,
        st.just(""),
        st.booleans(),
        st.none(),
        sf_ints,
        floats,
        atoms,
        st.lists(list_values, max_size=3),
        st.dictionaries(map_keys, list_values, max_size=3),
    )
    if depth <= 0:
        return base
    return st.one_of(base, st.builds(Resolve, steps_lists(depth - 1)))


def kvs(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(keys, values(depth), max_size=2)


def requests(depth: int) -> st.SearchStrategy[Any]:
    keyed = st.builds(
        lambda k, kv: {"path": k, **kv}, text.filter(lambda k: k != "path"), kvs(depth)
    )
    options = [
        keyed,
        ids,
        st.builds(As, text, keyed),
        st.builds(As, text, kvs(depth)),
        st.builds(lambda d, i, kv: As(d, {"path": i, **kv}), text, ids, kvs(depth)),
    ]
    if depth > 0:
        options.append(st.builds(Resolve, steps_lists(depth - 1)))
    return st.one_of(*options)


@st.composite
def _steps(draw: st.DrawFn, depth: int) -> list[Any]:
    kind = draw(st.sampled_from(["empty", "device", "keys", "request"]))
    rest = draw(st.lists(requests(depth), max_size=3))
    if kind == "empty":
        base: Any = {}
    elif kind == "device":
        base = {"device": draw(text), **draw(kvs(depth))}
    elif kind == "keys":
        base = draw(kvs(depth))
    else:
        first = draw(requests(depth))
        if isinstance(first, As) and "path" not in first.message:
            first = As(first.device, {"path": draw(ids), **first.message})
        if isinstance(first, dict):
            first = As("d@1.0", first)
        base = first
    if kind in ("empty", "keys") and rest and not isinstance(rest[0], dict):
        rest = [{"path": "x"}, *rest]
    return [base, *rest]


def steps_lists(depth: int) -> st.SearchStrategy[list[Any]]:
    return _steps(depth)


def _written(steps: list[Any]) -> str:
    try:
        return to_path(steps)
    except PathError as exc:
        assume("exceeds" not in str(exc))
        raise


@settings(max_examples=150, deadline=None)
@given(steps_lists(2))
def test_to_path_round_trips(steps: list[Any]) -> None:
    text_path = _written(steps)
    try:
        parsed = parse_path(text_path)
    except PathError as exc:
        assume("exceeds" not in str(exc))  # generated values can outgrow 512-byte segments
        raise
    assert same(parsed, steps), text_path
    assert to_path(parsed) == text_path


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(keys, values(1), max_size=3), st.lists(text, min_size=1, max_size=3))
def test_base_keys_travel_in_the_query(extra: dict[str, Any], names: list[str]) -> None:
    steps: list[Any] = [{}, *({"path": n} for n in names)]
    plain = parse_path(to_path(steps))
    with_globals = parse_path(to_path([{**extra}, *steps[1:]]))
    assert same(with_globals[0], extra)
    assert same(plain[1:], steps[1:])


# -- fuzz ---------------------------------------------------------------------------------------

path_pieces = st.sampled_from(
    [*'/&~+ =()"\\?%.,;:abcAZ019é', "%2", "%41", "%2F", "+integer", "+list", PID[:8], PID]
)
grammar_text = st.lists(path_pieces, max_size=25).map("".join)
fuzz_paths = st.one_of(st.text(max_size=60), grammar_text)
fuzz_maps = st.dictionaries(grammar_text, grammar_text, max_size=3)


@settings(max_examples=500, deadline=None)
@given(fuzz_paths, fuzz_maps, fuzz_maps)
def test_fuzz_parse_raises_only_malformed_errors(
    path: str, query: dict[str, str], headers: dict[str, str]
) -> None:
    error: MalformedError | None = None
    try:
        steps = parse_path(path, query=query, headers=headers)
    except MalformedError as exc:  # PathError, or StructuredFieldError from typed values
        error = exc
    if error is not None:
        assert error.status == 400
        assert str(error)
        return
    assert steps
    assert isinstance(steps[0], dict | str | As | Resolve)
    # Whatever parses can be written back, unless it holds values a path cannot carry.
    try:
        again = parse_path(to_path(steps))
    except PathError:
        return
    assert same(again, steps)
