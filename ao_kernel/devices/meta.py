"""meta@1.0: the node's own configuration message, its entry point for requests.

``GET /~meta@1.0/info`` answers the node message (every option, defaults included) with
private keys (``priv*``) removed, plus the operator's ``address``; sub-paths read single
options (``/~meta@1.0/info/address``). ``POST /~meta@1.0/info`` merges the request's
keys into the node message, only when the request is signed by the operator, and keeps
the history of updates. ``build`` describes this implementation.

The node message lives in a :class:`NodeState` that the node passes to resolutions as
``opts.extra["node_state"]``.

Configuration (HyperBEAM ``hb_opts`` + ``config.flat``): the node message is the
defaults, then a config file in flat@1.0 syntax (``key: value`` lines, ``a/b: v`` for
nested keys; :func:`load_config_file`), then start options; every value given as text
is coerced to the type of its default (:func:`coerce_config`). The option ``devices``
lists the devices the node offers; :class:`OfferedRegistry` refuses the others
(:class:`DeviceNotFoundError`, 404). ``hardware`` describes the machine (CPU count,
memory, platform; nothing secret).
"""

from __future__ import annotations

import os
import platform
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..core import commitments
from ..core.errors import AOError, DeviceNotFoundError, FlatError, SignatureError
from ..core.message import Message, is_private
from ..core.resolver import Device, DeviceRegistry, Opts

_REQUEST_KEYS = frozenset({"path", "method", "commitments", "device", "accept", "accept-codec"})


@dataclass
class NodeState:
    """The node message and its update history (newest first)."""

    message: Message
    operator: str | None = None
    history: list[Message] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def public(self) -> Message:
        msg = Message._trusted({k: v for k, v in self.message.items() if not is_private(k)})
        if self.operator and "address" not in msg:
            msg = msg.with_(address=self.operator)
        if "hardware" not in msg:
            msg = msg.with_(hardware=hardware())
        return msg

    def get(self, key: str, default: Any = None) -> Any:
        """One option of the node message."""
        value = self.message.get(key)
        return default if value is None else value

    def update(self, updates: Mapping[str, Any], *, record: bool = True) -> None:
        """Merge ``updates`` into the node message (newest history entry first)."""
        with self.lock:
            if record:
                self.history.insert(0, Message(dict(updates)))
            self.message = self.message.with_(dict(updates))

    def offered(self) -> list[str] | None:
        """The devices this node offers (lowercase), or None for every device it has."""
        return device_list(self.message.get("devices"))


class MetaDevice(Device):
    name = "meta@1.0"
    exports = ("info", "build")

    def info(self, base: Message, req: Message, opts: Opts) -> Any:
        state = _state(opts)
        if (req.text("method") or "GET").upper() == "POST":
            return self._update(state, req, opts)
        return state.public()

    def _update(self, state: NodeState, req: Message, opts: Opts) -> Message:
        try:
            signed = commitments.verify(req)
        except AOError:
            signed = False
        signers = commitments.committers(req) if signed else []
        from .p4 import current_caller

        if (who := current_caller(opts)) is not None:  # the HTTP request's verified signer
            signers.append(who)
        if state.operator is None or state.operator == "unclaimed":
            allowed = True
        else:
            allowed = state.operator in signers
        if not allowed:
            raise SignatureError(
                "Unauthorized: node configuration changes must be signed by the operator "
                f"{state.operator}",
                field="commitments",
            )
        if str(state.message.get("initialized", "")).lower() == "permanent":
            raise SignatureError("the node message is permanent: it cannot be changed",
                                 field="initialized")
        updates = {k: v for k, v in req.items() if k not in _REQUEST_KEYS and not is_private(k)}
        state.update(coerce_config(state.message, updates))
        return Message({
            "body": f"Node message updated. History: {len(state.history)} updates.",
            "history-length": len(state.history),
        })

    def build(self, base: Message, req: Message, opts: Opts) -> Message:
        return Message({
            "node": "ao-kernel",
            "version": __version__,
            "protocol": "ao-core (HyperBEAM 0.9 edge commitment format)",
            "python": platform.python_version(),
            "source": "https://github.com/ao-kernel (clean-room Python AO-Core node)",
        })


