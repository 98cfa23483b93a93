"""The JupyterLab extension in a real browser: Debian's Chromium driven by Playwright against
`jupyter lab` started on loopback (fixtures in conftest.py). Screenshots go to
test-artifacts/ (git-ignored).

* a tutorial notebook (AO kernel) runs, and every AO output is drawn by our renderers,
  not as raw JSON nor by the kernel's text/html fallback;
* a showcase notebook covers all six kinds, ANSI colours, an error, copy-on-click and the
  dark theme; the AO side panel lists the node's processes, updates live when the node
  changes, and its Timeline button draws the timeline widget in the notebook;
* the welcome notebook's live graph widget draws and updates.
"""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest

from .conftest import ARTIFACTS, Lab

pytestmark = pytest.mark.slow

SHOWCASE = [
    'print("\\27[32mgreen\\27[0m and \\27[31mred\\27[0m")\nreturn 6 * 7',
    'Send({ Target = ao.id, Action = "Note", Data = "remember the white rabbit" })',
    "%process",
    "%commitments 1",
    "%verify",
    '%%py\nimport ao_kernel as ao\nao.Message({"Action": "Ping", "count": 3})',
    "%%py\nfrom ao_kernel.jupyter.display import graph\ngraph(_ao)",
    '%%py\nget_ipython()._ao_magics.session.current.eval("error(\'boom\')")',
]


def showcase_notebook() -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ao", "display_name": "AO (Lua)", "language": "lua"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SHOWCASE]
    return nb


# JS run in the page -------------------------------------------------------------------------

_AO_OUTPUTS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const kinds = [];
  for (const cell of nb.widgets) {
    if (cell.model.type !== 'code') continue;
    const outs = cell.model.outputs;
    for (let i = 0; i < outs.length; i++) {
      const mime = Object.keys(outs.get(i).data).find(k => k.startsWith('application/vnd.ao.'));
      if (mime) kinds.push(mime.slice('application/vnd.ao.'.length, -'+json'.length));
    }
  }
  return kinds;
}"""

_ALL_RAN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.widgets) return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  return cells.length > 0 && cells.every(c => c.model.executionCount !== null)
    && w.sessionContext.session.kernel.status === 'idle';
}"""


_KERNEL_READY = """() => {
  if (document.querySelector('.jp-Dialog')) return 'dialog';
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return k && k.status === 'idle' && k.connectionStatus === 'connected' ? 'ready' : false;
}"""


def open_notebook(page: Any, lab: Lab, name: str) -> None:
    page.goto(lab.url(name))
    for _ in range(3):
        state = page.wait_for_function(_KERNEL_READY, timeout=60_000, polling=200).json_value()
        if state == "ready":
            break
        page.click(".jp-Dialog .jp-mod-accept")  # the "Select Kernel" race (notes §4d)
        page.wait_for_selector(".jp-Dialog", state="detached")
    else:
        raise AssertionError("the notebook's kernel did not start")
    news = page.locator(".jp-toast-button", has_text="No")
    if news.count():
        news.first.click()


def run_all(page: Any) -> None:
    # fire and forget: evaluate would await the command's promise with no timeout
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    try:
        page.wait_for_function(_ALL_RAN, timeout=60_000, polling=250)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lab-run-all-timeout.png"), full_page=True)
        state = page.evaluate("""() => {
          const w = window.jupyterapp.shell.currentWidget;
          return [w.sessionContext.session?.kernel?.status,
                  w.content.widgets.filter(c => c.model.executionCount !== null)
                   .map(c => [c.model.executionCount, c.model.toJSON().outputs])];
        }""")
        raise AssertionError(f"run-all did not finish: {state}") from None


def execute_in_kernel(page: Any, code: str) -> None:
    page.evaluate("""(code) => {
      window.jupyterapp.shell.currentWidget.sessionContext.session.kernel
        .requestExecute({ code, store_history: false });
    }""", code)


