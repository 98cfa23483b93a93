"""Several nodes on loopback: A schedules, B computes and signs, C verifies and recomputes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import ao_kernel as ao
from ao_kernel.core import codecs, commitments
from ao_kernel.core.errors import SignatureError
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import ok
from ao_kernel.node.federation import (
    ComputeUnit,
    ScheduleRejected,
    Verifier,
    location_record,
    publish_location,
)
from ao_kernel.node.remote import HTTPClient

SOURCE = """
Handlers.add('ping', 'Ping', function(m) m.reply({Data = 'pong ' .. m.Data}) end)
Handlers.add('count', 'Count', function(m) Count = (Count or 0) + 1
  m.reply({Data = tostring(Count)}) end)
"""


class Cluster:
    def __init__(self) -> None:
        self.a, self.b, self.c = ao.Node(), ao.Node(), ao.Node()
        self.ha, self.hb = self.a.serve(port=0), self.b.serve(port=0)
        self.proc = self.a.spawn(lua=SOURCE, name="fed")
        for data in ("one", "two"):
            self.proc.send(action="Ping", data=data)
        self.proc.send(action="Count")  # slots 0..3

    def close(self) -> None:
        for h in (self.ha, self.hb):
            h.stop()
        for n in (self.a, self.b, self.c):
            n.close()

    def check(self, **kw: Any) -> Any:
        return Verifier(self.c).check(self.proc.id, compute_url=self.hb.url,
                                      scheduler_url=self.ha.url, **kw)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cl = Cluster()
    yield cl
    cl.close()


def _unit(cl: Cluster, **kw: Any) -> ComputeUnit:
    cu = ComputeUnit(cl.b, **kw)
    report = cu.follow(cl.proc.id, cl.ha.url)
    assert report.ok and report.last_slot == 3 and report.signed_through == 3
    cu.install(cl.hb)
    return cu


def test_b_computes_what_a_schedules_and_signs_it(cluster):
    cu = _unit(cluster)
    assert not cluster.b.has_process(cluster.proc.id)  # B schedules nothing
    for slot in range(4):
        mine, theirs = cu.compute(cluster.proc.id, slot), cluster.proc.result(slot)
        assert mine.hashpath == theirs.hashpath
        assert mine.to_json() == theirs.to_json()
    signed = cu.attest(cluster.proc.id, 1)
    assert commitments.verify(signed)
    assert commitments.committers(signed) == [cluster.b.address]
    rsa = next(c for c in signed.commitments.values() if c.text("committer"))
    assert rsa.text("tag") == signed["hashpath"] == cluster.proc.result(1).hashpath
    # over HTTP: the standard compute route on B answers the signed state
    state = HTTPClient(cluster.hb.url).request(
        "GET", f"/{cluster.proc.id}~process@1.0/compute&slot=2", accept="json@1.0").message()
    assert commitments.verify(state) and state["results"]["outbox"]["1"]["data"] == "pong two"


def test_c_verifies_b_and_follows_new_slots(cluster):
    _unit(cluster)
    report = cluster.check()
    assert report.ok, str(report)
    assert report.slots == [0, 1, 2, 3] and report.schedule is not None
    cluster.proc.send(action="Count")  # slot 4: B syncs from the anchor, C checks again
    report = cluster.check(slots=[4])
    assert report.ok and report.slots == [4], str(report)
    assert cluster.proc.result(4).messages[0]["Data"] == "2"


def test_a_wrong_output_signed_by_b_is_caught(cluster):
    def lie(slot: int, state: Message) -> Message:
        if slot != 2:
            return state
        results = state["results"]
        assert isinstance(results, Message)
        outbox = results["outbox"]
        assert isinstance(outbox, Message)
        first = outbox["1"]
        assert isinstance(first, Message)
        return state.with_(results=results.with_(
            outbox=outbox.with_({"1": first.with_(data="pong TWO")})))

    _unit(cluster, tamper=lie)
    report = cluster.check()
    assert not report.ok
    assert [(f.slot, f.reason) for f in report.findings] == [(2, "state-mismatch")]
    assert report.bad_slot == 2 and report.findings[0].blame == cluster.hb.url
    assert "results/outbox/1/data" in report.findings[0].detail
    assert "pong TWO" in str(report)


def test_a_wrong_hashpath_is_caught(cluster):
    def lie(slot: int, state: Message) -> Message:
        return state.with_(hashpath="x" * 43 + "/" + "y" * 43) if slot == 1 else state

    _unit(cluster, tamper=lie)
    report = cluster.check()
    assert [(f.slot, f.reason) for f in report.findings] == [(1, "hashpath-mismatch")]


def test_a_result_changed_after_signing_or_by_someone_else_is_caught(cluster):
    _unit(cluster)

    def rewrite(ex: Any) -> None:
        value = ex.result.value if ex.result is not None else None
        if isinstance(value, Message) and value.get("at-slot") == 3:
            ex.result = ok(value.with_(results=value["results"].with_(data="forged")))

    cluster.hb.response_hooks.append(rewrite)
    report = cluster.check()
    assert [(f.slot, f.reason) for f in report.findings] == [(3, "bad-signature")]
    cluster.hb.response_hooks.clear()
    report = cluster.check(compute_address=cluster.c.address)
    assert {f.reason for f in report.findings} == {"wrong-committer"}
    assert [f.slot for f in report.findings] == [0, 1, 2, 3]


def _tamper_schedule(cluster: Cluster, change: Any) -> None:
    def hook(ex: Any) -> None:
        value = ex.result.value if ex.result is not None else None
        if isinstance(value, Message) and value.text("type") == "schedule":
            assignments = value["assignments"]
            assert isinstance(assignments, Message)
            ex.result = ok(value.with_(assignments=change(assignments)))

    cluster.ha.response_hooks.append(hook)


@pytest.mark.parametrize(("change", "reason"), [
    (lambda a: a.with_({"2": a["2"].with_(body=a["2"]["body"].with_(data="evil"))}),
     "tampered-body"),
    (lambda a: a.with_({"2": a["2"].with_({"hash-chain": a["1"]["hash-chain"]})}),
     "broken-chain"),
    (lambda a: a.without("2"), "missing-slot"),
    (lambda a: a.with_({"2": a["2"].with_(timestamp=1)}), "tampered-assignment"),
])
def test_a_tampered_schedule_is_refused_by_b_and_reported_by_c(cluster, change, reason):
    _tamper_schedule(cluster, change)
    with pytest.raises(ScheduleRejected) as caught:
        ComputeUnit(cluster.b).follow(cluster.proc.id, cluster.ha.url)
    assert (caught.value.report.bad_slot, caught.value.report.reason) == (2, reason)
    report = cluster.check(compute_address=cluster.b.address)
    assert not report.ok
    finding = report.findings[0]
    assert (finding.slot, finding.reason, finding.blame) == (2, reason, cluster.ha.url)
    assert f"slot 2: {reason}" in str(report)


def test_location_records_and_307_redirects(cluster):
    pid = cluster.proc.id
    _unit(cluster)
    base = f"{cluster.hb.url}/~scheduler@1.0/location?address={cluster.a.address}"
    client = HTTPClient(cluster.hb.url)
    assert client.request("GET", base, check=False).status == 404
    # without a location record, B cannot say where the schedule is
    assert client.request("GET", f"/{pid}~process@1.0/schedule", check=False).status == 404
    publish_location(cluster.a.wallet, cluster.ha.url, [cluster.ha.url, cluster.hb.url],
                     nonce=1)
    record = client.request("GET", base, accept="json@1.0").message()
    assert record.text("url") == cluster.ha.url and commitments.verify(record)
    assert commitments.committers(record) == [cluster.a.address]
    raw = HTTPClient(cluster.hb.url, sign=False)
    for path in (f"/{pid}~process@1.0/schedule?from=1&to=2",
                 f"/~scheduler@1.0/schedule?target={pid}&from=1&to=2"):
        resp = raw._exchange(cluster.hb.url + path, "GET", {}, b"")
        assert resp.status == 307
        assert resp.headers["location"] == (
            f"{cluster.ha.url}/~scheduler@1.0/schedule?target={pid}&from=1&to=2")
        page = client.request("GET", path, accept="json@1.0").message()  # followed
        assert sorted(page["assignments"]) == ["1", "2"]  # type: ignore[arg-type]
    # a POST to B for A's process is redirected too (307 keeps method and body)
    msg = cluster.b.message(pid, action="Ping", data="via B")
    resp = raw._exchange(cluster.hb.url + f"/{pid}~process@1.0/schedule", "POST",
                         *raw.signed_form(msg))
    assert resp.status == 307
    # replays, foreign operators and bad signatures are refused
    with pytest.raises(SignatureError, match="does not increase"):
        client.request("POST", "/~scheduler@1.0/location",
                       message=location_record(cluster.a.wallet, "http://x", nonce=1))
    with pytest.raises(SignatureError, match="operator"):
        HTTPClient(cluster.ha.url).request("POST", "/~scheduler@1.0/location",
                                           message=Message({"url": "http://evil"}))
    forged = location_record(cluster.a.wallet, cluster.ha.url, nonce=5).with_(url="http://evil")
    with pytest.raises(SignatureError):
        client.request("POST", "/~scheduler@1.0/location", message=forged)
    # the operator asks its own node to sign a newer record
    own = HTTPClient(cluster.ha.url, wallet=cluster.a.wallet).request(
        "POST", "/~scheduler@1.0/location", message=Message({"url": cluster.ha.url}),
        accept="json@1.0").message()
    assert own["nonce"] == 2 and commitments.committers(own) == [cluster.a.address]
    assert codecs.decode(codecs.encode(own, "json@1.0"), "json@1.0") == own
