"""cron: intervals, the ticks due, and what the role asks of its host."""

from __future__ import annotations

from typing import Any

import pytest

from ao_kernel.core.errors import SchedulerError
from ao_kernel.core.message import Message
from ao_kernel.devices.cron import Cron, cron_specs, parse_interval
from ao_kernel.node.stores import open_store


@pytest.mark.parametrize(("text", "ms"), [("10-seconds", 10_000), ("1-minute", 60_000),
                                          ("2 hours", 7_200_000), ("1-month", 30 * 86_400_000)])
def test_intervals(text: str, ms: int) -> None:
    assert parse_interval(text) == ms


@pytest.mark.parametrize("text", ["10-blocks", "5-parsecs", "soon",
                                  "500-ms"])  # milliseconds (was read as 500 minutes)
def test_bad_intervals_are_named(text: str) -> None:
    with pytest.raises(SchedulerError) as err:
        parse_interval(text)
    assert err.value.field == "Cron-Interval"


def _definition() -> Message:
    return Message({"cron-interval": "10-seconds", "cron-tag-action": "Tick",
                    "type": "Process"})


class _Schedule:
    def processes(self) -> list[str]:
        return ["p" * 43]

    def process(self, pid: str) -> Message:
        return _definition()

    def assignment(self, pid: str, slot: int) -> Message:
        return Message({"timestamp": 1_000})


def test_specs_carry_the_tags() -> None:
    (spec,) = cron_specs(_definition())
    assert spec.interval_ms == 10_000 and spec.tags == {"Action": "Tick"}  # as the tag was written


def test_ticks_are_delivered_in_time_order_and_remembered() -> None:
    store = open_store("memory")
    delivered: list[tuple[Message, str]] = []

    def deliver(tick: Message, pid: str) -> Any:
        delivered.append((tick, pid))
        return len(delivered)

    cron = Cron(_Schedule(), store, deliver)
    assert [t for t, _, _ in cron.due(35_000)] == [11_000, 21_000, 31_000]
    assert cron.fire(35_000) == [1, 2, 3]
    assert [tick.text("anchor") for tick, _ in delivered] == [
        f"{t:032d}" for t in (11_000, 21_000, 31_000)]
    assert all(tick.get("cron") is True and tick.text("action") == "Tick"
               for tick, _ in delivered)
    assert store.read(f"cron/{'p' * 43}") == b"31000"
    again = Cron(_Schedule(), store, deliver)  # a restarted node resumes after the last tick
    assert [t for t, _, _ in again.due(45_000)] == [41_000]
