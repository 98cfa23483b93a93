"""Rich display without the extension: ``import ao_kernel`` in a running IPython registers
the formatters (by type name), as a notebook on the plain Python kernel expects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import json, sys
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert not any(m.startswith("ao_kernel") for m in sys.modules)
    import ao_kernel as ao
    from ao_kernel.testing.wallets import dev_wallet

    node = ao.Node(wallet=dev_wallet(1), clock="virtual")
    proc = node.spawn(lua="Handlers.add('p', 'P', function(m) m.reply({Data = 'x'}) end)")
    res = proc.send(action="P")
    kinds = {}
    for name, obj in (("result", res), ("process", proc), ("message", res.assignment),
                      ("verification", node.verify(proc))):
        bundle, _ = shell.display_formatter.format(obj)
        kinds[name] = sorted(k for k in bundle if k.startswith("application/vnd.ao."))
    print(json.dumps(kinds))
""")


def test_import_in_a_running_ipython_registers_rich_display() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    kinds = json.loads(done.stdout.strip().splitlines()[-1])
    assert kinds == {"result": ["application/vnd.ao.result+json"],
                     "process": ["application/vnd.ao.process+json"],
                     "message": ["application/vnd.ao.assignment+json"],
                     "verification": ["application/vnd.ao.verification+json"]}


def test_outside_ipython_importing_loads_no_display_code() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = ("import sys, ao_kernel; "
            "print(sorted(m for m in sys.modules if m.startswith('ao_kernel.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, check=True)
    assert done.stdout.strip() == "['ao_kernel._version']"  # names load lazily
