// GraphWidget front end: cytoscape draws the node's processes (nodes) and messages (edges).
// Python sends the whole (bounded) graph in `nodes` / `edges` at most every ~100 ms; this
// side diffs it against what is drawn, so an update costs only what changed.
import cytoscape from "cytoscape";
import { h, ansi, replace, shortId, renderValue, kvTable, section, cssVar, onThemeChange } from "./common.js";

function palette(el) {
  return {
    fg: cssVar(el, "--jp-ui-font-color1", "#212121"),
    fg2: cssVar(el, "--jp-ui-font-color2", "#616161"),
    bg: cssVar(el, "--jp-layout-color1", "#ffffff"),
    process: cssVar(el, "--jp-brand-color1", "#1976d2"),
    wallet: cssVar(el, "--jp-success-color1", "#388e3c"),
    edge: cssVar(el, "--jp-border-color1", "#9e9e9e"),
    spawn: cssVar(el, "--jp-info-color1", "#0097a7"),
    error: cssVar(el, "--jp-error-color1", "#d32f2f"),
    select: cssVar(el, "--jp-warn-color1", "#f57c00"),
    font: cssVar(el, "--jp-ui-font-family", "sans-serif"),
  };
}

function styles(p, labelEdges) {
  return [
    { selector: "node", style: {
      "background-color": p.process, label: "data(label)", color: p.fg, "font-family": p.font,
      "font-size": 11, "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26,
      "text-outline-color": p.bg, "text-outline-width": 2 } },
    { selector: "node[kind = 'wallet']", style: { "background-color": p.wallet, shape: "round-rectangle" } },
    { selector: "node[errors > 0]", style: { "border-color": p.error, "border-width": 3 } },
    { selector: "edge", style: {
      width: "mapData(weight, 1, 50, 1.2, 5)", "line-color": p.edge, "target-arrow-color": p.edge,
      "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8,
      label: labelEdges ? "data(label)" : "", "font-size": 9, color: p.fg2, "font-family": p.font,
      "text-rotation": "autorotate", "text-outline-color": p.bg, "text-outline-width": 2 } },
    { selector: "edge[kind = 'spawn']", style: { "line-style": "dashed", "line-color": p.spawn, "target-arrow-color": p.spawn } },
    { selector: "edge[?error]", style: { "line-color": p.error, "target-arrow-color": p.error } },
    { selector: ":selected", style: { "background-color": p.select, "line-color": p.select, "target-arrow-color": p.select } },
  ];
}

/** Model edges -> drawn edges: one per message, or one per (from, to, action) with a count. */
function drawnEdges(model_edges, group) {
  // a message is identified by the process it was scheduled on (its target) and its slot
  const edges = model_edges.map((e) => ({ ...e, process: e.target,
    id: e.kind === "spawn" ? `spawn:${e.target}` : `${e.target}:${e.slot}` }));
  if (!group) {
    return edges.map((e) => ({ ...e, label: e.action || "", weight: 1, count: 1 }));
  }
  const groups = new Map();
  for (const e of edges) {
    const key = `g:${e.source}>${e.target}>${e.kind}>${e.action || ""}`;
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.error = g.error || e.error;
      if (e.slot >= g.slot) { g.slot = e.slot; g.process = e.process; }
      g.first = Math.min(g.first, e.slot);
    } else {
      groups.set(key, { ...e, id: key, count: 1, first: e.slot });
    }
  }
  return [...groups.values()].map((g) => ({
    ...g, weight: g.count, label: g.count > 1 ? `${g.action || "?"} ×${g.count}` : (g.action || ""),
  }));
}

