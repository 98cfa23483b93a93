"""Every tutorial notebook runs top to bottom under the kernel it declares, and is
committed with its outputs stripped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None


def test_every_notebook_has_a_source_and_every_source_a_notebook() -> None:
    sources = {p.stem for p in (ROOT / "tools" / "notebooks").glob("*.py")}
    assert sources == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_matches_its_source(path: Path, tmp_path: Path) -> None:
    """notebooks/NAME.ipynb is exactly what tools/make_notebook.py makes of
    tools/notebooks/NAME.py (edit the source, then regenerate: notebooks/README.md)."""
    kernel = nbformat.read(path, as_version=4).metadata["kernelspec"]["name"]
    out = tmp_path / path.name
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_notebook.py"),
                    str(ROOT / "tools" / "notebooks" / f"{path.stem}.py"), str(out),
                    "--kernel", kernel], check=True)
    assert out.read_bytes() == path.read_bytes(), (
        f"{path.name} differs from tools/notebooks/{path.stem}.py: regenerate it with "
        f"tools/make_notebook.py tools/notebooks/{path.stem}.py {path} --kernel {kernel}")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(nb, timeout=180, kernel_name=kernel,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
