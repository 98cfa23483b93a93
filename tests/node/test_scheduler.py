"""The scheduler server: slots, assignment fields, hash chains, concurrency, durability,
checkpoints and verify_schedule. Real RSA signatures with the dev wallets, real SQLite.

RSA-4096 signing costs ~10 ms, so tests sign a handful of checkpoints at most: schedulers
here use a huge ``checkpoint_every`` unless the test is about the policy.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ao_kernel.core import commitments
from ao_kernel.core.errors import (
    AOError,
    ProcessNotFoundError,
    SchedulerError,
    SignatureError,
)
from ao_kernel.core.ids import hash_chain, message_id
from ao_kernel.core.message import Message
from ao_kernel.node.cache import MessageCache
from ao_kernel.node.clock import Clock, SystemClock, VirtualClock
from ao_kernel.node.flusher import CheckpointFlusher
from ao_kernel.node.scheduler import (
    MAX_ASSIGNMENTS,
    BlockInfo,
    Scheduler,
    verify_schedule,
)
from ao_kernel.node.stores import open_store
from ao_kernel.testing.wallets import dev_ed25519, dev_wallet

T0 = 1_700_000_000_000
ZERO_HASH = "A" * 43
NO_POLICY = 10**9  # checkpoint_every that never triggers


# -- an independent model of the hash chain (protocol brief §5.3) ---------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def expected_chain(previous: str, body: Any) -> str:
    """SHA-256(previous chain as raw 32 bytes, or nothing || ASCII of the body's ID)."""
    prev = unb64u(previous) if previous else b""
    return b64u(hashlib.sha256(prev + message_id(body, committers="all").encode()).digest())


def expected_chains(bodies: list[Any]) -> list[str]:
    out, prev = [], ""
    for body in bodies:
        prev = expected_chain(prev, body)
        out.append(prev)
    return out


def test_chain_model_matches_the_hyperbeam_vector(hb_vectors: dict[str, Any]) -> None:
    from ao_kernel.core.httpsig import EDGE

    vector = hb_vectors["hash_chain"][0]  # hyperbeam-edge.json: the 0.9-edge ID format
    body = Message({"basic": "value"})
    assert message_id(body, committers="all", fmt=EDGE) == vector["message_id"]
    assert hash_chain(vector["previous"], vector["message_id"]) == vector["hash_chain"]
    assert expected_chain(vector["previous"], body) == hash_chain(
        vector["previous"], message_id(body, committers="all"))


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wallet() -> Any:
    return dev_wallet(1)


@pytest.fixture(scope="module")
def user() -> Any:
    return dev_wallet(2)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(T0)


@pytest.fixture
def sched(wallet: Any, clock: VirtualClock) -> Iterator[Scheduler]:
    s = Scheduler(open_store("memory"), wallet.signer, clock=clock, checkpoint_every=NO_POLICY)
    yield s
    s.close(flush=False)


def process_message(scheduler: str, **extra: Any) -> Message:
    return Message({"type": "Process", "device": "process@1.0", "scheduler": scheduler,
                    "module": "aos-lua", **extra})


def spawn(s: Scheduler, **extra: Any) -> tuple[str, Message]:
    a0 = s.schedule(process_message(s.address, **extra))
    return str(a0["process"]), a0


def ping(pid: str, n: int, **extra: Any) -> Message:
    return Message({"target": pid, "action": "Ping", "data": f"ping {n}", **extra})


ASSIGNMENT_KEYS = {"path", "data-protocol", "variant", "process", "epoch", "slot",
                   "block-height", "block-hash", "block-timestamp", "timestamp",
                   "hash-chain", "body", "commitments"}


# -- slots and assignment fields -----------------------------------------------------------


def test_process_message_gets_slot_zero_with_exact_fields(sched: Scheduler) -> None:
    proc = process_message(sched.address)
    a0: Any = sched.schedule(proc)
    pid = message_id(proc, committers="all")
    assert set(a0) == ASSIGNMENT_KEYS
    assert a0["path"] == "compute"
    assert a0["data-protocol"] == "ao"
    assert a0["variant"] == "ao.N.1"
    assert a0["process"] == pid
    assert a0["epoch"] == "0"
    assert a0["slot"] == 0
    assert isinstance(a0["slot"], int)
    assert a0["block-height"] == 0
    assert a0["block-hash"] == ZERO_HASH
    assert a0["block-timestamp"] == 0
    assert a0["timestamp"] == T0
    assert a0["body"] == proc
    assert a0["hash-chain"] == expected_chain("", proc)
    # The HMAC commitment is the assignment's unsigned ID over every field.
    (cid,) = a0.commitments
    assert a0.commitments[cid]["type"] == "hmac-sha256"
    assert cid == message_id(a0.without("commitments"))
    assert commitments.verify(a0)
    assert sched.processes() == [pid]
    assert sched.current_slot(pid) == 0
    assert sched.process(pid) == proc


def test_consecutive_slots_timestamps_and_chain(sched: Scheduler, clock: VirtualClock) -> None:
    pid, a0 = spawn(sched)
    bodies: list[Any] = [a0["body"]]
    for n in range(1, 6):
        clock.advance(7)
        msg = ping(pid, n)
        a = sched.schedule(msg)
        assert a["slot"] == n
        assert a["timestamp"] == T0 + 7 * n
        assert a["process"] == pid
        assert a["body"] == msg
        bodies.append(msg)
    stored, continues = sched.assignments(pid)
    assert not continues
    assert [a["slot"] for a in stored] == list(range(6))
    assert [a["hash-chain"] for a in stored] == expected_chains(bodies)


def test_message_path_becomes_the_assignment_path(sched: Scheduler) -> None:
    pid, _ = spawn(sched)
    assert sched.schedule(ping(pid, 1, path="custom/key"))["path"] == "custom/key"
    assert sched.schedule(ping(pid, 2))["path"] == "compute"


def test_block_info_and_fast_hmac_agree_with_general_path(wallet: Any) -> None:
    block = BlockInfo(height=1_500_123, hash=b64u(bytes(range(32))), timestamp=1_699_999_000)
    s = Scheduler(open_store("memory"), wallet.signer, clock=VirtualClock(5),
                  block_info=lambda: block, checkpoint_every=NO_POLICY)
    pid, _ = spawn(s)
    # An unusual path (spaces, non-ASCII) takes the general httpsig path.
    made: list[Any] = [s.schedule(ping(pid, 1)), s.schedule(ping(pid, 2, path="päth with space"))]
    for a in made:
        assert a["block-height"] == 1_500_123
        assert a["block-hash"] == block.hash
        assert a["block-timestamp"] == 1_699_999_000
        (cid,) = a.commitments
        assert cid == message_id(a.without("commitments"))
        assert s.assignment(pid, a["slot"]) == a  # read back exactly


def test_signed_messages_keep_only_committed_keys(sched: Scheduler, user: Any) -> None:
    signed_proc = commitments.commit(process_message(sched.address), user.signer)
    a0: Any = sched.schedule(signed_proc.with_(unsigned_note="dropped"))
    pid = message_id(signed_proc, committers="all")
    assert a0["process"] == pid
    assert "unsigned_note" not in a0["body"]
    assert commitments.verify(a0["body"])
    assert a0["hash-chain"] == expected_chain("", signed_proc)


def test_bad_signature_is_refused_and_nothing_is_written(sched: Scheduler, user: Any) -> None:
    pid, _ = spawn(sched)
    signed = commitments.commit(ping(pid, 1), user.signer)
    forged = signed.with_(data="ping 999")
    with pytest.raises(SignatureError) as err:
        sched.schedule(forged)
    assert err.value.field == "commitments"
    assert sched.current_slot(pid) == 0
    assert sched.store.log_length(f"assignments/{pid}") == 1
    assert sched.schedule(signed)["slot"] == 1


def test_refuses_a_process_scheduled_elsewhere(sched: Scheduler, user: Any) -> None:
    with pytest.raises(SchedulerError) as err:
        sched.schedule(process_message(user.address))
    assert err.value.field == "scheduler"
    assert user.address in str(err.value)
    assert sched.processes() == []
    # A scheduler list naming this node (quoted, comma-separated) is accepted.
    a0 = sched.schedule(process_message(f'"{user.address}", "{sched.address}"'))
    assert a0["slot"] == 0


def test_unknown_process_and_missing_target(sched: Scheduler) -> None:
    with pytest.raises(ProcessNotFoundError) as err:
        sched.schedule(ping("x" * 43, 1))
    assert err.value.field == "target"
    with pytest.raises(SchedulerError) as err2:
        sched.schedule(Message({"action": "Ping"}))
    assert err2.value.field == "target"
    with pytest.raises(ProcessNotFoundError):
        sched.assignments("y" * 43)


def test_registering_again_returns_the_existing_slot_zero(sched: Scheduler) -> None:
    pid, a0 = spawn(sched)
    sched.schedule(ping(pid, 1))
    assert sched.schedule(process_message(sched.address)) == a0
    assert sched.current_slot(pid) == 1
    assert sched.processes() == [pid]


def test_process_in_the_message_cache_is_registered_on_first_message(
    wallet: Any, user: Any
) -> None:
    store = open_store("memory")
    cache = MessageCache(store)
    s = Scheduler(store, wallet.signer, clock=VirtualClock(T0), cache=cache,
                  checkpoint_every=NO_POLICY)
    ours = process_message(wallet.address, name="ours")
    theirs = process_message(user.address, name="theirs")
    cache.write(ours)
    cache.write(theirs)
    a1 = s.schedule(ping(message_id(ours, committers="all"), 1))
    assert a1["slot"] == 1
    assert s.assignment(str(a1["process"]), 0)["body"] == ours
    with pytest.raises(SchedulerError) as err:
        s.schedule(ping(message_id(theirs, committers="all"), 1))
    assert err.value.field == "scheduler"
    assert s.processes() == [a1["process"]]
    # Registering through schedule() also stores the process message in the cache.
    fresh = process_message(wallet.address, name="fresh")
    s.schedule(fresh)
    assert cache.read(message_id(fresh, committers="all")) == fresh


# -- concurrency ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_concurrent_senders_get_one_total_order(
    backend: str, wallet: Any, tmp_path: Path
) -> None:
    store = open_store("memory" if backend == "memory" else f"sqlite:{tmp_path / 'n.db'}")
    s = Scheduler(store, wallet.signer, clock=SystemClock(), checkpoint_every=NO_POLICY)
    pid, _ = spawn(s)
    threads_n, per_thread = 8, 50
    got: dict[int, list[int]] = {t: [] for t in range(threads_n)}
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def sender(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                a: Any = s.schedule(Message({"target": pid, "from-thread": t, "n": i}))
                got[t].append(a["slot"])
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=sender, args=(t,)) for t in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    slots = sorted(x for v in got.values() for x in v)
    assert slots == list(range(1, threads_n * per_thread + 1))  # no gaps, no duplicates
    for v in got.values():  # each sender's messages keep its own order
        assert v == sorted(v)
    stored: list[Any] = s.assignments(pid)[0]
    assert [a["slot"] for a in stored] == list(range(401))
    assert [a["hash-chain"] for a in stored] == expected_chains([a["body"] for a in stored])
    timestamps = [a["timestamp"] for a in stored]
    assert timestamps == sorted(timestamps)
    assert verify_schedule(stored, [], s.address, require_signed=False)
    s.close(flush=False)
    store.close()


