"""The examples in docs/ run.

For every page of ``docs/**/*.md`` with ```` ```python ```` blocks, one test executes the
page's ```` ```python ```` blocks in order, as a reader would type them: one fresh
namespace per page with ``import ao_kernel as ao`` preloaded, in a temporary working
directory (files the examples write, such as ``wallet.json`` or ``my.db``, stay out of
the repository). A failure names the page, the block and its line, and the exception.

Only ```` ```python ```` blocks are executed. Fragments that cannot run offline (they need
an Arweave gateway, for instance) are fenced ```` ```py ```` instead and are not run; keep
those to a minimum. ```` ```sh ````, ```` ```bash ````, ```` ```lua ````, ```` ```js ```` and
plain ```` ``` ```` blocks are not Python and are not run either.
"""

from __future__ import annotations

import contextlib
import re
import traceback
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"

#: An opening fence with its language (empty for a plain fence), its body, a closing fence.
FENCE = re.compile(r"^```([\w+-]*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
#: Fence languages the docs may use; anything else is probably a typo that would
#: silently keep a Python example from running (```Python, ```python3, ...).
KNOWN_LANGUAGES = {"python", "py", "sh", "bash", "lua", "js", ""}


def fences(page: Path) -> list[tuple[str, int, str]]:
    """Every fenced block of ``page``: (language, line of its first code line, code)."""
    text = page.read_text(encoding="utf-8")
    return [(m.group(1), text.count("\n", 0, m.start(2)) + 1, m.group(2))
            for m in FENCE.finditer(text)]


def python_blocks(page: Path) -> list[tuple[int, str]]:
    return [(line, code) for lang, line, code in fences(page) if lang == "python"]


PAGES = sorted(p for p in DOCS.rglob("*.md") if python_blocks(p))


def _name(page: Path) -> str:
    return page.relative_to(DOCS.parent).as_posix()


def _clean_up(namespace: dict[str, Any]) -> None:
    """Stop servers and close nodes a page left open (e.g. when a block failed midway)."""
    from ao_kernel.node.http.server import ServerHandle
    from ao_kernel.node.node import Node

    values = list(namespace.values())
    for value in values:
        if isinstance(value, ServerHandle):
            with contextlib.suppress(Exception):  # already stopped
                value.stop()
    for value in values:
        if isinstance(value, Node):
            with contextlib.suppress(Exception):  # already closed
                value.close()


def test_docs_have_python_examples() -> None:
    assert len(PAGES) >= 15, [_name(p) for p in PAGES]


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=_name)
def test_fence_languages_are_known(page: Path) -> None:
    unknown = sorted({lang for lang, _, _ in fences(page)} - KNOWN_LANGUAGES)
    assert not unknown, f"{_name(page)}: unknown code fence language(s) {unknown}"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec("import ao_kernel as ao", namespace)
    blocks = python_blocks(page)
    try:
        for number, (line, code) in enumerate(blocks, start=1):
            # padded so that tracebacks give the line in the .md file
            source = "\n" * (line - 1) + code
            try:
                exec(compile(source, str(page), "exec"), namespace)
            except Exception as exc:
                frames = [f for f in traceback.extract_tb(exc.__traceback__)
                          if f.filename == str(page)]
                where = f"line {frames[-1].lineno}" if frames else f"starting line {line}"
                detail = "".join(traceback.format_exception(exc)[-12:])
                pytest.fail(f"{_name(page)}, python block {number} of {len(blocks)} "
                            f"({where}): {type(exc).__name__}: {exc}\n\n{detail}",
                            pytrace=False)
    finally:
        _clean_up(namespace)
