"""Bad input gets a 4xx with a clear body and the server keeps serving; a bounded load
test on loopback loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import aiohttp
from http_helpers import PING, fetch, message_item, spawn_item

from ao_kernel.core.b64 import b64u_encode
from ao_kernel.node.http import MAX_BODY


def _alive(url: str) -> bool:
    return fetch(url + "/~meta@1.0/info/address")[0] == 200


def _error(status_body: tuple[int, dict[str, str], bytes]) -> tuple[int, str]:
    status, _, body = status_body
    return status, json.loads(body)["error"]


def test_malformed_and_unsigned_data_items(served, node, dev_wallet):
    status, msg = _error(fetch(served.url + "/", method="POST", body=b"\x01\x00garbage"))
    assert status == 400 and msg  # what was wrong with the bytes
    status, msg = _error(fetch(served.url + "/", method="POST", body=b""))
    assert status == 400 and "signed data item" in msg
    _, item = spawn_item(dev_wallet, node.address)
    tampered = bytearray(item)
    tampered[10] ^= 0xFF  # inside the signature
    status, msg = _error(fetch(served.url + "/", method="POST", body=bytes(tampered)))
    assert status == 400 and "does not verify" in msg
    tampered = bytearray(item)
    tampered[-3] ^= 0x01  # inside the data: the signature no longer covers it
    assert fetch(served.url + "/", method="POST", body=bytes(tampered))[0] == 400
    assert node.processes == []
    assert _alive(served.url)


def test_oversized_body_is_refused(served):
    status, msg = _error(fetch(served.url + "/", method="POST", body=b"x" * (MAX_BODY + 1)))
    assert status == 413 and "exceeds the limit" in msg
    status, _, _ = fetch(served.url + "/~meta@1.0/info", method="POST",
                         body=b"x" * (MAX_BODY + 1))
    assert status == 413
    assert _alive(served.url)


def test_unknown_processes_messages_and_routes(served, node, dev_wallet):
    ghost = b64u_encode(bytes(range(32)))  # a well-formed ID nobody has
    _, item = message_item(dev_wallet, ghost, "Ping")
    status, msg = _error(fetch(served.url + "/", method="POST", body=item))
    assert status == 404 and ghost in msg
    assert _error(fetch(f"{served.url}/result/{ghost}?process-id={ghost}"))[0] == 404
    assert _error(fetch(f"{served.url}/results/{ghost}"))[0] == 404
    assert _error(fetch(f"{served.url}/result/{ghost}"))[0] == 400  # process-id missing
    status, msg = _error(fetch(f"{served.url}/result/not-an-id?process-id={ghost}"))
    assert status == 400 and "43-character" in msg
    assert _error(fetch(f"{served.url}/dry-run?process-id={ghost}", method="POST",
                        body=b"{}"))[0] == 404
    assert _error(fetch(f"{served.url}/dry-run", method="POST", body=b"{}"))[0] == 400
    assert _error(fetch(f"{served.url}/processes/{ghost}"))[0] == 404
    assert _error(fetch(f"{served.url}/graphql", method="POST", body=b"{nope"))[0] == 400
    assert _error(fetch(f"{served.url}/result/a/b/c"))[0] == 404
    # a spawn naming another scheduler is refused, not registered
    _, other = spawn_item(dev_wallet, "_GQ33BkPtZrqxA84vM8Zk-N2aO0toNNu_C-l-rawrBA")
    status, msg = _error(fetch(served.url + "/", method="POST", body=other))
    assert status == 400 and "scheduler" in msg
    assert node.processes == []
    assert _alive(served.url)


def test_garbage_http_does_not_stop_the_server(served):
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        assert b" 400 Bad Request" in sock.recv(100)
    assert _alive(served.url)


def test_load_nothing_acknowledged_is_lost(node, dev_wallet):
    """2,000 concurrent requests (loopback, at most 60 s): 200 signed MU posts, 800
    unsigned schedule posts (on a node whose operator allows them: signing 800 requests
    would measure RSA, not the server) and 1,000 reads. Every acknowledged message is in
    the schedule exactly once, slots are gapless, and the reads all answered 200."""
    proc = node.spawn(lua=PING)
    items = [message_item(dev_wallet, proc.id, "Count", anchor=f"{i:032d}")
             for i in range(200)]
    served = node.serve(port=0, allow_unsigned=True)
    url = served.url

    async def run() -> tuple[list[str], list[int], list[int]]:
        acked: list[str] = []
        slots: list[int] = []
        reads: list[int] = []
        conn = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=conn) as session:
            async def mu(item: bytes) -> None:
                async with session.post(url + "/", data=item) as r:
                    if r.status == 202:
                        acked.append((await r.json())["id"])

            async def sched(i: int) -> None:
                async with session.post(f"{url}/{proc.id}~process@1.0/schedule",
                                        headers={"action": "Count", "n": str(i)}) as r:
                    if r.status == 200:
                        slots.append(int(r.headers["slot"]))

            async def read() -> None:
                async with session.get(url + "/~meta@1.0/info") as r:
                    await r.read()
                    reads.append(r.status)

            jobs = [mu(b) for _, b in items] + [sched(i) for i in range(800)] + \
                [read() for _ in range(1000)]
            await asyncio.wait_for(asyncio.gather(*jobs), timeout=60)
        return acked, slots, reads

    t0 = time.monotonic()
    try:
        acked, slots, reads = asyncio.run(run())
    finally:
        served.stop()
    elapsed = time.monotonic() - t0
    assert reads == [200] * 1000
    assert len(acked) == 200 and len(slots) == 800
    assert len(set(slots)) == 800
    schedule = proc.schedule
    assert [a["slot"] for a in schedule] == list(range(1001))  # gapless, nothing extra
    from ao_kernel.core.ids import message_id

    scheduled = {message_id(a["body"], "all") for a in schedule[1:]}
    assert set(acked) <= scheduled
    assert proc.verify()
    assert elapsed < 60