# -- durability ----------------------------------------------------------------------------


def test_acknowledged_means_committed_to_the_store(wallet: Any, tmp_path: Path) -> None:
    db = tmp_path / "durable.db"
    s = Scheduler(open_store(f"sqlite:{db}"), wallet.signer, clock=VirtualClock(T0),
                  checkpoint_every=NO_POLICY)
    pid, _ = spawn(s)
    a = s.schedule(ping(pid, 1))
    # A second, independent connection to the file sees the slot the moment it is acked.
    other = open_store(f"sqlite:{db}")
    assert other.log_length(f"assignments/{pid}") == 2
    assert other.read_log(f"assignments/{pid}", 1, 2)[0][0] == a["slot"]
    other.close()
    s.close(flush=False)


def test_reopening_resumes_slots_chains_and_checkpoints(
    wallet: Any, tmp_path: Path
) -> None:
    spec = f"sqlite:{tmp_path / 'node.db'}"
    clock = VirtualClock(T0)
    store = open_store(spec)
    s = Scheduler(store, wallet.signer, clock=clock, checkpoint_every=NO_POLICY)
    pid, a0 = spawn(s)
    bodies: list[Any] = [a0["body"]]
    for n in range(1, 11):
        msg = ping(pid, n)
        s.schedule(msg)
        bodies.append(msg)
    checkpoint = s.checkpoint(pid)
    s.close(flush=False)
    store.close()

    store2 = open_store(spec)
    s2 = Scheduler(store2, wallet.signer, clock=clock, checkpoint_every=NO_POLICY)
    assert s2.processes() == [pid]
    assert s2.current_slot(pid) == 10
    assert s2.checkpoints(pid) == [checkpoint]
    assert s2.unsigned_tail(pid) == 0
    nxt = ping(pid, 11)
    a11 = s2.schedule(nxt)
    bodies.append(nxt)
    assert a11["slot"] == 11
    assert a11["hash-chain"] == expected_chains(bodies)[-1]
    stored, _ = s2.assignments(pid)
    report = verify_schedule(stored, s2.checkpoints(pid), wallet.address)
    assert not report.ok
    assert report.reason == "unsigned"
    assert report.bad_slot == 11
    assert report.signed_through == 10
    s2.close(flush=False)
    store2.close()