def assert_rendered_by_extension(page: Any) -> list[str]:
    """Every AO output in the notebook is one of our renderers, none is raw JSON or HTML."""
    kinds = page.evaluate(_AO_OUTPUTS)
    assert kinds, "the notebook produced no application/vnd.ao.* output"
    rendered = page.locator(".jp-Notebook .jp-AORenderer")
    assert rendered.count() == len(kinds), (kinds, rendered.count())
    for kind in set(kinds):
        cls = "jp-AO" + kind[0].upper() + kind[1:]
        assert page.locator(f".jp-Notebook .jp-AORenderer.{cls}").count() == kinds.count(kind)
    # the kernel's text/html fallback (class ao-box) is never chosen over our renderer
    assert page.locator(".jp-Notebook .ao-box").count() == 0
    for text in rendered.all_text_contents():
        assert not re.match(r"\s*\{\s*\"", text), f"raw JSON shown: {text[:200]}"
        assert "application/vnd.ao" not in text
    return kinds


def test_tutorial_notebook_renders_ao_outputs(page: Any, lab_server: Lab) -> None:
    open_notebook(page, lab_server, "03-messaging.ipynb")
    run_all(page)
    kinds = assert_rendered_by_extension(page)
    assert "result" in kinds
    first = page.locator(".jp-Notebook .jp-AOResult").first
    # a result shows its process id shortened with the full value on hover
    pid = first.locator(".jp-AO-id").first
    assert len(pid.get_attribute("data-value") or "") == 43
    assert "…" in (pid.text_content() or "")
    assert pid.get_attribute("data-value") in (pid.get_attribute("title") or "")
    assert not page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type="
                            "'application/vnd.jupyter.stderr']").filter(
        has_text="Traceback").count()
    page.screenshot(path=str(ARTIFACTS / "lab-tutorial-03.png"), full_page=True)
    assert not page.page_errors, page.page_errors


def _luminance(rgb: str) -> float:
    parts = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_COLOURS = """(sel) => {
  const e = document.querySelector(sel);
  let bg = 'rgba(0, 0, 0, 0)', n = e;
  while (n && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(n).backgroundColor; n = n.parentElement;
  }
  return [getComputedStyle(e).color, bg];
}"""


