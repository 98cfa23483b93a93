"""The module ABI: process.handle and handle(msgJSON, envJSON) give the real module's shapes.

Expected values come from the legacy brief section 4.6 (vectors recorded from the real
aos module), with the 2.0.6 differences from notes/aos-behaviours.md.
"""

import json
import re

import pytest
from aos_harness import MU, AosHarness, plain, to_lua


@pytest.fixture(params=["table", "json"])
def abi(request):
    return request.param


def test_boot_evaluates_on_boot_data_and_keeps_the_process_message(abi):
    p = AosHarness(name="vec", on_boot="Data", data='Booted = true print("booted")', abi=abi)
    res = p.spawn_result
    assert res["Messages"] == []
    assert res["Spawns"] == []
    assert res["Assignments"] == []
    assert res["Output"]["data"] == "booted"
    assert res["Output"]["print"] is True
    assert plain(res["Output"]["prompt"]) == "vec@aos-2.0.4[Inbox:1]> "
    assert p.lua("return Booted") is True


def test_eval_expression_output_has_data_prompt_and_test(abi):
    p = AosHarness(name="vec", abi=abi)
    out = p.eval("1 + 1")["Output"]
    assert out["data"] == "2"
    assert out["test"] == '{\n    [1] = "2"\n}'
    assert plain(out["prompt"]) == "vec@aos-2.0.4[Inbox:1]> "
    assert "print" not in out


def test_eval_runtime_error_shape(abi):
    p = AosHarness(abi=abi)
    res = p.eval('error("boom")')
    assert list(res) == ["Error"]
    assert re.fullmatch(
        r'\n\nerror:\n\[string "\.handlers"\]:\d+: \[string "aos"\]:1: boom', plain(res["Error"])
    )


def test_eval_from_a_stranger_lands_in_inbox(abi):
    p = AosHarness(abi=abi)
    res = p.eval("Owned = true", From="STRANGER")
    assert plain(res["Output"]["data"]) == "New Message From STR...GER: Action = Eval"
    assert p.lua("return Owned") is None
    assert p.lua("return #Inbox") == 2


def test_untrusted_message_is_refused_without_reply(abi):
    p = AosHarness(abi=abi)
    res = p.send({"Action": "Hi", "From": "SOMEPROC", "Owner": "BADMU"})
    assert res["Output"]["data"] == "Message is not trusted! From: SOMEPROC - Owner: BADMU"
    assert res["Messages"] == []
    assert p.lua("return #Inbox") == 1


def test_message_pushed_by_an_authority_is_trusted(abi):
    p = AosHarness(abi=abi)
    res = p.send({"Action": "Hi", "From": "SOMEPROC", "Owner": MU})
    assert plain(res["Output"]["data"]) == "New Message From SOM...ROC: Action = Hi"
    assert p.lua("return #Inbox") == 2


def test_outbox_shapes_of_send_spawn_assign(abi):
    p = AosHarness(abi=abi)
    res = p.eval(
        'Send({Target="T1", Action="Do", Data={a=1}}); '
        'Spawn("MOD2",{Data="x",Tags={Foo="Bar"}}); '
        'Assign({Processes={"P2"},Message="MSGID"})'
    )
    assert res["Messages"] == [
        {
            "Target": "T1",
            "Data": '{"a":1}',
            "Anchor": "0" * 31 + "1",
            "Tags": [
                {"name": "Data-Protocol", "value": "ao"},
                {"name": "Variant", "value": "ao.TN.1"},
                {"name": "Type", "value": "Message"},
                {"name": "Reference", "value": "1"},
                {"name": "Action", "value": "Do"},
                {"name": "Content-Type", "value": "application/json"},
            ],
        }
    ]
    assert res["Spawns"] == [
        {
            "Data": "x",
            "Anchor": "0" * 31 + "2",
            "Tags": [
                {"name": "Data-Protocol", "value": "ao"},
                {"name": "Variant", "value": "ao.TN.1"},
                {"name": "Type", "value": "Process"},
                {"name": "From-Process", "value": p.process_id},
                {"name": "From-Module", "value": p.module},
                {"name": "Module", "value": "MOD2"},
                {"name": "Reference", "value": "2"},
                {"name": "Foo", "value": "Bar"},
            ],
        }
    ]
    assert res["Assignments"] == [{"Processes": ["P2"], "Message": "MSGID"}]
    assert res["Output"]["data"] == "Assignment added to outbox."


def test_reference_counter_survives_messages_and_spawn_defaults(abi):
    p = AosHarness(abi=abi)
    p.eval('Send({Target="A"})')
    res = p.eval('Spawn({Tags={K="v"}})')
    spawn = res["Spawns"][0]
    assert spawn["Data"] == "NODATA"
    assert spawn["Anchor"] == "0" * 31 + "2"
    assert {"name": "Module", "value": p.module} in spawn["Tags"]


def test_reply_tags(abi):
    p = AosHarness(abi=abi)
    p.eval('Handlers.add("ping", "Ping", function(m) m.reply({Action="Pong"}) end)')
    res = p.send({"Action": "Ping", "From": "CALLER", "Reference": "7", "X-Origin": "ORIG"})
    assert res["Messages"] == [
        {
            "Target": "CALLER",
            "Anchor": "0" * 31 + "1",
            "Tags": [
                {"name": "Data-Protocol", "value": "ao"},
                {"name": "Variant", "value": "ao.TN.1"},
                {"name": "Type", "value": "Message"},
                {"name": "Reference", "value": "1"},
                {"name": "Action", "value": "Pong"},
                {"name": "X-Origin", "value": "ORIG"},
                {"name": "X-Reference", "value": "7"},
            ],
        }
    ]


def test_cron_message_goes_to_inbox(abi):
    p = AosHarness(abi=abi)
    msg = p.message({"Action": "Cron"})
    del msg["Id"]
    msg["Cron"] = True
    res = p.send_raw(msg)
    assert plain(res["Output"]["data"]).endswith(": Action = Cron")


def test_handler_error_shape(abi):
    p = AosHarness(abi=abi)
    p.eval('Handlers.add("bad", "Bad", function(m)\n  error("bad handler")\nend)')
    err = plain(p.send({"Action": "Bad"})["Error"])
    first, rest = err.split("\n", 1)
    assert first == "Error handling message with Action = Bad"
    assert re.match(
        r'\[string "\.handlers"\]:\d+: \[string "aos"\]:2: bad handler\n\n'
        r"stack traceback:\n",
        rest,
    )
    assert "in handler 'bad'" in rest
    assert err.endswith("\n\nerror:\n" + rest.split("\n")[0])


def test_json_abi_wraps_ok_and_response():
    p = AosHarness()
    env = json.dumps(p.env)
    out = json.loads(p.lua_json_handle(json.dumps(p.message({"Action": "Eval", "Data": "1"})), env))
    assert out["ok"] is True
    assert out["response"]["Output"]["data"] == "1"
    bad = p.message({"Content-Type": "application/json", "Data": "{not json"})
    bad["Data"] = "{not json"
    out = json.loads(p.lua_json_handle(json.dumps(bad), env))
    assert out["ok"] is False
    assert isinstance(out["response"], str)


def test_env_may_be_wrapped():
    p = AosHarness()
    res = p.lua_handle(
        to_lua(p.engine, p.message({"Action": "Eval", "Data": "2"})),
        to_lua(p.engine, {"env": p.env}),
    )
    assert res.Output.data == "2"