# -- reading -------------------------------------------------------------------------------


def test_schedule_ranges_and_the_1000_cap(sched: Scheduler) -> None:
    pid, _ = spawn(sched)
    for n in range(1, 1101):
        sched.schedule(ping(pid, n))
    page, continues = sched.assignments(pid)
    assert len(page) == MAX_ASSIGNMENTS == 1000
    assert continues
    assert [a["slot"] for a in page] == list(range(1000))
    rest, continues = sched.assignments(pid, 1000)
    assert [a["slot"] for a in rest] == list(range(1000, 1101))
    assert not continues
    mid, continues = sched.assignments(pid, 5, 9)
    assert [a["slot"] for a in mid] == [5, 6, 7, 8, 9]
    assert not continues
    clipped, _ = sched.assignments(pid, 1099, 5000)
    assert [a["slot"] for a in clipped] == [1099, 1100]
    assert sched.assignments(pid, 2000)[0] == []
    small, continues = sched.assignments(pid, 0, 10, limit=3)
    assert len(small) == 3
    assert continues
    first: Any = sched.next_assignment(pid, -1)
    assert first["slot"] == 0
    later: Any = sched.next_assignment(pid, 41)
    assert later["slot"] == 42
    assert sched.next_assignment(pid, 1100) is None
    with pytest.raises(SchedulerError) as err:
        sched.assignments(pid, -1)
    assert err.value.field == "from"


