"""The aos CLI's HyperBEAM-mode calls, sent alike to a real HyperBEAM (the judge, built by
../shared/tools/hyperbeam/setup.sh; skips without it) and to this node: both must answer
the same. Compute is not compared (HyperBEAM's genesis-wasm needs a compute unit)."""

from __future__ import annotations

import json

from http_helpers import AOS_CLI_MODULE, WALLETS, data_item, fetch
from test_hyperbeam_judge import cu_port, hyperbeam  # noqa: F401  (the module-scoped judge)

from ao_kernel.node.wallet import Wallet

ANS104 = {"content-type": "application/ans104", "codec-device": "ans104@1.0"}
BASE = {"signing-format": "ans104", "accept-bundle": "true"}
AO = {"Data-Protocol": "ao", "Variant": "ao.N.1"}


def _cli_calls(url: str) -> dict[str, object]:
    """What the CLI's calls get from the node at ``url`` (IDs replaced by their roles)."""
    wallet = Wallet.load(WALLETS / "dev-2.json")
    address = fetch(url + "/~meta@1.0/info/address")[2].decode()
    seen: dict[str, object] = {}
    pid, item = data_item(wallet, {
        "device": "process@1.0", "scheduler-device": "scheduler@1.0",
        "push-device": "push@1.0", "execution-device": "genesis-wasm@1.0",
        "Authority": address, "Scheduler": address, "Module": AOS_CLI_MODULE,
        "App-Name": "aos", "Name": "judge", **BASE, "accept-codec": "httpsig@1.0", **AO,
        "Type": "Process"}, data="1984")
    status, headers, _ = fetch(url + "/push", "POST", headers=ANS104, body=item, timeout=60)
    seen["spawn"] = (status, headers.get("process") == pid, headers.get("slot"))
    _, ask = data_item(wallet, {**BASE, "accept-codec": "httpsig@1.0", **AO,
                                "Type": "Message"}, data="1984")
    for path in (f"/{pid}/slot/current", f"/{pid}~process@1.0/slot/current"):
        form = path.replace(pid, "P")
        status, _, body = fetch(url + path, "POST", headers=ANS104, body=ask, timeout=60)
        seen[f"POST {form}"] = (status, body)
        status, _, body = fetch(url + path, timeout=60)
        seen[f"GET {form}"] = (status, body)
    hello = "/~message@1.0&hello=world/hello"
    _, asks_json = data_item(wallet, {"require-codec": "application/json",
                                      "accept-codec": "httpsig@1.0", **AO, "Type": "Message"})
    status, headers, body = fetch(url + hello, "POST",
                                  headers={**ANS104, "accept": "application/ans104"},
                                  body=asks_json, timeout=60)
    seen["require-codec tag"] = (status, headers.get("content-type"),
                                 json.loads(body)["body"])
    for value in ("application/json", "application/nonsense"):
        status, headers, body = fetch(url + hello, headers={"require-codec": value},
                                      timeout=60)
        ctype = headers.get("content-type") or ""
        seen[f"require-codec: {value}"] = (
            status, ctype == "application/json",
            json.loads(body)["body"] if ctype == "application/json" else body)
    return seen


def test_the_cli_calls_get_hyperbeams_answers(hyperbeam: str, served) -> None:  # noqa: F811
    judge = _cli_calls(hyperbeam)
    ours = _cli_calls(served.url)
    assert judge["spawn"] == (200, True, "0")  # the judge itself, as the CLI reads it
    assert judge["require-codec: application/json"] == (200, True, "world")
    assert ours == judge
