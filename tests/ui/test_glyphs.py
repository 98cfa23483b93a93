"""Every non-ASCII character the front ends print has a glyph in Debian's Chromium with
JupyterLab's font stacks: no empty boxes ("tofu"). The timeline widget's slot buttons were
U+23EE/U+23ED, which no common font (DejaVu, Liberation) has, and drew as empty boxes.

A character is missing when Chromium draws it exactly like an unassigned code point
(U+0378), i.e. the font's .notdef box. Needs only Chromium, not JupyterLab: a few seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "extension" / "src").glob("*.ts")),
           *sorted((ROOT / "extension" / "style").glob("*.css")),
           *sorted((ROOT / "widgets-js" / "src").glob("*.js")),
           *sorted((ROOT / "widgets-js" / "src").glob("*.css"))]

# JupyterLab 4's --jp-ui-font-family and --jp-code-font-family-default
UI_FONT = ('system-ui, -apple-system, blinkmacsystemfont, "Segoe UI", helvetica, arial, '
           'sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol"')
CODE_FONT = 'menlo, consolas, "DejaVu Sans Mono", monospace'

# which characters draw as the .notdef box, for each font stack
MISSING = """([chars, fonts]) => {
  const draw = (font, ch) => {
    const c = document.createElement('canvas');
    c.width = c.height = 48;
    const g = c.getContext('2d');
    g.font = `24px ${font}`;
    g.textBaseline = 'top';
    g.fillText(ch, 8, 8);
    return g.getImageData(0, 0, 48, 48).data.join(',');
  };
  const out = {};
  for (const font of fonts) {
    const tofu = draw(font, '\\u0378');
    out[font] = chars.filter(ch => draw(font, ch) === tofu);
  }
  return out;
}"""


def used_characters() -> dict[str, list[str]]:
    chars: dict[str, list[str]] = {}
    for path in SOURCES:
        for ch in path.read_text(encoding="utf-8"):
            if ord(ch) > 0x7E and not ch.isspace():
                where = chars.setdefault(ch, [])
                if path.name not in where:
                    where.append(path.name)
    return chars


def test_every_character_of_the_front_ends_has_a_glyph(chromium: Any) -> None:
    chars = used_characters()
    assert "…" in chars and "✔" in chars  # the scan sees the sources
    page = chromium.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        # the detector works: another unassigned code point is missing, letters are not
        probe = page.evaluate(MISSING, [["\u0379", "A", "…"], [UI_FONT, CODE_FONT]])
        assert probe == {UI_FONT: ["\u0379"], CODE_FONT: ["\u0379"]}, probe
        missing = page.evaluate(MISSING, [sorted(chars), [UI_FONT, CODE_FONT]])
    finally:
        page.close()
    bad = {f"U+{ord(ch):04X} {ch}": chars[ch] for font in missing for ch in missing[font]}
    assert not bad, f"characters drawn as empty boxes in Chromium: {bad}"
