"""core/ is pure: it imports nothing from its siblings and does no I/O (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "ao_kernel" / "core"
FORBIDDEN_SIBLINGS = ("devices", "node", "jupyter", "runtimes", "testing")
FORBIDDEN_MODULES = {"socket", "asyncio", "subprocess", "sqlite3", "threading", "time",
                     "datetime", "random", "os", "io", "pathlib", "urllib", "http", "lupa",
                     "wasmtime", "IPython", "ipykernel", "ipywidgets"}


def imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_core_modules_exist() -> None:
    assert len(list(CORE.glob("*.py"))) > 10


def test_core_imports_no_sibling_package() -> None:
    for path in CORE.glob("*.py"):
        for module, level in imports(path):
            if level >= 2 or module.startswith("ao_kernel."):
                name = module.removeprefix("ao_kernel.")
                assert not name.startswith(FORBIDDEN_SIBLINGS), f"{path.name} imports {module}"


def test_core_does_no_io() -> None:
    for path in CORE.glob("*.py"):
        for module, level in imports(path):
            if level == 0:
                assert module.split(".")[0] not in FORBIDDEN_MODULES, f"{path.name}: {module}"
