"""Devices: one per module, each a :class:`ao_kernel.core.resolver.Device` whose public
handlers are exactly its keys. :func:`default_registry` builds the set a node offers."""

from __future__ import annotations

from ..core.resolver import DeviceRegistry


def default_registry() -> DeviceRegistry:
    """Every device this package implements, by name."""
    from ..core.codecs import codec_devices
    from .lua import LuaDevice
    from .message import MessageDevice
    from .meta import MetaDevice
    from .process import ProcessDevice
    from .scheduler import SchedulerDevice

    registry = DeviceRegistry([
        MessageDevice(), MetaDevice(), SchedulerDevice(), ProcessDevice(), LuaDevice(),
    ])
    for device in codec_devices():
        registry.add(device)
    return registry
