"""The JupyterLab extension in a real browser: Debian's Chromium driven by Playwright against
`jupyter lab` started on loopback (fixtures in conftest.py; it serves the COMMITTED build of
ao_kernel/labextension). Screenshots go to test-artifacts/ (git-ignored).

* a tutorial notebook (AO kernel) runs, and every output of every cell is drawn by the
  right renderer: each AO output by ours, not as raw JSON, JupyterLab's JSON tree nor the
  kernel's text/html fallback, and nothing is left without a renderer;
* a showcase notebook covers all six kinds, the 16 ANSI colours, an error, copy-on-click;
  the AO side panel lists the node's processes, updates live when the node changes, and
  the Timeline button of a (non-current) process draws that process's timeline widget,
  whose slot buttons are drawn icons that move through the slots; every text of the cards,
  the panel and the widget has WCAG AA contrast (computed from getComputedStyle) and a
  glyph, in the light and the dark theme;
* the welcome notebook's live graph widget draws and updates, and its AO output and both
  widgets are drawn by ao-kernel's front ends.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import nbformat
import pytest

from .conftest import ARTIFACTS, ROOT, Lab

pytestmark = pytest.mark.slow

SHOWCASE = [
    # coloured text printed (a stdout stream, JupyterLab's ANSI) and returned (the card, ours)
    'print("\\27[32mgreen\\27[0m and \\27[31mred\\27[0m, printed")\n'
    'return "\\27[32mgreen\\27[0m and \\27[31mred\\27[0m, the value"',
    # the 16 ANSI foreground colours, each as its code: c30 ... c97 (the cell's value)
    'local s = {}\nfor _, c in ipairs({30, 31, 32, 33, 34, 35, 36, 37, 90, 91, 92, 93, 94, 95, 96, 97})'
    ' do\n  s[#s + 1] = "\\27[" .. c .. "mc" .. c .. "\\27[0m"\nend\nreturn table.concat(s, " ")',
    'Send({ Target = ao.id, Action = "Note", Data = "remember the white rabbit" })',
    "%process",
    "%commitments 1",
    "%verify",
    '%%py\nimport ao_kernel as ao\nao.Message({"Action": "Ping", "count": 3})',
    "%%py\nfrom ao_kernel.jupyter.display import graph\ngraph(_ao)",
    '%%py\nget_ipython()._ao_magics.session.current.eval("error(\'boom\')")',
    # a second process (with a slot of its own), so the panel's Timeline button has a
    # process to choose and the timeline's slot buttons somewhere to go
    "%spawn --name other",
    "Visits = 1\nreturn Visits",
    "%connect default",
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


# every output of every code cell: its MIME types and the one JupyterLab rendered
_OUTPUT_VIEWS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const rows = [];
  nb.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const outs = cell.model.outputs;
    const views = cell.outputArea.widgets;
    for (let i = 0; i < outs.length; i++) {
      const view = views[i] && views[i].node;
      const out = view && (view.matches('.jp-OutputArea-output') ? view
                           : view.querySelector('.jp-OutputArea-output'));
      // JupyterLab's renderers (and ours) say what they show in data-mime-type; the
      // widget renderer of ipywidgets does not: a drawn ao-kernel widget says it
      const shown = out && (out.getAttribute('data-mime-type')
        || (out.querySelector('.ao-widget') ? 'application/vnd.jupyter.widget-view+json' : null));
      rows.push({ cell: index, mimes: Object.keys(outs.get(i).data), shown,
                  ours: out ? Boolean(out.closest('.jp-AORenderer')
                                      || out.querySelector('.jp-AORenderer, .ao-widget')) : false,
                  text: out ? out.textContent.slice(0, 300) : '' });
    }
  });
  return rows;
}"""

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def assert_outputs_rendered(page: Any) -> list[dict[str, Any]]:
    """Each output has a renderer; an AO output is drawn by ours (not the kernel's text/html,
    JupyterLab's JSON tree or text/plain), an ao-kernel widget draws as a widget."""
    rows = page.evaluate(_OUTPUT_VIEWS)
    for row in rows:
        where = f"cell {row['cell']}: {row['mimes']} shown as {row['shown']}: {row['text']!r}"
        assert row["shown"], f"no renderer: {where}"
        ao = [m for m in row["mimes"] if m.startswith("application/vnd.ao.")]
        if ao:
            assert row["shown"] == ao[0] and row["ours"], where
        if WIDGET_VIEW in row["mimes"]:
            assert row["shown"] == WIDGET_VIEW and row["ours"], where
        for bad in ("application/vnd.ao", "Javascript Error", "Error displaying widget",
                    "No renderer", " object at 0x"):
            assert bad not in row["text"], where
        assert row["shown"] != "application/json", where
    return rows


