/**
 * The DOM of the AO side panel, as a pure function of the kernel's snapshot
 * (ao_kernel/jupyter/panel.py) so the unit tests can check it in jsdom.
 */
import { ansiFragment, idElement } from './render';

export interface IProcessInfo {
  id: string;
  name: string | null;
  slot: number;
  output: string | null;
  error: string | null;
  message: string | null;
}

export interface IOtherNode {
  var: string;
  node: string;
  processes: Array<{ id: string; name: string | null; slot: number }>;
}

export interface ISnapshot {
  type: 'snapshot';
  node: string;
  current: string | null;
  processes: IProcessInfo[];
  others?: IOtherNode[];
}

/** The nodes the notebook built in Python (`node = ao.Node()`), by variable name. */
function renderOthers(doc: Document, others: IOtherNode[]): HTMLElement {
  const box = doc.createElement('div');
  box.className = 'jp-AOPanel-others';
  for (const o of others) {
    const head = doc.createElement('div');
    head.className = 'jp-AOPanel-node jp-AOPanel-otherNode';
    const code = doc.createElement('code');
    code.textContent = o.var;
    head.append('Python variable ', code, ': node ', idElement(doc, o.node), ` · ${o.processes.length} process(es)`);
    box.appendChild(head);
    const list = doc.createElement('ul');
    list.className = 'jp-AOPanel-list';
    for (const p of o.processes) {
      const li = doc.createElement('li');
      li.className = 'jp-AOPanel-process jp-AOPanel-otherProcess';
      li.dataset.pid = p.id;
      const row = doc.createElement('div');
      row.className = 'jp-AOPanel-row';
      const name = doc.createElement('span');
      name.className = 'jp-AOPanel-name';
      name.textContent = p.name || '(unnamed)';
      const slot = doc.createElement('span');
      slot.className = 'jp-AOPanel-slot';
      slot.textContent = `slot ${p.slot}`;
      row.append(name, idElement(doc, p.id), slot);
      li.appendChild(row);
      list.appendChild(li);
    }
    box.appendChild(list);
  }
  return box;
}

const MAX_SHOWN = 300;

function clip(text: string, n = MAX_SHOWN): string {
  return text.length <= n ? text : text.slice(0, n - 1) + '…';
}

/** The list of processes; `onTimeline(pid, name)` is called by each row's button. */
export function renderProcessList(
  doc: Document,
  snap: ISnapshot,
  onTimeline: (pid: string, name: string | null) => void
): HTMLElement {
  const root = doc.createElement('div');
  root.className = 'jp-AOPanel-processes';
  const head = doc.createElement('div');
  head.className = 'jp-AOPanel-node';
  head.append('node ', idElement(doc, snap.node), ` · ${snap.processes.length} process(es)`);
  root.appendChild(head);
  const others = snap.others || [];
  if (snap.processes.length === 0) {
    const empty = doc.createElement('div');
    empty.className = 'jp-AOPanel-empty';
    empty.textContent = 'No process yet: run a Lua cell or %spawn one.';
    root.appendChild(empty);
    if (others.length) {
      root.appendChild(renderOthers(doc, others));
    }
    return root;
  }
  const list = doc.createElement('ul');
  list.className = 'jp-AOPanel-list';
  for (const p of snap.processes) {
    const li = doc.createElement('li');
    li.className = 'jp-AOPanel-process';
    li.dataset.pid = p.id;
    if (p.id === snap.current) {
      li.classList.add('jp-mod-current');
      li.title = 'the current process (plain Lua cells run here)';
    }
    const top = doc.createElement('div');
    top.className = 'jp-AOPanel-row';
    const name = doc.createElement('span');
    name.className = 'jp-AOPanel-name';
    name.textContent = p.name || '(unnamed)';
    const slot = doc.createElement('span');
    slot.className = 'jp-AOPanel-slot';
    slot.textContent = `slot ${p.slot}`;
    const button = doc.createElement('button');
    button.className = 'jp-AOPanel-timeline jp-mod-styled';
    button.textContent = 'Timeline';
    button.title = `Open the slot timeline of ${p.name || p.id} in the notebook (%ao_timeline)`;
    button.addEventListener('click', () => onTimeline(p.id, p.name));
    top.append(name, idElement(doc, p.id), slot, button);
    li.appendChild(top);
    const text = p.error ?? p.output;
    if (text) {
      const pre = doc.createElement('pre');
      pre.className = 'jp-AOPanel-output' + (p.error ? ' jp-AO-error' : '');
      pre.appendChild(ansiFragment(doc, clip(text)));
      pre.title = 'latest result (slot ' + p.slot + ')';
      li.appendChild(pre);
    }
    list.appendChild(li);
  }
  root.appendChild(list);
  if (others.length) {
    root.appendChild(renderOthers(doc, others));
  }
  return root;
}
