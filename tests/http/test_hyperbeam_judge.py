"""A real HyperBEAM as the judge (edge a7227787, 2025-09-04, Erlang/OTP 27).

Built by ``../shared/tools/hyperbeam/setup.sh`` from bare git copies of its repositories
(see that folder's README); CI cannot build it, so without a built node every test here
skips and says why. Each module run starts one node on a free loopback port with
``force_signed_requests`` on (HyperBEAM then verifies the signature of every request it
gets and refuses the request when one fails), and stops it at the end.

A process HyperBEAM computes runs on ``genesis-wasm@1.0``, which relays each slot to a
legacy compute unit (``POST /result/<slot>?process-id=``). The node is configured to
relay to a free loopback port (``genesis_wasm_port`` and the ``/result``, ``/snapshot``,
``/dry-run`` routes), where the spawn test starts the CU that HyperBEAM's Makefile builds
(permaweb/ao feat/http-checkpoint, ``UNIT_MODE=hbu``; ``tools/ao-cu/setup-genesis-wasm.sh``)
with HyperBEAM as its scheduler and ``ao-node serve`` as its gateway for the aos module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_helpers import WALLETS, env_lines, free_port, stop_process, wait_http

import ao_kernel as ao
from ao_kernel.core.commitments import commit, committers, verify
from ao_kernel.core.ids import message_id
from ao_kernel.core.message import Message
from ao_kernel.node.remote import HTTPClient
from ao_kernel.node.wallet import Wallet

REPO = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("HYPERBEAM_TOOLS", REPO.parent / "shared" / "tools" / "hyperbeam"))
CACHE = Path(os.environ.get("HB_CACHE", Path.home() / ".cache" / "hyperbeam"))
COMMIT = "a7227787a2ce6d65b4ff16f5266890d9a2cb720a"
PORT_LINE = '  "port": $PORT,'
GENESIS = Path(os.environ.get("AO_CU_GENESIS_CACHE", Path.home() / ".cache" / "ao-cu-genesis"))
GENESIS_COMMIT = "385230aa3f7975b53fdb3ea89ca22d0456a3ac2d"  # feat/http-checkpoint, 2025-09-04


def _absent_reason() -> str | None:
    if not (TOOLS / "start.sh").is_file():
        return f"no HyperBEAM tools at {TOOLS} (set HYPERBEAM_TOOLS)"
    if not (CACHE / "otp/usr/lib/erlang/bin/erl").exists() or \
            not (CACHE / "lib/hb/ebin/.built").exists():
        return (f"HyperBEAM is not built under {CACHE}: run {TOOLS}/setup.sh (bare git copies "
                "of its repositories + OTP 27 debs, see its README); CI cannot build it")
    ref = (CACHE / "lib/hb/.ref").read_text().strip() if (CACHE / "lib/hb/.ref").exists() else ""
    if ref != COMMIT:
        return f"the HyperBEAM built under {CACHE} is {ref or 'unknown'}, not {COMMIT}"
    return None


def _genesis_absent_reason() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is needed to run genesis-wasm's compute unit"
    start = GENESIS / "start.sh"
    if not start.exists():
        return (f"genesis-wasm's compute unit is not built ({start} is absent): run "
                "MIRROR=<folder with permaweb+ao/repo> tools/ao-cu/setup-genesis-wasm.sh")
    commit_file = GENESIS / "cu" / ".commit"
    built = commit_file.read_text().strip() if commit_file.exists() else "unknown"
    if built != GENESIS_COMMIT:
        return f"the compute unit under {GENESIS} is {built}, not {GENESIS_COMMIT}"
    return None


@pytest.fixture(scope="module")
def cu_port() -> int:
    """The loopback port HyperBEAM's genesis-wasm@1.0 relays to (6363 upstream)."""
    return free_port()


def _relay_config(cu: str) -> str:
    """config.json lines: genesis-wasm's status check and its relays go to ``cu``."""
    routes = ", ".join(f'{{"template": "{t}", "node": {{"prefix": "{cu}"}}}}'
                       for t in ("/result/.*", "/snapshot/.*", "/dry-run.*"))
    port = cu.rsplit(":", 1)[1]
    return f'\n  "genesis_wasm_port": {port},\n  "routes": [{routes}],'


