"""`make lab`, the README's main command, run as a newcomer runs it: start it, open the URL
it prints, stop it with Ctrl-C. Run as whoever runs the tests: as root (containers, cloud
machines, CI) Jupyter refuses to start unless the command adds --allow-root (issue 20).

The install step is the one thing skipped (`make -o STAMP`: the venv running these tests
is the one `make install` made); everything after it is the real Makefile recipe."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, _free_port

pytestmark = pytest.mark.slow


def test_make_lab_starts_prints_the_url_and_stops(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = Path(sys.executable).parent.parent
    stamp = venv / ".installed"
    env = dict(os.environ, AO_LAB_PORT=str(_free_port()), HOME=str(tmp_path))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython")):
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "-o", str(stamp), "lab", f"VENV={venv}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            found = re.search(r"Open this URL in your browser:\s+(http://\S+)", "".join(lines))
            url = found.group(1) if found else None
            time.sleep(0.2)
        log = "".join(lines)
        assert url, f"no URL printed (exit {proc.poll()}):\n{log[-3000:]}"
        assert "Running as root is not recommended" not in log
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        with urllib.request.urlopen(url, timeout=30) as resp:  # the URL, as printed
            assert resp.status == 200
            page = resp.read().decode()
        assert "jupyter-config-data" in page  # JupyterLab's page, logged in by the token
        with urllib.request.urlopen(url.replace("/lab?", "/api/contents?"),
                                    timeout=30) as resp:
            names = {item["name"] for item in json.load(resp)["content"]}
        assert "00-welcome.ipynb" in names  # the tutorials folder
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    reader.join(timeout=5)
    assert "Interrupted" in "".join(lines), "".join(lines)[-2000:]  # Jupyter saw the Ctrl-C
    # and stopped: nothing answers at the URL any more (make itself exits on SIGINT)
    for _ in range(50):
        try:
            urllib.request.urlopen(url, timeout=2).close()
        except OSError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"{url} still answers after Ctrl-C")
