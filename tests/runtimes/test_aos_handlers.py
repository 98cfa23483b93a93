"""Handlers: pattern kinds, pattern results, order, maxRuns, once, before/after, resolvers."""

import pytest
from aos_harness import AosHarness, plain


@pytest.fixture
def p():
    return AosHarness()


def names(p):
    return p.lua("local t = {} for i, h in ipairs(Handlers.list) do t[i] = h.name end return t")


def data(res):
    return plain(res["Output"]["data"])


def test_list_starts_with_eval_and_default(p):
    assert names(p) == ["_eval", "_default"]


def test_add_goes_after_default_and_prepend_before_eval(p):
    p.eval('Handlers.add("a", "A", function() end)')
    p.eval('Handlers.prepend("z", "Z", function() end)')
    assert names(p) == ["z", "_eval", "_default", "a"]


def test_add_returns_the_handler_count_and_eval_prints_it(p):
    assert data(p.eval('Handlers.add("a", "A", function() end)')) == "3"


def test_add_with_existing_name_replaces_in_place(p):
    p.eval('Handlers.add("a", "A", function() print("one") end)')
    p.eval('Handlers.add("b", "B", function() end)')
    p.eval('Handlers.add("a", "A", function() print("two") end)')
    assert names(p) == ["_eval", "_default", "a", "b"]
    assert data(p.send({"Action": "A"})) == "two"


def test_string_pattern_matches_action_exactly(p):
    p.eval('Handlers.add("ping", "Ping", function() print("pong") end)')
    assert data(p.send({"Action": "Ping"})) == "pong"
    assert data(p.send({"Action": "ping"})).startswith("New Message From")


def test_two_argument_add_uses_the_name_as_pattern(p):
    p.eval('Handlers.add("Hello", function() print("hi") end)')
    assert data(p.send({"Action": "Hello"})) == "hi"


def test_table_pattern_is_case_insensitive(p):
    p.eval('Handlers.add("t", {Action = "ping", Color = "RED"}, function() print("t") end)')
    assert data(p.send({"Action": "Ping", "Color": "red"})) == "t"
    assert data(p.send({"Action": "Ping"})).startswith("New Message")


def test_table_pattern_lua_classes_are_lowercased(p):
    # ^%D+$ becomes ^%d+$: digits match, letters do not (the 2025 builds' quirk).
    p.eval('Handlers.add("d", {Quantity = "^%D+$"}, function() print("digits") end)')
    assert data(p.send({"Quantity": "12345"})) == "digits"
    assert data(p.send({"Quantity": "abcde"})).startswith("New Message")


def test_wildcard_needs_the_key_and_empty_string_counts(p):
    p.eval('Handlers.add("w", {Recipient = "_"}, function() print("w") end)')
    assert data(p.send({"Recipient": ""})) == "w"
    assert data(p.send({"Action": "X"})).startswith("New Message")


def test_table_pattern_alternatives_and_function_values(p):
    p.eval('Handlers.add("or", {Action = {"A", "B"}}, function() print("ab") end)')
    p.eval(
        'Handlers.add("fn", {Quantity = function(v) return tonumber(v) > 10 end},'
        ' function() print("big") end)'
    )
    assert data(p.send({"Action": "B"})) == "ab"
    assert data(p.send({"Quantity": "11"})) == "big"
    assert data(p.send({"Quantity": "9"})).startswith("New Message")


def test_function_inside_table_pattern_is_called_for_root_and_tags(p):
    p.eval(
        'Calls = 0 Handlers.add("c", {Action = function() Calls = Calls + 1 return true end},'
        " function() end)"
    )
    p.send({"Action": "X"})
    assert p.lua("return Calls") == 2


@pytest.mark.parametrize(
    ("result", "runs_next", "inbox"),
    [
        ("true", False, False),
        ("-1", False, False),
        ('"break"', False, False),
        ("1", True, True),
        ('"continue"', True, True),
        ("false", False, True),
        ("0", False, True),
        ('"skip"', False, True),
        ('"other"', False, True),
    ],
)
def test_pattern_results(p, result, runs_next, inbox):
    p.eval(f'Handlers.add("first", function() return {result} end, function() print("first") end)')
    p.eval(
        'Handlers.add("second", function() return "continue" end, function() print("second") end)'
    )
    out = data(p.send({"Action": "Go"}))
    ran_first = result not in ("false", "0", '"skip"', '"other"')
    assert ("first" in out.split("\n")) is ran_first
    assert ("second" in out.split("\n")) is (runs_next or not ran_first)
    assert ("New Message From" in out) is inbox


