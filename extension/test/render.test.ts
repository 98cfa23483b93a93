// Unit tests of the AO renderers and the side panel's list, in jsdom, with payloads shaped
// exactly like ao_kernel/jupyter/display.py and ao_kernel/jupyter/panel.py emit them.
import { describe, expect, it, vi } from 'vitest';

import {
  KINDS,
  ansiFragment,
  className,
  idElement,
  mimeTypeOf,
  renderInto,
  shortId
} from '../src/render';
import { renderProcessList } from '../src/panelview';

const PID = 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789_-abcde'; // 43 chars
const MID = 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe_Dc-BaZyXwV';
const PID2 = 'QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';

function render(kind: (typeof KINDS)[number], data: unknown): HTMLElement {
  const host = document.createElement('div');
  document.body.appendChild(host);
  renderInto(document, host, kind, data);
  return host;
}

const RESULT = {
  process: PID,
  slot: 3,
  message: MID,
  output: '\u001b[32mhello\u001b[0m world',
  prompt: 'default@aos-2.0.0[Inbox:1]> ',
  error: null,
  hashpath: `${PID}/${MID}`,
  messages: [{ Target: PID2, Action: 'Ping', Data: 'hi' }],
  spawns: [],
  assignments: [],
  pushed: [{ process: PID2, slot: 1, message: MID, action: 'Ping', output: 'pong', error: null }],
  replies: [
    { from: PID2, target: MID, to_you: true, action: null, data: 'pong' },
    { from: PID2, target: PID, to_you: false, action: 'Note', data: '\u001b[31mred\u001b[0m' }
  ],
  replies_title: '1 message to you, 1 to another address',
  undelivered: 2,
  dry_run: false
};

describe('ids', () => {
  it('shortens like display.short_id, hashpaths part by part', () => {
    expect(PID.length).toBe(43);
    expect(MID.length).toBe(43);
    expect(shortId(PID)).toBe('aBcDeF…bcde');
    expect(shortId('short')).toBe('short');
    expect(shortId(`${PID}/${MID}`)).toBe('aBcDeF…bcde/Zy9Xw8…yXwV');
    // no tail: the head only (slice(-0) would append the whole ID)
    expect(shortId(PID, 4, 0)).toBe('aBcD…');
  });

  it('shows the full value on hover and copies it on click', async () => {
    const write = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(window.navigator, 'clipboard', { value: { writeText: write }, configurable: true });
    const span = idElement(document, PID);
    document.body.appendChild(span);
    expect(span.title).toContain(PID);
    expect(span.dataset.value).toBe(PID);
    expect(span.textContent).toContain('aBcDeF…bcde');
    expect(span.textContent).not.toContain(PID);
    span.click();
    await Promise.resolve();
    await Promise.resolve();
    expect(write).toHaveBeenCalledWith(PID);
    expect(span.classList.contains('jp-mod-copied')).toBe(true);
  });

  it('renders a missing id as a dash, not "undefined"', () => {
    expect(idElement(document, null).textContent).toBe('—');
    expect(idElement(document, undefined).textContent).toBe('—');
  });
});

describe('ansi', () => {
  it('turns SGR colours into classed spans and escapes everything else', () => {
    const div = document.createElement('div');
    div.appendChild(ansiFragment(document, '\u001b[31mred\u001b[0m <b>plain</b> \u001b[1;92mbold\u001b[0m'));
    const red = div.querySelector('.jp-AO-ansi-red');
    expect(red?.textContent).toBe('red');
    const bright = div.querySelector('.jp-AO-ansi-bright-green');
    expect(bright?.textContent).toBe('bold');
    expect(bright?.classList.contains('jp-AO-ansi-bold')).toBe(true);
    expect(div.querySelector('b')).toBeNull(); // not parsed as HTML
    expect(div.textContent).toBe('red <b>plain</b> bold');
    expect(div.textContent).not.toContain('\u001b');
  });
});