function detailView(detail) {
  if (!detail || !detail.kind) {
    return h("div", { class: "ao-muted ao-hint" }, "Click a process for its state and inbox, a message for its content.");
  }
  if (detail.kind === "error") return h("div", { class: "ao-error" }, ansi(detail.error));
  if (detail.kind === "wallet") {
    return h("div", {}, h("div", { class: "ao-title" }, detail.node ? "This node's wallet " : "Wallet ", shortId(detail.id, 12)),
      h("div", { class: "ao-muted" }, "Messages sent from outside any process (from the notebook, or a signed message)."));
  }
  if (detail.kind === "process") {
    const inbox = detail.inbox || [];
    return h("div", {},
      h("div", { class: "ao-title" }, detail.name || "process", " ", shortId(detail.id, 12), h("span", { class: "ao-muted" }, ` · slot ${detail.slot}`)),
      section("State", renderValue(detail.state || {}, 0)),
      section(`Inbox (${inbox.length})`, inbox.length
        ? h("table", { class: "ao-table" }, h("thead", {}, h("tr", {}, h("th", {}, "From"), h("th", {}, "Action"), h("th", {}, "Data"))),
          h("tbody", {}, inbox.map((m) => h("tr", {},
            h("td", {}, shortId(m.From || m.from || m["From-Process"])),
            h("td", {}, m.Action || m.action || ""),
            h("td", { class: "ao-data" }, String(m.Data ?? m.data ?? "").slice(0, 200))))))
        : h("div", { class: "ao-muted" }, "(empty)")));
  }
  // a message
  return h("div", {},
    h("div", { class: "ao-title" }, `${detail.message?.action || "message"} → ${detail.process_name || ""} `, shortId(detail.process, 8),
      h("span", { class: "ao-muted" }, ` · slot ${detail.slot}`)),
    detail.error ? h("pre", { class: "ao-error" }, ansi(detail.error)) : null,
    section("Message", kvTable({ id: detail.id, ...detail.message })),
    section("Assignment", kvTable(detail.assignment)),
    section("Result", kvTable({ output: detail.output || "", hashpath: detail.hashpath, "messages sent": (detail.sent || []).length })),
  );
}

/** Can cytoscape measure the canvas? Only once it is in the document and laid out: on a
 * detached element (anywidget calls render() before JupyterLab attaches the output) the
 * browser's computed paddings are "", cytoscape's size becomes NaN and its layouts throw
 * "Cannot read properties of undefined (reading 'h')"; on a 0x0 one they stack every node
 * in a corner. */
function measurable(node) {
  return node.isConnected && node.clientWidth > 0 && node.clientHeight > 0;
}

/** Call fn whenever node's size may have changed (ResizeObserver, or polling without it). */
function watchSize(node, fn) {
  if (typeof ResizeObserver !== "undefined") {
    const observer = new ResizeObserver(() => fn());
    observer.observe(node);
    return () => observer.disconnect();
  }
  let timer = null;
  let last = "";
  const poll = () => {
    const now = `${node.isConnected} ${node.clientWidth}x${node.clientHeight}`;
    if (now !== last) { last = now; fn(); }
    timer = setTimeout(poll, 100);
  };
  timer = setTimeout(poll, 0);
  return () => clearTimeout(timer);
}

