"""NodeAPI: the one set of calls a process handle makes, met by Node and RemoteNode."""

from __future__ import annotations

import inspect

from ao_kernel.node.api import NodeAPI
from ao_kernel.node.node import Node
from ao_kernel.node.process_handle import Process
from ao_kernel.node.remote import RemoteNode, RemoteProcess


def _members(proto: type) -> set[str]:
    return {name for name in vars(proto) if not name.startswith("_")}


def test_both_nodes_offer_every_call_with_its_parameters() -> None:
    members = _members(NodeAPI)
    assert {"send", "result", "current_slot", "definition", "process_state"} <= members
    for node_class in (Node, RemoteNode):
        for name in sorted(members):
            assert hasattr(node_class, name), f"{node_class.__name__} lacks {name}"
            wanted = getattr(NodeAPI, name)
            if name == "address":
                continue
            params = inspect.signature(getattr(node_class, name)).parameters
            for param in inspect.signature(wanted).parameters:
                if param not in ("self", "kwargs"):
                    assert param in params, f"{node_class.__name__}.{name} lacks {param}"


def test_a_remote_process_is_a_process() -> None:
    assert issubclass(RemoteProcess, Process)
