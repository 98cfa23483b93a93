"""Matplotlib figures where a picture beats a table (Agg; no pyplot, no global state).

::

    from ao_kernel.jupyter.widgets.plots import messages_per_slot, value_over_slots
    messages_per_slot(proc)                                   # outbox size of every slot
    value_over_slots(proc, "Balances." + addr)                # a token balance per slot
    value_over_slots(proc, lambda state: len(state["Inbox"]))

Each returns a ``matplotlib.figure.Figure``: the last expression of a cell shows it (a
PNG formatter for figures is registered in IPython if none is), ``fig.savefig(path)``
writes it. ``value_over_slots`` replays the state of every slot it plots
(``proc.state(slot=...)``), so on long schedules it samples at most ``max_points`` slots;
``progress`` is called with a fraction after each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from ...node.process_handle import Process


def _figure(width: float = 7.0, height: float = 3.0) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    _register_ipython_png()
    return fig


def _register_ipython_png() -> None:
    """Let a bare ``Figure`` display as PNG in IPython even if pyplot was never imported."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is part of the jupyter extra
        return
    ip = get_ipython()
    if ip is None:
        return
    formatter = ip.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, png)


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _label(proc: Process) -> str:
    return proc.name or proc.id[:8] + "…"


def _slots(proc: Process, slots: Iterable[int] | None, max_points: int) -> list[int]:
    if slots is not None:
        return sorted(set(slots))
    last = proc.slot
    if last + 1 <= max_points:
        return list(range(last + 1))
    step = last / (max_points - 1)
    return sorted({round(i * step) for i in range(max_points)})


def messages_per_slot(proc: Process, *, start: int = 0, end: int | None = None) -> Figure:
    """Bars: how many messages each slot sent (its outbox); failed slots in red."""
    end = proc.slot if end is None else end
    slots = list(range(start, end + 1))
    counts: list[int] = []
    errors: list[bool] = []
    for s in slots:
        res = proc.result(s)
        counts.append(len(res.messages))
        errors.append(res.error is not None)
    fig = _figure()
    ax = fig.add_subplot()
    colors = ["tab:red" if e else "tab:blue" for e in errors]
    ax.bar(slots, counts, color=colors, width=0.8)
    ax.set_xlabel("slot")
    ax.set_ylabel("messages sent")
    n_err = sum(errors)
    ax.set_title(f"{_label(proc)}: messages per slot"
                 + (f" ({n_err} failed slots in red)" if n_err else ""))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.ao_data = {"slots": slots, "counts": counts, "errors": errors}  # type: ignore[attr-defined]
    return fig


def _getter(value: str | Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], Any]:
    if callable(value):
        return value
    path = value.split(".")

    def get(state: dict[str, Any]) -> Any:
        cur: Any = state
        for part in path:
            if isinstance(cur, dict) and part in cur:
                cur = cur[part]
            elif isinstance(cur, list) and part.isdigit() and 0 < int(part) <= len(cur):
                cur = cur[int(part) - 1]  # Lua lists count from 1
            else:
                return None
        return cur

    return get


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)  # token balances are strings in aos blueprints
        except ValueError:
            return None
    return None


def values_over_slots(proc: Process, value: str | Callable[[dict[str, Any]], Any], *,
                      slots: Iterable[int] | None = None, max_points: int = 100,
                      progress: Callable[[float], None] | None = None,
                      ) -> tuple[list[int], list[float | None]]:
    """The data of :func:`value_over_slots`: (slots, numbers or None where missing)."""
    get = _getter(value)
    chosen = _slots(proc, slots, max_points)
    values: list[float | None] = []
    for i, s in enumerate(chosen):
        values.append(_number(get(proc.state(slot=s))))
        if progress is not None:
            progress((i + 1) / len(chosen))
    return chosen, values


def value_over_slots(proc: Process, value: str | Callable[[dict[str, Any]], Any], *,
                     slots: Iterable[int] | None = None, max_points: int = 100,
                     label: str | None = None,
                     progress: Callable[[float], None] | None = None) -> Figure:
    """A step line of one value of the state after each slot.

    ``value`` is a dotted path into the globals (``"Balances.<address>"``, ``"Count"``)
    or a function of the state; numbers and numeric strings are plotted, slots where the
    value is missing leave a gap.
    """
    xs, ys = values_over_slots(proc, value, slots=slots, max_points=max_points,
                               progress=progress)
    name: str = label or (value if isinstance(value, str)
                          else str(getattr(value, "__name__", "value")))
    fig = _figure()
    ax = fig.add_subplot()
    ax.step(xs, [float("nan") if y is None else y for y in ys], where="post",
            marker="o" if len(xs) <= 50 else None, markersize=3)
    ax.set_xlabel("slot")
    ax.set_ylabel(name if len(name) <= 24 else name[:22] + "…")
    ax.set_title(f"{_label(proc)}: {name} over slots")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.ao_data = {"slots": xs, "values": ys}  # type: ignore[attr-defined]
    return fig



def cost_per_slot(node: Any, proc: Process | str, *, key: str = "instructions") -> Figure:
    """Bars of what each computed slot of ``proc`` cost (metering: ``instructions``,
    ``fuel`` or ``bytes``), from ``node.costs(proc)``."""
    rows = node.costs(proc)
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    ax.bar([r["slot"] for r in rows], [r.get(key, 0) for r in rows], color="#4c72b0")
    ax.set_xlabel("slot")
    ax.set_ylabel(key)
    pid = proc if isinstance(proc, str) else proc.id
    ax.set_title(f"{key} per slot · {pid[:8]}…")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig
