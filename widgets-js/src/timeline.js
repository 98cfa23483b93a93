// TimelineWidget front end: a slider over the slots of one process; the kernel answers each
// move with the state, its diff from the previous slot, the assignment and the result.
import { h, ansi, replace, shortId, renderValue, kvTable, section } from "./common.js";

function diffTable(diff) {
  if (!diff.length) return h("div", { class: "ao-muted" }, "(no change to the globals)");
  const show = (v) => (v === null || v === undefined ? h("span", { class: "ao-muted" }, "—")
    : typeof v === "object" ? renderValue(v, 1)
    : typeof v === "string" ? h("code", {}, "\"", ansi(v), "\"") : h("code", {}, JSON.stringify(v)));
  return h("table", { class: "ao-table ao-diff" },
    h("thead", {}, h("tr", {}, h("th", {}, "Global"), h("th", {}, "Before"), h("th", {}, "After"))),
    h("tbody", {}, diff.map((d) => h("tr", { class: `ao-diff-${d.change}` },
      h("td", {}, h("span", { class: "ao-diff-mark" }, d.change === "added" ? "+" : d.change === "removed" ? "−" : "~"), " ", h("code", {}, d.path)),
      h("td", {}, show(d.before)), h("td", {}, show(d.after))))));
}

// 16x16 paths, filled with the text colour: |◀ ◀ ▶ ▶|
const ICONS = {
  first: "M3 3h2v10H3z M13 3v10L6 8z",
  previous: "M11 3v10L4 8z",
  next: "M5 3v10l7-5z",
  last: "M3 3v10l7-5z M11 3h2v10h-2z",
};

function svgIcon(d) {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "ao-icon");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "12");
  svg.setAttribute("height", "12");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
}

function render({ model, el }) {
  const root = h("div", { class: "ao-widget ao-timeline" });
  const title = h("span", { class: "ao-title" });
  const slider = h("input", { type: "range", class: "ao-slider", min: 0, step: 1 });
  const number = h("input", { type: "number", class: "ao-number", min: 0, step: 1 });
  const maxLabel = h("span", { class: "ao-muted" });
  const go = (slot) => {
    const s = Math.max(0, Math.min(model.get("max_slot"), slot));
    model.set("slot", s);
    model.save_changes();
  };
  // icons are inline SVG: the media-control characters (U+23EE...) are missing from common
  // fonts (DejaVu, Liberation) and would show as empty boxes
  const btn = (icon, tip, fn) => h("button", { class: "ao-button ao-icon-button", type: "button",
    title: tip, "aria-label": tip, onclick: fn }, svgIcon(icon));
  const follow = h("input", { type: "checkbox", title: "move to each new slot" });
  const progress = h("progress", { class: "ao-progress", max: 1 });
  const body = h("div", { class: "ao-timeline-body" });
  root.append(
    h("div", { class: "ao-toolbar" }, title, h("span", { class: "ao-spacer" }), progress),
    h("div", { class: "ao-toolbar" },
      btn(ICONS.first, "first slot", () => go(0)),
      btn(ICONS.previous, "previous slot", () => go(model.get("slot") - 1)),
      slider,
      btn(ICONS.next, "next slot", () => go(model.get("slot") + 1)),
      btn(ICONS.last, "latest slot", () => go(model.get("max_slot"))),
      number, maxLabel, h("label", { class: "ao-muted" }, follow, " follow")),
    body);
  el.append(root);

  let timer = null;
  slider.addEventListener("input", () => {
    number.value = slider.value;
    clearTimeout(timer); // coalesce a drag into a few requests
    timer = setTimeout(() => go(Number(slider.value)), 60);
  });
  number.addEventListener("change", () => go(Number(number.value)));
  follow.addEventListener("change", () => { model.set("follow", follow.checked); model.save_changes(); });

  function controls() {
    const max = model.get("max_slot");
    slider.max = String(max); number.max = String(max);
    if (document.activeElement !== slider) slider.value = String(model.get("slot"));
    if (document.activeElement !== number) number.value = String(model.get("slot"));
    maxLabel.textContent = `of ${max}`;
    follow.checked = model.get("follow");
    replace(title, model.get("name") || "process", " ", shortId(model.get("process"), 10));
  }
  function busy() {
    const b = model.get("busy");
    progress.value = model.get("progress");
    progress.style.visibility = b ? "visible" : "hidden";
    root.classList.toggle("ao-busy", b);
  }
  function content() {
    const slot = model.get("shown_slot");
    if (slot < 0) { replace(body, h("div", { class: "ao-muted" }, "loading…")); return; }
    const error = model.get("error");
    replace(body, 
      h("div", { class: "ao-subtitle" }, `After slot ${slot}`),
      error ? h("pre", { class: "ao-error" }, ansi(error)) : null,
      section("What changed", diffTable(model.get("diff") || [])),
      section("Message", kvTable(model.get("message"))),
      section("Assignment", kvTable(model.get("assignment"))),
      section("Result", kvTable({ output: model.get("output"), hashpath: model.get("hashpath") })),
      section("State", renderValue(model.get("state") || {}, 0)));
  }
  const names = ["slot", "max_slot", "follow", "name", "process"];
  for (const n of names) model.on(`change:${n}`, controls);
  model.on("change:busy", busy);
  model.on("change:progress", busy);
  model.on("change:shown_slot", content);
  model.on("change:diff", content);
  controls(); busy(); content();
  return () => {
    for (const n of names) model.off(`change:${n}`, controls);
    model.off("change:busy", busy);
    model.off("change:progress", busy);
    model.off("change:shown_slot", content);
    model.off("change:diff", content);
  };
}

export default { render };