function render({ model, el }) {
  const root = h("div", { class: "ao-widget ao-graph", "data-state": "waiting" });
  const status = h("span", { class: "ao-status" });
  const layoutSelect = h("select", { class: "ao-select", title: "layout" },
    ["cose", "circle", "concentric", "breadthfirst", "grid"].map((n) => h("option", { value: n }, n)));
  const groupBox = h("input", { type: "checkbox", title: "one edge per sender, target and action" });
  const fitButton = h("button", { class: "ao-button", title: "fit to view" }, "Fit");
  const toolbar = h("div", { class: "ao-toolbar" }, status, h("span", { class: "ao-spacer" }),
    h("label", { class: "ao-muted" }, groupBox, " group"), layoutSelect, fitButton);
  const canvas = h("div", { class: "ao-graph-canvas" });
  const side = h("div", { class: "ao-graph-detail" });
  root.append(toolbar, h("div", { class: "ao-graph-body" }, canvas, side));
  el.append(root);

  // cytoscape is created only once the canvas can be measured (see measurable): until then
  // model changes only update the status line, and the first sync after creation draws the
  // whole graph (the model always holds all of it, so nothing needs replaying).
  let cy = null;
  let p = null;
  let labelEdges = true;
  let drawn = new Map(); // edge id -> drawn data (for group clicks)
  let pending = false;
  let needLayout = true;
  let destroyed = false;
  let layouts = 0;

  const applyHeight = () => {
    canvas.style.height = model.get("height") || "420px";
    side.style.maxHeight = canvas.style.height;
    onSize();
  };

  function create() {
    p = palette(el); // the theme's variables resolve only in the document
    cy = cytoscape({ container: canvas, elements: [], style: styles(p, labelEdges),
      layout: { name: "null" }, minZoom: 0.1, maxZoom: 4, boxSelectionEnabled: false });
    el.aoCytoscape = cy; // for browser and jsdom tests: tap elements, count what is drawn
    cy.on("tap", "node", (evt) => model.send({ type: "select", kind: "process", id: evt.target.id() }));
    cy.on("tap", "edge", (evt) => {
      const e = drawn.get(evt.target.id()) || evt.target.data();
      model.send({ type: "select", kind: "message", process: e.process, slot: e.slot });
    });
    cy.on("tap", (evt) => { if (evt.target === cy) model.send({ type: "select", kind: "none" }); });
    needLayout = true;
    root.dataset.state = "drawn";
    sync();
  }

  /** The canvas was attached, detached or resized. */
  function onSize() {
    if (destroyed || !measurable(canvas)) return;
    if (!cy) { create(); return; }
    cy.resize();
    if (needLayout) schedule();
  }

  function layout() {
    if (!measurable(canvas)) { needLayout = true; return; } // redone when it can be
    needLayout = false;
    cy.resize(); // drop a size cytoscape cached while the canvas was hidden or detached
    cy.layout({ name: model.get("graph_layout") || "cose", animate: false, fit: true, padding: 24,
      nodeDimensionsIncludeLabels: true }).run();
    layouts += 1;
    root.dataset.layouts = String(layouts);
  }

  function sync() {
    pending = false;
    if (destroyed) return;
    const nodes = model.get("nodes") || [];
    const edges = drawnEdges(model.get("edges") || [], model.get("group"));
    const count = model.get("message_count");
    status.textContent = `${nodes.filter((n) => n.kind === "process").length} processes · ${count} messages` +
      (edges.length < count && !model.get("group") ? ` (${edges.length} drawn)` : "") + ` · ${model.get("updates")} updates`;
    if (!cy) return; // drawn when cytoscape is created
    const wantLabels = model.get("group") || edges.length <= 300;
    if (wantLabels !== labelEdges) { labelEdges = wantLabels; cy.style(styles(p, labelEdges)); }
    const want = new Set();
    let added = 0;
    cy.batch(() => {
      for (const n of nodes) {
        want.add(n.id);
        const existing = cy.getElementById(n.id);
        if (existing.nonempty()) existing.data(n);
        else { cy.add({ group: "nodes", data: n }); added += 1; }
      }
      drawn = new Map();
      for (const e of edges) {
        if (!want.has(e.source) || !want.has(e.target)) continue;
        want.add(e.id);
        drawn.set(e.id, e);
        const existing = cy.getElementById(e.id);
        if (existing.nonempty()) existing.data(e);
        else cy.add({ group: "edges", data: e });
      }
      cy.elements().filter((x) => !want.has(x.id())).remove();
    });
    if (added || needLayout) layout();
    root.dataset.nodes = String(cy.nodes().length);
    root.dataset.edges = String(cy.edges().length);
    const rendered = cy.elements().length;
    if (model.get("rendered_count") !== rendered) {
      model.set("rendered_count", rendered);
      model.save_changes();
    }
  }
  const schedule = () => { if (!pending && !destroyed) { pending = true; requestAnimationFrame(sync); } };

  const showDetail = () => { replace(side, detailView(model.get("detail"))); };
  const syncControls = () => { layoutSelect.value = model.get("graph_layout"); groupBox.checked = model.get("group"); };

  layoutSelect.addEventListener("change", () => { model.set("graph_layout", layoutSelect.value); model.save_changes(); });
  groupBox.addEventListener("change", () => { model.set("group", groupBox.checked); model.save_changes(); });
  fitButton.addEventListener("click", () => { if (cy && measurable(canvas)) { cy.resize(); cy.fit(undefined, 24); } });

  const onLayout = () => { needLayout = true; syncControls(); schedule(); };
  model.on("change:nodes", schedule);
  model.on("change:edges", schedule);
  const onGroup = () => { syncControls(); schedule(); };
  model.on("change:group", onGroup);
  model.on("change:graph_layout", onLayout);
  model.on("change:detail", showDetail);
  model.on("change:height", applyHeight);
  const stopTheme = onThemeChange(() => {
    if (!cy) return; // create() reads the palette
    p = palette(el);
    cy.style(styles(p, labelEdges));
  });
  const stopWatching = watchSize(canvas, onSize);

  syncControls();
  showDetail();
  sync(); // the status line, at once
  applyHeight(); // creates cytoscape now if el is already in the document (not in JupyterLab)
  return () => {
    destroyed = true;
    stopWatching();
    stopTheme();
    model.off("change:nodes", schedule);
    model.off("change:edges", schedule);
    model.off("change:group", onGroup);
    model.off("change:graph_layout", onLayout);
    model.off("change:detail", showDetail);
    model.off("change:height", applyHeight);
    if (cy) cy.destroy();
    delete el.aoCytoscape;
  };
}

export default { render };