def test_nil_pattern_result_is_an_error(p):
    p.eval('Handlers.add("broken", function() end, function() end)')
    res = p.send({"Action": "Any"})
    assert "Pattern result is not valid" in res["Error"]


def test_only_continue_handlers_still_go_to_inbox(p):
    p.eval('Handlers.add("c", Handlers.utils.continue({Action = "Go"}), function() print("c") end)')
    out = data(p.send({"Action": "Go"}))
    assert out.split("\n")[0] == "c"
    assert "New Message From" in out
    assert p.lua("return #Inbox") == 2


def test_max_runs_removes_the_handler(p):
    p.eval('Handlers.add("twice", "T", function() print("t") end, 2)')
    assert data(p.send({"Action": "T"})) == "t"
    assert data(p.send({"Action": "T"})) == "t"
    assert "twice" not in names(p)
    assert data(p.send({"Action": "T"})).startswith("New Message")


def test_once_is_prepended_and_auto_named(p):
    p.eval('Handlers.once("O", function() print("once") end)')
    assert names(p)[0] == "_once_0"  # the real module counts from 0 (handler_once_names)
    assert data(p.send({"Action": "O"})) == "once"
    assert names(p) == ["_eval", "_default"]


def test_before_and_after(p):
    p.eval('Handlers.add("a", "A", function() end); Handlers.add("c", "C", function() end)')
    p.eval('Handlers.before("c").add("b", "B", function() end)')
    p.eval('Handlers.after("c").add("d", "D", function() end)')
    p.eval('Handlers.after("missing").add("x", "X", function() end)')
    assert names(p) == ["_eval", "_default", "a", "b", "c", "d"]


def test_remove_and_eval_comes_back_at_the_end(p):
    p.eval('Handlers.add("a", "A", function() end)')
    p.eval('Handlers.remove("_eval")')
    assert names(p) == ["_default", "a"]
    assert data(p.eval("1 + 1")) == "2"  # the next message re-registers it, last
    assert names(p) == ["_default", "a", "_eval"]


def test_user_default_is_overwritten_each_message(p):
    p.eval('Handlers.add("_default", function() return true end, function() print("mine") end)')
    assert data(p.send({"Action": "X"})).startswith("New Message From")


def test_prepended_eval_handler_swallows_later_evals(p):
    p.eval('Handlers.prepend("grab", {Action = "Eval"}, function() print("grabbed") end)')
    assert data(p.eval("1 + 1")) == "grabbed"


def test_resolver_table_runs_the_first_matching_branch(p):
    p.eval(
        'Handlers.add("r", {Action = "R"}, {'
        ' [{Kind = "a"}] = function() print("A") end,'
        ' [{Kind = "b"}] = function() print("B") end })'
    )
    assert data(p.send({"Action": "R", "Kind": "b"})) == "B"


def test_handlers_utils(p):
    p.eval(
        'Handlers.add("t", Handlers.utils.hasMatchingTag("Action", "Tag"),'
        ' function() print("tag") end)'
    )
    p.eval(
        'Handlers.add("o", Handlers.utils.hasMatchingTagOf("Action", {"X1", "X2"}),'
        ' function() print("of") end)'
    )
    p.eval(
        'Handlers.add("d", Handlers.utils.hasMatchingData("hello"), function() print("data") end)'
    )
    p.eval('Handlers.add("r", "Hi", Handlers.utils.reply("there"))')
    assert data(p.send({"Action": "Tag"})) == "tag"
    assert data(p.send({"Action": "X2"})) == "of"
    assert data(p.send({"Data": "hello"})) == "data"
    msgs = p.send({"Action": "Hi", "From": "FRIEND"})["Messages"]
    assert msgs[0]["Target"] == "FRIEND"
    assert msgs[0]["Data"] == "there"


def test_invalid_add_arguments_report_a_readable_error(p):
    err = plain(p.eval('Handlers.add(42, "x", function() end)')["Error"])
    assert "Invalid arguments given. Expected: \n\tname : string" in err
