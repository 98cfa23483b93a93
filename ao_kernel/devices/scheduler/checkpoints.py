"""Checkpoint signing, a mixin of :class:`~ao_kernel.devices.scheduler.server.Scheduler`.

Signing: hash-chain checkpoints
-------------------------------
HyperBEAM signs every assignment with RSA-4096 (about 10 ms here, ~100/s). We do not
put that on the critical path. Instead:

1. every assignment carries, at once, the HyperBEAM ``hash-chain`` (over the bodies) and
   an HMAC commitment (its unsigned ID, over every field). The server additionally keeps
   a second chain, the **assignments chain** ``A`` over the assignments' unsigned IDs,
   stored next to each log entry (it is not a field of the assignment, whose form stays
   exactly HyperBEAM's);
2. the scheduler RSA-signs **checkpoints**::

       {type: schedule-checkpoint, data-protocol: ao, variant: ao.N.1, process,
        slot: N, hash-chain: C_N, assignments-chain: A_N, timestamp}

   committed (httpsig rsa-pss-sha512) by the scheduler's wallet. A checkpoint at slot N
   authenticates every assignment of slots 0..N — bodies through ``C``, every other
   field (timestamps, block fields, paths) through ``A`` — by collision resistance of
   SHA-256, so one signature covers any number of assignments;
3. checkpoints are signed lazily: on demand (:meth:`Scheduler.checkpoint`, a client
   reading the schedule, :meth:`Scheduler.signed_assignment`), by :meth:`Scheduler.flush`
   / :meth:`Scheduler.close`, and whenever the unsigned tail of a process reaches
   ``checkpoint_every`` (K) assignments or is older than ``checkpoint_interval_ms`` (T):
   the host's flusher thread (``on_due``; :class:`ao_kernel.node.flusher.CheckpointFlusher`)
   signs then, off the critical path; without one, the ``schedule`` call that crosses
   the threshold signs after its assignment is durable (one RSA signature per K
   assignments, amortised). This role starts no thread;
4. a fully RSA-signed assignment, exactly HyperBEAM's form (RSA + HMAC commitments by
   the scheduler address), is made on demand for any slot by
   :meth:`Scheduler.signed_assignment` (for export to other nodes) and kept in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core import commitments as commitments_mod
from ...core.b64 import b64u_encode
from ...core.commitments import RSASignerLike
from ...core.errors import SchedulerError
from ...core.message import Message
from .._context import Clock, EventSink, KeyValueLog
from .log import CHECKPOINT_TYPE, VARIANT, _decode, _encode, _Proc


class CheckpointSigning:
    """Signing policy and signed forms of a scheduler server's schedules."""

    store: KeyValueLog
    signer: RSASignerLike
    clock: Clock
    checkpoint_every: int
    checkpoint_interval_ms: int
    events: EventSink | None

    if TYPE_CHECKING:
        def _proc(self, pid: str, *, field_name: str = "process") -> _Proc: ...

        def processes(self) -> list[str]: ...

        def chains_at(self, pid: str, slot: int) -> tuple[str, str]: ...

        def assignment(self, pid: str, slot: int) -> Message: ...

    def _due(self, proc: _Proc, now: int) -> bool:
        tail = proc.current - proc.signed_through
        if tail <= 0:
            return False
        if tail >= self.checkpoint_every:
            return True
        return (proc.tail_since_ms is not None
                and now - proc.tail_since_ms >= self.checkpoint_interval_ms)


    # -- signing -----------------------------------------------------------------------

    def checkpoint(self, pid: str, slot: int | None = None) -> Message:
        """A signed checkpoint at ``slot`` (default: the latest); signs only if missing."""
        signed = self._sign_checkpoint(self._proc(pid), slot)
        if signed is None:  # only a policy-driven call may decline
            raise SchedulerError(f"no checkpoint was signed for {pid}", field="slot")
        return signed

    def checkpoints(self, pid: str) -> list[Message]:
        """Every signed checkpoint of ``pid``, by slot."""
        proc = self._proc(pid)
        with proc.ck_lock:
            return [proc.checkpoints[s] for s in sorted(proc.checkpoints)]

    def unsigned_tail(self, pid: str) -> int:
        """How many assignments of ``pid`` no checkpoint covers yet."""
        proc = self._proc(pid)
        return max(0, proc.current - proc.signed_through)

    def _sign_checkpoint(self, proc: _Proc, slot: int | None, *,
                         policy: bool = False) -> Message | None:
        with proc.ck_lock:
            if policy and not self._due(proc, self.clock.now_ms()):
                return None  # another thread signed while this one waited
            with proc.lock:
                target = proc.current if slot is None else slot
                if target < 0 or target > proc.current:
                    raise SchedulerError(
                        f"process {proc.pid} has no slot {target} (current {proc.current})",
                        field="slot")
                at_head = target == proc.current
                head = (b64u_encode(proc.chain), b64u_encode(proc.achain))
                since = proc.tail_since_ms
            existing = proc.checkpoints.get(target)
            if existing is not None:
                return existing
            chain, achain = head if at_head else self.chains_at(proc.pid, target)
            draft = Message({
                "type": CHECKPOINT_TYPE,
                "data-protocol": "ao",
                "variant": VARIANT,
                "process": proc.pid,
                "slot": target,
                "hash-chain": chain,
                "assignments-chain": achain,
                "timestamp": self.clock.now_ms(),
            })
            signed = commitments_mod.commit(draft, self.signer)
            self.store.append_log(f"checkpoints/{proc.pid}", proc.checkpoint_count,
                                  _encode(signed))
            proc.checkpoint_count += 1
            proc.checkpoints[target] = signed
            if self.events is not None:
                self.events.publish("committed", process=proc.pid, slot=target,
                                    signer=self.signer.address)
            if target > proc.signed_through:
                proc.signed_through = target
                with proc.lock:
                    if proc.signed_through >= proc.current:
                        proc.tail_since_ms = None
                    elif since is not None:
                        proc.tail_since_ms = self.clock.now_ms()
            return signed

    def flush(self, *, only_due: bool = False) -> int:
        """Sign a checkpoint for every process with an unsigned tail (``only_due``: only
        where the K/T policy says so). Returns the number of signatures made."""
        made = 0
        now = self.clock.now_ms()
        for pid in self.processes():
            proc = self._proc(pid)
            if proc.current <= proc.signed_through:
                continue
            if only_due and not self._due(proc, now):
                continue
            if self._sign_checkpoint(proc, None, policy=only_due) is not None:
                made += 1
        return made

    def signed_assignment(self, pid: str, slot: int) -> Message:
        """The assignment of ``slot`` RSA-signed by this scheduler (HyperBEAM's form)."""
        key = f"signed-assignments/{pid}/{slot}"
        blob = self.store.read(key)
        if blob is not None:
            return _decode(blob, what=key)
        plain = self.assignment(pid, slot).without("commitments")
        signed = commitments_mod.commit(plain, self.signer)
        self.store.write(key, _encode(signed))
        return signed
