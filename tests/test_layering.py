"""Dependencies run one way: core <- runtimes <- devices <- node <- jupyter (DESIGN.md).

Every ``import`` in the package counts, at module level and inside functions alike: a
lazy import hides a cycle from the interpreter, not from the reader. A module may import
from its own layer and the layers below it, never from a layer above. ``testing/`` and
``tutorials/`` sit on top, beside ``jupyter/``. The root package (``ao_kernel``) is the
public facade: it imports its names lazily, and no layer imports it (``__version__`` is
the leaf ``ao_kernel._version``). There are no exceptions.

The node is a facade: outside ``node/node.py`` no code reaches through it to its parts
(``node.scheduler.x``, ``node.computer.y``); callers use the Node's own methods.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ao_kernel"
RANK = {"core": 0, "runtimes": 1, "devices": 2, "node": 3, "jupyter": 4, "testing": 4,
        "tutorials": 4}

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


def facade_imports() -> list[str]:
    """Imports of the root package (``from .. import x``) inside the layers below jupyter."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        here = layer(source)
        if here is None or RANK[here] >= RANK["jupyter"]:
            continue
        found += [f"{path.name}:{line}" for target, line in imported(path)
                  if target == "ao_kernel"]
    return found


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
    sample = PACKAGE / "jupyter" / "session.py"
    lines = [line for target, line in imported(sample) if target.startswith("ao_kernel.node")]
    assert lines, "session.py imports the node inside _make_node"


def test_no_import_runs_up_the_layers() -> None:
    found = upward_edges()
    assert not found, f"imports against core <- runtimes <- devices <- node <- jupyter: {found}"
    assert not facade_imports(), f"the root package imports everything: {facade_imports()}"


REACH_THROUGH = re.compile(r"(?<!ao_kernel\.)\bnode\.(scheduler|computer|messenger|cron)\.\w+")


def test_nothing_reaches_through_the_node() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "node" / "node.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if REACH_THROUGH.search(line):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert not found, "use the Node's facade methods:\n" + "\n".join(found)


def test_the_reach_through_scan_sees_one() -> None:
    assert REACH_THROUGH.search("value = self.node.scheduler.process(pid)")
    assert not REACH_THROUGH.search("value = self.node.definition(pid)")
