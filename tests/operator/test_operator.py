"""Operating a node: meta@1.0 configuration, devices offered, p4 payments, metering,
a ledger that is an AO process. Real signatures, real HTTP on loopback."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import ao_kernel as ao
from ao_kernel.core import commitments
from ao_kernel.core.errors import DeviceNotFoundError, PaymentError, SignatureError
from ao_kernel.devices.process_ledger import ledger_balance, spawn_ledger
from ao_kernel.node.remote import HTTPClient

PING = 'Handlers.add("Ping", "Ping", function(m) m.reply({ Data = "pong" }) end)'
LOOP = '''Handlers.add("Work", "Work", function(m)
  local n, x = tonumber(m.Data), 0
  for i = 1, n do x = x + i end
  m.reply({ Data = tostring(x) })
end)'''


@pytest.fixture(scope="module")
def users() -> list[ao.Wallet]:
    return [ao.Wallet.generate() for _ in range(3)]


def _signed(path: str, wallet: ao.Wallet, **keys: str) -> ao.Message:
    return commitments.commit(ao.Message({"path": path, **keys}), wallet.rsa_signer)


# -- configuration ----------------------------------------------------------------------------


def test_config_file_is_flat_and_coerced(tmp_path: Path) -> None:
    cfg = tmp_path / "node.flat"
    cfg.write_text("# my node\nport: 9001\nsimple-pay-price: 3\ninitialized: true\n"
                   "name: my node\non/request/device: p4@1.0\n")
    node = ao.Node(config_file=cfg, config={"metered-block": "500"})
    info = node.resolve("/~meta@1.0/info")
    assert info["port"] == 9001 and info["simple-pay-price"] == 3
    assert info["metered-block"] == 500 and info["initialized"] is True
    assert info["name"] == "my node"
    assert info["on"]["request"]["device"] == "p4@1.0"
    assert node.resolve("/~meta@1.0/info/port") == 9001
    hw = node.resolve("/~meta@1.0/info/hardware")
    assert hw["cpus"] >= 1 and hw["memory"] > 0 and hw["platform"]
    assert node.resolve("/~meta@1.0/build")["node"] == "ao-kernel"
    with pytest.raises(ao.AOError, match="integer"):
        ao.Node(config={"port": "many"})


def test_info_hides_private_keys_over_http() -> None:
    node = ao.Node(config={"priv-secret": "hunter2", "public-note": "hi"})
    with node.serve(port=0) as srv, HTTPClient(srv.url, sign=False) as http:
        resp = http.request("GET", "/~meta@1.0/info", accept="json@1.0")
        doc = json.loads(resp.body)
        assert doc["public-note"] == "hi" and doc["address"] == node.address
        assert not any(k.startswith("priv") for k in doc)
        assert b"hunter2" not in resp.body


def test_config_changes_need_the_operators_signature(users: list[ao.Wallet]) -> None:
    node = ao.Node()
    with node.serve(port=0) as srv:
        # unsigned: refused
        with HTTPClient(srv.url, sign=False) as anon:
            resp = anon.request("POST", "/~meta@1.0/info", check=False,
                                headers={"port": "1"})
            assert resp.status == 400
        # signed, by someone else: refused
        with HTTPClient(srv.url, wallet=users[0]) as other:
            resp = other.request("POST", "/~meta@1.0/info", check=False,
                                 message=ao.Message({"path": "/~meta@1.0/info",
                                                     "port": "2"}))
            assert resp.status == 400 and b"Unauthorized" in resp.body
        assert node.state.get("port") == 8734 and node.history == []
        # signed by the operator: accepted, coerced, recorded
        with HTTPClient(srv.url, wallet=node.wallet) as op:
            resp = op.request("POST", "/~meta@1.0/info",
                              message=ao.Message({"path": "/~meta@1.0/info", "port": "4321"}))
            assert resp.status == 200
    assert node.state.get("port") == 4321 and len(node.history) == 1
    # a forged signature (operator's commitment copied onto other keys) is refused
    signed = commitments.commit(ao.Message({"port": "5"}), node.wallet.rsa_signer)
    forged = ao.Message({**signed, "port": "6"})
    from ao_kernel.core.resolver import resolve

    res = resolve(ao.Message({"device": "meta@1.0"}),
                  forged.with_(path="info", method="POST"), node.opts())
    assert not res.ok and isinstance(res.value, SignatureError)
    node.configure(port=7)
    assert node.state.get("port") == 7 and len(node.history) == 2


def test_devices_offered_and_refused() -> None:
    node = ao.Node(config={"devices": "message@1.0, meta@1.0, scheduler@1.0"})
    assert node.resolve("/~meta@1.0/info/devices") == (
        "message@1.0", "meta@1.0", "scheduler@1.0")
    with pytest.raises(DeviceNotFoundError) as err:
        node.resolve("/~lua@5.3a/info")
    assert err.value.status == 404
    with node.serve(port=0, lua_device=True) as srv, HTTPClient(srv.url, sign=False) as http:
        assert http.request("GET", "/~lua@5.3a/info", check=False).status == 404
        assert http.request("GET", "/~meta@1.0/build", check=False).status == 200


# -- payments --------------------------------------------------------------------------------


def test_request_without_funds_gets_402_and_changes_nothing(users: list[ao.Wallet]) -> None:
    node = ao.Node()
    proc = node.spawn(lua=PING)
    node.enable_payments("simple-pay@1.0")
    poor = users[0]
    with node.serve(port=0) as srv, HTTPClient(srv.url, wallet=poor) as http:
        msg = node.message(proc.id, action="Ping", data="hi")
        resp = http.request("POST", f"/{proc.id}~process@1.0/push", check=False,
                            message=msg, accept="json@1.0")
        assert resp.status == 402
        doc = json.loads(resp.body)
        assert int(doc["price"]) == 1 and int(doc["balance"]) == 0
        assert "Insufficient funds" in doc["body"]
    assert proc.slot == 0  # nothing was scheduled
    assert node.balance(poor.address) == 0 and node.receipts == []


def test_charges_add_up_exactly(users: list[ao.Wallet]) -> None:
    node = ao.Node(config={"simple-pay-price": 2})
    proc = node.spawn(lua=PING)
    node.enable_payments()
    payer = users[1]
    assert node.topup(payer.address, 11) == 11
    from ao_kernel.devices.p4 import call

    with pytest.raises(SignatureError):  # only the operator tops up
        call("simple-pay@1.0", "topup", node.opts(caller=payer.address),
             recipient=payer.address, amount=5)
    assert node.balance(payer.address) == 11
    statuses = []
    with node.serve(port=0) as srv, HTTPClient(srv.url, wallet=payer) as http:
        for i in range(7):
            msg = node.message(proc.id, action="Ping", data=str(i))
            statuses.append(http.request("POST", f"/{proc.id}~process@1.0/push",
                                         message=msg, check=False).status)
        # the balance route is free, and answers the caller's balance
        free = http.request("GET", "/~p4@1.0/balance", check=False, accept="json@1.0")
        assert free.status == 200
    paid = [s for s in statuses if s == 200]
    price = 2 * 1  # simple-pay-price x one message resolved on the process
    assert len(paid) == 11 // price and statuses[len(paid):] == [402] * (7 - len(paid))
    assert sum(r["quantity"] for r in node.receipts) == price * len(paid)
    assert node.balance(payer.address) == 11 - price * len(paid)
    assert proc.slot == len(paid)  # every paid request ran, no refused one did
    # the operator pays nothing
    with node.serve(port=0) as srv, HTTPClient(srv.url, wallet=node.wallet) as http:
        msg = node.message(proc.id, action="Ping", data="op")
        assert http.request("POST", f"/{proc.id}~process@1.0/push", message=msg).status == 200
    assert sum(r["quantity"] for r in node.receipts) == price * len(paid)


def test_metered_pricing_charges_per_instruction_block(users: list[ao.Wallet]) -> None:
    node = ao.Node(config={"simple-pay-mode": "metered", "metered-block": 1000,
                           "metered-price": 1, "simple-pay-price": 1})
    proc = node.spawn(lua=LOOP)
    node.enable_payments()
    payer = users[2]
    node.topup(payer.address, 10_000)
    with node.serve(port=0) as srv, HTTPClient(srv.url, wallet=payer) as http:
        msg = node.message(proc.id, action="Work", data="2000")
        http.request("POST", f"/{proc.id}~process@1.0/push", message=msg)
    res = node.result(proc.id, 1)
    used = res.cost["instructions"]
    assert used > 2000 and res.cost["bytes"] > 0
    expected = 1 + -(-used // 1000)
    assert node.receipts[-1]["quantity"] == expected
    assert node.balance(payer.address) == 10_000 - expected
    # cost per slot is recorded for every slot, and deterministic across a replay
    table = node.costs(proc)
    assert [row["slot"] for row in table] == [0, 1]
    assert table[1]["instructions"] == used


def test_faff_allow_list(users: list[ao.Wallet]) -> None:
    friend, stranger = users[0], users[1]
    node = ao.Node(config={"faff-allow-list": friend.address,
                           "p4-non-chargeable-routes": "/~p4@1.0/balance"})
    node.enable_payments("faff@1.0")
    assert node.resolve(_signed("/~meta@1.0/build", friend))["node"] == "ao-kernel"
    with pytest.raises(PaymentError, match="will not service"):
        node.resolve(_signed("/~meta@1.0/build", stranger))
    with pytest.raises(PaymentError):
        node.resolve("/~meta@1.0/build")  # unsigned: unknown caller


# -- a ledger that is an AO process ----------------------------------------------------------


def test_ledger_process_and_node_agree_after_a_burst(users: list[ao.Wallet]) -> None:
    node = ao.Node()
    ledger = spawn_ledger(node)
    work = node.spawn(lua=PING)
    node.enable_payments("simple-pay@1.0", ledger="process-ledger@1.0")
    funds = {u.address: 5 + 3 * i for i, u in enumerate(users)}
    for addr, amount in funds.items():
        assert node.topup(addr, amount) == amount

    def burst(wallet: ao.Wallet) -> list[int]:
        out = []
        with HTTPClient(srv.url, wallet=wallet) as http:
            for i in range(8):
                msg = node.message(work.id, action="Ping", data=str(i))
                out.append(http.request("POST", f"/{work.id}~process@1.0/push",
                                        message=msg, check=False).status)
        return out

    with node.serve(port=0, workers=4) as srv, ThreadPoolExecutor(3) as pool:
        results = dict(zip([u.address for u in users], pool.map(burst, users), strict=True))
    for addr, statuses in results.items():
        paid = statuses.count(200)
        assert paid == min(8, funds[addr]) and statuses.count(402) == 8 - paid
        charged = sum(r["quantity"] for r in node.receipts if r["account"] == addr)
        assert charged == paid
        # the node (its ledger device) and the process's own state agree
        assert node.balance(addr) == funds[addr] - paid
        assert ledger_balance(node, ledger.id, addr) == funds[addr] - paid
        # and so does the token's Balance handler, asked by a message
        reply = ledger.send(action="Balance", tags={"Account": addr})
        assert reply.messages[0]["Balance"] == str(funds[addr] - paid)
    # the operator received every charge
    assert ledger_balance(node, ledger.id, node.address) == len(node.receipts)
    assert work.slot == len(node.receipts)
