"""The legacy MU/CU/SU/gateway routes with data items signed in Python (dev wallet)."""

from __future__ import annotations

import base64
import json

from http_helpers import AOS_CLI_MODULE, fetch, message_item, spawn_item


def post(url: str, item: bytes) -> tuple[int, dict]:
    status, _, body = fetch(url + "/", method="POST", body=item,
                            headers={"content-type": "application/octet-stream"})
    return status, json.loads(body)


def get_json(url: str) -> tuple[int, dict]:
    status, _, body = fetch(url)
    return status, json.loads(body)


def test_mu_spawn_message_and_cu_result(served, node, dev_wallet):
    pid, item = spawn_item(dev_wallet, node.address, Name="legacy")
    assert post(served.url, item) == (202, {"message": "Processing DataItem", "id": pid})
    mid, item = message_item(dev_wallet, pid, "Ping", data="hi")
    assert post(served.url, item) == (202, {"message": "Processing DataItem", "id": mid})
    status, res = get_json(f"{served.url}/result/{mid}?process-id={pid}")
    assert status == 200
    assert res["Messages"][0]["Data"] == "pong hi"
    assert node.process(pid).result(1).message_id == mid
    assert get_json(f"{served.url}/result/{pid}?process-id={pid}")[0] == 200  # the boot


def test_replayed_data_item_is_deduplicated(served, node, dev_wallet):
    pid, item = spawn_item(dev_wallet, node.address)
    post(served.url, item)
    mid, msg = message_item(dev_wallet, pid, "Count")
    first = post(served.url, msg)
    again = post(served.url, msg)
    assert first == (202, {"message": "Processing DataItem", "id": mid})
    assert again == (202, {"message": "Processing DataItem", "id": mid, "duplicate": True})
    assert node.process(pid).slot == 1  # scheduled once
    assert post(served.url, item)[1]["duplicate"] is True  # a process spawned twice: once


def test_results_page_info_and_cursor(served, node, dev_wallet):
    pid, item = spawn_item(dev_wallet, node.address)
    post(served.url, item)
    for i in range(3):
        post(served.url, message_item(dev_wallet, pid, "Count", anchor=f"{i:032d}")[1])
    status, page = get_json(f"{served.url}/results/{pid}?limit=3")
    assert status == 200 and page["pageInfo"] == {"hasNextPage": True}
    cursor = json.loads(base64.b64decode(page["edges"][2]["cursor"]))
    assert list(cursor) == ["timestamp", "ordinate", "cron", "sort"]  # as the CU's
    assert cursor["ordinate"] == "2"
    _, rest = get_json(f"{served.url}/results/{pid}?from={page['edges'][2]['cursor']}")
    assert rest["pageInfo"] == {"hasNextPage": False}
    assert [e["node"]["Messages"][0]["Data"] for e in rest["edges"]] == ["3"]
    ts = cursor["timestamp"]
    _, upto = get_json(f"{served.url}/results/{pid}?to={page['edges'][1]['cursor']}")
    assert len(upto["edges"]) == 2
    _, by_time = get_json(f"{served.url}/results/{pid}?from={ts - 10**9}&sort=DESC")
    assert [e["node"]["Messages"][0]["Data"] for e in by_time["edges"][:1]] == ["3"]


def test_su_routes(served, node, dev_wallet):
    pid, item = spawn_item(dev_wallet, node.address)
    post(served.url, item)
    mid, msg = message_item(dev_wallet, pid, "Ping", data="x")
    post(served.url, msg)
    status, page = get_json(f"{served.url}/{pid}?process-id={pid}")
    assert status == 200 and page["page_info"] == {"has_next_page": False}
    first, second = (e["node"] for e in page["edges"])
    assert first["message"]["id"] == pid
    assert first["message"]["owner"]["address"] == dev_wallet.address
    tags = {t["name"]: t["value"] for t in second["assignment"]["tags"]}
    assert tags["Nonce"] == "1" and tags["Message"] == mid and tags["Process"] == pid
    assert len(tags["Block-Height"]) == 12
    assert second["message"]["tags"][0] == {"name": "Action", "value": "Ping"}
    status, one = get_json(f"{served.url}/{mid}?process-id={pid}")
    assert status == 200 and one["message"]["id"] == mid and one["message"]["data"] == "x"
    _, proc = get_json(f"{served.url}/processes/{pid}")
    assert proc["process_id"] == pid and proc["block"] == "000000000000"
    assert {"name": "Module", "value": AOS_CLI_MODULE} in proc["tags"]
    _, ts = get_json(f"{served.url}/timestamp")
    assert ts["timestamp"].isdigit() and ts["block_height"] == "000000000000"
    status, state = get_json(f"{served.url}/state/{pid}")
    assert status == 200 and isinstance(state, dict)


