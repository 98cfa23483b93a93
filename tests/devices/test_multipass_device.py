"""multipass@1.0: another pass until ``passes``."""

from __future__ import annotations

from ao_kernel.core.message import Message
from ao_kernel.core.resolver import Opts, resolve


def test_multipass_asks_for_passes_until_the_last(opts: Opts) -> None:
    first = resolve(Message({"device": "multipass@1.0", "passes": 2, "pass": 1}), "compute",
                    opts)
    assert first.status == "pass"
    last = resolve(Message({"device": "multipass@1.0", "passes": 2, "pass": 2}), "compute",
                   opts)
    assert last.ok