# -- checkpoints, signed assignments and verify_schedule -----------------------------------


@pytest.fixture(scope="module")
def signed_schedule(wallet: Any) -> dict[str, Any]:
    """12 assignments with one checkpoint at slot 11 (one RSA signature)."""
    s = Scheduler(open_store("memory"), wallet.signer, clock=VirtualClock(T0),
                  checkpoint_every=NO_POLICY)
    pid, _ = spawn(s)
    for n in range(1, 12):
        s.schedule(ping(pid, n))
    checkpoint = s.checkpoint(pid)
    assignments, _ = s.assignments(pid)
    return {"scheduler": s, "pid": pid, "assignments": assignments, "checkpoint": checkpoint}


def test_checkpoint_is_signed_by_the_scheduler(signed_schedule: dict[str, Any],
                                               wallet: Any) -> None:
    ck = signed_schedule["checkpoint"]
    last = signed_schedule["assignments"][-1]
    assert ck["type"] == "schedule-checkpoint"
    assert ck["process"] == signed_schedule["pid"]
    assert ck["slot"] == 11
    assert ck["hash-chain"] == last["hash-chain"]
    assert commitments.verify(ck)
    assert commitments.committers(ck) == [wallet.address]
    # Asking again does not sign again.
    assert signed_schedule["scheduler"].checkpoint(signed_schedule["pid"]) is ck


