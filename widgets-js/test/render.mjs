// Render the committed widget bundles in jsdom with a fake anywidget model, drive them like
// a user would, and print a JSON report (tests/jupyter/test_widgets.py asserts on it).
//
//   node widgets-js/test/render.mjs STATIC_DIR STATES.json
//
// STATES.json holds real model states exported by the Python widgets:
//   {graph: {...}, graph_detail: {...}, timeline: {...}, explorer: {...}}
import { JSDOM } from "jsdom";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [staticDir, statesPath] = process.argv.slice(2);
const states = JSON.parse(fs.readFileSync(statesPath, "utf8"));

const dom = new JSDOM("<!doctype html><html><body data-jp-theme-light='true'></body></html>", { pretendToBeVisual: true });
const { window } = dom;
for (const key of ["window", "document", "Node", "MutationObserver", "getComputedStyle", "HTMLElement", "Element", "navigator", "requestAnimationFrame", "cancelAnimationFrame"]) {
  Object.defineProperty(globalThis, key, { value: key === "window" ? window : window[key], configurable: true, writable: true });
}
// jsdom has no canvas: a 2d context whose every method is a no-op is enough for cytoscape
const noop = () => {};
const ctx = new Proxy({}, { get: (t, k) => (k in t ? t[k] : k === "measureText" ? () => ({ width: 10 }) : noop), set: (t, k, v) => { t[k] = v; return true; } });
window.HTMLCanvasElement.prototype.getContext = () => ctx;
// jsdom does no layout: give elements a size and browsers' default "0px" paddings, but only
// in the document, as browsers do. A detached element (where anywidget renders in
// JupyterLab) measures 0x0 and its computed paddings are "" (cytoscape's size is then NaN).
for (const [prop, value] of [["clientWidth", 600], ["clientHeight", 400], ["offsetWidth", 600], ["offsetHeight", 400]]) {
  Object.defineProperty(window.HTMLElement.prototype, prop, { get() { return this.isConnected ? value : 0; }, configurable: true });
}
const computed = window.getComputedStyle.bind(window);
window.getComputedStyle = (node) => {
  const style = computed(node);
  return new Proxy(style, { get(target, key) {
    if (key === "getPropertyValue") return (name) => target.getPropertyValue(name) || (name.startsWith("padding") && node.isConnected ? "0px" : "");
    const v = target[key];
    return typeof v === "function" ? v.bind(target) : v;
  } });
};
globalThis.getComputedStyle = window.getComputedStyle;

class FakeModel {
  constructor(state) { this.state = { ...state }; this.handlers = {}; this.sent = []; this.saves = 0; }
  get(k) { return this.state[k]; }
  set(k, v) { this.state[k] = v; for (const f of this.handlers[`change:${k}`] || []) f(); }
  on(ev, f) { (this.handlers[ev] ||= []).push(f); }
  off(ev, f) { this.handlers[ev] = (this.handlers[ev] || []).filter((g) => g !== f); }
  send(msg) { this.sent.push(msg); }
  save_changes() { this.saves += 1; }
}
const frame = () => new Promise((r) => setTimeout(r, 50));
const load = async (name) => (await import(pathToFileURL(path.join(staticDir, name)).href)).default;
const report = {};

{ // graph
  const widget = await load("graph.js");
  const model = new FakeModel(states.graph);
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = widget.render({ model, el });
  await frame();
  const cy = el.aoCytoscape;
  const procs = states.graph.nodes.filter((n) => n.kind === "process");
  cy.getElementById(procs[0].id).emit("tap");
  const edge = cy.edges()[0];
  edge.emit("tap");
  report.graph = {
    nodes: cy.nodes().length, edges: cy.edges().length,
    edge_labels: cy.edges().map((e) => e.data("label")).sort(),
    rendered_count: model.state.rendered_count,
    status: el.querySelector(".ao-status").textContent,
    sent: model.sent,
  };
  model.set("group", false);
  await frame();
  report.graph.ungrouped_edges = cy.edges().length;
  model.set("detail", states.graph_detail);
  report.graph.detail_text = el.querySelector(".ao-graph-detail").textContent;
  report.graph.detail_ansi = [...el.querySelectorAll(".ao-graph-detail [class^=ao-ansi-]")].map((s) => [s.className, s.textContent]);
  model.set("edges", []);
  model.set("nodes", []);
  await frame();
  report.graph.after_clear = cy.elements().length;
  cleanup();
}

