"""The process definition a spawn sends: the same tags locally and through a remote node."""

from __future__ import annotations

import ao_kernel as ao
from ao_kernel.core.message import lowercase_keys
from ao_kernel.node.definition import process_fields
from ao_kernel.runtimes.aos import AOS_MODULE_ID
from ao_kernel.testing.wallets import dev_wallet


def test_process_fields_as_the_aos_cli_writes_them() -> None:
    fields, data = process_fields("S" * 43, lua="X = 1", name="n", cron="10-seconds",
                                  tags={"Authority": "A" * 43, "Extra": "e"})
    assert fields == {
        "Data-Protocol": "ao", "Variant": "ao.TN.1", "Type": "Process",
        "Module": AOS_MODULE_ID, "Scheduler": "S" * 43, "Authority": "A" * 43,
        "Name": "n", "Cron-Interval": "10-seconds", "Cron-Tag-Action": "Cron",
        "Extra": "e", "On-Boot": "Data",
    }
    assert data == "X = 1"
    assert process_fields("S" * 43, lua="X = 1", data="other")[1] == "other"
    assert process_fields("S" * 43)[1] == ""


def test_local_and_remote_spawns_send_the_same_tags() -> None:
    node = ao.Node(wallet=dev_wallet(1))
    server = node.serve(port=0)
    try:
        client = ao.connect(server.url, wallet=dev_wallet(1))
        remote = client.spawn(lua="X = 1", name="twin", tags={"Color": "blue"})
        local = node.spawn(lua="X = 1", name="twin", tags={"Color": "blue"})

        def tags(pid: str) -> dict[str, object]:
            # the remote client signs lowercased keys (HTTP lowercases header names)
            definition = lowercase_keys(node.definition(pid))
            return {k: v for k, v in definition.items()
                    if k not in ("commitments", "anchor")}

        assert tags(remote.id) == tags(local.id)
        assert remote.state()["X"] == local.state()["X"] == 1
    finally:
        server.stop()
