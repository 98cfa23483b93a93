"""Lua the aos process adapters run besides the aos modules: the Python <-> Lua boundary
and the state dumps (files here, not strings in Python, so Lua tooling sees them)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def adapter_source(name: str) -> str:
    """The source of ``<name>.lua`` in this folder."""
    return resources.files(__package__).joinpath(f"{name}.lua").read_text(encoding="utf-8")
