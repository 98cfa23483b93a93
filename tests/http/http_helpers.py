"""Helpers of the HTTP tests: constants and data items signed in Python."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import ao_kernel as ao
from ao_kernel.core import ans104_codec
from ao_kernel.core.message import Message
from ao_kernel.node.wallet import Wallet

NPM = Path(__file__).parent / "npm"
WALLETS = Path(ao.__file__).parent / "testing" / "wallets"
AOS_CLI_MODULE = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
PING = ("Handlers.add('ping', 'Ping', function(m) m.reply({Data = 'pong ' .. m.Data}) end)\n"
        "Handlers.add('count', 'Count', function(m) Count = (Count or 0) + 1 "
        "m.reply({Data = tostring(Count)}) end)")


def data_item(wallet: Wallet, fields: dict[str, Any], *, target: str | None = None,
              data: str = " ", anchor: str | None = None) -> tuple[str, bytes]:
    """(id, bytes) of a data item signed by ``wallet``, tags in the given order."""
    msg = Message(fields).with_(data=data)
    if target:
        msg = msg.with_(target=target)
    if anchor:
        msg = msg.with_(anchor=anchor)
    signed = ans104_codec.commit(msg, wallet.signer)
    item = ans104_codec.message_to_item(signed)
    return item.id, ans104_codec.encode(signed)


def spawn_item(wallet: Wallet, scheduler: str, lua: str = PING, **extra: str) -> tuple[str, bytes]:
    return data_item(wallet, {
        "Data-Protocol": "ao", "Variant": "ao.TN.1", "Type": "Process",
        "Module": AOS_CLI_MODULE, "Scheduler": scheduler, "On-Boot": "Data",
        "SDK": "python-test", **extra}, data=lua)


def message_item(wallet: Wallet, pid: str, action: str, data: str = " ",
                 anchor: str | None = None, **tags: str) -> tuple[str, bytes]:
    return data_item(wallet, {"Action": action, **tags, "Data-Protocol": "ao",
                              "Variant": "ao.TN.1", "Type": "Message"},
                     target=pid, data=data, anchor=anchor)




def fetch(url: str, method: str = "GET", *, headers: dict[str, str] | None = None,
          body: bytes | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """One HTTP exchange with the standard library: (status, lowercased headers, body)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path or "/", body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def graphql(url: str, query: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``transactions`` edges a node's ``/graphql`` answers (asserting a 200)."""
    status, _, body = fetch(f"{url}/graphql", "POST",
                            headers={"content-type": "application/json"},
                            body=json.dumps({"query": query, "variables": variables}).encode())
    assert status == 200, body[:500]
    edges: list[dict[str, Any]] = json.loads(body)["data"]["transactions"]["edges"]
    return edges


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_lines(proc: subprocess.Popen[str], n: int = 4) -> dict[str, str]:
    """The first ``n`` ``export KEY=value;`` lines ``ao-node serve`` prints, as a dict."""
    assert proc.stdout is not None
    env = {}
    for _ in range(n):
        line = proc.stdout.readline().strip()
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.rstrip(";").strip("'\"")
    return env


def wait_http(url: str, proc: subprocess.Popen[Any], log: Path, what: str,
              timeout: float = 90) -> None:
    """Wait until ``url`` answers; fail with the end of ``log`` when ``proc`` exits or the
    time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited ({proc.returncode}): "
                                 f"{log.read_text(errors='replace')[-3000:]}")
        try:
            fetch(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{what} did not answer at {url} within {timeout}s: "
                         f"{log.read_text(errors='replace')[-3000:]}")


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL after 20 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Judge:
    """Runs ``judge.mjs <op> <params>`` (or another script of the folder) against one
    served node."""

    def __init__(self, npm: Path, env: dict[str, str], script: str = "judge.mjs") -> None:
        self.npm = npm
        self.env = env
        self.script = script

    def __call__(self, op: str, **params: Any) -> Any:
        out = subprocess.run(
            ["node", str(self.npm / self.script), op, json.dumps(params)],
            env=self.env, capture_output=True, text=True, timeout=120, cwd=self.npm,
            check=False)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        assert lines, f"judge {op} printed nothing; stderr: {out.stderr[-2000:]}"
        reply = json.loads(lines[-1])
        if not reply["ok"]:
            raise AssertionError(f"aoconnect {op} failed: {reply['error']}")
        return reply["value"]
