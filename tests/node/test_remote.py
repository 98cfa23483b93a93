"""``ao.connect(url)``: a remote node with the API of ``ao.Node``, over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core import commitments
from ao_kernel.core.errors import ProcessNotFoundError, RemoteError
from ao_kernel.core.message import Message
from ao_kernel.jupyter.display import process_bundle, result_bundle
from ao_kernel.node.remote import RemoteNode, RemoteProcess
from ao_kernel.node.results import SlotResult

SOURCE = """
Handlers.add('ping', 'Ping', function(m) m.reply({Data = 'pong ' .. m.Data, Echo = m.Data}) end)
Handlers.add('count', 'Count', function(m) Count = (Count or 0) + 1
  m.reply({Data = tostring(Count)}) end)
"""


@pytest.fixture
def server() -> Iterator[tuple[ao.Node, Any]]:
    node = ao.Node()
    handle = node.serve(port=0)
    yield node, handle
    handle.stop()
    node.close()


def sequence(node: Any) -> list[Any]:
    """One notebook's cells; the outputs any node must give."""
    out: list[Any] = []
    proc = node.spawn(lua=SOURCE, name="pinger", tags={"Color": "blue"})
    out += [proc.boot.ok, proc.boot.slot, proc.name, proc.definition.text("color")]
    res = proc.send(action="Ping", data="hi")
    msg = res.messages[0]
    out += [res.slot, res.output, msg["Data"], msg["Echo"], msg["Target"] == proc.id,
            [t["name"] for t in msg["Tags"]], res.error]
    out += [proc.eval("return 1 + 1").output, proc.eval("return Name").output]
    out += [proc.send(action="Count").messages[0]["Data"] for _ in range(2)]
    out += [proc.state()["Count"], proc.slot, len(proc.schedule)]
    again = proc.result(1)
    out += [again.slot, again.messages[0]["Data"], again.hashpath == res.hashpath]
    dry = proc.dry_run(action="Ping", data="dry")
    out += [dry.dry_run, dry.messages[0]["Data"], proc.slot]
    bad = proc.eval("error('boom')")
    out += [bad.ok, "boom" in (bad.error or ""), proc.eval("return Count").output]
    out += [node.process(proc.id).slot]
    return out


def test_the_same_cells_give_the_same_outputs_locally_and_remotely(server):
    _node, handle = server
    local = sequence(ao.Node())
    remote = sequence(ao.connect(handle.url))
    assert remote == local
    assert local[:4] == [True, 0, "pinger", "blue"]
    assert "pong hi" in local and "2" in local


def test_results_are_slot_results_with_the_servers_hashpaths(server):
    node, handle = server
    remote = ao.connect(handle.url)
    assert isinstance(remote, RemoteNode)
    proc = remote.spawn(lua=SOURCE)
    assert isinstance(proc, RemoteProcess)
    res = proc.send(action="Ping", data="x")
    assert isinstance(res, SlotResult)
    served = node.process(proc.id)
    assert res.hashpath == served.result(1).hashpath and res.hashpath.count("/") == 1
    assert res.message_id == served.result(1).message_id
    assert res.to_json() == served.result(1).to_json()
    assert "text/plain" in result_bundle(res)  # the kernel's formatters take it
    assert proc.id in process_bundle(proc)["text/plain"]


def test_requests_are_signed_by_the_clients_wallet(server):
    node, handle = server
    wallet = ao.Wallet.generate()
    remote = ao.connect(handle.url, wallet=wallet)
    proc = remote.spawn(lua=SOURCE)
    proc.send(action="Ping", data="signed")
    for slot in (0, 1):
        body = node.assignment(proc.id, slot)["body"]
        assert isinstance(body, Message)
        assert commitments.verify(body)
        assert commitments.committers(body) == [wallet.address]
    # the process belongs to the client's wallet: its Eval is trusted
    assert proc.eval("return Owner").output == wallet.address
    report = remote.verify(proc)
    assert report.ok and report.last_slot == 2, str(report)


def test_resolve_and_address(server):
    node, handle = server
    remote = ao.connect(handle.url)
    assert remote.address == node.address
    assert remote.resolve("/~meta@1.0/info/address") == node.address
    info = remote.resolve("/~meta@1.0/info")
    assert isinstance(info, Message) and info["operator"] == node.address
    assert remote.resolve('/~message@1.0&count+integer=42/count') == 42


def test_errors_are_the_error_tree(server):
    _node, handle = server
    remote = ao.connect(handle.url)
    with pytest.raises(ProcessNotFoundError):
        remote.process("A" * 43)
    proc = remote.spawn(lua=SOURCE)
    with pytest.raises(ProcessNotFoundError):
        proc.result(7)
    proc.send(action="Count")
    assert proc.state(1)["Count"] == 1
    with pytest.raises(RemoteError, match="latest state only"):
        proc.state(0)
    port = handle.port
    handle.stop()
    with pytest.raises(RemoteError, match="failed"):
        ao.connect(f"http://127.0.0.1:{port}", timeout=2)


def test_a_remote_process_makes_the_same_calls_as_a_local_one(server):
    node, handle = server
    remote = ao.connect(handle.url)
    proc = remote.spawn(lua=SOURCE)
    results = proc.send_many(["Count", {"action": "Count"}])  # one signed request each
    assert [r.slot for r in results] == [1, 2]
    assert proc.state()["Count"] == 2 == node.process_state(proc.id)["Count"]
    assert proc.definition == node.definition(proc.id) == remote.definition(proc.id)
    with pytest.raises(RemoteError) as past:
        proc.state(slot=1)
    assert past.value.field == "slot"
    with pytest.raises(RemoteError):
        proc.inspect("return Count")  # the live Lua state stays on the serving node
    assert proc.verify()
    assert [ck["slot"] for ck in remote.checkpoints(proc.id)] == [2]
