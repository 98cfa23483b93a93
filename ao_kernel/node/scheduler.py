"""Moved: the scheduler role lives in :mod:`ao_kernel.devices.scheduler` (server, log,
checkpoints, verify, location). These names stay importable from here."""

from ..devices.scheduler.log import (
    DEBUG_BLOCK,
    MAX_ASSIGNMENTS,
    BlockClock,
    BlockInfo,
    assignments_chain,
    only_committed,
    parse_schedulers,
)
from ..devices.scheduler.server import Scheduler
from ..devices.scheduler.verify import ScheduleReport, verify_schedule

__all__ = [
    "DEBUG_BLOCK",
    "MAX_ASSIGNMENTS",
    "BlockClock",
    "BlockInfo",
    "ScheduleReport",
    "Scheduler",
    "assignments_chain",
    "only_committed",
    "parse_schedulers",
    "verify_schedule",
]