def test_python_sends_are_found_by_the_legacy_routes(served, node):
    proc = node.spawn(lua="Handlers.add('c', 'Count', function(m) m.reply({Data='ok'}) end)")
    res = proc.send(action="Count")
    status, out = get_json(f"{served.url}/result/{res.message_id}?process-id={proc.id}")
    assert status == 200 and out["Messages"][0]["Data"] == "ok"


def test_dry_run_route(served, node):
    proc = node.spawn(lua="Handlers.add('c', 'Count', function(m) m.reply({Data=m.From}) end)")
    body = json.dumps({"Target": proc.id, "Owner": "someone", "Data": "1234",
                       "Tags": [{"name": "Action", "value": "Count"}]}).encode()
    status, _, raw = fetch(f"{served.url}/dry-run?process-id={proc.id}", method="POST",
                           body=body, headers={"content-type": "application/json"})
    assert status == 200
    assert json.loads(raw)["Messages"][0]["Data"] == "someone"
    assert proc.slot == 0


def test_graphql_module_and_process_lookups(served, node, dev_wallet):
    pid, item = spawn_item(dev_wallet, node.address, Name="findme")
    post(served.url, item)
    query = ("query GetTransactions ($transactionIds: [ID!]!) { transactions(ids: "
             "$transactionIds) { edges { node { owner { address } tags { name value } "
             "block { id height timestamp } } } } }")
    status, _, raw = fetch(served.url + "/graphql", method="POST", body=json.dumps({
        "query": query, "variables": {"transactionIds": [AOS_CLI_MODULE]}}).encode(),
        headers={"content-type": "application/json"})
    node_ = json.loads(raw)["data"]["transactions"]["edges"][0]["node"]
    tags = {t["name"]: t["value"] for t in node_["tags"]}
    assert status == 200 and tags["Type"] == "Module" and tags["Input-Encoding"] == "JSON-1"
    by_name = (f'query {{ transactions(first: 10, owners: ["{dev_wallet.address}"], tags: [{{name: "Type", '
               'values: ["Process"]}, {name: "Name", values: ["findme"]}]) '
               '{ edges { node { id tags { name value } } } } }')
    _, _, raw = fetch(served.url + "/graphql", method="POST",
                      body=json.dumps({"query": by_name}).encode())
    edges = json.loads(raw)["data"]["transactions"]["edges"]
    assert [e["node"]["id"] for e in edges] == [pid]


def test_su_cu_and_graphql_serve_tags_exactly_as_signed(served, node, dev_wallet):
    """Order, case, duplicates and a Target tag next to the target field: as signed, on
    every legacy face (the reference compute unit reads the SU's copy)."""
    from ao_kernel.core import ans104

    pid, item = spawn_item(dev_wallet, node.address)
    post(served.url, item)
    tags = (("Action", "Ping"), ("SDK", "aoconnect"), ("Target", AOS_CLI_MODULE),
            ("Zed", "1"), ("Zed", "2"), ("Alpha", "a"), ("Data-Protocol", "ao"),
            ("Variant", "ao.TN.1"), ("Type", "Message"))
    unsigned = ans104.DataItem(1, bytes(512), bytes(512), base64.urlsafe_b64decode(pid + "="),
                               b"", tags, b"hi")
    signed = ans104.sign(unsigned, dev_wallet.signer)
    status, _ = post(served.url, ans104.serialize(signed))
    assert status == 202
    want = [{"name": n, "value": v} for n, v in tags]
    _, su = get_json(f"{served.url}/{signed.id}?process-id={pid}")
    assert su["message"]["tags"] == want
    assert su["message"]["target"] == pid
    status, _, raw_page = fetch(f"{served.url}/{pid}?limit=10")
    assert status == 200, raw_page[:200]
    page = json.loads(raw_page)
    [edge] = [e for e in page["edges"] if e["node"]["message"]["id"] == signed.id]
    assert edge["node"]["message"]["tags"] == want
    query = ("query GetTransactions ($transactionIds: [ID!]!) { transactions(ids: "
             "$transactionIds) { edges { node { tags { name value } } } } }")
    _, _, raw = fetch(served.url + "/graphql", method="POST", body=json.dumps({
        "query": query, "variables": {"transactionIds": [signed.id]}}).encode(),
        headers={"content-type": "application/json"})
    [gql] = json.loads(raw)["data"]["transactions"]["edges"]
    assert gql["node"]["tags"] == want
    _, result = get_json(f"{served.url}/result/{signed.id}?process-id={pid}")
    assert result["Messages"][0]["Data"] == "pong hi"
