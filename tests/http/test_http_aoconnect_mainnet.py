"""Unmodified @permaweb/aoconnect in mainnet mode (tests/http/npm/judge-mainnet.mjs), the
mode the aos CLI uses by default, against a served node: spawn by ``POST /push``,
``message`` answering the slot, ``result`` of that slot, ``results`` (the CLI's live feed).
Runs wherever Node.js and npm are (CI included); tests/http/test_aos_cli.py drives the
CLI itself when it is built."""

from __future__ import annotations

import os

import pytest
from http_helpers import AOS_CLI_MODULE, WALLETS, Judge


@pytest.fixture
def mainnet(judges, served) -> Judge:
    env = {**os.environ, **served.env(), "HB_URL": served.url,
           "WALLET": str(WALLETS / "dev-2.json")}
    return Judge(judges, env, "judge-mainnet.mjs")


def test_spawn_message_result_results(mainnet, node, dev_wallet):
    pid = mainnet("spawn", module=AOS_CLI_MODULE, tags=[{"name": "Name", "value": "mm"}])
    assert node.has_process(pid) and node.definition(pid).text("Name") == "mm"
    assert node.definition(pid).text("Scheduler") == node.address
    handler = "Handlers.add('ping', 'Ping', function(m) m.reply({ Data = 'pong:' .. m.Data }) end)"
    slot = mainnet("message", process=pid, tags=[{"name": "Action", "value": "Eval"}],
                   data=handler)
    assert int(slot) == 1
    slot = mainnet("message", process=pid, tags=[{"name": "Action", "value": "Eval"}],
                   data="return 6 * 7")
    assert int(slot) == 2
    res = mainnet("result", process=pid, slot=slot)
    assert res["Output"]["data"] == "42" and res["Messages"] == [] and "Error" not in res
    slot = mainnet("message", process=pid, tags=[{"name": "Action", "value": "Ping"}],
                   data="hi")
    res = mainnet("result", process=pid, slot=slot)
    assert [(m["Target"], m["Data"]) for m in res["Messages"]] == [
        (dev_wallet.address, "pong:hi")]
    earlier = mainnet("result", process=pid, slot=2)  # a slot's result, not the latest
    assert earlier["Output"]["data"] == "42"
    feed = mainnet("results", process=pid)
    assert feed["edges"][0]["cursor"] == str(node.current_slot(pid)) == "3"
    assert node.process(pid).result(3).messages[0]["Data"] == "pong:hi"