def test_verify_schedule_accepts_an_intact_schedule(signed_schedule: dict[str, Any],
                                                    wallet: Any) -> None:
    report = verify_schedule(signed_schedule["assignments"], [signed_schedule["checkpoint"]],
                             wallet.address)
    assert report.ok
    assert bool(report) is True
    assert (report.first_slot, report.last_slot, report.checked) == (0, 11, 12)
    assert report.signed_through == 11
    assert report.bad_slot is None
    # As a {slot: assignment} mapping, as the schedule response carries it.
    as_map = {str(a["slot"]): a for a in signed_schedule["assignments"]}
    assert verify_schedule(as_map, [signed_schedule["checkpoint"]], wallet.address).ok


def _report(signed_schedule: dict[str, Any], assignments: Any, checkpoints: Any = None,
            address: str | None = None) -> Any:
    return verify_schedule(
        assignments,
        [signed_schedule["checkpoint"]] if checkpoints is None else checkpoints,
        address or signed_schedule["scheduler"].address,
    )


def test_verify_schedule_catches_a_tampered_body(signed_schedule: dict[str, Any]) -> None:
    tampered = list(signed_schedule["assignments"])
    body = tampered[5]["body"]
    tampered[5] = tampered[5].with_(body=body.with_(data="transfer everything"))
    report = _report(signed_schedule, tampered)
    assert not report.ok
    assert (report.bad_slot, report.reason) == (5, "tampered-body")


def test_verify_schedule_catches_a_swapped_pair(signed_schedule: dict[str, Any]) -> None:
    swapped = list(signed_schedule["assignments"])
    swapped[3], swapped[4] = swapped[4], swapped[3]
    report = _report(signed_schedule, swapped)
    assert (report.ok, report.bad_slot, report.reason) == (False, 3, "out-of-order")
    # Swapping the bodies (keeping slot numbers) breaks slot 3's chain link.
    bodies = list(signed_schedule["assignments"])
    b3, b4 = bodies[3]["body"], bodies[4]["body"]
    bodies[3], bodies[4] = bodies[3].with_(body=b4), bodies[4].with_(body=b3)
    report = _report(signed_schedule, bodies)
    assert (report.ok, report.bad_slot, report.reason) == (False, 3, "tampered-body")


def test_verify_schedule_catches_a_gap(signed_schedule: dict[str, Any]) -> None:
    gap = [a for a in signed_schedule["assignments"] if a["slot"] != 7]
    report = _report(signed_schedule, gap)
    assert (report.ok, report.bad_slot, report.reason) == (False, 7, "missing-slot")


def test_verify_schedule_catches_a_broken_chain_and_edited_fields(
    signed_schedule: dict[str, Any]
) -> None:
    original = signed_schedule["assignments"]
    broken = list(original)
    broken[6] = broken[6].with_({"hash-chain": original[5]["hash-chain"]})
    report = _report(signed_schedule, broken)
    assert (report.bad_slot, report.reason) == (6, "broken-chain")
    edited = list(original)
    edited[2] = edited[2].with_(timestamp=1)
    report = _report(signed_schedule, edited)
    assert (report.bad_slot, report.reason) == (2, "tampered-assignment")


