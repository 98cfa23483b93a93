"""The routes aoconnect's mainnet mode (the aos CLI's default, HyperBEAM mode) calls, with
requests shaped as it sends them: every call a signed ans104 data item POSTed to the path,
its options (``require-codec``, ``accept-codec``, ``accept-bundle``) tags of the item.
The real CLI drives the same routes in tests/http/test_aos_cli.py (when it is built)."""

from __future__ import annotations

import json

from http_helpers import AOS_CLI_MODULE, data_item, fetch

ANS104 = {"content-type": "application/ans104", "codec-device": "ans104@1.0"}
BASE = {"signing-format": "ans104", "accept-bundle": "true"}
AO = {"Data-Protocol": "ao", "Variant": "ao.N.1"}


def _spawn(url, node, wallet, name="cli", scheduler=None):
    pid, item = _spawn_item(node, wallet, name, scheduler)
    return pid, fetch(url + "/push", "POST", headers=ANS104, body=item)


def _spawn_item(node, wallet, name="cli", scheduler=None):
    return data_item(wallet, {
        "device": "process@1.0", "scheduler-device": "scheduler@1.0",
        "push-device": "push@1.0", "execution-device": "genesis-wasm@1.0",
        "Authority": node.address, "Scheduler": scheduler or node.address,
        "Module": AOS_CLI_MODULE, "App-Name": "aos", "Name": name, **BASE,
        "accept-codec": "httpsig@1.0", **AO, "Type": "Process"}, data="1984")


def _push(url, pid, wallet, data, **tags):
    _, item = data_item(wallet, {**tags, **BASE, "require-codec": "application/json",
                                 **AO, "Type": "Message"}, target=pid, data=data)
    return fetch(f"{url}/{pid}~process@1.0/push", "POST", headers=ANS104, body=item)


def _post(url, path, wallet, pid=None, **codec):
    _, item = data_item(wallet, {**BASE, **codec, **AO, "Type": "Message"},
                        target=pid, data="1984")
    return fetch(url + path, "POST", headers=ANS104, body=item)


def test_post_push_with_a_process_item_spawns_it(served, node, dev_wallet):
    pid, item = _spawn_item(node, dev_wallet)
    status, headers, _ = fetch(served.url + "/push", "POST", headers=ANS104, body=item)
    assert status == 200
    assert headers["process"] == pid  # what aoconnect reads as the new process's ID
    assert headers["slot"] == "0"
    assert node.has_process(pid) and node.current_slot(pid) == 0
    assert node.definition(pid).text("Name") == "cli"
    # the same item again is the same process, not a second one
    again, headers2, _ = fetch(served.url + "/push", "POST", headers=ANS104, body=item)
    assert (again, headers2["process"]) == (200, pid)
    assert node.process_ids().count(pid) == 1


def test_spawn_naming_another_scheduler_is_refused_with_the_fix(served, node, dev_wallet):
    other = "n_XZJhUnmldNFo4dhajoPZWhBXuJk-OcQr5JQ49c4Zo"  # the aos CLI's default
    pid, (status, _, body) = _spawn(served.url, node, dev_wallet, scheduler=other)
    assert status == 400
    assert other in body.decode() and node.address in body.decode()
    assert "SCHEDULER" in body.decode()  # the fix: name this node
    assert not node.has_process(pid)


def test_push_with_require_codec_json_answers_the_slot(served, node, dev_wallet):
    pid, _ = _spawn(served.url, node, dev_wallet)
    status, headers, body = _push(served.url, pid, dev_wallet, "return 1 + 1", Action="Eval")
    assert status == 200 and headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert int(answer["slot"]) == 1 == node.current_slot(pid)
    assert answer["results"]["raw"]["Output"]["data"] == "2"
    # without require-codec the same route answers httpsig (multipart), as before
    _, item = data_item(dev_wallet, {"Action": "Eval", **AO, "Type": "Message"},
                        target=pid, data="return 3")
    status, headers, _ = fetch(f"{served.url}/{pid}~process@1.0/push", "POST",
                               headers=ANS104, body=item)
    assert status == 200 and headers["content-type"].startswith("multipart/form-data")


def test_require_codec_wins_over_accept_codec_and_accept(served, node, dev_wallet):
    """HyperBEAM's order: require-codec (the request message's) > accept-codec > accept."""
    _, item = data_item(dev_wallet, {"require-codec": "application/json",
                                     "accept-codec": "httpsig@1.0", **AO, "Type": "Message"})
    status, headers, body = fetch(served.url + "/~message@1.0&hello=world/hello", "POST",
                                  headers={**ANS104, "accept": "application/ans104"},
                                  body=item)
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body)["body"] == "world"
    # a header works too (unsigned GET), and an unknown codec falls back to httpsig
    status, headers, _ = fetch(served.url + "/~meta@1.0/info",
                               headers={"require-codec": "device/json@1.0"})
    assert headers["content-type"] == "application/json"
    status, headers, _ = fetch(served.url + "/~meta@1.0/info",
                               headers={"require-codec": "application/nonsense"})
    assert status == 200 and not headers["content-type"].startswith("application/json")