def assert_rendered_by_extension(page: Any) -> list[str]:
    """Every AO output in the notebook is one of our renderers, none is raw JSON or HTML."""
    kinds = page.evaluate(_AO_OUTPUTS)
    assert kinds, "the notebook produced no application/vnd.ao.* output"
    assert_outputs_rendered(page)
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


def test_lab_serves_the_committed_build(lab_server: Lab) -> None:
    """The browser tests exercise ao_kernel/labextension as committed (see conftest.py)."""
    with urllib.request.urlopen(f"{lab_server.base}/lab?token={lab_server.token}",
                                timeout=30) as resp:
        html = resp.read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found, html[:500]
    config = json.loads(found.group(1))
    ours = [e for e in config["federated_extensions"] if e["name"] == "ao-kernel"]
    committed = json.loads((ROOT / "ao_kernel" / "labextension" / "package.json").read_text())
    assert len(ours) == 1 and ours[0]["load"] == committed["jupyterlab"]["_build"]["load"], ours


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


def _luminance(rgb: list[float]) -> float:
    parts = [c / 255 for c in rgb[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _over(fg: list[float], bg: list[float]) -> list[float]:
    """A semi-transparent colour (rgba(0,0,0,.54)) as drawn over an opaque background."""
    a = fg[3] if len(fg) > 3 else 1.0
    return [fg[i] * a + bg[i] * (1 - a) for i in range(3)]


def _contrast(a: list[float], b: list[float]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# What the AO front ends draw under `sel`: every element with text of its own (and every
# SVG icon), with its colour and the background it sits on as the eye sees it
# (semi-transparent layers composited up to the first opaque one), and the characters that
# Chromium drew as the font's empty .notdef box (compared with an unassigned code point).
_TEXT_AUDIT = """(sel) => {
  const rgba = (c) => {  // rgb(), rgba() and color(srgb ...), what color-mix() computes to
    const m = /(rgba?|color)\\(\\s*(?:srgb)?([^)]*)\\)/.exec(c || '');
    if (!m) return null;
    const p = m[2].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    const k = m[1] === 'color' ? 255 : 1;
    return [p[0] * k, p[1] * k, p[2] * k, p.length > 3 ? p[3] : 1];
  };
  const background = (e) => {
    const layers = [];
    for (let n = e; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = [0, 1, 2].map(i => c[i] * c[3] + bg[i] * (1 - c[3])).concat(1);
    return bg;
  };
  const draw = (font, ch) => {
    const c = document.createElement('canvas');
    c.width = c.height = 48;
    const g = c.getContext('2d');
    g.font = font.replace(/^(.*?)\\d+(\\.\\d+)?px/, '$124px');
    g.textBaseline = 'top';
    g.fillText(ch, 8, 8);
    return g.getImageData(0, 0, 48, 48).data.join(',');
  };
  const label = (e) => e.tagName.toLowerCase() + (e.getAttribute('class') ? '.' + e.getAttribute('class').trim().split(/\\s+/).join('.') : '');
  const seen = new Set(), items = [], glyphs = new Map();
  for (const root of document.querySelectorAll(sel)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const e = t.parentElement;
      if (!t.textContent.trim() || seen.has(e) || !e.getClientRects().length) continue;
      seen.add(e);
      const cs = getComputedStyle(e);
      if (cs.visibility !== 'visible' || parseFloat(cs.opacity) === 0) continue;
      const svg = e instanceof SVGElement;
      items.push({ el: label(e), text: e.textContent.trim().slice(0, 40),
                   fg: rgba(svg ? cs.fill : cs.color), bg: background(svg ? e.closest('svg') : e) });
      for (const ch of t.textContent) {
        if (ch.codePointAt(0) > 0x7e && ch.trim()) {
          const key = cs.font + '\\u0000' + ch;
          if (!glyphs.has(key)) glyphs.set(key, { font: cs.font, ch, el: label(e) });
        }
      }
    }
    for (const icon of root.querySelectorAll('svg.ao-icon')) {
      const r = icon.getBoundingClientRect();
      items.push({ el: label(icon.parentElement) + ' > svg', text: icon.parentElement.getAttribute('aria-label'),
                   fg: rgba(getComputedStyle(icon).color), bg: background(icon), size: [r.width, r.height] });
    }
  }
  const missing = [...glyphs.values()].filter(g => draw(g.font, g.ch) === draw(g.font, '\\u0378'));
  return { items, missing: missing.map(g => `U+${g.ch.codePointAt(0).toString(16).toUpperCase()} ${g.ch} in ${g.el}`) };
}"""

AO_FRONT_ENDS = ".jp-Notebook .jp-AORenderer, #ao-kernel-panel, .jp-Notebook .ao-widget"


def assert_readable(page: Any, sel: str = AO_FRONT_ENDS, ratio: float = 4.5) -> int:
    """Every text of the AO front ends has WCAG AA contrast with what is behind it, every
    character has a glyph (no empty boxes), every SVG icon is drawn. Returns the count."""
    audit = page.evaluate(_TEXT_AUDIT, sel)
    unparsed = [i for i in audit["items"] if not i["fg"] or not i["bg"]]
    assert not unparsed, unparsed
    assert not audit["missing"], f"drawn as empty boxes: {audit['missing']}"
    low = [(i["el"], i["text"], i["fg"], i["bg"], round(_contrast(_over(i["fg"], i["bg"]), i["bg"]), 2))
           for i in audit["items"] if _contrast(_over(i["fg"], i["bg"]), i["bg"]) < ratio]
    assert not low, f"contrast under {ratio}:1: {low}"
    icons = [i for i in audit["items"] if "size" in i]
    assert all(w >= 8 and h >= 8 and i["text"] for i in icons for w, h in [i["size"]]), icons
    return len(audit["items"])


_PALETTE = """(e) => [...e.querySelectorAll('span')].map(s => {
  const c = getComputedStyle(s).color, m = /(rgba?|color)\\(\\s*(?:srgb)?([^)]*)\\)/.exec(c);
  const p = m[2].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  const k = m[1] === 'color' ? 255 : 1;
  return [s.textContent, s.className, [p[0] * k, p[1] * k, p[2] * k, p.length > 3 ? p[3] : 1]];
})"""


def check_ansi_palette(page: Any) -> None:
    """The 16 ANSI colours printed by the showcase: a class each, 8 distinct colours and 8
    distinct bright ones, each of the right hue (magenta was the theme's keyword green)."""
    palette = page.locator(".jp-AOResult pre.jp-AO-output", has_text="c30 c31").first
    spans = palette.evaluate(_PALETTE)
    assert [t for t, _, _ in spans] == [f"c{c}" for c in [*range(30, 38), *range(90, 98)]]
    names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
    assert [c for _, c, _ in spans] == [f"jp-AO-ansi-{n}" for n in names] + [
        f"jp-AO-ansi-bright-{n}" for n in names]
    rgba = [(round(c[0]), round(c[1]), round(c[2]), round(c[3], 2)) for _, _, c in spans]
    assert len(set(rgba[:8])) == 8 and len(set(rgba[8:])) == 8, rgba
    for (r, g, b, _), name in zip(rgba, names * 2, strict=True):
        hue = {"red": r > g and r > b, "green": g > r and g > b, "blue": b > r and b > g,
               "yellow": r > b and g > b, "magenta": r > g and b > g,
               "cyan": g > r and b > r}.get(name, True)
        assert hue, (name, (r, g, b))


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
    # the print is a stdout stream above the card, coloured by JupyterLab, not repeated
    printed = page.locator(".jp-Notebook .jp-Cell").nth(0).locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']").first
    assert printed.inner_text().startswith("green and red, printed")
    assert printed.locator(".ansi-green-fg").inner_text() == "green"
    assert "printed" not in out.inner_text()
    check_ansi_palette(page)  # all 16 (their contrast: below, with the rest)

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

    # the Timeline button of a process that is not the current one runs %ao_timeline PID
    # in the notebook: the timeline widget of THAT process draws, at its latest slot
    other = panel.locator(".jp-AOPanel-process", has=page.locator(".jp-AOPanel-name",
                                                                  has_text="other"))
    assert other.count() == 1 and "jp-mod-current" not in (other.get_attribute("class") or "")
    other_pid = other.get_attribute("data-pid")
    assert other_pid and other_pid != pid
    other_slot = int(other.locator(".jp-AOPanel-slot").inner_text().split()[1])
    timelines = page.locator(".jp-Notebook .ao-timeline").count()
    other.locator(".jp-AOPanel-timeline").click()
    page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .ao-timeline')"
                           f".length > {timelines}", timeout=30_000)
    cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets"
                          ".map(c => c.model.sharedModel.getSource())")
    assert cells[-1] == f"%ao_timeline {other_pid}"
    timeline = page.locator(".jp-Notebook .ao-timeline").last
    title = timeline.locator(".ao-title")
    assert title.inner_text().startswith("other ")
    assert (title.locator(".ao-id").get_attribute("title") or "").startswith(other_pid)
    page.wait_for_function("(e) => e.textContent.includes('After slot')",
                           arg=timeline.element_handle(), timeout=30_000)
    assert timeline.locator(".ao-subtitle").inner_text() == f"After slot {other_slot}"
    assert timeline.locator("input.ao-slider").get_attribute("max") == str(other_slot)
    assert other_slot >= 1
    # its slot buttons are drawn icons with accessible names (were empty glyph boxes), and
    # they move through the slots
    labels = [b.get_attribute("aria-label") for b in timeline.locator("button").all()]
    assert labels == ["first slot", "previous slot", "next slot", "latest slot"]
    for button, slot in (("first slot", 0), ("next slot", 1), ("latest slot", other_slot)):
        timeline.locator(f"button[aria-label='{button}']").click()
        page.wait_for_function("([e, s]) => e.querySelector('.ao-subtitle')?.textContent"
                               " === `After slot ${s}`", arg=[timeline.element_handle(), slot],
                               timeout=30_000)
    assert "Visits" in timeline.locator(".ao-diff").inner_text()
    timeline.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "lab-timeline.png"), full_page=True)

    # light theme: every text of the cards, the panel and the widget reads (WCAG AA
    # contrast, from getComputedStyle) and has a glyph; then the same in the dark theme.
    # Collapsed sections are opened first, so their content is checked too.
    page.evaluate(f"() => document.querySelectorAll('{AO_FRONT_ENDS}')"
                  ".forEach(r => r.querySelectorAll('details').forEach(d => { d.open = true; }))")
    page.wait_for_timeout(300)
    assert assert_readable(page) > 50
    card = "() => getComputedStyle(document.querySelector('.jp-AOProcess .jp-AO-card'))" \
           ".backgroundColor"
    light_bg = page.evaluate(card)
    page.evaluate("() => { window.jupyterapp.commands.execute('apputils:change-theme',"
                  " { theme: 'JupyterLab Dark' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'",
                           timeout=20_000)
    page.wait_for_function(f"(light) => ({card})() !== light", arg=light_bg, timeout=20_000)
    page.wait_for_timeout(500)
    dark_bg = [float(x) for x in re.findall(r"[\d.]+", page.evaluate(card))[:3]]
    assert _luminance(dark_bg) < 0.05 < _luminance(
        [float(x) for x in re.findall(r"[\d.]+", light_bg)[:3]]), (light_bg, dark_bg)
    check_ansi_palette(page)
    assert assert_readable(page) > 50
    page.screenshot(path=str(ARTIFACTS / "lab-showcase-dark.png"), full_page=True)
    page.evaluate("() => { window.jupyterapp.commands.execute('apputils:change-theme',"
                  " { theme: 'JupyterLab Light' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'",
                           timeout=20_000)
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

    # every AO output of the welcome notebook is ours (its process and result cards), the two widgets
    # draw as widgets, no output is raw JSON or lacks a renderer; all text has glyphs
    assert assert_rendered_by_extension(page) == ["process", "result"]
    views = assert_outputs_rendered(page)
    assert [r["shown"] for r in views].count(WIDGET_VIEW) == 2
    assert page.locator(".jp-Notebook .ao-timeline").count() == 1
    assert_readable(page)
    page.screenshot(path=str(ARTIFACTS / "lab-welcome-graph.png"), full_page=True)
    assert not page.page_errors, page.page_errors
    widget_errors = [e for e in page.console_errors
                     if "blob:" in e or "anywidget" in e or "jupyter-widgets" in e]
    assert not widget_errors, widget_errors
