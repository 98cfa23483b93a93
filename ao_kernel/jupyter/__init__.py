"""Jupyter integration: the AO kernel, the magics, rich display (and widgets).

This layer only calls the Node API. ``%load_ext ao_kernel`` loads the magics into any
IPython kernel; the ``ao`` kernelspec starts :class:`ao_kernel.jupyter.kernel.AOKernel`.
Nothing is imported here so that ``import ao_kernel.jupyter.display`` stays light.
"""