{ // graph rendered into a detached element, as anywidget does in JupyterLab: nothing throws,
  // cytoscape waits for the document, and what changed meanwhile is drawn once attached
  const widget = await load("graph.js");
  const model = new FakeModel({ ...states.graph, nodes: [], edges: [], message_count: 0, rendered_count: 0 });
  const el = document.createElement("div");
  const cleanup = widget.render({ model, el });
  await frame();
  const root = el.querySelector(".ao-graph");
  const waiting = { created: Boolean(el.aoCytoscape), state: root.dataset.state };
  model.set("message_count", states.graph.message_count);
  model.set("edges", states.graph.edges);
  model.set("nodes", states.graph.nodes);
  await frame();
  waiting.status = el.querySelector(".ao-status").textContent;
  document.body.append(el);
  await frame(); await frame(); await frame(); await frame();
  const cy = el.aoCytoscape;
  report.graph_detached = { waiting,
    state: root.dataset.state, nodes: cy && cy.nodes().length, edges: cy && cy.edges().length,
    data_nodes: root.dataset.nodes, layouts: Number(root.dataset.layouts || 0),
    rendered_count: model.state.rendered_count };
  // detached again (a windowed notebook drops off-screen cells): updates wait for the size
  el.remove();
  model.set("group", false);
  model.set("graph_layout", "circle");
  await frame(); await frame();
  report.graph_detached.layouts_while_detached = Number(root.dataset.layouts) - report.graph_detached.layouts;
  document.body.append(el);
  await frame(); await frame(); await frame(); await frame();
  report.graph_detached.reattached_edges = cy.edges().length;
  report.graph_detached.layout_select = el.querySelector("select.ao-select").value;
  report.graph_detached.layouts_after = Number(root.dataset.layouts);
  const r = report.graph_detached;
  assert.deepEqual(waiting, { created: false, state: "waiting", status: report.graph.status });
  assert.equal(r.state, "drawn");
  assert.equal(r.nodes, report.graph.nodes);
  assert.equal(r.edges, report.graph.edges);
  assert.equal(r.data_nodes, String(report.graph.nodes));
  assert.equal(r.rendered_count, report.graph.rendered_count);
  assert.ok(r.layouts >= 1);
  assert.equal(r.layouts_while_detached, 0);
  assert.equal(r.reattached_edges, report.graph.ungrouped_edges);
  assert.ok(r.layouts_after > r.layouts);
  assert.equal(r.layout_select, "circle");
  cleanup();
}

{ // timeline
  const widget = await load("timeline.js");
  const model = new FakeModel(states.timeline);
  const el = document.createElement("div");
  widget.render({ model, el });
  const buttons = [...el.querySelectorAll("button")];
  // the slot buttons are inline SVG icons with an accessible name, no font glyphs (U+23EE
  // "⏮" and U+23ED "⏭" are in no common font: headless Chromium drew empty boxes)
  const nav = ["first slot", "previous slot", "next slot", "latest slot"];
  assert.deepEqual(buttons.map((b) => b.getAttribute("aria-label")), nav);
  for (const b of buttons) {
    assert.equal(b.title, b.getAttribute("aria-label"));
    assert.equal(b.textContent.trim(), "", `button "${b.title}" shows text: ${b.textContent}`);
    const svg = b.querySelector("svg");
    assert.ok(svg && svg.namespaceURI === "http://www.w3.org/2000/svg", b.title);
    assert.equal(svg.getAttribute("aria-hidden"), "true");
    assert.ok(svg.querySelector("path").getAttribute("d").length > 5);
  }
  buttons.find((b) => b.title === "previous slot").click();
  report.timeline = {
    slider_max: el.querySelector("input[type=range]").max,
    slot_after_previous: model.state.slot,
    saves: model.saves,
    diff_rows: [...el.querySelectorAll(".ao-diff tbody tr")].map((tr) => tr.className + " " + tr.cells[0].textContent),
    text: el.textContent,
    ansi_spans: [...el.querySelectorAll("[class^=ao-ansi-]")].map((s) => [s.className, s.textContent]),
  };
  model.set("busy", true);
  model.set("progress", 0.5);
  report.timeline.progress = Number(el.querySelector("progress").value);
  report.timeline.progress_visible = el.querySelector("progress").style.visibility;
}

{ // explorer
  const widget = await load("explorer.js");
  const model = new FakeModel(states.explorer);
  const el = document.createElement("div");
  widget.render({ model, el });
  const verify = [...el.querySelectorAll("button")].filter((b) => b.textContent === "Verify");
  verify[0].click();
  [...el.querySelectorAll("button")].find((b) => b.textContent === "Verify schedule").click();
  const first = states.explorer.commitments[0].key;
  model.set("verifications", { [first]: { ok: true, detail: "valid" } });
  report.explorer = {
    links: el.querySelectorAll(".ao-link").length,
    checks_ok: el.querySelectorAll(".ao-link .ao-check.ao-ok").length,
    verify_buttons: verify.length,
    sent: model.sent,
    text: el.textContent,
  };
}

process.stdout.write(JSON.stringify(report));
window.close();
