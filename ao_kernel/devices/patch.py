"""patch@1.0: what a process publishes into its own state (HyperBEAM ``dev_patch``).

aos publishes state with ``Send({device = "patch@1.0", cache = {...}})``. Such a message
goes to no process: the compute unit takes it out of the slot's outbox
(:func:`take_patches`, called for every slot) and merges its keys into the process's
published state, where ``/<PID>~process@1.0/compute/cache/...`` and ``res.patches`` read
them. Keys ``device``, ``data-protocol``, ``variant``, ``type`` and ``reference`` are the
message's envelope, not state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..runtimes.aos.abi import as_list

__all__ = ["take_patches"]

_PATCH_SKIP = frozenset({"device", "data-protocol", "variant", "type", "reference"})


def take_patches(outcome: Any) -> list[dict[str, Any]]:
    """Remove ``patch@1.0`` messages from the outbox; return what each publishes.

    aos publishes state with ``Send({device = "patch@1.0", cache = {...}})``: such a
    message goes to no process; patch@1.0 moves its keys into the process's state, where
    ``/PID~process@1.0/compute/cache/...`` reads them (HyperBEAM ``dev_patch``).
    """
    patches: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for msg in outcome.messages:
        tags = msg.get("Tags") if isinstance(msg, Mapping) else None
        names = {str(t.get("name", "")).lower(): t.get("value")
                 for t in as_list(tags) if isinstance(t, Mapping)}
        if str(names.get("device", "")).lower() == "patch@1.0" and not msg.get("Target"):
            patches.append({k: v for k, v in names.items() if k not in _PATCH_SKIP})
        else:
            kept.append(msg)
    if patches:
        outcome.messages = kept
    return patches
