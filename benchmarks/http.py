"""HTTP throughput over loopback, beside the in-process baseline.

Printed in one run:

* raw in-process resolves/s of ``/~meta@1.0/info/address`` (the baseline: no HTTP);
* HTTP resolves/s of the same path over loopback: sequential (one keep-alive
  connection) and with 32 concurrent clients (aiohttp);
* signed MU posts/s: ANS-104 data items signed in advance by a dev wallet, posted
  (``POST /``) by 16 concurrent clients; each is verified, scheduled (SQLite), computed
  and pushed before its 202;
* aoconnect ``message`` + ``result`` round trips/s, sequential, from the real client
  (only if ``tests/http/npm/node_modules`` is installed: ``tests/http/npm/setup.sh``).

    .venv/bin/python benchmarks/http.py [--count 2000] [--posts 300]
"""

from __future__ import annotations

import sys

# This file is named http.py: drop its own folder from the path so that the standard
# library's ``http`` (which aiohttp imports) is not shadowed when run as a script.
if sys.path and sys.path[0] and __file__.startswith(sys.path[0]):
    sys.path.pop(0)

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

import ao_kernel as ao
from ao_kernel.core import ans104_codec
from ao_kernel.core.message import Message
from ao_kernel.node.wallet import Wallet

ROOT = Path(__file__).resolve().parent.parent
NPM = ROOT / "tests" / "http" / "npm"
WALLET = ROOT / "ao_kernel" / "testing" / "wallets" / "dev-2.json"
PATH = "/~meta@1.0/info/address"
PING = "Handlers.add('ping', 'Ping', function(m) m.reply({Data = 'pong'}) end)"


async def http_rate(url: str, n: int, concurrency: int) -> float:
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def worker(k: int) -> None:
            for _ in range(k):
                async with session.get(url + PATH) as r:
                    await r.read()
                    assert r.status == 200

        await worker(10)  # warm up
        start = time.perf_counter()
        share = n // concurrency
        await asyncio.gather(*(worker(share) for _ in range(concurrency)))
        return share * concurrency / (time.perf_counter() - start)


async def post_rate(url: str, items: list[bytes], concurrency: int) -> float:
    conn = aiohttp.TCPConnector(limit=concurrency)
    queue = list(items)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def worker() -> None:
            while queue:
                item = queue.pop()
                async with session.post(url + "/", data=item) as r:
                    await r.read()
                    assert r.status == 202, r.status

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--roundtrips", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = ao.Node(store=f"sqlite:{Path(tmp) / 'bench.db'}")
        handle = node.serve(port=0)
        try:
            for _ in range(200):
                node.resolve(PATH)
            start = time.perf_counter()
            for _ in range(args.count):
                node.resolve(PATH)
            raw = args.count / (time.perf_counter() - start)
            print(f"in-process resolves/s (baseline)   {raw:10.0f}")
            seq = asyncio.run(http_rate(handle.url, args.count // 2, 1))
            print(f"HTTP resolves/s, 1 connection       {seq:10.0f}")
            par = asyncio.run(http_rate(handle.url, args.count, 32))
            print(f"HTTP resolves/s, 32 clients         {par:10.0f}")

            wallet = Wallet.load(WALLET)
            proc = node.spawn(lua=PING, name="bench")
            items = []
            for i in range(args.posts):
                msg = Message({"Action": "Ping", "Data-Protocol": "ao", "Variant": "ao.TN.1",
                               "Type": "Message"}).with_(target=proc.id, data=str(i),
                                                         anchor=f"{i:032d}")
                items.append(ans104_codec.encode(ans104_codec.commit(msg, wallet.signer)))
            posts = asyncio.run(post_rate(handle.url, items, 16))
            print(f"signed MU posts/s (16 clients)      {posts:10.0f}   "
                  f"(verify + schedule + compute + push each)")
            assert proc.slot == args.posts

            if (NPM / "node_modules" / "@permaweb" / "aoconnect").is_dir():
                env = {**os.environ, **handle.env(), "WALLET": str(WALLET)}
                out = subprocess.run(
                    ["node", str(NPM / "judge.mjs"), "roundtrips", json.dumps({
                        "process": proc.id, "n": args.roundtrips,
                        "tags": [{"name": "Action", "value": "Ping"}]})],
                    env=env, capture_output=True, text=True, timeout=600, check=True)
                value = json.loads(out.stdout.strip().splitlines()[-1])["value"]
                rate = value["n"] / value["seconds"]
                print(f"aoconnect message+result trips/s    {rate:10.1f}   "
                      f"(sequential; includes signing in Node.js)")
            else:
                print("aoconnect round trips: skipped (run tests/http/npm/setup.sh)",
                      file=sys.stderr)
        finally:
            handle.stop()
            node.close()


if __name__ == "__main__":
    main()
