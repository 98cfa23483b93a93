"""A real HyperBEAM as the judge (edge a7227787, 2025-09-04, Erlang/OTP 27).

Built by ``../shared/tools/hyperbeam/setup.sh`` from bare git copies of its repositories
(see that folder's README); CI cannot build it, so without a built node every test here
skips and says why. Each module run starts one node on a free loopback port with
``force_signed_requests`` on (HyperBEAM then verifies the signature of every request it
gets and refuses the request when one fails), and stops it at the end.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import ao_kernel as ao
from ao_kernel.core.commitments import commit, committers, verify
from ao_kernel.core.errors import RemoteError
from ao_kernel.core.message import Message
from ao_kernel.node.remote import HTTPClient
from ao_kernel.node.wallet import Wallet

REPO = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("HYPERBEAM_TOOLS", REPO.parent / "shared" / "tools" / "hyperbeam"))
CACHE = Path(os.environ.get("HB_CACHE", Path.home() / ".cache" / "hyperbeam"))
COMMIT = "a7227787a2ce6d65b4ff16f5266890d9a2cb720a"
PORT_LINE = '  "port": $PORT,'


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hyperbeam() -> Iterator[str]:
    reason = _absent_reason()
    if reason:
        pytest.skip(reason)
    script = (TOOLS / "start.sh").read_text()
    if PORT_LINE not in script:
        pytest.skip(f"{TOOLS}/start.sh has changed: no {PORT_LINE!r} line to extend")
    forced = script.replace(PORT_LINE, PORT_LINE + '\n  "force_signed_requests": true,')
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="hb-judge-") as tmp:
        (Path(tmp) / "start.sh").write_text(forced)
        started = subprocess.run(["bash", str(Path(tmp) / "start.sh"), str(port),
                                  str(Path(tmp) / "run")],
                                 capture_output=True, text=True, timeout=120, check=False)
        if started.returncode != 0:
            pytest.fail(f"HyperBEAM did not start: {started.stderr[-2000:]}")
        pid = int(started.stdout.split()[-1])
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            os.kill(pid, 15)


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


def test_spawn_a_lua_process_there(hyperbeam: str) -> None:
    """ao.connect(url).spawn() reaches HyperBEAM's scheduler: the signed process message is
    accepted and scheduled at slot 0 under our ID. Computing it stops at
    ``GET /<pid>~process@1.0/compute``: a process without an execution device runs on
    ``genesis-wasm@1.0``, which forwards to a legacy compute unit on localhost:6363 that
    this build does not run (docs/protocol.md)."""
    node = ao.connect(hyperbeam)
    lua = 'Handlers.add("ping", "Ping", function(m) m.reply({Data = "pong"}) end)'
    stopped = ""
    try:
        proc = node.spawn(lua=lua, name="judge")
    except RemoteError as exc:
        stopped = str(exc)
    if stopped:
        assert "~process@1.0/compute&slot=0" in stopped and "500" in stopped, stopped
        pytest.xfail("HyperBEAM schedules the process but cannot compute it: "
                     "genesis-wasm@1.0 needs a compute unit on localhost:6363")
    res = proc.send(action="Ping")  # a HyperBEAM that computes it: the process answers
    assert res.messages and res.messages[0]["Data"] == "pong"
