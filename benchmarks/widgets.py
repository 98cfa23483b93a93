"""GraphWidget under 1,000-message bursts: node throughput with and without the widget, and
how many model updates (comm messages) the batching sends.

Two bursts, each run without a widget and with a ``GraphWidget`` (100 ms batching):

* **loop**: 1,000 ``proc.send(action="Ping")`` calls from the notebook (the replies go to
  the notebook's wallet, which is not a process, so 1,000 messages and edges);
* **fan-out**: ONE message whose handler sends 1,000 messages to another process (the
  node pushes them all inside a single ``send``).

Printed per run: messages/s, model updates sent, updates per second during the burst,
messages per update, the mean and max cost of one update (building the trait values in
Python), the bytes of the last update, and the delay between the end of the burst and the
last update (the "end of burst" flush). Comm messages are counted on the widget's comm,
so this measures exactly what a kernel would send to the browser.

    .venv/bin/python benchmarks/widgets.py [--count 1000] [--interval 0.1]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import ao_kernel as ao
from ao_kernel.jupyter.widgets import GraphWidget

PONG = """
Count = 0
Handlers.add("ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(m)
  Count = Count + 1
  m.reply({ Action = "Pong", Data = tostring(Count) })
end)
"""
SINK = """
Got = 0
Handlers.add("pong", function(m) return m.Action == "Pong" or m.Action == "Item" end,
  function(m) Got = Got + 1 end)
"""
FAN = """
Handlers.add("burst", Handlers.utils.hasMatchingTag("Action", "Burst"), function(m)
  for i = 1, tonumber(m.Data) do Send({ Target = m.Sink, Action = "Item", Data = tostring(i) }) end
end)
"""


class Meter:
    """Counts the comm messages a widget sends and their sizes."""

    def __init__(self, widget: GraphWidget) -> None:
        self.sent: list[tuple[float, int]] = []
        self.costs: list[float] = []
        comm = widget.comm
        original = comm.publish_msg
        flush = widget._batcher._flush

        def publish(msg_type: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
            size = len(json.dumps(data, default=str)) if data is not None else 0
            self.sent.append((time.perf_counter(), size))
            original(msg_type, data, *args, **kwargs)

        def timed(items: list[Any]) -> None:
            t0 = time.perf_counter()
            flush(items)
            self.costs.append(time.perf_counter() - t0)

        comm.publish_msg = publish
        widget._batcher._flush = timed


def run(kind: str, count: int, widget: bool, interval: float) -> dict[str, Any]:
    node = ao.Node()
    g = GraphWidget(node, interval=interval) if widget else None
    meter = Meter(g) if g is not None else None
    if kind == "loop":
        target = node.spawn(lua=PONG, name="pong")
        node.spawn(lua=SINK, name="sink")
        if meter:
            g.flush()  # type: ignore[union-attr]
            meter.sent.clear()
            meter.costs.clear()
        t0 = time.perf_counter()
        for _ in range(count):
            target.send(action="Ping")
        messages = count
    else:
        sink = node.spawn(lua=SINK, name="sink")
        fan = node.spawn(lua=FAN, name="fan")
        if meter:
            g.flush()  # type: ignore[union-attr]
            meter.sent.clear()
            meter.costs.clear()
        t0 = time.perf_counter()
        fan.send(action="Burst", data=str(count), tags={"Sink": sink.id})
        messages = count + 1
    t1 = time.perf_counter()
    out: dict[str, Any] = {"burst": kind, "widget": widget, "messages": messages,
                           "seconds": t1 - t0, "msgs_per_s": messages / (t1 - t0)}
    if g is not None and meter is not None:
        deadline = time.perf_counter() + 5
        while (g.batcher.pending or g.message_count < messages) and time.perf_counter() < deadline:
            time.sleep(0.01)
        time.sleep(interval * 2)
        updates = [t for t, _ in meter.sent]
        out.update({
            "updates": len(updates),
            "updates_per_s": len([t for t in updates if t <= t1]) / (t1 - t0),
            "msgs_per_update": messages / max(1, len(updates)),
            "update_ms_mean": 1000 * sum(meter.costs) / max(1, len(meter.costs)),
            "update_ms_max": 1000 * max(meter.costs, default=0.0),
            "last_update_bytes": meter.sent[-1][1] if meter.sent else 0,
            "tail_ms": 1000 * (updates[-1] - t1) if updates else 0.0,
            "edges": len(g.edges),
            "message_count": g.message_count,
        })
        g.close()
    node.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=0.1)
    args = parser.parse_args()
    for kind in ("loop", "fan-out"):
        base = run(kind, args.count, False, args.interval)
        with_w = run(kind, args.count, True, args.interval)
        print(f"{kind:8s} {base['messages']:5d} messages: {base['msgs_per_s']:7.0f} msg/s "
              f"without widget, {with_w['msgs_per_s']:7.0f} msg/s with GraphWidget "
              f"({with_w['msgs_per_s'] / base['msgs_per_s']:.0%})")
        print(f"         {with_w['updates']} model updates for {with_w['messages']} messages "
              f"({with_w['msgs_per_update']:.0f} messages/update), "
              f"{with_w['updates_per_s']:.1f} updates/s during the burst; "
              f"update cost mean {with_w['update_ms_mean']:.1f} ms, "
              f"max {with_w['update_ms_max']:.1f} ms; last update "
              f"{with_w['last_update_bytes'] / 1024:.0f} KiB; final update "
              f"{with_w['tail_ms']:.0f} ms after the burst; "
              f"{with_w['message_count']} messages, {with_w['edges']} edges")


if __name__ == "__main__":
    main()
