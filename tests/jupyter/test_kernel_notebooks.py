"""Two small notebooks executed headless with nbclient: one under the ao kernel, one under
python3 with %load_ext ao_kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parent / "notebooks"


def run(name: str) -> Any:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=60, allow_errors=False).execute()  # kernel from metadata
    return nb


def plain(cell: Any) -> str:
    for out in cell.outputs:
        if out.output_type == "execute_result":
            return str(out.data["text/plain"])
    return ""


def test_notebook_under_the_ao_kernel() -> None:
    nb = run("ao_kernel.ipynb")
    cells = nb.cells
    assert plain(cells[0]) == "3"
    assert any(o.output_type == "stream" and "aos-" in o.text for o in cells[0].outputs)
    assert "pinger" in plain(cells[2])
    # a message to itself: one card, the arrival folded into it (no card of its own)
    results = [o for o in cells[3].outputs if o.output_type == "execute_result"]
    card = results[0].data["application/vnd.ao.result+json"]
    assert [p["action"] for p in card["pushed"]] == ["Ping"]
    assert "New Message From" in card["pushed"][0]["output"]
    assert not [o for o in cells[3].outputs if o.output_type == "display_data"]
    assert "verified" in plain(cells[5])
    assert "…" in plain(cells[6])


def test_notebook_under_python3_with_the_extension() -> None:
    nb = run("python_ext.ipynb")
    cells = nb.cells
    assert plain(cells[1]) == "'calc'"
    assert plain(cells[2]) == "42"
    assert plain(cells[3]) == "'84'"
    assert "Total" in plain(cells[4])
    assert "verified" in plain(cells[5])
