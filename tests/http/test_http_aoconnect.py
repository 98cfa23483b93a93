"""Real clients as judges: unmodified @permaweb/aoconnect (legacy mode) against our node.

Every data item here is built and signed by aoconnect's ``createDataItemSigner``
(arbundles) with a dev wallet; the node verifies it, schedules it, computes it, and
the client reads the results back through the CU/SU routes. What the client sees must
agree with what the notebook API sees, and the other way round.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
from http_helpers import AOS_CLI_MODULE, PING

pytestmark = pytest.mark.node


def _spawn(judge, **tags):
    tag_list = [{"name": k, "value": v} for k, v in {"Name": "judge", **tags}.items()]
    tag_list.append({"name": "On-Boot", "value": "Data"})
    return judge("spawn", module=AOS_CLI_MODULE, tags=tag_list, data=PING)


def test_spawn_message_result_round_trip(judge, served, node, dev_wallet):
    pid = _spawn(judge)
    # the process the client spawned is a process of the node, owned by the signer
    assert pid in [p.id for p in node.processes]
    proc = node.process(pid)
    assert proc.definition.text("module") == AOS_CLI_MODULE
    assert proc.definition.text("sdk") == "aoconnect"
    assert node.computer.live(pid).owner == dev_wallet.address

    mid = judge("message", process=pid, tags=[{"name": "Action", "value": "Ping"}], data="hi")
    assert len(mid) == 43
    res = judge("result", process=pid, message=mid)
    assert "Error" not in res
    [reply] = res["Messages"]
    assert reply["Data"] == "pong hi"
    assert {"name": "Reference", "value": "1"} in reply["Tags"]
    assert reply["Target"] == dev_wallet.address  # m.reply goes back to the signer

    # the notebook API sees the same message at slot 1, with the signer's ID
    assert proc.slot == 1
    assert proc.result(1).message_id == mid
    assert proc.result(1).messages[0]["Data"] == "pong hi"


def test_notebook_messages_are_visible_to_the_client(judge, node):
    pid = _spawn(judge)
    proc = node.process(pid)
    sent = proc.send(action="Count", data="")  # from Python: slot 1
    assert sent.slot == 1
    page = judge("results", process=pid, query={"sort": "ASC", "limit": 10})
    assert len(page["edges"]) == 2  # boot + the Python message
    counts = [e["node"]["Messages"][0]["Data"] for e in page["edges"] if e["node"]["Messages"]]
    assert counts == ["1"]
    res = judge("result", process=pid, message=sent.message_id)
    assert res["Messages"][0]["Data"] == "1"


def test_results_cursor_format_and_paging(judge, node):
    pid = _spawn(judge)
    ids = [judge("message", process=pid, tags=[{"name": "Action", "value": "Count"}])
           for _ in range(3)]
    page = judge("results", process=pid, query={"limit": 2})
    assert len(page["edges"]) == 2  # aoconnect hands back the edges (pageInfo: see legacy tests)
    cursor = json.loads(base64.b64decode(page["edges"][-1]["cursor"]))
    assert set(cursor) == {"timestamp", "ordinate", "cron", "sort"}
    assert cursor["ordinate"] == "1" and cursor["sort"] == "ASC"
    assert isinstance(cursor["timestamp"], int)
    rest = judge("results", process=pid, query={"from": page["edges"][-1]["cursor"],
                                                "limit": 10})
    assert [e["node"]["Messages"][0]["Data"] for e in rest["edges"]] == ["2", "3"]
    newest = judge("results", process=pid, query={"sort": "DESC", "limit": 1})
    assert newest["edges"][0]["node"]["Messages"][0]["Data"] == "3"
    assert json.loads(base64.b64decode(newest["edges"][0]["cursor"]))["sort"] == "DESC"
    assert node.process(pid).slot == len(ids)


def test_dryrun_reads_state_without_scheduling(judge, node, dev_wallet):
    pid = _spawn(judge)
    judge("message", process=pid, tags=[{"name": "Action", "value": "Count"}])
    before = node.process(pid).slot
    res = judge("dryrun", process=pid, tags=[{"name": "Action", "value": "Count"}])
    assert res["Messages"][0]["Data"] == "2"  # computed on the current state...
    assert node.process(pid).slot == before  # ...but nothing was scheduled
    again = judge("dryrun", process=pid, tags=[{"name": "Action", "value": "Count"}])
    assert again["Messages"][0]["Data"] == "2"  # and nothing was kept


def test_monitor_ticks_cron_until_unmonitored(judge, node):
    pid = _spawn(judge, **{"Cron-Interval": "1-second", "Cron-Tag-Action": "Count"})
    mon = judge("monitor", process=pid)
    assert len(mon) == 43  # the id of the signed monitor data item
    deadline = time.monotonic() + 15
    while node.process(pid).slot < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert node.process(pid).slot >= 2, "no cron tick within 15 s"
    judge("unmonitor", process=pid)
    time.sleep(1.5)
    stopped_at = node.process(pid).slot
    time.sleep(2.0)
    assert node.process(pid).slot == stopped_at
    # the ticks ran the Count handler: each one is a computed slot with a reply
    counts = [node.process(pid).result(s).messages for s in range(1, stopped_at + 1)]
    assert all(len(m) == 1 for m in counts)


def test_aoconnect_round_trips(judge):
    pid = _spawn(judge)
    out = judge("roundtrips", process=pid, n=10, tags=[{"name": "Action", "value": "Ping"}])
    assert out["outputs"] == [1] * 10


def test_dryrun_token_balance_of_a_target_tag(judge, node, dev_wallet):
    """The query every token UI makes: aoconnect's dryrun of the token blueprint's
    Balance with a Target tag answers the balance of that account, not the caller's."""
    from ao_kernel.runtimes.aos import blueprint

    pid = _spawn(judge)
    loaded = judge("message", process=pid, tags=[{"name": "Action", "value": "Eval"}],
                   data=blueprint("token"))
    assert "Error" not in judge("result", process=pid, message=loaded)
    mine = judge("dryrun", process=pid, tags=[{"name": "Action", "value": "Balance"}])
    assert mine["Messages"][0]["Data"] == "0"  # the caller holds nothing
    res = judge("dryrun", process=pid, tags=[{"name": "Action", "value": "Balance"},
                                            {"name": "Target", "value": pid}])
    [reply] = res["Messages"]
    assert reply["Data"] == str(10000 * 10 ** 12)  # the process's own balance
    assert {"name": "Balance", "value": str(10000 * 10 ** 12)} in reply["Tags"]
