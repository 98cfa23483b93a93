"""What computing one slot gave: :class:`SlotResult` (the Node API's ``res``).

It lives with the process role, :mod:`ao_kernel.devices.process.result`; this import path
is part of the public API (DESIGN.md) and stays.
"""

from ..devices.process.result import SlotResult

__all__ = ["SlotResult"]
