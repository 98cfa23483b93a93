"""Core speed on one core: IDs, hashpath steps, message@1.0 resolves, SQLite writes.

Each figure is printed beside the raw HMAC-SHA256 rate on the same signature base,
measured in the same run, so the ratio says how much our encoding costs over the hash.
Every message is new (built before timing), so no memoised ID flatters the figures,
except the line that says so.

    .venv/bin/python benchmarks/core.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ao_kernel.core.httpsig import normalize_for_encoding, signature_base
from ao_kernel.core.ids import hashpath, message_id
from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve
from ao_kernel.core.structured import to_tabm
from ao_kernel.devices import default_registry


def rate(fn: Callable[[int], object], seconds: float) -> float:
    """Calls per second of ``fn(i)`` over about ``seconds``."""
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(200):
            fn(n)
            n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def once(fn: Callable[[int], object], count: int) -> float:
    """Calls per second of one pass of ``fn(i)`` for i in range(count)."""
    start = time.perf_counter()
    for i in range(count):
        fn(i)
    return count / (time.perf_counter() - start)


def ten_key_message(i: int) -> Message:
    return Message({f"key-{k}": f"value-{k}-{i}" for k in range(8)} | {"n": i, "flag": True})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    seconds = parser.parse_args().seconds

    sample = ten_key_message(0)
    tabm = to_tabm(sample)
    encoded, components, _ = normalize_for_encoding(tabm, sorted(tabm))
    base = signature_base(encoded, components, [("alg", '"hmac-sha256"'), ("keyid", '"ao"')])
    raw_hmac = rate(lambda i: hmac.new(b"ao", base, hashlib.sha256).digest(), seconds)

    def fresh(count: int, salt: int) -> list[Message]:
        return [ten_key_message(salt * 10_000_000 + i) for i in range(count)]

    count = max(2000, int(40_000 * seconds))
    pool = fresh(count, 1)
    ids = once(lambda i: message_id(pool[i]), count)

    req = Message({"path": "key-1"})
    hp_base = Message({"a": 1}).with_priv(hashpath=message_id(sample) + "/key-1")
    hp_steps = rate(lambda i: hashpath(hp_base, req), seconds)

    # a key whose value is a message, so every result gets a hashpath (base ID + chain)
    opts = Opts(registry=default_registry())
    pool = [m.with_(meta={"n": i}) for i, m in enumerate(fresh(count, 2))]
    msg_req = Message({"path": "meta"})
    resolves = once(lambda i: resolve(pool[i], msg_req, opts), count)
    assert resolve(pool[0], msg_req, opts).value.hashpath is not None
    warm = once(lambda i: resolve(pool[i], msg_req, opts), count)
    opts_no_hp = Opts(registry=default_registry(), hashpath="ignore")
    pool = fresh(count, 3)
    resolves_no_hp = once(lambda i: resolve(pool[i], req, opts_no_hp), count)

    from ao_kernel.node.cache import MessageCache
    from ao_kernel.node.stores import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:{Path(tmp) / 'bench.db'}")
        cache = MessageCache(store)
        counter = iter(range(10**9))
        writes = rate(lambda i: cache.write(ten_key_message(next(counter) + 10**6)), seconds)
        store.close()

    print(f"{'raw HMAC-SHA256 of a 10-key signature base':<48}: {raw_hmac:>10,.0f} /s (baseline)")
    rows = [
        ("unsigned IDs of a new 10-key message", ids, 50_000),
        ("hashpath steps (sha-256-chain)", hp_steps, None),
        ("message@1.0 resolves with hashpath (new base)", resolves, 30_000),
        ("  ... same bases again (ID memoised)", warm, None),
        ("message@1.0 resolves of a text key (no hashpath)", resolves_no_hp, None),
        ("SQLite message writes (one txn each)", writes, None),
    ]
    for name, value, target in rows:
        goal = f"target {target:,}/s {'met' if value >= target else 'MISSED'}" if target else ""
        print(f"{name:<48}: {value:>10,.0f} /s  ({value / raw_hmac:.3f} x HMAC)  {goal}")


if __name__ == "__main__":
    main()
