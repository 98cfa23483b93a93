"""The attacks of issue 19 against `ao-node serve` on loopback: nothing unsigned runs as
the node, browser pages cannot change state, caller-supplied Lua is off unless enabled and
never starves process routes, slow and deeply nested requests get clear answers."""

from __future__ import annotations

import random
import socket
import threading
import time

import pytest
from http_helpers import PING, fetch

from ao_kernel.core import codecs, commitments
from ao_kernel.core.message import Message

EVIL = "http://evil.example"


def _signed(wallet, fields: dict) -> tuple[dict[str, str], bytes]:
    form = codecs.encode(commitments.commit(Message(fields), wallet.rsa_signer), "httpsig@1.0")
    return {k: v.decode() for k, v in form.items() if k != "body"}, form.get("body", b"")


@pytest.fixture
def victim(node):
    return node.spawn(name="victim", lua=PING + "\nSecret = 'kept'")


@pytest.mark.parametrize("route", ["/{pid}~process@1.0/push?action=Eval",
                                   "/{pid}~process@1.0/schedule?action=Eval",
                                   "/~scheduler@1.0/schedule?target={pid}&action=Eval"])
def test_an_unsigned_message_is_not_scheduled_over_http(served, victim, route):
    status, _, body = fetch(served.url + route.format(pid=victim.id), method="POST",
                            headers={"content-type": "text/plain"}, body=b"Secret = 'owned'")
    assert status == 401, body
    assert b"signed" in body
    assert victim.slot == 0 and victim.state()["Secret"] == "kept"


def test_a_stranger_signs_and_is_not_the_owner(served, victim):
    from ao_kernel.node.wallet import Wallet

    headers, body = _signed(Wallet.generate(), {"action": "Eval", "data": "Secret = 'owned'"})
    status, _, answer = fetch(f"{served.url}/{victim.id}~process@1.0/push", method="POST",
                              headers=headers, body=body)
    assert status == 200, answer
    assert victim.slot == 1 and victim.state()["Secret"] == "kept"  # untrusted: not evaluated


def test_the_owner_signs_and_is_obeyed(served, node, victim):
    headers, body = _signed(node.wallet, {"action": "Eval", "data": "Secret = 'changed'"})
    status, _, answer = fetch(f"{served.url}/{victim.id}~process@1.0/push", method="POST",
                              headers=headers, body=body)
    assert status == 200, answer
    assert victim.state()["Secret"] == "changed"


def test_a_web_page_cannot_change_state(served, victim):
    # a CORS "simple request": no preflight, so the server itself must refuse it
    status, headers, body = fetch(f"{served.url}/{victim.id}~process@1.0/push?action=Ping",
                                  method="POST", headers={"origin": EVIL,
                                                          "content-type": "text/plain"},
                                  body=b"x")
    assert status == 403 and b"--allow-origin" in body
    assert "access-control-allow-origin" not in headers
    status, headers, _ = fetch(f"{served.url}/{victim.id}~process@1.0/push", method="OPTIONS",
                               headers={"origin": EVIL,
                                        "access-control-request-method": "POST"})
    assert status == 403 and "access-control-allow-origin" not in headers
    assert victim.slot == 0
    # reads stay open to every page
    status, headers, _ = fetch(served.url + "/~meta@1.0/info/address", headers={"origin": EVIL})
    assert status == 200 and headers["access-control-allow-origin"] == "*"


def test_an_allowed_origin_may_change_state(node, victim, dev_wallet):
    origin = "http://localhost:3000"
    with node.serve(port=0, allow_origins=[origin]) as srv:
        headers, body = _signed(dev_wallet, {"action": "Ping", "data": "hi"})
        status, answer_headers, _ = fetch(f"{srv.url}/{victim.id}~process@1.0/push",
                                          method="POST", headers={**headers, "origin": origin},
                                          body=body)
        assert status == 200
        assert answer_headers["access-control-allow-origin"] == origin
        status, answer_headers, _ = fetch(f"{srv.url}/{victim.id}~process@1.0/push",
                                          method="OPTIONS", headers={
                                              "origin": origin,
                                              "access-control-request-method": "POST"})
        assert status == 204 and answer_headers["access-control-allow-origin"] == origin
    assert victim.slot == 1


