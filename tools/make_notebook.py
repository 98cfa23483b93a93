"""Write a notebook from a simple text script (cells separated by lines '# %% [markdown]' or
'# %%'), outputs empty, so notebooks stay reviewable as plain text in tools/notebooks/.

    .venv/bin/python tools/make_notebook.py tools/notebooks/NAME.py notebooks/NAME.ipynb \
        [--kernel ao]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat


def cells_from(text: str) -> list[tuple[str, str]]:
    cells: list[tuple[str, str]] = []
    kind, lines = "code", []
    for line in text.splitlines():
        if line.startswith("# %%"):
            if any(s.strip() for s in lines):
                cells.append((kind, "\n".join(lines).strip("\n")))
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
            continue
        if kind == "markdown":
            lines.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        else:
            lines.append(line)
    if any(s.strip() for s in lines):
        cells.append((kind, "\n".join(lines).strip("\n")))
    return cells


KERNELS = {
    "python3": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "ao": {"name": "ao", "display_name": "AO (Lua)", "language": "lua"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--kernel", default="python3", choices=sorted(KERNELS))
    args = parser.parse_args()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELS[args.kernel]
    for kind, src in cells_from(Path(args.source).read_text(encoding="utf-8")):
        cell = (nbformat.v4.new_markdown_cell(src) if kind == "markdown"
                else nbformat.v4.new_code_cell(src))
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    nbformat.write(nb, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
