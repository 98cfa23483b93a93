"""The learner's path (issue 20), walked in Debian's Chromium as a newcomer walks it, with a
screenshot of each stop in test-artifacts/ (git-ignored):

* the README's first example typed, cell by cell, into a new AO notebook opened from the
  launcher: the `%send` card says "1 message to you" and shows "pong" (learner-readme.png);
* the Python notebook path, one cell at a time at a human pace with the AO panel open, on
  a machine with no wallet yet: `%load_ext ao_kernel`, `ao.Node()`, `%spawn`, `%send`,
  `%graph`. Every cell finishes (every AO magic hung here: the panel's snapshot waited on
  the node thread for a future only that thread could resolve), the panel goes live
  (learner-python.png);
* a tutorial run top to bottom, the token notebook, whose self-addressed messages used to
  nest cards in cards: one card per cell, no escape codes (learner-token.png);
* interrupt: a runaway Lua loop is stopped from the toolbar, and the next cell runs
  (learner-interrupt.png);
* a Lua `print` is a stdout stream output above the cell's value, and a long cell's print
  is on screen while the cell still runs (learner-print-running.png, learner-print.png).
"""

from __future__ import annotations

import shutil
from typing import Any

import nbformat
import pytest

from .conftest import ARTIFACTS, ROOT, Lab
from .test_lab import assert_outputs_rendered, open_notebook, run_all

pytestmark = pytest.mark.slow

PYTHON_PATH = [
    "%load_ext ao_kernel",
    "import ao_kernel as ao\nnode = ao.Node()",
    "%spawn --name friend",
    "%send --to friend --action Ping",
    "%graph",
    'node.spawn(name="mine")',  # a process of the notebook's own node
]

# the README's "In JupyterLab" example, one cell each, as written there
README_CELLS = [
    "%spawn --name friend",
    'Handlers.add("ping", "Ping", function(msg) msg.reply({ Data = "pong" }) end)',
    "%send --to friend --action Ping",
    "%graph",
]


def test_readme_lists_the_cells_typed_here() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## In JupyterLab"):readme.index("## On the network")]
    blocks = [b.split("\n", 1)[1].strip() for b in section.split("```")[1::2]]
    assert blocks == README_CELLS


def python_notebook(cells: list[str]) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    return nb


_CELL_DONE = """(i) => {
  const w = window.jupyterapp.shell.currentWidget;
  const c = w.content.widgets[i];
  return c.model.executionCount !== null && w.sessionContext.session.kernel.status === 'idle';
}"""


def run_cells_one_by_one(page: Any, name: str, pause_ms: int = 2500,
                         timeout_ms: int = 30_000) -> None:
    """Run each cell and wait for it, pausing between cells as a person reading would (the
    AO panel retries its connection while the kernel is idle)."""
    n = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
    for i in range(n):
        page.evaluate("""(i) => { const nb = window.jupyterapp.shell.currentWidget.content;
          nb.activeCellIndex = i; window.jupyterapp.commands.execute('notebook:run-cell'); }""", i)
        try:
            page.wait_for_function(_CELL_DONE, arg=i, timeout=timeout_ms, polling=200)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"{name}-hang-cell{i}.png"), full_page=True)
            raise AssertionError(f"cell {i} did not finish: the kernel hangs") from None
        page.wait_for_timeout(pause_ms)


def visible_text(page: Any, selector: str) -> list[str]:
    return [t for t in page.locator(selector).all_inner_texts() if t.strip()]


