"""The committed JupyterLab extension build (ao_kernel/labextension) is up to date with
extension/'s sources, and installed where JupyterLab looks. No npm, no browser: fast."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "extension"
OUT = ROOT / "ao_kernel" / "labextension"


def test_committed_build_matches_sources() -> None:
    info = json.loads((OUT / "build-info.json").read_text())
    recorded = info["inputs"]
    sources = sorted(str(p.relative_to(EXT)) for d in ("src", "style")
                     for p in (EXT / d).rglob("*") if p.is_file())
    current = ["build.sh", "package.json", "package-lock.json", "tsconfig.json", *sources]
    assert sorted(recorded) == sorted(current), "files added or removed: run extension/build.sh"
    stale = [f for f in current
             if hashlib.sha256((EXT / f).read_bytes()).hexdigest() != recorded[f]]
    assert not stale, f"the build is older than {stale}: run extension/build.sh"


def test_build_output_is_complete() -> None:
    pkg = json.loads((OUT / "package.json").read_text())
    assert pkg["name"] == "ao-kernel"
    build = pkg["jupyterlab"]["_build"]
    assert build["extension"] == "./extension"
    assert build["mimeExtension"] == "./mimeExtension"
    assert (OUT / build["load"]).is_file()
    assert json.loads((OUT / "install.json").read_text()) == {
        "packageManager": "python", "packageName": "ao-kernel"}
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    assert total < 200_000  # our code and CSS only: JupyterLab's packages are shared


def test_pyproject_ships_it() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '"ao_kernel/labextension" = "share/jupyter/labextensions/ao-kernel"' in text


def test_jupyter_lists_it_enabled() -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    out = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True,
                         text=True, timeout=60, check=True)
    line = next((ln for ln in (out.stdout + out.stderr).splitlines()
                 if ln.strip().startswith("ao-kernel ")), "")
    assert "enabled" in line and "OK" in line, out.stdout + out.stderr