describe('renderers', () => {
  it('has one MIME type and root class per kind', () => {
    expect(KINDS.map(mimeTypeOf)).toEqual([
      'application/vnd.ao.message+json',
      'application/vnd.ao.result+json',
      'application/vnd.ao.process+json',
      'application/vnd.ao.assignment+json',
      'application/vnd.ao.verification+json',
      'application/vnd.ao.graph+json'
    ]);
    expect(className('verification')).toBe('jp-AOVerification');
  });

  it('result: coloured output, replies shown plainly, cascade and ids folded', () => {
    const host = render('result', RESULT);
    expect(host.classList.contains('jp-AOResult')).toBe(true);
    const out = host.querySelector('pre.jp-AO-output')!;
    expect(out.textContent).toBe('hello world');
    expect(out.querySelector('.jp-AO-ansi-green')?.textContent).toBe('hello');
    const ids = [...host.querySelectorAll<HTMLElement>('.jp-AO-id')].map(e => e.dataset.value);
    expect(ids).toContain(PID);
    expect(ids).toContain(MID);
    expect(ids).toContain(`${PID}/${MID}`);
    // the replies: visible (not inside a closed <details>), "to you" in words
    const replies = host.querySelector('.jp-AO-replies')!;
    expect(replies.closest('details')).toBeNull();
    expect(replies.textContent).toContain('1 message to you, 1 to another address');
    expect(replies.textContent).toContain('→ you');
    expect(replies.textContent).toContain('pong');
    expect(replies.querySelector('.jp-AO-ansi-red')?.textContent).toBe('red');
    expect(host.textContent).not.toContain('undelivered');
    // the cascade, folded: one section, closed
    const sections = [...host.querySelectorAll('details.jp-AO-section')] as HTMLDetailsElement[];
    const cascade = sections.find(s => s.textContent!.includes('1 message delivered on this node'))!;
    expect(cascade.open).toBe(false);
    expect(cascade.textContent).toContain('Ping');
    const ids2 = sections.find(s => s.textContent!.startsWith('message and hashpath'))!;
    expect(ids2.open).toBe(false);
    expect(host.querySelector('.jp-AO-hasError')).toBeNull();
    expect(host.textContent).not.toContain('{"process"'); // not raw JSON
  });

  it('result: an error is highlighted', () => {
    const host = render('result', { ...RESULT, output: null, error: '[string "cell"]:1: boom' });
    expect(host.querySelector('.jp-AO-hasError')).not.toBeNull();
    const err = host.querySelector('pre.jp-AO-error')!;
    expect(err.textContent).toContain('boom');
    expect(host.querySelector('.jp-AO-badge')?.textContent).toBe('error');
  });

  it('process: a table of its definition and its tags', () => {
    const host = render('process', {
      id: PID, name: 'pinger', slot: 2, module: MID, scheduler: PID2, authority: PID2,
      tags: { type: 'Process', 'data-protocol': 'ao', module: MID }
    });
    expect(host.classList.contains('jp-AOProcess')).toBe(true);
    expect(host.querySelector('.jp-AO-header')?.textContent).toContain('pinger');
    const rows = [...host.querySelectorAll('.jp-AO-kv th')].map(th => th.textContent);
    expect(rows).toEqual(expect.arrayContaining(['id', 'slot', 'module', 'scheduler', 'authority', 'data-protocol']));
    expect(host.textContent).toContain('3 tags');
  });

  it('message: fields, 43-char values as ids, commitments', () => {
    const host = render('message', {
      id: MID,
      fields: { action: 'Ping', target: PID, count: 3, nested: { a: [1, 2] } },
      commitments: [{ id: PID2, device: 'httpsig@1.0', type: 'rsa-pss-sha512', committer: PID }]
    });
    expect(host.classList.contains('jp-AOMessage')).toBe(true);
    const targetRow = [...host.querySelectorAll('tr')].find(tr => tr.querySelector('th')?.textContent === 'target')!;
    expect(targetRow.querySelector<HTMLElement>('.jp-AO-id')?.dataset.value).toBe(PID);
    expect(host.textContent).toContain('{"a":[1,2]}');
    expect(host.textContent).toContain('httpsig@1.0');
    expect(host.textContent).toContain('rsa-pss-sha512');
  });

  it('message: no commitments says so', () => {
    const host = render('message', { id: null, fields: { a: '1' }, commitments: [] });
    expect(host.textContent).toContain('no commitments');
  });

  it('assignment: slot, process, message, hash chain and body', () => {
    const host = render('assignment', {
      id: MID, process: PID, slot: 4, timestamp: 1700000000000, 'block-height': 12,
      'hash-chain': PID2, message: MID, body: { action: 'Eval', data: 'return 1' }, commitments: []
    });
    expect(host.classList.contains('jp-AOAssignment')).toBe(true);
    expect(host.textContent).toContain('slot 4');
    expect(host.textContent).toContain('1700000000000');
    expect(host.textContent).toContain('message body');
    expect(host.textContent).toContain('Eval');
  });

  it('verification: ok and failed reports', () => {
    const ok = render('verification', {
      ok: true, process: PID, checked: 5, first_slot: 0, last_slot: 4, signed_through: 4,
      bad_slot: null, reason: null, detail: null
    });
    expect(ok.querySelector('.jp-AO-ok')?.textContent).toContain('verified');
    expect(ok.querySelector('.jp-AO-hasError')).toBeNull();
    const bad = render('verification', {
      ok: false, process: PID, checked: 3, first_slot: 0, last_slot: 4, signed_through: 2,
      bad_slot: 3, reason: 'hash-chain', detail: 'slot 3 does not chain'
    });
    expect(bad.querySelector('.jp-AO-hasError')).not.toBeNull();
    expect(bad.textContent).toContain('failed');
    expect(bad.textContent).toContain('does not chain');
  });

  it('graph: one svg node per process, one edge per message', () => {
    const host = render('graph', {
      nodes: [{ id: PID }, { id: PID2 }],
      edges: [
        { from: PID, to: PID2, message: MID, slot: 1 },
        { from: PID2, to: PID, message: MID, slot: 2 }
      ]
    });
    expect(host.classList.contains('jp-AOGraph')).toBe(true);
    expect(host.querySelectorAll('svg .jp-AO-graphNode').length).toBe(2);
    expect(host.querySelectorAll('svg .jp-AO-graphEdge').length).toBe(2);
    expect(host.querySelectorAll('tbody tr').length).toBe(2);
    // an unnamed process is labelled with its short ID, like the table, not the full ID
    const labels = [...host.querySelectorAll('svg .jp-AO-graphNode text')].map(t => t.textContent);
    expect(labels).toEqual([shortId(PID), shortId(PID2)]);
    const hovers = [...host.querySelectorAll('svg .jp-AO-graphNode > title')].map(t => t.textContent);
    expect(hovers).toEqual([PID, PID2]);
  });

  it('graph: a named process is labelled with its name', () => {
    const host = render('graph', { nodes: [{ id: PID, name: 'pinger' }], edges: [] });
    expect(host.querySelector('svg .jp-AO-graphNode text')?.textContent).toBe('pinger');
  });

  it('a malformed payload shows an error, never throws', () => {
    const host = render('result', 'not an object');
    expect(host.querySelector('.jp-AO-error')?.textContent).toContain('cannot render this AO result');
  });
});