def test_readme_example_in_a_new_ao_notebook(page: Any, lab_server: Lab) -> None:
    page.goto(f"{lab_server.base}/lab?token={lab_server.token}&reset")
    card = page.locator(".jp-LauncherCard[data-category='Notebook']", has_text="AO (Lua)")
    card.first.click()
    page.wait_for_function("() => { const w = window.jupyterapp.shell.currentWidget;"
                           " const k = w && w.sessionContext && w.sessionContext.session"
                           " && w.sessionContext.session.kernel;"
                           " return k && k.name === 'ao' && k.status === 'idle'; }",
                           timeout=60_000, polling=200)
    for i, src in enumerate(README_CELLS):
        editor = page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".cm-content")
        editor.click()
        page.keyboard.type(src)
        typed = page.evaluate("(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
                              ".model.sharedModel.getSource()", i)
        assert typed == src, (typed, src)  # the editor's auto-closing did not double anything
        page.keyboard.press("Shift+Enter")
        page.wait_for_function(_CELL_DONE, arg=i, timeout=60_000, polling=200)
    # the answer is on screen, in plain words, not folded away
    replies = page.locator(".jp-Notebook .jp-AOResult .jp-AO-replies")
    replies.first.wait_for()
    assert replies.count() == 1
    text = replies.first.inner_text()
    assert "1 message to you" in text and "pong" in text, text
    assert replies.first.is_visible()
    assert "undelivered" not in page.locator(".jp-Notebook").inner_text()
    page.locator(".jp-Notebook .ao-graph").first.wait_for()
    assert not page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type="
                            "'application/vnd.jupyter.stderr']").count()
    page.screenshot(path=str(ARTIFACTS / "learner-readme.png"), full_page=True)
    assert not page.page_errors, page.page_errors


def test_python_notebook_path(page: Any, lab_server: Lab) -> None:
    nbformat.write(python_notebook(PYTHON_PATH), lab_server.root / "python-path.ipynb")
    open_notebook(page, lab_server, "python-path.ipynb")
    page.evaluate("() => { window.jupyterapp.commands.execute('ao:open-panel'); }")
    run_cells_one_by_one(page, "learner-python")
    outputs = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
      .map(c => c.model.outputs.toJSON().map(o => o.output_type === 'error' ? 'error: ' + o.evalue
           : Object.keys(o.data || {}).join(',')))""")
    assert not [o for cell in outputs for o in cell if o.startswith("error")], outputs
    assert "application/vnd.ao.process+json" in outputs[2][0]
    assert "application/vnd.ao.result+json" in outputs[3][0]
    page.locator(".jp-Notebook .ao-graph").first.wait_for()
    # the side panel found the node the magics use
    panel = page.locator("#ao-kernel-panel")
    page.wait_for_function("() => document.querySelector('#ao-kernel-panel')"
                           ".dataset.status === 'connected'", timeout=20_000)
    assert panel.locator(".jp-AOPanel-process", has_text="friend").count() == 1
    # and the node the notebook built itself, by its variable name
    other = panel.locator(".jp-AOPanel-others")
    other.wait_for()
    assert "Python variable node" in other.inner_text()
    assert other.locator(".jp-AOPanel-name", has_text="mine").count() == 1
    assert_outputs_rendered(page)
    page.screenshot(path=str(ARTIFACTS / "learner-python.png"), full_page=True)
    assert not page.page_errors, page.page_errors


def test_token_tutorial_top_to_bottom(page: Any, lab_server: Lab) -> None:
    shutil.copy(ROOT / "notebooks" / "05-token.ipynb", lab_server.root / "05-token.ipynb")
    open_notebook(page, lab_server, "05-token.ipynb")
    run_all(page)
    assert_outputs_rendered(page)
    # one card per output: no result card inside another, no escape codes anywhere
    nested = page.locator(".jp-Notebook .jp-AOResult .jp-AOResult")
    assert nested.count() == 0
    text = page.locator(".jp-Notebook").inner_text()
    assert "\x1b" not in text and "\\u001b" not in text
    errors = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets
      .flatMap(c => c.model.type === 'code' ? c.model.outputs.toJSON() : [])
      .filter(o => o.output_type === 'error').map(o => o.evalue)""")
    assert not errors, errors
    page.screenshot(path=str(ARTIFACTS / "learner-token.png"), full_page=True)
    assert not page.page_errors, page.page_errors


