"""Devices and the AO roles: one device (or role) per module or small package.

Each device is a :class:`ao_kernel.core.resolver.Device` whose public handlers are exactly
its keys; :func:`default_registry` builds the set a node offers. The roles a node plays
live here too, each asking its host only for the small protocols of :mod:`._context`:
the scheduler server (:mod:`.scheduler`), the compute unit (:mod:`.process`), the
messenger (:mod:`.push`), patches (:mod:`.patch`) and cron (:mod:`.cron`). Nothing here
imports ``node/`` (docs/layout.md).
"""

from __future__ import annotations

from ..core.resolver import DeviceRegistry


def default_registry() -> DeviceRegistry:
    """Every device this package implements, by name."""
    from ..core.codecs import codec_devices
    from .json_iface import JsonIfaceDevice
    from .lua import LuaDevice
    from .message import MessageDevice
    from .meta import MetaDevice
    from .multipass import MultipassDevice
    from .process import ProcessDevice
    from .scheduler import SchedulerDevice
    from .stack import StackDevice
    from .wasi import WasiDevice
    from .wasm64 import Wasm64Device

    registry = DeviceRegistry([
        MessageDevice(), MetaDevice(), SchedulerDevice(), ProcessDevice(), LuaDevice(),
        StackDevice(), WasiDevice(), JsonIfaceDevice(), Wasm64Device(), MultipassDevice(),
    ])
    from .faff import FaffDevice
    from .p4 import P4Device
    from .process_ledger import ProcessLedgerDevice
    from .simple_pay import SimplePayDevice

    for extra in (P4Device(), SimplePayDevice(), FaffDevice(), ProcessLedgerDevice()):
        registry.add(extra)
    for device in codec_devices():
        registry.add(device)
    return registry
