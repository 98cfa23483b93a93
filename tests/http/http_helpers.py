"""Helpers of the HTTP tests: constants and data items signed in Python."""

from __future__ import annotations

import json
import subprocess
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
