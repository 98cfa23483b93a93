// ExplorerWidget front end: the chain from a result back to its inputs, and its commitments
// with Verify buttons (verification runs in the kernel; the answer comes back in a trait).
import { h, replace, shortId, kvTable, section } from "./common.js";

function mark(check) {
  if (!check || check.ok === null || check.ok === undefined) return h("span", { class: "ao-check ao-muted", title: check ? check.what : "" }, "·");
  return h("span", { class: `ao-check ${check.ok ? "ao-ok" : "ao-bad"}`, title: check.what }, check.ok ? "✓" : "✗");
}

function render({ model, el }) {
  const root = h("div", { class: "ao-widget ao-explorer" });
  el.append(root);

  function draw() {
    const chain = model.get("chain") || [];
    const rows = model.get("commitments") || [];
    const verdicts = model.get("verifications") || {};
    const sched = model.get("schedule") || {};
    const links = h("ol", { class: "ao-chain" }, chain.map((link) => h("li", { class: `ao-link ao-role-${link.role}` },
      h("div", { class: "ao-link-head" }, mark(link.check), h("span", { class: "ao-badge" }, link.role), " ", link.label, " ", shortId(link.id, 14),
        link.goto !== null && link.goto !== undefined
          ? h("button", { class: "ao-button", onclick: () => model.send({ type: "goto", slot: link.goto }) }, `open slot ${link.goto}`) : null),
      link.check && link.check.what ? h("div", { class: "ao-muted ao-small" }, link.check.what) : null,
      h("details", {}, h("summary", { class: "ao-muted" }, "fields"), kvTable(link.fields)))));
    const table = rows.length ? h("table", { class: "ao-table" },
      h("thead", {}, h("tr", {}, ["On", "Device", "Type", "Signer", "Keys", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows.map((r) => {
        const v = verdicts[r.key];
        return h("tr", {},
          h("td", {}, r.where), h("td", {}, r.device), h("td", {}, r.type),
          h("td", {}, r.signer && r.signer.startsWith("(") ? h("span", { class: "ao-muted" }, r.signer) : shortId(r.signer, 10)),
          h("td", { title: r.committed.join(", ") }, String(r.committed.length)),
          h("td", {}, h("button", { class: "ao-button", onclick: () => model.send({ type: "verify", key: r.key }) }, "Verify"), " ",
            v ? h("span", { class: v.ok ? "ao-ok" : "ao-bad", title: v.detail }, v.ok ? "✓ valid" : `✗ ${v.detail}`) : null));
      }))) : h("div", { class: "ao-muted" }, "(no commitments)");
    replace(root,
      h("div", { class: "ao-toolbar" }, h("span", { class: "ao-title" }, model.get("title")), h("span", { class: "ao-spacer" }),
        h("button", { class: "ao-button", onclick: () => model.send({ type: "verify", key: "*" }) }, "Verify all"),
        model.get("process") ? h("button", { class: "ao-button", onclick: () => model.send({ type: "verify-schedule" }) }, "Verify schedule") : null),
      sched.text ? h("div", { class: sched.ok ? "ao-ok" : sched.ok === false ? "ao-bad" : "ao-muted" }, (sched.ok ? "✓ " : sched.ok === false ? "✗ " : "") + sched.text) : null,
      section("Chain", links),
      section("Commitments", table));
  }
  const names = ["chain", "commitments", "verifications", "schedule", "title"];
  for (const n of names) model.on(`change:${n}`, draw);
  draw();
  return () => { for (const n of names) model.off(`change:${n}`, draw); };
}

export default { render };