def test_compute_results_of_one_slot_answers_the_aos_result_as_raw(served, node, dev_wallet):
    pid, _ = _spawn(served.url, node, dev_wallet)
    _push(served.url, pid, dev_wallet, "Handlers.add('ping', 'Ping', function(m) "
          "m.reply({Data = 'pong'}) end)", Action="Eval")
    _push(served.url, pid, dev_wallet, "return 40 + 2", Action="Eval")
    _push(served.url, pid, dev_wallet, "error('boom')", Action="Eval")
    _push(served.url, pid, dev_wallet, "hi", Action="Ping")
    for method in ("POST", "GET"):
        for slot, check in ((2, "42"), (1, None)):
            path = f"/{pid}~process@1.0/compute/results={slot}"
            if method == "POST":
                status, headers, body = _post(served.url, path, dev_wallet, pid,
                                              **{"require-codec": "application/json"})
            else:
                status, headers, body = fetch(served.url + path,
                                              headers={"require-codec": "application/json"})
            assert status == 200 and headers["content-type"] == "application/json"
            raw = json.loads(body)["raw"]
            assert set(raw) >= {"Output", "Messages", "Spawns", "Assignments"}
            assert isinstance(raw["Messages"], list) and isinstance(raw["Spawns"], list)
            assert "prompt" in raw["Output"]
            if check is not None:  # THAT slot's result, not the latest
                assert raw["Output"]["data"] == check
    _, _, body = _post(served.url, f"/{pid}~process@1.0/compute/results=3", dev_wallet, pid,
                       **{"require-codec": "application/json"})
    assert "boom" in json.loads(body)["raw"]["Error"]
    _, _, body = _post(served.url, f"/{pid}/compute/results=4", dev_wallet, pid,
                       **{"require-codec": "application/json"})
    reply = json.loads(body)["raw"]["Messages"][0]
    assert reply["Data"] == "pong" and reply["Target"] == dev_wallet.address
    # a slot not yet scheduled is a 404
    status, _, _ = _post(served.url, f"/{pid}~process@1.0/compute/results=99", dev_wallet,
                         pid, **{"require-codec": "application/json"})
    assert status == 404


def test_slot_current_answers_the_slot_as_text(served, node, dev_wallet):
    pid, _ = _spawn(served.url, node, dev_wallet)
    _push(served.url, pid, dev_wallet, "return 1", Action="Eval")
    for path in (f"/{pid}/slot/current", f"/{pid}~process@1.0/slot/current",
                 f"/{pid}~scheduler@1.0/slot/current"):
        status, _, body = _post(served.url, path, dev_wallet, **{"accept-codec": "httpsig@1.0"})
        assert (status, body) == (200, b"1"), path
        status, _, body = fetch(served.url + path)
        assert (status, body) == (200, b"1"), path


def test_graphql_finds_modules_by_name(served, node):
    query = """query FindAoModuleByName($name: String!) {
      transactions(tags: [{ name: "Type", values: ["Module"] },
                          { name: "Data-Protocol", values: ["ao"] },
                          { name: "Name", values: [$name] }], sort: HEIGHT_DESC, first: 100) {
        edges { node { id tags { name value } block { timestamp } } } } }"""

    def find(name):
        status, _, body = fetch(served.url + "/graphql", "POST",
                                headers={"content-type": "application/json"},
                                body=json.dumps({"query": query,
                                                 "variables": {"name": name}}).encode())
        assert status == 200
        return json.loads(body)["data"]["transactions"]["edges"]

    edges = find("aos")
    assert [e["node"]["id"] for e in edges] == [AOS_CLI_MODULE]
    node_ = edges[0]["node"]
    assert {"name": "Name", "value": "aos"} in node_["tags"]
    assert isinstance(node_["block"]["timestamp"], int)
    assert [e["node"]["id"] for e in find("aos2_0_4_32")] == [
        "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g"]
    assert find("no-such-module") == []


def test_a_signed_json_answer_keeps_raw_as_signed(node, dev_wallet):
    """With --force-signed the answer is signed, so ``raw`` stays the JSON document it was
    signed as (and the answer verifies); unsigned answers write it as JSON."""
    from ao_kernel.core import codecs, commitments

    handle = node.serve(port=0, force_signed=True)
    try:
        pid, _ = _spawn(handle.url, node, dev_wallet)
        _push(handle.url, pid, dev_wallet, "return 7", Action="Eval")
        status, _, body = _post(handle.url, f"/{pid}~process@1.0/compute/results=1",
                                dev_wallet, pid, **{"require-codec": "application/json"})
        assert status == 200
        raw = json.loads(body)["raw"]
        assert raw["content-type"] == "application/json"
        assert json.loads(raw["body"])["Output"]["data"] == "7"
        assert commitments.verify(codecs.decode(body, "json@1.0"))
    finally:
        handle.stop()


def test_process_paths_without_the_device_on_a_process_spawned_elsewhere(served, node):
    """A process spawned from Python (or by the legacy MU) names no device; the paths
    aoconnect's mainnet mode asks without ``~process@1.0`` still reach process@1.0."""
    proc = node.spawn(name="py")
    proc.eval("return 5 * 5")
    assert "device" not in node.definition(proc.id)
    status, _, body = fetch(f"{served.url}/{proc.id}/slot/current")
    assert (status, body) == (200, b"1")
    status, _, body = fetch(f"{served.url}/{proc.id}/compute/results=1",
                            headers={"require-codec": "application/json"})
    assert status == 200 and json.loads(body)["raw"]["Output"]["data"] == "25"
    status, _, body = fetch(f"{served.url}/{proc.id}/Name")  # other keys: the message's
    assert (status, body) == (200, b"py")
