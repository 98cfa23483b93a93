"""patch@1.0: publishing messages leave the outbox and become state."""

from __future__ import annotations

import ao_kernel as ao
from ao_kernel.devices.patch import take_patches
from ao_kernel.runtimes.aos.abi import Outcome
from ao_kernel.testing.wallets import dev_wallet


def test_take_patches_moves_only_untargeted_patch_messages() -> None:
    patch = {"Tags": [{"name": "device", "value": "patch@1.0"},
                      {"name": "Data-Protocol", "value": "ao"}, {"name": "cache", "value": 1}]}
    targeted = {"Target": "p" * 43,
                "Tags": [{"name": "device", "value": "patch@1.0"}]}
    plain = {"Target": "p" * 43, "Tags": [{"name": "Action", "value": "Ping"}]}
    outcome = Outcome(messages=[patch, targeted, plain])
    assert take_patches(outcome) == [{"cache": 1}]
    assert outcome.messages == [targeted, plain]
    untouched = Outcome(messages=[plain])
    assert take_patches(untouched) == [] and untouched.messages == [plain]


def test_published_state_is_kept_per_slot() -> None:
    node = ao.Node(wallet=dev_wallet(1), clock="virtual")
    proc = node.spawn(lua="")
    first = proc.eval('Send({ device = "patch@1.0", cache = { n = 1 } })')
    second = proc.eval('Send({ device = "patch@1.0", other = "x" })')
    assert first.patched_state == {"cache": {"n": 1}}
    assert second.patched_state == {"cache": {"n": 1}, "other": "x"}
    assert node.patched(proc.id) == proc.patched == second.patched_state