def test_verify_schedule_catches_a_consistent_rewrite_via_the_checkpoint(
    signed_schedule: dict[str, Any], wallet: Any
) -> None:
    """An attacker who rewrites slot 4 and recomputes every chain and HMAC after it is
    caught only by the signed checkpoint, which no longer matches."""
    original = signed_schedule["assignments"]
    rewritten = list(original[:4])
    prev = original[3]["hash-chain"]
    for a in original[4:]:
        body = a["body"].with_(data="rewritten") if a["slot"] == 4 else a["body"]
        prev = expected_chain(prev, body)
        plain = a.without("commitments").with_({"hash-chain": prev, "body": body})
        rewritten.append(commitments.with_hmac(plain))
    report = _report(signed_schedule, rewritten)
    assert not report.ok
    assert report.reason == "checkpoint-mismatch"
    assert report.bad_slot == 0  # nothing before the checkpoint at 11 is authenticated
    assert verify_schedule(rewritten, [], wallet.address, require_signed=False).ok


def test_verify_schedule_catches_forged_checkpoints(
    signed_schedule: dict[str, Any], user: Any
) -> None:
    ck = signed_schedule["checkpoint"]
    # Edited after signing: the signature no longer verifies.
    edited = ck.with_({"hash-chain": signed_schedule["assignments"][10]["hash-chain"]})
    report = _report(signed_schedule, signed_schedule["assignments"], [edited])
    assert (report.ok, report.bad_slot, report.reason) == (False, 0, "bad-signature")
    # Re-signed by someone else: a valid signature, but not the scheduler's.
    impostor = commitments.commit(ck.without("commitments"), user.signer)
    assert commitments.verify(impostor)
    report = _report(signed_schedule, signed_schedule["assignments"], [impostor])
    assert (report.ok, report.reason) == (False, "bad-signature")
    # No checkpoint at all: everything is unsigned.
    report = _report(signed_schedule, signed_schedule["assignments"], [])
    assert (report.ok, report.bad_slot, report.reason) == (False, 0, "unsigned")


def test_verify_schedule_with_an_anchor(signed_schedule: dict[str, Any]) -> None:
    s, pid = signed_schedule["scheduler"], signed_schedule["pid"]
    chain, achain = s.chains_at(pid, 5)
    anchor = {"slot": 5, "hash-chain": chain, "assignments-chain": achain}
    tail = signed_schedule["assignments"][6:]
    report = verify_schedule(tail, [signed_schedule["checkpoint"]], s.address, anchor=anchor)
    assert report.ok
    assert (report.first_slot, report.last_slot) == (6, 11)
    wrong = dict(anchor, **{"hash-chain": s.chains_at(pid, 4)[0]})
    report = verify_schedule(tail, [signed_schedule["checkpoint"]], s.address, anchor=wrong)
    assert (report.ok, report.bad_slot) == (False, 6)


def test_signed_assignment_is_hyperbeam_form(signed_schedule: dict[str, Any],
                                             wallet: Any) -> None:
    s, pid = signed_schedule["scheduler"], signed_schedule["pid"]
    plain = signed_schedule["assignments"][4]
    signed = s.signed_assignment(pid, 4)
    assert commitments.verify(signed)
    assert commitments.committers(signed) == [wallet.address]
    assert signed.without("commitments") == plain.without("commitments")
    kinds = sorted(signed.commitments[cid].text("type") or "" for cid in signed.commitments)
    assert kinds == ["hmac-sha256", "rsa-pss-sha512"]
    # Its unsigned ID (HMAC commitment) is the one the plain assignment carries.
    assert set(plain.commitments) < set(signed.commitments)
    assert s.signed_assignment(pid, 4) == signed  # kept, not re-signed
    # A verify_schedule over it counts the slot as signed by itself.
    mixed = list(signed_schedule["assignments"])
    mixed[4] = signed
    assert _report(signed_schedule, mixed).ok


