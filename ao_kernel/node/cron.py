"""Moved: cron is :mod:`ao_kernel.devices.cron`."""

from ..devices.cron import Cron, CronSpec, cron_specs, parse_interval

__all__ = ["Cron", "CronSpec", "cron_specs", "parse_interval"]