describe('side panel list', () => {
  const snap = {
    type: 'snapshot' as const,
    node: PID2,
    current: PID,
    processes: [
      { id: PID, name: 'default', slot: 3, output: '\u001b[32m2\u001b[0m', error: null, message: MID },
      { id: PID2, name: null, slot: 1, output: null, error: 'boom', message: MID }
    ]
  };

  it('lists processes with slot, latest result and the current one marked', () => {
    const root = renderProcessList(document, snap, () => undefined);
    const rows = root.querySelectorAll<HTMLElement>('.jp-AOPanel-process');
    expect(rows.length).toBe(2);
    expect(rows[0].dataset.pid).toBe(PID);
    expect(rows[0].classList.contains('jp-mod-current')).toBe(true);
    expect(rows[0].querySelector('.jp-AOPanel-slot')?.textContent).toBe('slot 3');
    expect(rows[0].querySelector('.jp-AO-ansi-green')?.textContent).toBe('2');
    expect(rows[1].querySelector('.jp-AOPanel-name')?.textContent).toBe('(unnamed)');
    expect(rows[1].querySelector('.jp-AO-error')?.textContent).toBe('boom');
  });

  it('the timeline button reports its process', () => {
    const seen: string[] = [];
    const root = renderProcessList(document, snap, pid => seen.push(pid));
    root.querySelectorAll<HTMLButtonElement>('.jp-AOPanel-timeline')[1].click();
    expect(seen).toEqual([PID2]);
  });

  it('an empty node says how to start', () => {
    const root = renderProcessList(document, { ...snap, processes: [] }, () => undefined);
    expect(root.textContent).toContain('No process yet');
  });

  it('lists the nodes the notebook built in Python, by variable name', () => {
    const others = [{ var: 'node', node: MID, processes: [{ id: PID2, name: 'pinger', slot: 2 }] }];
    for (const processes of [snap.processes, []]) {
      const root = renderProcessList(document, { ...snap, processes, others }, () => undefined);
      const other = root.querySelector('.jp-AOPanel-others')!;
      expect(other.textContent).toContain('Python variable node');
      expect(other.querySelector('.jp-AOPanel-otherProcess .jp-AOPanel-name')?.textContent).toBe('pinger');
      expect(other.querySelector('.jp-AOPanel-slot')?.textContent).toBe('slot 2');
      expect(other.querySelector('.jp-AOPanel-timeline')).toBeNull(); // %ao_timeline: the magics' node only
    }
  });
});

describe('the MIME renderer', () => {
  it('claims every kind, ranks before text/html, and marks its output with its MIME type', async () => {
    // jsdom has no DragEvent, which @lumino/widgets reads when it loads
    (globalThis as any).DragEvent ??= class extends MouseEvent {};
    const { rendererFactory } = await import('../src/mime');
    expect(rendererFactory.mimeTypes).toEqual(KINDS.map(mimeTypeOf));
    expect(rendererFactory.defaultRank).toBeLessThan(50); // the kernel's text/html fallback
    const mimeType = mimeTypeOf('result');
    const renderer = rendererFactory.createRenderer({ mimeType } as any);
    await renderer.renderModel({ data: { [mimeType]: RESULT } } as any);
    const node = renderer.node;
    expect(node.dataset.mimeType).toBe(mimeType); // as JupyterLab's own renderers do
    expect(node.classList.contains('jp-AORenderer')).toBe(true);
    expect(node.classList.contains('jp-AOResult')).toBe(true);
    expect(node.querySelector('pre.jp-AO-output')?.textContent).toBe('hello world');
  });
});
