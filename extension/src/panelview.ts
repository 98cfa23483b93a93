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

export interface ISnapshot {
  type: 'snapshot';
  node: string;
  current: string | null;
  processes: IProcessInfo[];
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
  if (snap.processes.length === 0) {
    const empty = doc.createElement('div');
    empty.className = 'jp-AOPanel-empty';
    empty.textContent = 'No process yet: run a Lua cell or %spawn one.';
    root.appendChild(empty);
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
  return root;
}
