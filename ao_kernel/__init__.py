"""ao-kernel: a complete local AO node inside a Jupyter kernel."""

__version__ = "0.1.0"
