"""HyperBEAM's HTTP API over loopback: paths, codecs, signatures, status codes, CORS."""

from __future__ import annotations

import json

import pytest
from http_helpers import PING, fetch

from ao_kernel.core import codecs, commitments
from ao_kernel.core.message import Message
from ao_kernel.node.http import Exchange


def test_meta_info_and_literal_address(served, node):
    status, headers, body = fetch(served.url + "/~meta@1.0/info")
    assert status == 200
    assert headers["address"] == node.address
    assert headers["device"] == "meta@1.0"
    assert headers["ao-types"] == 'port="integer"'
    info = codecs.decode({**headers, "body": body}, "httpsig@1.0")
    assert info["port"] == 8734 and info["operator"] == node.address
    status, headers, body = fetch(served.url + "/~meta@1.0/info/address")
    assert (status, headers["ao-result"], body) == (200, "body", node.address.encode())


def test_message_device_typed_keys(served):
    status, headers, body = fetch(served.url + '/~message@1.0&greeting="Hello"&count+integer=42/count')
    assert (status, body, headers["ao-types"]) == (200, b"42", 'body="integer"')
    status, _, body = fetch(served.url + "/~message@1.0/greeting?greeting=hi")
    assert (status, body) == (200, b"hi")


def test_process_paths(served, node):
    proc = node.spawn(lua=PING, name="pinger")
    proc.send(action="Ping", data="one")
    base = f"{served.url}/{proc.id}~process@1.0"
    assert fetch(base + "/slot/current")[2] == b"1"
    status, _, body = fetch(base + "/compute&slot=1/results/outbox/1/data")
    assert (status, body) == (200, b"pong one")
    status, headers, _ = fetch(base + "/now", headers={"accept": "application/json"})
    assert headers["content-type"] == "application/json"
    state = codecs.decode(fetch(base + "/now", headers={"accept-codec": "json@1.0"})[2],
                          "json@1.0")
    assert state["at-slot"] == 1 and state["process"] == proc.id
    assert state["results"]["outbox"]["1"]["data"] == "pong one"
    assert state["hashpath"] == proc.result(1).hashpath
    sched = codecs.decode(fetch(base + "/schedule?from=0&to=1", headers={
        "accept": "application/json"})[2], "json@1.0")
    assert sorted(sched["assignments"]) == ["0", "1"]
    assert sched["assignments"]["1"]["process"] == proc.id


def signed_request(wallet, fields: dict) -> tuple[dict[str, str], bytes]:
    """Headers and body of an httpsig@1.0 request carrying ``fields``, signed by ``wallet``."""
    form = codecs.encode(commitments.commit(Message(fields), wallet.rsa_signer), "httpsig@1.0")
    headers = {k: v.decode() for k, v in form.items() if k != "body"}
    return headers, form.get("body", b"")


def test_push_and_schedule_over_http_show_up_in_python(served, node, dev_wallet):
    proc = node.spawn(lua=PING)
    headers, body = signed_request(dev_wallet, {"action": "Ping", "data": "two"})
    status, headers, body = fetch(f"{served.url}/{proc.id}~process@1.0/push",
                                  method="POST", headers=headers, body=body)
    assert status == 200, body
    assert headers["slot"] == "1"
    assert proc.slot == 1 and proc.result(1).messages[0]["Data"] == "pong two"
    headers, body = signed_request(dev_wallet, {"action": "Count"})
    status, headers, _ = fetch(f"{served.url}/{proc.id}~process@1.0/schedule",
                               method="POST", headers=headers, body=body)
    assert status == 200 and headers["slot"] == "2"
    assert proc.slot == 2 and proc.result(2).messages[0]["Data"] == "1"


def test_ans104_accept_codec(served, node):
    status, headers, body = fetch(served.url + "/~meta@1.0/build",
                                  headers={"accept": "application/ans104"})
    assert status == 200 and headers["codec-device"] == "ans104@1.0"
    decoded = codecs.decode(body, "ans104@1.0")
    assert decoded["node"] == "ao-kernel"


def test_signed_request_verified_and_tampering_refused(served, dev_wallet):
    signed = commitments.commit(Message({"greeting": "hello"}), dev_wallet.rsa_signer)
    form = codecs.encode(signed, "httpsig@1.0")
    headers = {k: v.decode() for k, v in form.items() if k != "body"}
    status, _, body = fetch(served.url + "/~message@1.0/greeting", headers=headers)
    assert (status, body) == (200, b"hello")
    status, _, body = fetch(served.url + "/~message@1.0/greeting",
                            headers={**headers, "greeting": "HELLO"})
    assert status == 400
    assert b"signature" in body


def test_status_codes_and_error_bodies(served, node):
    status, headers, body = fetch(served.url + "/~nope@1.0/x")
    assert status == 404 and headers["error-type"] == "DeviceNotFoundError"
    assert b"unknown device 'nope@1.0'" in body
    pid = "A" * 43
    status, _, body = fetch(f"{served.url}/{pid}~process@1.0/now")
    assert status == 404
    status, _, body = fetch(served.url + "/~message@1.0/x(((")
    assert status == 400 and b"unbalanced" in body
    status, _, body = fetch(served.url + "/~meta@1.0/info/nothing-here",
                            headers={"accept": "application/json"})
    assert status == 404 and codecs.decode(body, "json@1.0")["status"] == 404


def test_cors_on_every_answer(served):
    status, headers, _ = fetch(served.url + "/~meta@1.0/info", method="OPTIONS",
                               headers={"access-control-request-headers": "x-one, x-two"})
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET, POST, PUT, DELETE, OPTIONS"
    assert headers["access-control-expose-headers"] == "*"
    assert headers["access-control-allow-headers"] == "x-one, x-two"
    for path in ("/~meta@1.0/info", "/~nope@1.0/x", "/timestamp"):
        assert fetch(served.url + path)[1]["access-control-allow-origin"] == "*"


def test_request_and_response_hooks(served):
    seen: list[str] = []

    def deny_secret(ex: Exchange) -> None:
        seen.append(ex.path)
        if "secret" in ex.path:
            from ao_kernel.core.errors import PaymentError

            raise PaymentError("Insufficient funds")

    def stamp(ex: Exchange) -> None:
        if ex.result is not None and ex.result.ok and isinstance(ex.result.value, Message):
            from ao_kernel.core.resolver import ok

            ex.result = ok(ex.result.value.with_(hooked="yes"))

    served.request_hooks.append(deny_secret)
    served.response_hooks.append(stamp)
    assert fetch(served.url + "/~message@1.0&secret=1/secret")[0] == 402
    status, headers, _ = fetch(served.url + "/~meta@1.0/build")
    assert status == 200 and headers["hooked"] == "yes"
    assert seen == ["/~message@1.0&secret=1/secret", "/~meta@1.0/build"]


def test_force_signed_results(node):
    handle = node.serve(port=0, force_signed=True)
    try:
        status, headers, body = fetch(handle.url + "/~meta@1.0/build")
        assert status == 200 and "signature" in headers
        msg = codecs.decode({**headers, "body": body}, "httpsig@1.0")
        assert commitments.verify(msg)
        assert node.address in commitments.committers(msg)
    finally:
        handle.stop()


@pytest.mark.parametrize("path", ["/", "/timestamp"])
def test_unit_info_routes(served, node, path):
    status, headers, body = fetch(served.url + path)
    assert status == 200 and headers["content-type"] == "application/json"
    assert "timestamp" in json.loads(body)
