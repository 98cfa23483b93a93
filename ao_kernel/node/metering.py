"""Moved: metering is :mod:`ao_kernel.devices.process.metering`."""

from ..devices.process.metering import cost_table, message_bytes, slot_cost

__all__ = ["cost_table", "message_bytes", "slot_cost"]