LUA = "function busy() local s = string.rep('a', 3000) return tostring(s:find('a-a-b')) end " \
      "function hello() return 'hi' end"


def test_caller_supplied_lua_is_off_by_default(served):
    status, _, body = fetch(served.url + "/~lua@5.3a&module=" + "function%20f()%20end" + "/f")
    assert status == 403 and b"--allow-lua-device" in body
    # named in a json@1.0 body instead of the path: the device itself refuses
    smuggled = b'{"device": "lua@5.3a", "module": "function f() return 1 end", "path": "f"}'
    status, _, body = fetch(served.url + "/f", method="POST",
                            headers={"codec-device": "json@1.0"}, body=smuggled)
    assert status == 403 and b"--allow-lua-device" in body


def test_caller_supplied_lua_cannot_starve_process_routes(node, victim):
    with node.serve(port=0, lua_device=True, workers=2) as srv:
        from urllib.parse import quote

        url = f"{srv.url}/~lua@5.3a&module={quote(LUA)}"
        status, _, body = fetch(url + "/hello")
        assert (status, body) == (200, b"hi")
        answers: list[int] = []
        busy = [threading.Thread(target=lambda: answers.append(fetch(url + "/busy",
                                                                    timeout=120)[0]))
                for _ in range(6)]
        for t in busy:
            t.start()
        time.sleep(0.2)
        # while six backtracking requests queue on the Lua worker, processes answer
        status, _, body = fetch(f"{srv.url}/{victim.id}~process@1.0/slot/current", timeout=10)
        assert (status, body) == (200, b"0")
        for t in busy:
            t.join(120)
        # each busy call spent its budget and failed cleanly (the matcher is metered)
        assert len(answers) == 6 and all(a >= 400 for a in answers)


def test_nesting_too_deep_is_a_400(served):
    deep = '{"k":' * 1000 + '"leaf"' + "}" * 1000
    status, _, body = fetch(served.url + "/~message@1.0/k", method="POST",
                            headers={"codec-device": "json@1.0"}, body=deep.encode())
    assert status == 400, body


def test_a_slow_body_times_out(node):
    with node.serve(port=0, read_timeout_s=1.0) as srv:
        host, port = srv.url.rsplit(":", 1)
        sock = socket.create_connection((host.split("//")[1], int(port)), timeout=10)
        try:
            sock.sendall(b"POST /~message@1.0/x HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Length: 100\r\n\r\nonly part")
            answer = sock.recv(4096)
        finally:
            sock.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]


def test_a_small_fuzz_of_the_http_face_never_breaks_the_server(served, victim):
    rng = random.Random(19)
    pieces = ["~meta@1.0", "~message@1.0", "~process@1.0", "~scheduler@1.0", "~lua@5.3a",
              victim.id, "info", "compute", "now", "slot", "push", "schedule", "x(((", "%ff",
              "&a=1", "&b+integer=x", "results", "..", "~nope@1.0", "current", "%C3%A9"]
    for _ in range(150):
        path = "/" + "/".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        method = rng.choice(["GET", "POST", "PUT", "DELETE"])
        headers = rng.choice([{}, {"codec-device": "json@1.0"}, {"codec-device": "ans104@1.0"},
                              {"content-type": "application/ans104"}, {"signature": "x"},
                              {"ao-types": 'a="integer"', "a": "z"}, {"origin": EVIL}])
        body = rng.choice([b"", b"{", b"\xff\xfe", b"[]", b"{}", bytes(range(40))])
        status, _, _ = fetch(served.url + path.replace(" ", "%20"), method=method,
                             headers=headers, body=body)
        assert status < 500 or status == 501, (method, path, headers, body)
    assert fetch(served.url + "/~meta@1.0/info/address")[0] == 200
    assert victim.slot == 0