def _state(opts: Opts) -> NodeState:
    state = opts.extra.get("node_state")
    if isinstance(state, NodeState):
        return state
    return NodeState(Message({"device": "meta@1.0"}))


# -- configuration ---------------------------------------------------------------------------


def hardware() -> Message:
    """What the node runs on: CPU count, memory, platform (nothing secret)."""
    memory = 0
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 0
    return Message({
        "cpus": os.cpu_count() or 1,
        "memory": int(memory),
        "platform": platform.system().lower(),
        "machine": platform.machine(),
        "release": platform.release(),
        "python": platform.python_version(),
    })


def _coerce(default: Any, value: Any, key: str) -> Any:
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if not isinstance(value, str) or default is None or isinstance(default, str):
        return value
    text = value.strip()
    if isinstance(default, bool):
        if text.lower() in ("true", "1", "yes", "on"):
            return True
        if text.lower() in ("false", "0", "no", "off"):
            return False
        raise FlatError(f"option {key!r} is a boolean, not {text!r}", field=key)
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise FlatError(f"option {key!r} is an integer, not {text!r}", field=key) from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise FlatError(f"option {key!r} is a number, not {text!r}", field=key) from None
    if isinstance(default, tuple):
        return tuple(p.strip() for p in text.split(",") if p.strip())
    return value


#: Types of options whose defaults live in the devices that read them (not in the node
#: message): text values for them are coerced like any other option.
OPTION_TYPES: dict[str, Any] = {
    "initialized": True, "simple-pay-price": 1, "metered-block": 1000, "metered-price": 1,
}


def coerce_config(defaults: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with every text value coerced to the type of its default (int, bool,
    float, list); nested messages are coerced key by key; unknown keys stay as given."""
    out: dict[str, Any] = {}
    for key, value in options.items():
        default = defaults.get(key, OPTION_TYPES.get(key))
        if isinstance(default, Mapping) and isinstance(value, Mapping):
            out[key] = Message(coerce_config(default, value))
        else:
            out[key] = _coerce(default, value, key)
    return out


def load_config_file(path: str | Path) -> Message:
    """A config file in flat@1.0 syntax (``key: value`` lines; ``#`` comments)."""
    from ..core.codecs import flat_decode

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FlatError(f"cannot read the config file {str(p)!r}: {exc.strerror}",
                        field="config_file") from exc
    return flat_decode(data)


def device_list(value: Any) -> list[str] | None:
    """The ``devices`` option as lowercase names (text with commas, or a list)."""
    if value is None or value in ("", "all"):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    items: Iterable[Any]
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, Mapping):
        items = value.values()
    else:
        items = value
    return sorted({str(v).strip().lower() for v in items if str(v).strip()})


#: Devices every node keeps, whatever ``devices`` says: the identity device, and meta so
#: the operator can always reconfigure the node.
ALWAYS_OFFERED = frozenset({"message@1.0", "meta@1.0"})


class OfferedRegistry(DeviceRegistry):
    """A registry that serves only the devices the node message's ``devices`` lists."""

    def __init__(self, base: DeviceRegistry, state: NodeState) -> None:
        super().__init__()
        self._devices = base._devices
        self.state = state

    def get(self, name: str) -> Device:
        offered = self.state.offered()
        if not super().__contains__(name):
            return super().get(name)  # a device no one here implements: "unknown device"
        if offered is not None and name.lower() not in offered \
                and name.lower() not in ALWAYS_OFFERED:
            raise DeviceNotFoundError(
                f"this node does not offer the device {name!r}; it offers: "
                f"{', '.join(sorted(set(offered) | ALWAYS_OFFERED))}",
                field="device",
            )
        return super().get(name)

    def __contains__(self, name: object) -> bool:
        if not super().__contains__(name):
            return False
        offered = self.state.offered()
        return offered is None or str(name).lower() in offered \
            or str(name).lower() in ALWAYS_OFFERED

    def names(self) -> list[str]:
        return [n for n in super().names() if n in self]
