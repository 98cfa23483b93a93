/**
 * DOM builders for the AO outputs the kernel emits (`application/vnd.ao.<kind>+json`,
 * payloads defined in ao_kernel/jupyter/display.py). Pure functions of (document, data):
 * no JupyterLab imports, so the unit tests run them in jsdom.
 *
 * Colours come from --jp-* CSS variables (style/base.css), so every card reads in the light
 * and dark themes. IDs are shortened (`abcdef…wxyz`), carry the full value in `title`
 * (hover) and `data-value`, and copy the full value on click.
 */

export const KINDS = [
  'message',
  'result',
  'process',
  'assignment',
  'verification',
  'graph'
] as const;
export type Kind = (typeof KINDS)[number];

export function mimeTypeOf(kind: Kind): string {
  return `application/vnd.ao.${kind}+json`;
}

/** `Result` for `result`: the class suffix of a kind's root (`jp-AOResult`). */
export function className(kind: Kind): string {
  return 'jp-AO' + kind[0].toUpperCase() + kind.slice(1);
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// -- small pieces ------------------------------------------------------------------------

/** `abcdef…wxyz` for a long ID; hashpaths (`a/b`) shorten each part. */
export function shortId(value: string, head = 6, tail = 4): string {
  if (value.includes('/')) {
    return value
      .split('/')
      .map(p => shortId(p, head, tail))
      .join('/');
  }
  if (value.length <= head + tail + 1) {
    return value;
  }
  // not slice(-tail): slice(-0) is the whole string
  return `${value.slice(0, head)}…${value.slice(value.length - tail)}`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  cls?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  if (cls) {
    node.className = cls;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** Copy `text` to the clipboard (the async API, else a hidden textarea). */
export async function copyText(doc: Document, text: string): Promise<boolean> {
  const nav = doc.defaultView?.navigator;
  try {
    if (nav?.clipboard?.writeText) {
      await nav.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea (insecure context, permission refused)
  }
  const area = doc.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  doc.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = doc.execCommand ? doc.execCommand('copy') : false;
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/** A shortened, copyable ID: full value on hover, click to copy. */
export function idElement(doc: Document, value: unknown): HTMLElement {
  const text = value === null || value === undefined ? '' : String(value);
  const span = el(doc, 'span', 'jp-AO-id');
  if (!text) {
    span.classList.add('jp-AO-empty');
    span.textContent = '—';
    return span;
  }
  span.title = `${text}\n(click to copy)`;
  span.dataset.value = text;
  span.setAttribute('role', 'button');
  span.tabIndex = 0;
  span.appendChild(el(doc, 'code', undefined, shortId(text)));
  const mark = el(doc, 'span', 'jp-AO-copyMark');
  mark.setAttribute('aria-hidden', 'true');
  span.appendChild(mark);
  const copy = (ev: Event) => {
    ev.preventDefault();
    ev.stopPropagation();
    void copyText(doc, text).then(ok => {
      span.classList.add(ok ? 'jp-mod-copied' : 'jp-mod-copyFailed');
      setTimeout(() => span.classList.remove('jp-mod-copied', 'jp-mod-copyFailed'), 1200);
    });
  };
  span.addEventListener('click', copy);
  span.addEventListener('keydown', ev => {
    if ((ev as KeyboardEvent).key === 'Enter' || (ev as KeyboardEvent).key === ' ') {
      copy(ev);
    }
  });
  return span;
}

const ANSI_NAMES: Record<number, string> = {
  30: 'black',
  31: 'red',
  32: 'green',
  33: 'yellow',
  34: 'blue',
  35: 'magenta',
  36: 'cyan',
  37: 'white'
};

/**
 * Text with ANSI SGR codes (as aos prints: `\x1b[32m...\x1b[0m`) as a fragment of text
 * nodes and `<span class="jp-AO-ansi-<colour>">`; never innerHTML, so nothing is injected.
 */
export function ansiFragment(doc: Document, text: string): DocumentFragment {
  const frag = doc.createDocumentFragment();
  const re = /\x1b\[([0-9;]*)m/g; // eslint-disable-line no-control-regex
  let fg: string | null = null;
  let bold = false;
  let pos = 0;
  const push = (chunk: string) => {
    if (!chunk) {
      return;
    }
    if (!fg && !bold) {
      frag.appendChild(doc.createTextNode(chunk));
      return;
    }
    const span = el(doc, 'span', undefined, chunk);
    if (fg) {
      span.classList.add(`jp-AO-ansi-${fg}`);
    }
    if (bold) {
      span.classList.add('jp-AO-ansi-bold');
    }
    frag.appendChild(span);
  };
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    push(text.slice(pos, m.index));
    pos = m.index + m[0].length;
    const codes = m[1] === '' ? [0] : m[1].split(';').map(c => parseInt(c, 10) || 0);
    for (const code of codes) {
      if (code === 0) {
        fg = null;
        bold = false;
      } else if (code === 1) {
        bold = true;
      } else if (code === 22) {
        bold = false;
      } else if (code === 39) {
        fg = null;
      } else if (ANSI_NAMES[code]) {
        fg = ANSI_NAMES[code];
      } else if (code >= 90 && code <= 97) {
        fg = `bright-${ANSI_NAMES[code - 60]}`;
      }
    }
  }
  push(text.slice(pos));
  return frag;
}

/** A `<pre>` of an aos output (string with ANSI colours, or any JSON value). */
export function outputBlock(doc: Document, value: unknown, error = false): HTMLElement {
  const pre = el(doc, 'pre', 'jp-AO-output');
  if (error) {
    pre.classList.add('jp-AO-error');
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  pre.appendChild(ansiFragment(doc, text ?? ''));
  return pre;
}

function clip(value: unknown, n = 120): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return text.length <= n ? text : text.slice(0, n - 1) + '…';
}

const ID_RE = /^[A-Za-z0-9_-]{43}$/;

/** A cell for any JSON value: an ID is copyable, the rest is clipped text. */
function valueCell(doc: Document, value: unknown): HTMLElement {
  const td = el(doc, 'td');
  if (typeof value === 'string' && (ID_RE.test(value) || /^[A-Za-z0-9_-]{43}\/[A-Za-z0-9_-]{43}$/.test(value))) {
    td.appendChild(idElement(doc, value));
  } else {
    const text = clip(value);
    td.textContent = text;
    const full = typeof value === 'string' ? value : JSON.stringify(value);
    if (full && full !== text) {
      td.title = full;
    }
  }
  return td;
}

/** A two-column key/value table; values are nodes, strings or IDs (`{id: ...}`). */
type Cell = Node | string | { id: unknown };

function fill(doc: Document, td: HTMLElement, value: Cell): void {
  if (typeof value === 'string') {
    td.textContent = value;
  } else if (typeof (value as Node).nodeType === 'number') {
    td.appendChild(value as Node);
  } else {
    td.appendChild(idElement(doc, (value as { id: unknown }).id));
  }
}

function kvTable(doc: Document, rows: Array<[string, Cell]>): HTMLTableElement {
  const table = el(doc, 'table', 'jp-AO-table jp-AO-kv');
  const body = el(doc, 'tbody');
  for (const [key, value] of rows) {
    const tr = el(doc, 'tr');
    tr.appendChild(el(doc, 'th', undefined, key));
    const td = el(doc, 'td');
    fill(doc, td, value);
    tr.appendChild(td);
    body.appendChild(tr);
  }
  table.appendChild(body);
  return table;
}

function gridTable(doc: Document, head: string[], rows: Cell[][]): HTMLTableElement {
  const table = el(doc, 'table', 'jp-AO-table');
  const thead = el(doc, 'thead');
  const htr = el(doc, 'tr');
  head.forEach(h => htr.appendChild(el(doc, 'th', undefined, h)));
  thead.appendChild(htr);
  table.appendChild(thead);
  const body = el(doc, 'tbody');
  for (const row of rows) {
    const tr = el(doc, 'tr');
    for (const value of row) {
      const td = el(doc, 'td');
      fill(doc, td, value);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  table.appendChild(body);
  return table;
}

function section(doc: Document, title: string, content: Node, open = false): HTMLElement {
  const details = el(doc, 'details', 'jp-AO-section');
  details.open = open;
  details.appendChild(el(doc, 'summary', undefined, title));
  details.appendChild(content);
  return details;
}

function header(doc: Document, label: string, ...rest: Cell[]): HTMLElement {
  const div = el(doc, 'div', 'jp-AO-header');
  div.appendChild(el(doc, 'span', 'jp-AO-badge', label));
  for (const part of rest) {
    const span = el(doc, 'span', 'jp-AO-headerPart');
    fill(doc, span, part);
    div.appendChild(span);
  }
  return div;
}

function commitmentsTable(doc: Document, commitments: Json[] | undefined): HTMLElement {
  if (!commitments || commitments.length === 0) {
    return el(doc, 'div', 'jp-AO-meta', 'no commitments');
  }
  return gridTable(
    doc,
    ['commitment', 'device', 'type', 'committer'],
    commitments.map(c => [
      { id: c.id },
      String(c.device ?? ''),
      String(c.type ?? ''),
      { id: c.committer }
    ])
  );
}

// -- one builder per kind ------------------------------------------------------------------

export function renderResult(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  const bits: Cell[] = ['process', { id: d.process }, `slot ${d.slot ?? '?'}`];
  if (d.dry_run) {
    bits.push('dry-run');
  }
  root.appendChild(header(doc, d.error ? 'error' : 'result', ...bits));
  if (d.error) {
    root.classList.add('jp-AO-hasError');
    root.appendChild(outputBlock(doc, d.error, true));
  } else if (d.output !== null && d.output !== undefined && d.output !== '') {
    root.appendChild(outputBlock(doc, d.output));
  }
  // what came back to you (msg.reply to your wallet) is the answer a learner looks for:
  // shown plainly, never folded
  const replies: Json[] = d.replies || [];
  if (replies.length) {
    const box = el(doc, 'div', 'jp-AO-replies');
    box.appendChild(el(doc, 'div', 'jp-AO-repliesTitle', String(d.replies_title || `${replies.length} message(s)`)));
    for (const r of replies) {
      const line = el(doc, 'div', 'jp-AO-reply');
      if (r.to_you) {
        line.appendChild(el(doc, 'span', 'jp-AO-replyTo', '→ you'));
      } else {
        line.appendChild(el(doc, 'span', 'jp-AO-replyTo', '→ '));
        line.appendChild(idElement(doc, r.target));
      }
      if (r.action) {
        line.appendChild(el(doc, 'span', 'jp-AO-replyAction', String(r.action)));
      }
      const data = el(doc, 'span', 'jp-AO-replyData');
      data.appendChild(ansiFragment(doc, clip(r.data, 400)));
      line.appendChild(data);
      box.appendChild(line);
    }
    root.appendChild(box);
  }
  const spawns: Json[] = d.spawns || [];
  if (spawns.length) {
    root.appendChild(
      section(
        doc,
        `${spawns.length} spawn(s)`,
        gridTable(doc, ['Name', 'Data'], spawns.map(s => [String(s.Name ?? s.name ?? ''), clip(s.Data ?? s.data, 80)]))
      )
    );
  }
  // the cascade (a process's messages to itself included): one folded section
  const pushed: Json[] = d.pushed || [];
  if (pushed.length) {
    root.appendChild(
      section(
        doc,
        `${pushed.length} message${pushed.length === 1 ? '' : 's'} delivered on this node`,
        gridTable(
          doc,
          ['Process', 'Slot', 'Action', 'Output'],
          pushed.map(p => {
            const out = el(doc, 'span', p.error ? 'jp-AO-error' : undefined);
            out.appendChild(ansiFragment(doc, clip(p.error ?? p.output ?? '', 400)));
            return [{ id: p.process }, String(p.slot), String(p.action ?? ''), out];
          })
        )
      )
    );
  }
  const ids: Array<[string, Cell]> = [['message', { id: d.message }]];
  if (d.hashpath) {
    ids.push(['hashpath', { id: d.hashpath }]);
  }
  root.appendChild(section(doc, 'message and hashpath', kvTable(doc, ids)));
  return root;
}

export function renderProcess(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  root.appendChild(header(doc, 'process', d.name || '(unnamed)', `slot ${d.slot}`));
  root.appendChild(
    kvTable(doc, [
      ['id', { id: d.id }],
      ['slot', String(d.slot)],
      ['module', { id: d.module }],
      ['scheduler', { id: d.scheduler }],
      ['authority', { id: d.authority }]
    ])
  );
  const tags = Object.entries(d.tags || {});
  if (tags.length) {
    const table = el(doc, 'table', 'jp-AO-table jp-AO-kv');
    const body = el(doc, 'tbody');
    for (const [k, v] of tags) {
      const tr = el(doc, 'tr');
      tr.appendChild(el(doc, 'th', undefined, k));
      tr.appendChild(valueCell(doc, v));
      body.appendChild(tr);
    }
    table.appendChild(body);
    root.appendChild(section(doc, `${tags.length} tags`, table));
  }
  return root;
}

export function renderMessage(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  root.appendChild(header(doc, 'message', { id: d.id }));
  const table = el(doc, 'table', 'jp-AO-table jp-AO-kv');
  const body = el(doc, 'tbody');
  for (const [k, v] of Object.entries(d.fields || {})) {
    const tr = el(doc, 'tr');
    tr.appendChild(el(doc, 'th', undefined, k));
    tr.appendChild(valueCell(doc, v));
    body.appendChild(tr);
  }
  table.appendChild(body);
  root.appendChild(table);
  root.appendChild(commitmentsTable(doc, d.commitments));
  return root;
}

export function renderAssignment(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  root.appendChild(header(doc, 'assignment', `slot ${d.slot}`, 'of', { id: d.process }));
  root.appendChild(
    kvTable(doc, [
      ['assignment', { id: d.id }],
      ['process', { id: d.process }],
      ['slot', String(d.slot)],
      ['message', { id: d.message }],
      ['timestamp', String(d.timestamp ?? '')],
      ['block-height', String(d['block-height'] ?? '')],
      ['hash-chain', { id: d['hash-chain'] }]
    ])
  );
  if (d.body && typeof d.body === 'object') {
    const table = el(doc, 'table', 'jp-AO-table jp-AO-kv');
    const body = el(doc, 'tbody');
    for (const [k, v] of Object.entries(d.body)) {
      if (k === 'commitments') {
        continue;
      }
      const tr = el(doc, 'tr');
      tr.appendChild(el(doc, 'th', undefined, k));
      tr.appendChild(valueCell(doc, v));
      body.appendChild(tr);
    }
    table.appendChild(body);
    root.appendChild(section(doc, 'message body', table));
  }
  root.appendChild(commitmentsTable(doc, d.commitments));
  return root;
}

export function renderVerification(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  const mark = el(doc, 'span', d.ok ? 'jp-AO-ok' : 'jp-AO-error', d.ok ? '✔ verified' : '✘ failed');
  root.appendChild(header(doc, 'verification', mark));
  if (!d.ok) {
    root.classList.add('jp-AO-hasError');
  }
  const rows: Array<[string, Cell]> = [
    ['process', { id: d.process }],
    ['slots', `${d.first_slot ?? '?'}..${d.last_slot ?? '?'}`],
    ['checked', String(d.checked ?? '')],
    ['signed through', String(d.signed_through ?? '')]
  ];
  if (!d.ok) {
    const bad = (v: unknown) => el(doc, 'span', 'jp-AO-error', String(v ?? ''));
    rows.push(['bad slot', bad(d.bad_slot)], ['reason', bad(d.reason)], ['detail', bad(d.detail)]);
  }
  root.appendChild(kvTable(doc, rows));
  return root;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The message graph: processes on a circle, one arrow per delivered message, and a table. */
export function renderGraph(doc: Document, d: Json): HTMLElement {
  const root = el(doc, 'div', 'jp-AO-card');
  const nodes: Json[] = d.nodes || [];
  const edges: Json[] = d.edges || [];
  root.appendChild(header(doc, 'graph', `${nodes.length} process(es)`, `${edges.length} message(s)`));
  const w = 360;
  const h = nodes.length > 1 ? 220 : 80;
  const svg = doc.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'jp-AO-graphSvg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h));
  svg.setAttribute('role', 'img');
  const defs = doc.createElementNS(SVG, 'defs');
  const marker = doc.createElementNS(SVG, 'marker');
  const markerId = `jp-AO-arrow-${Math.random().toString(36).slice(2, 8)}`;
  marker.setAttribute('id', markerId);
  marker.setAttribute('viewBox', '0 0 10 10');
  marker.setAttribute('refX', '10');
  marker.setAttribute('refY', '5');
  marker.setAttribute('markerWidth', '6');
  marker.setAttribute('markerHeight', '6');
  marker.setAttribute('orient', 'auto-start-reverse');
  const tip = doc.createElementNS(SVG, 'path');
  tip.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
  tip.setAttribute('class', 'jp-AO-graphArrow');
  marker.appendChild(tip);
  defs.appendChild(marker);
  svg.appendChild(defs);
  const pos = new Map<string, [number, number]>();
  const r = Math.min(w, h) / 2 - 28;
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(nodes.length, 1) - Math.PI / 2;
    pos.set(n.id, nodes.length === 1 ? [w / 2, h / 2] : [w / 2 + r * 1.4 * Math.cos(a), h / 2 + r * Math.sin(a)]);
  });
  const R = 16;
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) {
      continue;
    }
    const line = doc.createElementNS(SVG, 'path');
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    let dPath: string;
    if (e.from === e.to) {
      dPath = `M ${a[0] - 6} ${a[1] - R} C ${a[0] - 30} ${a[1] - 50}, ${a[0] + 30} ${a[1] - 50}, ${a[0] + 6} ${a[1] - R}`;
    } else {
      const sx = a[0] + (dx / len) * R;
      const sy = a[1] + (dy / len) * R;
      const tx = b[0] - (dx / len) * R;
      const ty = b[1] - (dy / len) * R;
      // a slight curve so A->B and B->A do not overlap
      const cx = (sx + tx) / 2 - (dy / len) * 14;
      const cy = (sy + ty) / 2 + (dx / len) * 14;
      dPath = `M ${sx} ${sy} Q ${cx} ${cy} ${tx} ${ty}`;
    }
    line.setAttribute('d', dPath);
    line.setAttribute('class', 'jp-AO-graphEdge');
    line.setAttribute('marker-end', `url(#${markerId})`);
    const title = doc.createElementNS(SVG, 'title');
    title.textContent = `${e.from} → ${e.to} (slot ${e.slot}, message ${e.message})`;
    line.appendChild(title);
    svg.appendChild(line);
  }
  for (const n of nodes) {
    const [x, y] = pos.get(n.id)!;
    const g = doc.createElementNS(SVG, 'g');
    g.setAttribute('class', 'jp-AO-graphNode');
    const c = doc.createElementNS(SVG, 'circle');
    c.setAttribute('cx', String(x));
    c.setAttribute('cy', String(y));
    c.setAttribute('r', String(R));
    const t = doc.createElementNS(SVG, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y + R + 12));
    t.setAttribute('text-anchor', 'middle');
    t.textContent = n.name || shortId(String(n.id));
    const title = doc.createElementNS(SVG, 'title');
    title.textContent = String(n.id);
    g.append(c, t, title);
    svg.appendChild(g);
  }
  root.appendChild(svg);
  if (edges.length) {
    root.appendChild(
      gridTable(
        doc,
        ['from', 'to', 'message', 'slot'],
        edges.map(e => [{ id: e.from }, { id: e.to }, { id: e.message }, String(e.slot)])
      )
    );
  }
  return root;
}

const BUILDERS: Record<Kind, (doc: Document, d: Json) => HTMLElement> = {
  message: renderMessage,
  result: renderResult,
  process: renderProcess,
  assignment: renderAssignment,
  verification: renderVerification,
  graph: renderGraph
};

/** Render `data` of `kind` into `host` (emptied first); a malformed payload shows an error. */
export function renderInto(doc: Document, host: HTMLElement, kind: Kind, data: unknown): void {
  host.textContent = '';
  host.classList.add('jp-AORenderer', className(kind));
  try {
    if (data === null || typeof data !== 'object') {
      throw new Error(`expected a JSON object, got ${typeof data}`);
    }
    host.appendChild(BUILDERS[kind](doc, data));
  } catch (err) {
    const box = el(doc, 'div', 'jp-AO-card jp-AO-hasError');
    box.appendChild(el(doc, 'div', 'jp-AO-error', `cannot render this AO ${kind}: ${(err as Error).message}`));
    box.appendChild(el(doc, 'pre', 'jp-AO-output', clip(JSON.stringify(data), 2000)));
    host.appendChild(box);
  }
}
