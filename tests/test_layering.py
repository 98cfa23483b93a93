"""Dependencies run one way: core <- runtimes <- devices <- node <- jupyter (DESIGN.md).

Every ``import`` in the package counts, at module level and inside functions alike: a
lazy import hides a cycle from the interpreter, not from the reader. A module may import
from its own layer and the layers below it, never from a layer above. ``testing/`` and
``tutorials/`` sit on top, beside ``jupyter/``. The root package (``ao_kernel``) is the
public facade: it imports its names lazily, and a layer may read ``__version__`` from it.

``ALLOWED`` lists the upward edges still being removed (importer -> imported module). It
only shrinks: an entry that no longer occurs fails the test, so it is struck when fixed.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ao_kernel"
RANK = {"core": 0, "runtimes": 1, "devices": 2, "node": 3, "jupyter": 4, "testing": 4,
        "tutorials": 4}

ALLOWED: set[tuple[str, str]] = {
    ("ao_kernel.devices.process", "ao_kernel.node.node"),
    ("ao_kernel.devices.process", "ao_kernel.node.results"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[str, int]]:
    """Every ao_kernel module ``path`` imports (module and function level), with its line."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append((target, node.lineno))
    return [(target, line) for target, line in found if target.startswith("ao_kernel")]


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def upward_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        here = layer(source)
        if here is None:
            continue
        for target, line in imported(path):
            there = layer(target)
            if there is not None and RANK[there] > RANK[here]:
                edges.setdefault((source, target), []).append(f"{path.name}:{line}")
    return edges


def test_the_import_scan_sees_function_level_imports() -> None:
    sample = PACKAGE / "jupyter" / "display.py"
    lines = [line for target, line in imported(sample) if target.startswith("ao_kernel.node")]
    assert lines, "display.py imports node types inside register_formatters"


def test_no_import_runs_up_the_layers() -> None:
    found = upward_edges()
    new = {edge: where for edge, where in found.items() if edge not in ALLOWED}
    assert not new, f"imports against core <- runtimes <- devices <- node <- jupyter: {new}"


def test_the_allow_list_only_shrinks() -> None:
    stale = ALLOWED - set(upward_edges())
    assert not stale, f"fixed, strike them from ALLOWED: {sorted(stale)}"
