"""The package version (a leaf module: any layer may read it without importing the
public facade in ``ao_kernel/__init__.py``)."""

__version__ = "0.1.0"
