// Helpers shared by the ao-kernel widgets (bundled into each widget's ESM by esbuild).

/** Create an element: h("div", {class: "x", onclick: fn}, child, "text", ...). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const ANSI = { 30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan", 37: "white" };

/**
 * Text with ANSI SGR colour codes (aos prints "\x1b[90mNew Message From ...") as text nodes
 * and <span class="ao-ansi-COLOUR">, never as escape codes; nothing is parsed as HTML.
 */
export function ansi(text) {
  const out = [];
  const re = /\x1b\[([0-9;]*)m/g;
  let colour = null, bold = false, pos = 0, m;
  const push = (chunk) => {
    if (!chunk) return;
    if (!colour && !bold) { out.push(document.createTextNode(chunk)); return; }
    const cls = [colour && `ao-ansi-${colour}`, bold && "ao-ansi-bold"].filter(Boolean).join(" ");
    out.push(h("span", { class: cls }, chunk));
  };
  const str = String(text);
  while ((m = re.exec(str)) !== null) {
    push(str.slice(pos, m.index));
    pos = re.lastIndex;
    for (const code of (m[1] || "0").split(";").map(Number)) {
      if (code === 0) { colour = null; bold = false; }
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code === 39) colour = null;
      else if (ANSI[code]) colour = ANSI[code];
      else if (ANSI[code - 60]) colour = `bright-${ANSI[code - 60]}`;
    }
  }
  push(str.slice(pos));
  return out;
}

/** A shortened ID; the full value is in the tooltip and is copied on click. */
export function shortId(id, n = 8) {
  if (!id) return h("span", { class: "ao-muted" }, "—");
  const text = String(id);
  const shown = text.length > n + 1 ? text.slice(0, n) + "…" : text;
  return h("code", {
    class: "ao-id",
    title: text + "\n(click to copy)",
    onclick: () => navigator.clipboard && navigator.clipboard.writeText(text).catch(() => {}),
  }, shown);
}

/** A JSON value as a collapsible tree (objects and arrays nest in <details>). */
export function renderValue(value, depth = 0, label = null) {
  const isObj = value !== null && typeof value === "object";
  if (!isObj) {
    const kind = value === null ? "null" : typeof value;
    const leaf = kind === "string"
      ? h("span", { class: "ao-val ao-val-string" }, "\"", ansi(value), "\"")
      : h("span", { class: `ao-val ao-val-${kind}` }, String(value));
    return label === null ? leaf : h("div", { class: "ao-kv" }, h("span", { class: "ao-key" }, label), leaf);
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i + 1), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  const details = h("details", { class: "ao-tree", open: depth < 1 && entries.length <= 40 },
    h("summary", {}, label === null ? "" : h("span", { class: "ao-key" }, label), h("span", { class: "ao-muted" }, summary)));
  // children are built lazily, on first open: big states stay cheap
  const fill = () => {
    if (details.dataset.filled) return;
    details.dataset.filled = "1";
    for (const [k, v] of entries) details.append(renderValue(v, depth + 1, k));
  };
  if (details.open) fill();
  details.addEventListener("toggle", fill);
  return details;
}

/** A two-column table of key -> value. */
export function kvTable(obj) {
  const rows = Object.entries(obj || {}).filter(([, v]) => v !== undefined);
  if (!rows.length) return h("div", { class: "ao-muted" }, "(none)");
  return h("table", { class: "ao-table ao-kvtable" },
    h("tbody", {}, rows.map(([k, v]) => h("tr", {},
      h("th", {}, k),
      h("td", {}, v !== null && typeof v === "object" ? renderValue(v, 1) : cell(v))))));
}

function cell(v) {
  if (typeof v === "string" && /^[A-Za-z0-9_-]{43}$/.test(v)) return shortId(v, 12);
  if (v === null) return h("span", { class: "ao-muted" }, "—");
  return typeof v === "string" ? h("span", {}, ansi(v)) : String(v);
}

export function section(title, ...children) {
  return h("div", { class: "ao-section" }, h("div", { class: "ao-section-title" }, title), ...children);
}

/** Read a CSS variable (JupyterLab's --jp-*) with a fallback outside JupyterLab. */
export function cssVar(el, name, fallback) {
  const value = getComputedStyle(el).getPropertyValue(name).trim();
  return value || fallback;
}

/** Call fn when JupyterLab switches between light and dark themes. */
export function onThemeChange(fn) {
  const observer = new MutationObserver(fn);
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name", "class"] });
  return () => observer.disconnect();
}

/** node.replaceChildren(...children) without the null / false placeholders. */
export function replace(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}