# -- the signing policy --------------------------------------------------------------------


def test_checkpoint_every_k_assignments(wallet: Any) -> None:
    s = Scheduler(open_store("memory"), wallet.signer, clock=VirtualClock(T0),
                  checkpoint_every=5)
    pid, _ = spawn(s)
    for n in range(1, 4):
        s.schedule(ping(pid, n))
    assert s.checkpoints(pid) == []
    assert s.unsigned_tail(pid) == 4
    s.schedule(ping(pid, 4))  # fifth unsigned assignment: slots 0..4
    assert [c["slot"] for c in s.checkpoints(pid)] == [4]
    assert s.unsigned_tail(pid) == 0
    s.schedule(ping(pid, 5))
    assert s.unsigned_tail(pid) == 1
    assert s.flush() == 1  # close/flush signs the tail
    assert [c["slot"] for c in s.checkpoints(pid)] == [4, 5]
    assert s.flush() == 0
    stored, _ = s.assignments(pid)
    assert verify_schedule(stored, s.checkpoints(pid), wallet.address).ok


def test_checkpoint_interval_uses_the_node_clock(wallet: Any) -> None:
    clock = VirtualClock(T0)
    s = Scheduler(open_store("memory"), wallet.signer, clock=clock,
                  checkpoint_every=NO_POLICY, checkpoint_interval_ms=1000)
    pid, _ = spawn(s)
    s.schedule(ping(pid, 1))
    clock.advance(999)
    s.schedule(ping(pid, 2))
    assert s.checkpoints(pid) == []
    clock.advance(1)
    s.schedule(ping(pid, 3))
    assert [c["slot"] for c in s.checkpoints(pid)] == [3]


def test_background_flusher_signs_off_the_critical_path(wallet: Any) -> None:
    s = Scheduler(open_store("memory"), wallet.signer, clock=VirtualClock(T0),
                  checkpoint_every=3)
    flusher = CheckpointFlusher(s, poll_ms=50).start()  # the node's thread, not the role's
    try:
        pid, _ = spawn(s)
        s.schedule(ping(pid, 1))
        s.schedule(ping(pid, 2))  # the tail reaches 3: the flusher is woken
        deadline = time.monotonic() + 10
        while not s.checkpoints(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [c["slot"] for c in s.checkpoints(pid)] == [2]
    finally:
        flusher.stop()
        s.close()
    with pytest.raises(SchedulerError):
        s.schedule(ping(pid, 3))


def test_checkpoint_of_a_missing_slot(sched: Scheduler) -> None:
    pid, _ = spawn(sched)
    with pytest.raises(SchedulerError) as err:
        sched.checkpoint(pid, 5)
    assert err.value.field == "slot"


def test_scheduler_identity_must_be_an_rsa_wallet() -> None:
    with pytest.raises(SchedulerError) as err:
        Scheduler(open_store("memory"), dev_ed25519().signer, clock=VirtualClock(T0))
    assert err.value.field == "wallet"


# -- clocks --------------------------------------------------------------------------------


def test_clocks() -> None:
    vc = VirtualClock(10)
    assert isinstance(vc, Clock)
    assert isinstance(SystemClock(), Clock)
    assert vc.now_ms() == 10
    assert vc.advance(5) == 15
    assert vc.now_ms() == 15
    assert vc.set(100) == 100
    with pytest.raises(AOError) as err:
        vc.set(99)
    assert err.value.field == "ms"
    with pytest.raises(AOError):
        vc.advance(-1)
    sc = SystemClock()
    readings = [sc.now_ms() for _ in range(100)]
    assert readings == sorted(readings)
    assert abs(readings[0] - time.time() * 1000) < 5000
