"""Install the ``ao`` kernelspec by hand (the wheel already ships it as shared data).

::

    python -m ao_kernel.jupyter.install --user          # ~/.local/share/jupyter/kernels/ao
    python -m ao_kernel.jupyter.install --sys-prefix    # <venv>/share/jupyter/kernels/ao
    python -m ao_kernel.jupyter.install --prefix /opt/x

The spec written here pins ``argv[0]`` to this interpreter (``sys.executable``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

KERNEL_NAME = "ao"


def kernel_json() -> dict[str, object]:
    return {
        "argv": [sys.executable, "-m", "ao_kernel", "-f", "{connection_file}"],
        "display_name": "AO (Lua)",
        "language": "lua",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def _logo() -> Path | None:
    here = Path(__file__).resolve().parents[2] / "data_kernelspec" / "logo-svg.svg"
    if here.is_file():
        return here
    try:
        ref = resources.files("ao_kernel").joinpath("../data_kernelspec/logo-svg.svg")
        return Path(str(ref)) if ref.is_file() else None
    except (OSError, TypeError):
        return None


def install(*, user: bool = False, prefix: str | None = None, name: str = KERNEL_NAME) -> str:
    """Write the kernelspec and return the directory it was installed to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "kernel.json").write_text(json.dumps(kernel_json(), indent=2))
        logo = _logo()
        if logo is not None:
            shutil.copy(logo, Path(tmp, "logo-svg.svg"))
        return str(KernelSpecManager().install_kernel_spec(tmp, name, user=user, prefix=prefix))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ao_kernel.jupyter.install",
                                     description="Install the AO (Lua) kernelspec.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--user", action="store_true", help="for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="in sys.prefix (the venv)")
    where.add_argument("--prefix", help="under this prefix")
    parser.add_argument("--name", default=KERNEL_NAME, help="kernelspec name (default: ao)")
    args = parser.parse_args(argv)
    prefix = sys.prefix if args.sys_prefix else args.prefix
    path = install(user=args.user, prefix=prefix, name=args.name)
    print(f"installed kernelspec {args.name!r} in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
