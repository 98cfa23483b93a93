"""Moved: the compute unit is :mod:`ao_kernel.devices.process.compute`, the messenger
:mod:`ao_kernel.devices.push`, patches :mod:`ao_kernel.devices.patch`."""

from ..devices.process.compute import RUN_LENGTH, ComputeContext, Computer
from ..devices.push import MAX_DEPTH, MAX_PUSHES, Messenger

__all__ = ["MAX_DEPTH", "MAX_PUSHES", "RUN_LENGTH", "ComputeContext", "Computer", "Messenger"]