def test_showcase_panel_and_themes(page: Any, lab_server: Lab) -> None:
    nbformat.write(showcase_notebook(), lab_server.root / "showcase.ipynb")
    open_notebook(page, lab_server, "showcase.ipynb")
    run_all(page)
    kinds = assert_rendered_by_extension(page)
    assert set(kinds) == {"message", "result", "process", "assignment", "verification",
                          "graph"}

    # ANSI colours of aos output are colours, not escape codes
    out = page.locator(".jp-AOResult pre.jp-AO-output").first
    assert out.inner_text().startswith("green and red")
    green = out.locator(".jp-AO-ansi-green")
    red = out.locator(".jp-AO-ansi-red")
    assert green.inner_text() == "green" and red.inner_text() == "red"
    g = green.evaluate("e => getComputedStyle(e).color")
    r = red.evaluate("e => getComputedStyle(e).color")
    plain = out.evaluate("e => getComputedStyle(e).color")
    assert len({g, r, plain}) == 3, (g, r, plain)
    assert "\x1b" not in page.locator(".jp-Notebook").inner_text()

    # an error result is highlighted; a verified schedule says so
    err = page.locator(".jp-AOResult .jp-AO-hasError")
    assert err.count() == 1 and "boom" in err.inner_text()
    assert err.locator("pre.jp-AO-error").evaluate("e => getComputedStyle(e).color") != plain
    assert "verified" in page.locator(".jp-AOVerification .jp-AO-ok").inner_text()
    assert page.locator(".jp-AOGraph svg .jp-AO-graphEdge").count() >= 1

    # click to copy: the clipboard gets the full ID
    ident = page.locator(".jp-AOProcess .jp-AO-id").first
    full = ident.get_attribute("data-value")
    ident.click()
    page.wait_for_selector(".jp-AOProcess .jp-AO-id.jp-mod-copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == full
    page.screenshot(path=str(ARTIFACTS / "lab-showcase-light.png"), full_page=True)

    # the side panel: processes of the kernel's node, with slots and latest results
    page.evaluate("() => { window.jupyterapp.commands.execute('ao:open-panel'); }")
    panel = page.locator("#ao-kernel-panel")
    row = panel.locator(".jp-AOPanel-process.jp-mod-current")
    row.wait_for()
    assert panel.get_attribute("data-status") == "connected"
    assert row.locator(".jp-AOPanel-name").inner_text() == "default"
    pid = row.get_attribute("data-pid")
    assert pid == full  # the current process, the one %process showed
    slot = int(row.locator(".jp-AOPanel-slot").inner_text().split()[1])
    assert slot >= 4
    assert "boom" in row.locator(".jp-AOPanel-output").inner_text()  # its latest result

    # live: a message scheduled outside any cell of this notebook shows up by itself
    updates = int(panel.get_attribute("data-updates") or 0)
    execute_in_kernel(page, 'Send({ Target = ao.id, Action = "Note", Data = "live" })')
    page.wait_for_function(
        """([pid, slot]) => {
          const r = document.querySelector(`#ao-kernel-panel .jp-AOPanel-process[data-pid="${pid}"]`);
          return r && parseInt(r.querySelector('.jp-AOPanel-slot').textContent.split(' ')[1]) > slot;
        }""", arg=[pid, slot], timeout=20_000)
    assert int(panel.get_attribute("data-updates") or 0) > updates
    page.screenshot(path=str(ARTIFACTS / "lab-panel.png"))

    # the Timeline button runs %ao_timeline PID in the notebook: the widget draws
    timelines = page.locator(".jp-Notebook .ao-timeline").count()
    row.locator(".jp-AOPanel-timeline").click()
    page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .ao-timeline')"
                           f".length > {timelines}", timeout=30_000)
    cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets"
                          ".map(c => c.model.sharedModel.getSource())")
    assert cells[-1] == f"%ao_timeline {pid}"
    page.screenshot(path=str(ARTIFACTS / "lab-timeline.png"), full_page=True)

    # dark theme: the cards stay readable (WCAG AA contrast for text, errors included)
    page.evaluate("() => { window.jupyterapp.commands.execute('apputils:change-theme',"
                  " { theme: 'JupyterLab Dark' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'",
                           timeout=20_000)
    page.wait_for_timeout(500)
    for sel in (".jp-AOResult pre.jp-AO-output", ".jp-AOProcess .jp-AO-kv th",
                ".jp-AOResult pre.jp-AO-error", ".jp-AOPanel-name", ".jp-AO-id code"):
        fg, bg = page.evaluate(_COLOURS, sel)
        assert _contrast(fg, bg) >= 4.5, (sel, fg, bg)
    page.screenshot(path=str(ARTIFACTS / "lab-showcase-dark.png"), full_page=True)
    page.evaluate("() => { window.jupyterapp.commands.execute('apputils:change-theme',"
                  " { theme: 'JupyterLab Light' }); }")
    assert not page.page_errors, page.page_errors


# the graph widget as drawn: its root (.ao-graph) is the child of anywidget's el, which holds
# the cytoscape instance (el.aoCytoscape); "ink" counts the painted pixels of each canvas
_GRAPH = """(root) => {
  const cy = root.parentElement.aoCytoscape;
  const box = root.querySelector('.ao-graph-canvas');
  const canvases = [...box.querySelectorAll('canvas')].map(c => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i]) ink++;
    return { width: c.width, height: c.height, ink };
  });
  const m = root.querySelector('.ao-status').textContent.match(/(\\d+) processes · (\\d+) messages/);
  return {
    state: root.dataset.state, layouts: Number(root.dataset.layouts || 0),
    data_nodes: Number(root.dataset.nodes || -1), box: [box.clientWidth, box.clientHeight],
    size: cy ? [cy.width(), cy.height()] : null, canvases,
    processes: m ? Number(m[1]) : -1, messages: m ? Number(m[2]) : -1,
    nodes: cy ? cy.nodes().map(n => ({ label: n.data('label'), kind: n.data('kind'),
                                     pos: n.renderedPosition() })) : [],
    drawn_messages: cy ? cy.edges('[kind = "message"]').map(e => e.data('count'))
                         .reduce((a, b) => a + b, 0) : -1,
    detail: root.querySelector('.ao-graph-detail').textContent,
  };
}"""


