"""The pure protocol core: no I/O, no clocks, no Jupyter.

Nothing here imports from ``ao_kernel.devices``, ``ao_kernel.node`` or ``ao_kernel.jupyter``;
``tests/core/test_layering.py`` enforces it.
"""
