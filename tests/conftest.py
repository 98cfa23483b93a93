"""Shared fixtures: vectors from the reference implementations, and a node registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).parent / "vectors"


def load_vectors(name: str) -> dict[str, Any]:
    """A vectors file from tests/vectors (copied verbatim from ../shared/vectors)."""
    with open(VECTORS / name, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.fixture(scope="session")
def hb_vectors() -> dict[str, Any]:
    return load_vectors("hyperbeam-edge.json")
