"""The extension's unit tests (Vitest + jsdom, extension/test/*.test.ts: the six renderers,
the MIME renderer and the side panel's list) run with the Python suite, so `make test`
runs them too. Needs extension/node_modules (tools/npm-setup.sh installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "extension"


@pytest.mark.node
@pytest.mark.skipif(not (EXT / "node_modules" / "vitest").exists() or not shutil.which("node"),
                    reason="extension/node_modules not installed (tools/npm-setup.sh)")
def test_vitest_unit_tests_pass() -> None:
    out = subprocess.run(["node", "node_modules/vitest/vitest.mjs", "run", "--reporter=verbose"],
                         cwd=EXT, capture_output=True, text=True, timeout=180, check=False)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    assert out.returncode == 0, text[-4000:]
    passed = re.search(r"Tests\s+(\d+) passed", text)
    assert passed and int(passed.group(1)) >= 19, text[-2000:]
    assert "failed" not in text.split("Test Files")[-1], text[-2000:]