@pytest.fixture(scope="module")
def hyperbeam(cu_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _absent_reason()
    if reason:
        pytest.skip(reason)
    script = (TOOLS / "start.sh").read_text()
    if PORT_LINE not in script:
        pytest.skip(f"{TOOLS}/start.sh has changed: no {PORT_LINE!r} line to extend")
    forced = script.replace(PORT_LINE, PORT_LINE + '\n  "force_signed_requests": true,'
                            + _relay_config(f"http://127.0.0.1:{cu_port}"))
    port = free_port()
    tmp = tmp_path_factory.mktemp("hyperbeam")  # its node.log stays with pytest's temp dirs
    (tmp / "start.sh").write_text(forced)
    started = subprocess.run(["bash", str(tmp / "start.sh"), str(port), str(tmp / "run")],
                             capture_output=True, text=True, timeout=120, check=False)
    if started.returncode != 0:
        pytest.fail(f"HyperBEAM did not start: {started.stderr[-2000:]}")
    pid = int(started.stdout.split()[-1])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(pid, 15)


@pytest.fixture(scope="module")
def genesis_cu(hyperbeam: str, cu_port: int,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """genesis-wasm's compute unit on ``cu_port``, scheduled by ``hyperbeam``: started
    here with the environment dev_genesis_wasm.erl gives it (``UNIT_MODE=hbu``,
    ``HB_URL``, ``PORT``, ``DB_URL``, ``WALLET_FILE``). Its gateway (module records and
    the aos wasm, which upstream come from arweave.net) is an ``ao-node serve`` here."""
    reason = _genesis_absent_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("genesis-cu")
    node_log, cu_log = tmp / "node.err", tmp / "cu.log"
    gateway = subprocess.Popen(
        [sys.executable, "-m", "ao_kernel.node.cli", "serve", "--port", "0",
         "--store", "memory"],
        stdout=subprocess.PIPE, stderr=node_log.open("w"), text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    cu: subprocess.Popen[bytes] | None = None
    try:
        url = env_lines(gateway)["GATEWAY_URL"]
        wait_http(url + "/", gateway, node_log, "ao-node serve")
        for sub in ("mem", "ckpt", "wasm"):
            (tmp / sub).mkdir()
        cu = subprocess.Popen(["bash", str(GENESIS / "start.sh")], env={
            **os.environ, "UNIT_MODE": "hbu", "HB_URL": hyperbeam, "PORT": str(cu_port),
            "GATEWAY_URL": url, "GRAPHQL_URL": f"{url}/graphql", "ARWEAVE_URL": url,
            "GRAPHQL_URLS": f"{url}/graphql", "CHECKPOINT_GRAPHQL_URL": f"{url}/graphql",
            "WALLET_FILE": str(WALLETS / "dev-3.json"), "DB_URL": str(tmp / "cu-db"),
            "PROCESS_MEMORY_CACHE_FILE_DIR": str(tmp / "mem"),
            "PROCESS_MEMORY_FILE_CHECKPOINTS_DIR": str(tmp / "ckpt"),
            "WASM_BINARY_FILE_DIRECTORY": str(tmp / "wasm"),
            "WASM_EVALUATION_MAX_WORKERS": "1", "DEFAULT_LOG_LEVEL": "info",
            "NODE_CONFIG_ENV": "development"},
            stdout=cu_log.open("wb"), stderr=subprocess.STDOUT)
        cu_url = f"http://127.0.0.1:{cu_port}"
        wait_http(cu_url + "/", cu, cu_log, "genesis-wasm's compute unit")
        yield cu_url
    finally:
        if cu is not None:
            stop_process(cu)
        stop_process(gateway)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return bytes(resp.read())


def test_connect_reads_the_address_and_verifies_the_signed_info(hyperbeam: str) -> None:
    node = ao.connect(hyperbeam)
    address = _get(hyperbeam + "/~meta@1.0/info/address").decode()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", address)
    assert node.address == address
    info = node.info()
    keyids = sorted(c.text("keyid") or "" for c in info.commitments.values()  # type: ignore[union-attr]
                    )
    assert keyids[0] == "constant:ao" and keyids[1].startswith("publickey:")
    assert verify(info)  # its RSA and HMAC commitments, with today's keyid schemes
    assert committers(info) == [address]


def test_resolve_reads_text_and_typed_keys(hyperbeam: str) -> None:
    node = ao.connect(hyperbeam)
    assert node.resolve("/~message@1.0&hello=world/hello") == "world"
    assert node.resolve('/~message@1.0&greeting="Hello"&count+integer=42/count') == 42
    assert node.resolve("/~meta@1.0/info/port") == int(hyperbeam.rsplit(":", 1)[1])


def _send_signed(url: str, msg: Message, wallet: Wallet) -> tuple[int, bytes]:
    client = HTTPClient(url, wallet=wallet, sign=False)
    resp = client.request("POST", str(msg["path"]), message=msg, check=False)
    return resp.status, resp.body


def test_hyperbeam_accepts_what_we_sign_and_refuses_it_tampered(hyperbeam: str) -> None:
    wallet = Wallet.generate()
    signed = commit(Message({"hello": "world", "n": 7, "path": "/hello"}), wallet.rsa_signer)
    assert _send_signed(hyperbeam, signed, wallet) == (200, b"world")
    tampered = signed.with_(hello="other")
    status, _ = _send_signed(hyperbeam, tampered, wallet)
    assert status >= 400  # invalid_commitments: HyperBEAM checked the signature


def test_a_signed_request_of_32_keys_is_accepted(hyperbeam: str) -> None:
    wallet = Wallet.generate()
    keys = {f"k{i}": f"v{i}" for i in range(1, 32)} | {"path": "/k7"}
    signed = commit(Message(keys), wallet.rsa_signer)
    assert _send_signed(hyperbeam, signed, wallet) == (200, b"v7")


def test_over_32_keys_verify_on_both_sides(hyperbeam: str) -> None:
    """Above 32 components HyperBEAM rebuilds the base in Erlang's HAMT order; we sign in
    OTP 27's order (ao_kernel.core.erlmap), so it accepts ours; and its answer to a
    request of that size, signed by it, verifies here in its own order."""
    wallet = Wallet.generate()
    for n in (33, 40, 64):
        keys = {f"k{i}": f"v{i}" for i in range(1, n)} | {"path": "/k7"}
        signed = commit(Message(keys), wallet.rsa_signer)
        assert _send_signed(hyperbeam, signed, wallet) == (200, b"v7"), n
    node = ao.connect(hyperbeam)
    info = node.info()  # ~40 keys, signed by the node
    assert len(info) > 32 and verify(info)


def test_spawn_a_lua_process_there(hyperbeam: str, genesis_cu: str) -> None:
    """ao.connect(url).spawn() reaches HyperBEAM's scheduler, and HyperBEAM computes the
    aos process: each slot goes through genesis-wasm@1.0 to the compute unit, which reads
    the schedule back from HyperBEAM. The process's state carries over from slot to slot,
    its replies come back as aos wrote them, and the results agree with our own node's."""
    node = ao.connect(hyperbeam)
    lua = ('Handlers.add("ping", "Ping", function(m) m.reply({Data = "pong " .. m.Data}) end)\n'
           'Handlers.add("count", "Count", function(m) Count = (Count or 0) + 1 '
           'm.reply({Data = tostring(Count)}) end)')
    proc = node.spawn(lua=lua, name="judge")
    assert proc.boot.error is None
    ping = proc.send(action="Ping", data="hi")
    assert ping.slot == 1 and len(ping.messages) == 1
    reply = ping.messages[0]
    assert reply["Data"] == "pong hi" and reply["Target"] == node.wallet.address
    assert {"name": "Reference", "value": "1"} in reply["Tags"]
    counts = [proc.send(action="Count").messages[0]["Data"] for _ in range(2)]
    assert counts == ["1", "2"]  # Count lives on in the CU between HyperBEAM's calls
    assert proc.eval("return Count * 21").output == "42"
    assert proc.eval("error('boom')").error
    assert proc.slot == 5
    # slot 1 again: HyperBEAM keeps the compute unit's answer in the state it computed
    kept = node.resolve(f"/{proc.id}~process@1.0/compute&slot=1/results/json/body")
    assert json.loads(kept)["Messages"][0]["Data"] == "pong hi"
    assert proc.result(1).messages[0]["Data"] == "pong hi"
    # its schedule, read through the links HyperBEAM answers: our messages, in order
    schedule = node.schedule_of(proc.id)
    assert [int(a["slot"]) for a in schedule] == list(range(6))
    assert message_id(schedule[0]["body"], "all") == proc.id
    assert message_id(schedule[1]["body"], "all") == ping.message_id
    assert all(verify(a["body"]) for a in schedule)  # our signatures, as HyperBEAM kept them
    # and its own: each assignment's signature and HMAC (over the committed keys, not the
    # status HyperBEAM adds to its answers), the hash chain from slot to slot
    report = proc.verify()
    assert report.ok and report.checked == 6 and report.signed_through == -1, str(report)
    # the same process on our own node gives the same answers
    local = ao.Node().spawn(lua=lua, name="judge")
    assert local.send(action="Ping", data="hi").messages[0]["Data"] == "pong hi"
    assert [local.send(action="Count").messages[0]["Data"] for _ in range(2)] == counts
    assert local.eval("return Count * 21").output == "42"