def test_welcome_graph_widget_draws_live(page: Any, lab_server: Lab) -> None:
    """Issue 9: anywidget renders into a detached element; the graph must still draw (and
    nothing may throw) once JupyterLab attaches it, then follow the node live."""
    open_notebook(page, lab_server, "00-welcome.ipynb")
    run_all(page)
    graph = page.locator(".jp-Notebook .ao-graph").first
    graph.wait_for(state="attached")
    graph.scroll_into_view_if_needed()  # off-screen cells are skipped (content-visibility)
    try:
        page.wait_for_function(f"(e) => {{ const g = ({_GRAPH})(e); return g.state === 'drawn'"
                               " && g.layouts >= 1 && g.canvases.some(c => c.ink > 0)"
                               " && g.drawn_messages > 0 && g.drawn_messages === g.messages; }",
                               arg=graph.element_handle(), timeout=20_000, polling=250)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lab-welcome-timeout.png"))
        raise AssertionError(f"graph not drawn: {graph.evaluate(_GRAPH)}; console errors: "
                             f"{page.console_errors[-5:]}; page errors: {page.page_errors}"
                             ) from None
    g = graph.evaluate(_GRAPH)
    # cytoscape measured the real container (a detached one gives NaN) and painted into it
    width, height = g["box"]
    assert width > 200 and height > 200, g["box"]
    assert g["size"] == [width, height]
    assert g["canvases"] and all(c["width"] > 0 and c["height"] > 0 for c in g["canvases"])
    # what is drawn is the notebook's node: two processes and the wallet that sent to them
    assert g["processes"] == 2
    assert sorted((n["label"], n["kind"]) for n in g["nodes"]) == [
        ("asker", "process"), ("node wallet", "wallet"), ("pinger", "process")]
    assert g["data_nodes"] == 3
    for n in g["nodes"]:  # laid out inside the canvas, not stacked at a NaN or 0x0 origin
        assert 0 < n["pos"]["x"] < width and 0 < n["pos"]["y"] < height, n
    assert len({(round(n["pos"]["x"]), round(n["pos"]["y"])) for n in g["nodes"]}) == 3
    before = g["messages"]
    assert before > 0

    # live: a message sent from the kernel shows up as a new message on the drawn edges
    execute_in_kernel(page, 'pinger.send(action="Ping", data="from the browser test")')
    page.wait_for_function(f"([e, n]) => {{ const g = ({_GRAPH})(e);"
                           " return g.messages > n && g.drawn_messages === g.messages; }",
                           arg=[graph.element_handle(), before], timeout=20_000, polling=250)
    assert graph.evaluate(_GRAPH)["messages"] == before + 1

    # the layout selector re-lays the graph out (the trait is graph_layout: a trait named
    # layout made ipywidgets' DOMWidgetView try to build a Layout view of the string)
    layouts = graph.evaluate(_GRAPH)["layouts"]
    graph.locator("select.ao-select").select_option("circle")
    page.wait_for_function(f"([e, n]) => ({_GRAPH})(e).layouts > n",
                           arg=[graph.element_handle(), layouts], timeout=10_000)

    # a click on a process (at its drawn position) asks the kernel for its state
    g = graph.evaluate(_GRAPH)
    pinger = next(n for n in g["nodes"] if n["label"] == "pinger")
    box = graph.locator(".ao-graph-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 1 + pinger["pos"]["x"], box["y"] + 1 + pinger["pos"]["y"])
    page.wait_for_function(f"(e) => ({_GRAPH})(e).detail.includes('pinger')",
                           arg=graph.element_handle(), timeout=20_000)

    # the AO outputs of a Python-kernel notebook are ours too
    if page.evaluate(_AO_OUTPUTS):
        assert_rendered_by_extension(page)
    page.screenshot(path=str(ARTIFACTS / "lab-welcome-graph.png"), full_page=True)
    assert not page.page_errors, page.page_errors
    widget_errors = [e for e in page.console_errors
                     if "blob:" in e or "anywidget" in e or "jupyter-widgets" in e]
    assert not widget_errors, widget_errors
