"""Moved: the wasm aos process adapter is :mod:`ao_kernel.runtimes.aos.wasm_process`,
the module builds :mod:`ao_kernel.runtimes.aos.wasm_modules`."""

from ..runtimes.aos.wasm_modules import (
    KNOWN_MODULES,
    KNOWN_NAMES,
    find_aos_wasm,
    load_module,
    module_message,
)
from ..runtimes.aos.wasm_process import WasmAosProcess

__all__ = ["KNOWN_MODULES", "KNOWN_NAMES", "WasmAosProcess", "find_aos_wasm", "load_module",
           "module_message"]
