"""Moved: the Lua aos process adapter is :mod:`ao_kernel.runtimes.aos.lua_process`."""

from ..runtimes.aos.lua_process import AosProcess, to_python
from ..runtimes.lua import to_lua

__all__ = ["AosProcess", "to_lua", "to_python"]
