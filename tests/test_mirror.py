"""Where things are: every docs page is linked from docs/index.md, and every device module
of ``ao_kernel/devices`` has its docs page (docs/devices/) and its test file
(tests/devices/), as docs/layout.md says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEVICES = ROOT / "ao_kernel" / "devices"
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def device_modules() -> list[str]:
    names = [p.stem for p in DEVICES.glob("*.py") if not p.stem.startswith("_")]
    names += [p.parent.name for p in DEVICES.glob("*/__init__.py")]
    return sorted(names)


def test_the_index_links_every_page() -> None:
    linked = {(DOCS / target).resolve()
              for target in LINK.findall((DOCS / "index.md").read_text(encoding="utf-8"))}
    pages = {p.resolve() for p in DOCS.rglob("*.md") if p.name != "index.md"}
    assert not linked - pages, f"docs/index.md links missing pages: {sorted(linked - pages)}"
    assert not pages - linked, f"pages docs/index.md does not link: {sorted(pages - linked)}"


def test_every_device_has_a_page_and_a_test_file() -> None:
    modules = device_modules()
    assert {"scheduler", "process", "push", "patch", "cron", "message"} <= set(modules)
    tests = [p.stem for p in (ROOT / "tests" / "devices").glob("test_*.py")]
    no_page = [m for m in modules
               if not (DOCS / "devices" / f"{m.replace('_', '-')}.md").exists()]
    no_test = [m for m in modules
               if not any(t == f"test_{m}" or t.startswith(f"test_{m}_") for t in tests)]
    assert not no_page, f"devices without a docs/devices page: {no_page}"
    assert not no_test, f"devices without a tests/devices file: {no_test}"