def test_interrupt_a_runaway_cell(page: Any, lab_server: Lab) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ao", "display_name": "AO (Lua)", "language": "lua"}
    # the lab's kernels run with a budget no loop reaches (conftest), so only the
    # interrupt can stop it
    nb.cells = [nbformat.v4.new_code_cell('while true do local s = string.rep("x", 100000) end'),
                nbformat.v4.new_code_cell("return 6 * 7")]
    nbformat.write(nb, lab_server.root / "runaway.ipynb")
    open_notebook(page, lab_server, "runaway.ipynb")
    page.evaluate("""() => { const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = 0; window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext"
                           ".session.kernel.status === 'busy'", timeout=20_000)
    page.wait_for_timeout(1000)
    page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']").click()
    page.wait_for_function(_CELL_DONE, arg=0, timeout=30_000, polling=200)
    err = page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-OutputArea-output")
    assert "KeyboardInterrupt" in err.inner_text()
    page.evaluate("""() => { const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = 1; window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    page.wait_for_function(_CELL_DONE, arg=1, timeout=30_000, polling=200)
    assert "42" in page.locator(".jp-Notebook .jp-Cell").nth(1).inner_text()
    page.screenshot(path=str(ARTIFACTS / "learner-interrupt.png"), full_page=True)
    assert not page.page_errors, page.page_errors


_STDOUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']"


def test_lua_print_streams_while_the_cell_runs(page: Any, lab_server: Lab) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ao", "display_name": "AO (Lua)", "language": "lua"}
    nb.cells = [nbformat.v4.new_code_cell('print("hello from Lua")\nprint(42)\nreturn 6 * 7'),
                nbformat.v4.new_code_cell('print("started, now looping")\n'
                                          "while true do local s = string.rep('x', 1000) end")]
    nbformat.write(nb, lab_server.root / "prints.ipynb")
    open_notebook(page, lab_server, "prints.ipynb")
    page.evaluate("""() => { const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = 0; window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    page.wait_for_function(_CELL_DONE, arg=0, timeout=60_000, polling=200)
    first = page.locator(".jp-Notebook .jp-Cell").nth(0)
    kinds = page.evaluate("""() => window.jupyterapp.shell.currentWidget.content.widgets[0]
      .model.outputs.toJSON().map(o => o.output_type + ':' + (o.name || ''))""")
    # the prints (one stream), then the value (the card), then the first prompt (stdout)
    assert kinds[:2] == ["stream:stdout", "execute_result:"], kinds
    printed = first.locator(_STDOUT).first.inner_text()
    assert printed.splitlines()[:2] == ["hello from Lua", "42"], printed
    card = first.locator(".jp-AOResult")
    assert card.count() == 1 and "42" in card.inner_text()
    assert "hello from Lua" not in card.inner_text()  # not shown twice
    # a long cell: its print is on screen while the kernel is still busy
    page.evaluate("""() => { const nb = window.jupyterapp.shell.currentWidget.content;
      nb.activeCellIndex = 1; window.jupyterapp.commands.execute('notebook:run-cell'); }""")
    second = page.locator(".jp-Notebook .jp-Cell").nth(1)
    second.locator(_STDOUT, has_text="started, now looping").wait_for(timeout=20_000)
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext"
                         ".session.kernel.status") == "busy"
    page.screenshot(path=str(ARTIFACTS / "learner-print-running.png"), full_page=True)
    page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']").click()
    page.wait_for_function(_CELL_DONE, arg=1, timeout=30_000, polling=200)
    assert "KeyboardInterrupt" in second.inner_text()
    assert "started, now looping" in second.locator(_STDOUT).first.inner_text()
    assert "\x1b" not in page.locator(".jp-Notebook").inner_text()  # aos's colours drawn
    page.screenshot(path=str(ARTIFACTS / "learner-print.png"), full_page=True)
    assert not page.page_errors, page.page_errors
