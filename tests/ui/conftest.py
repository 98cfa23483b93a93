"""Real-browser fixtures: `jupyter lab` on loopback with a token, Debian's Chromium via
Playwright (notes/jupyter-wasmtime-lupa.md §4d). Chromium comes from apt
(tools/install-browser.sh, run by `make test`); `playwright install` is never used."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("AO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Lab:
    def __init__(self, base: str, token: str, root: Path) -> None:
        self.base, self.token, self.root = base, token, root

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{path}?token={self.token}&reset"


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run tools/install-browser.sh (make test does)")
    pytest.importorskip("playwright")
    base_dir = tmp_path_factory.mktemp("lab")
    root = base_dir / "root"
    root.mkdir()
    for name in ("00-welcome.ipynb", "03-messaging.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, root / name)
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
        (base_dir / sub).mkdir()
        env[var] = str(base_dir / sub)
    # a newcomer's machine: no wallet yet (the first kernel creates it while the notebook
    # runs; that timing is what made every magic hang in a Python notebook, issue 20)
    env["AO_KERNEL_WALLET"] = str(base_dir / "home" / ".ao-kernel" / "wallet.json")
    # a budget no cell here reaches: the interrupt test needs a loop only the stop button ends
    env["AO_KERNEL_INSTRUCTION_LIMIT"] = str(10**13)
    # JupyterLab loads the COMMITTED build (ao_kernel/labextension), not the copy that
    # `pip install -e .` made in .venv/share/jupyter/labextensions, which goes stale when
    # extension/build.sh runs again: the first labextensions directory of JUPYTER_PATH wins
    labext = base_dir / "data" / "labextensions"
    labext.mkdir(parents=True)
    (labext / "ao-kernel").symlink_to(ROOT / "ao_kernel" / "labextension")
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(base_dir / "data"), os.environ.get("JUPYTER_PATH")) if p)
    token, port = secrets.token_hex(16), _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(base_dir / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                proc.kill()
                raise RuntimeError("jupyter lab did not start:\n"
                                   + (base_dir / "lab.log").read_text()[-3000:]) from None
            time.sleep(0.2)
    try:
        yield Lab(base, token, root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, without a JupyterLab (tests of fonts and glyphs)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run tools/install-browser.sh (make test does)")
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(lab_server: Lab, chromium: Any) -> Any:
    return chromium


@pytest.fixture
def page(browser: Any, lab_server: Lab) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab_server.base)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.page_errors = errors
    ARTIFACTS.mkdir(exist_ok=True)
    yield pg
    context.close()
