"""Binary data reaches a process byte for byte and comes back out the same, on every path:
the Python API, a push between processes, HTTP (httpsig and the legacy faces), the MU."""

from __future__ import annotations

import json
import urllib.request

import ao_kernel as ao
from ao_kernel.core import ans104_codec
from ao_kernel.core.message import Message

BLOB = b"\xff\xfe\x00abc\x80"
BYTES_OF = ("local function bytes(s) local o = {} for i = 1, #s do o[i] = string.byte(s, i) end "
            "return table.concat(o, ',') end\n")
ECHO = BYTES_OF + ("Handlers.add('echo', 'Echo', function(m) "
                   "print(bytes(m.Data) .. ' | ' .. bytes(m.Tags.Raw or '')) "
                   "m.reply({Data = m.Data, Raw = m.Tags.Raw}) end)")
SEEN = ",".join(str(b) for b in BLOB)


def test_python_api_in_and_out():
    node = ao.Node()
    proc = node.spawn(name="echo", lua=ECHO)
    res = proc.send(action="Echo", data=BLOB, tags={"Raw": b"\x80\x00"})
    assert res.error is None
    assert res.output.startswith(f"{SEEN} | 128,0")
    assert res.messages[0]["Data"] == BLOB and res.messages[0]["Raw"] == b"\x80\x00"


def test_a_push_between_processes_keeps_the_bytes():
    node = ao.Node()
    sink = node.spawn(name="sink", lua=BYTES_OF + (
        "Handlers.add('got', 'Got', function(m) Got = bytes(m.Data) end)"))
    relay = node.spawn(name="relay", lua=(
        "Handlers.add('r', 'Relay', function(m) Send({Target = m.Tags.To, Action = 'Got', "
        "Data = m.Data}) end)"))
    res = relay.send(action="Relay", data=BLOB, tags={"To": sink.id})
    assert res.error is None and not res.undelivered
    assert sink.state()["Got"] == SEEN


def test_http_faces_answer_binary_replies(tmp_path):
    node = ao.Node()
    proc = node.spawn(name="echo", lua=ECHO)
    res = proc.send(action="Echo", data=BLOB)
    with node.serve(port=0) as srv:
        url = f"{srv.url}/{proc.id}~process@1.0/compute&slot={res.slot}/results/outbox/1/data"
        with urllib.request.urlopen(url) as answer:
            assert answer.status == 200 and answer.read() == BLOB
        legacy = f"{srv.url}/result/{res.message_id}?process-id={proc.id}"
        with urllib.request.urlopen(legacy) as answer:
            body = json.loads(answer.read())
        # JSON carries text: the legacy CU answers the bytes as UTF-8 with replacements
        assert body["Messages"][0]["Data"] == BLOB.decode("utf-8", "replace")


def test_a_data_item_with_binary_data_through_the_mu(tmp_path):
    from ao_kernel.testing.wallets import dev_wallet

    node = ao.Node()
    proc = node.spawn(name="echo", lua=ECHO)
    wallet = dev_wallet(2)
    msg = Message({"Action": "Echo", "Data-Protocol": "ao", "Variant": "ao.TN.1",
                   "Type": "Message"}).with_(data=BLOB, target=proc.id)
    item = ans104_codec.encode(ans104_codec.commit(msg, wallet.signer))
    with node.serve(port=0) as srv:
        request = urllib.request.Request(srv.url + "/", data=item, method="POST")
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 202
    last = proc.result(proc.slot)
    assert last.output.startswith(SEEN)
    assert last.messages[0]["Data"] == BLOB
