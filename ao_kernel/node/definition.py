"""The process definition message a spawn sends, as the aos CLI and aoconnect write it.

Shared by the embedded node (``Node.spawn``) and the client of a remote one
(``RemoteNode.spawn``), so a process spawned either way has the same tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def process_fields(
    scheduler: str,
    *,
    lua: str | None = None,
    name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    data: str | None = None,
    module: str | None = None,
    authority: str | None = None,
    cron: str | None = None,
    runtime: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], str]:
    """(the definition's tags, its data). ``lua`` is run at boot (``On-Boot: Data``; it
    becomes the data unless ``data`` is given); the scheduler is also the default
    Authority; ``runtime`` adds the tags of a wasm module; ``tags`` come last and win."""
    from ..runtimes.aos import AOS_MODULE_ID

    fields: dict[str, Any] = {
        "Data-Protocol": "ao",
        "Variant": "ao.TN.1",
        "Type": "Process",
        "Module": module or AOS_MODULE_ID,
        "Scheduler": scheduler,
        "Authority": authority or scheduler,
    }
    fields.update(runtime or {})
    if name:
        fields["Name"] = name
    if cron:
        fields["Cron-Interval"] = cron
        fields["Cron-Tag-Action"] = "Cron"
    fields.update(tags or {})
    if lua is not None:
        fields["On-Boot"] = "Data"
        data = lua if data is None else data
    return fields, data or ""
