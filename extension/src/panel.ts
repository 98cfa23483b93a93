/**
 * The AO side panel: the processes of the node behind the active notebook's kernel.
 *
 * It opens a comm (target `ao.panel`, registered by the AO kernel and `%load_ext
 * ao_kernel`) and redraws on every snapshot the kernel pushes (batched there). A kernel
 * without the target closes the comm at once; the panel then says so and retries after
 * the kernel's next execution (someone may run `%load_ext ao_kernel`).
 */
import type { Kernel } from '@jupyterlab/services';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { ISnapshot, renderProcessList } from './panelview';

export const COMM_TARGET = 'ao.panel';
const RETRY_MS = 2000;

export class AOPanel extends Widget {
  constructor() {
    super();
    this.id = 'ao-kernel-panel';
    this.addClass('jp-AOPanel');
    this.title.caption = 'AO: the node behind the active kernel';
    const header = document.createElement('div');
    header.className = 'jp-AOPanel-header';
    const title = document.createElement('h2');
    title.textContent = 'AO node';
    const refresh = document.createElement('button');
    refresh.className = 'jp-AOPanel-refresh jp-mod-styled';
    refresh.textContent = 'Refresh';
    refresh.title = 'Ask the kernel for the process list again';
    refresh.addEventListener('click', () => this.refresh());
    header.append(title, refresh);
    this._status = document.createElement('div');
    this._status.className = 'jp-AOPanel-status';
    this._body = document.createElement('div');
    this._body.className = 'jp-AOPanel-body';
    this.node.append(header, this._status, this._body);
    this.node.dataset.updates = '0';
    this._setStatus('none', 'Open a notebook with the AO kernel (or %load_ext ao_kernel).');
  }

  /** Follow `panel` (the active notebook), or nothing. */
  bind(panel: NotebookPanel | null): void {
    if (panel === this._notebook) {
      return;
    }
    if (this._notebook) {
      this._notebook.sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
      this._notebook.sessionContext.statusChanged.disconnect(this._onStatus, this);
    }
    this._notebook = panel;
    this._closeComm();
    if (!panel) {
      this._body.textContent = '';
      this._setStatus('none', 'No notebook is active.');
      return;
    }
    panel.sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    panel.sessionContext.statusChanged.connect(this._onStatus, this);
    void panel.sessionContext.ready.then(() => this._connect());
  }

  refresh(): void {
    if (this._comm && !this._comm.isDisposed) {
      this._comm.send({ action: 'refresh' });
    } else {
      this._connect();
    }
  }

  /** The latest snapshot drawn (tests and the timeline button read it). */
  get snapshot(): ISnapshot | null {
    return this._snapshot;
  }

  private _onKernelChanged(): void {
    this._closeComm();
    this._connect();
  }

  private _onStatus(_: unknown, status: string): void {
    if (status === 'idle' && !this._comm && Date.now() - this._lastTry > RETRY_MS) {
      this._connect();
    }
  }

  private _connect(): void {
    const kernel = this._notebook?.sessionContext.session?.kernel;
    if (!kernel || this._comm) {
      return;
    }
    this._lastTry = Date.now();
    this._setStatus('connecting', `Connecting to ${kernel.name}…`);
    let comm: Kernel.IComm;
    try {
      comm = kernel.createComm(COMM_TARGET);
    } catch (err) {
      this._setStatus('error', `Cannot open the AO comm: ${(err as Error).message}`);
      return;
    }
    this._comm = comm;
    comm.onMsg = msg => this._onData(msg.content.data as any);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
        this._body.textContent = '';
        this._setStatus('none', `No AO node in this kernel (${kernel.name}). Use the AO kernel or run %load_ext ao_kernel.`);
      }
    };
    comm.open({});
  }

  private _closeComm(): void {
    const comm = this._comm;
    this._comm = null;
    this._snapshot = null;
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone already
      }
    }
  }

  private _onData(data: any): void {
    if (!data || data.type === 'error') {
      this._setStatus('error', `The kernel could not list its processes: ${data?.error ?? '?'}`);
      return;
    }
    if (data.type !== 'snapshot') {
      return;
    }
    this._snapshot = data as ISnapshot;
    const kernel = this._notebook?.sessionContext.session?.kernel;
    this._setStatus('connected', `Live: ${kernel?.name ?? 'kernel'} of ${this._notebook?.title.label ?? 'notebook'}`);
    this._body.textContent = '';
    this._body.appendChild(renderProcessList(document, this._snapshot, (pid, name) => void this.openTimeline(pid, name)));
    this.node.dataset.updates = String(++this._updates);
  }

  /** Add a `%ao_timeline PID` cell at the end of the notebook and run it. */
  async openTimeline(pid: string, name: string | null): Promise<void> {
    const panel = this._notebook;
    if (!panel) {
      return;
    }
    const nb = panel.content;
    nb.activeCellIndex = Math.max(nb.widgets.length - 1, 0);
    NotebookActions.insertBelow(nb);
    const cell = nb.activeCell;
    if (!cell) {
      return;
    }
    cell.model.sharedModel.setSource(`%ao_timeline ${pid}`);
    void name;
    await NotebookActions.run(nb, panel.sessionContext);
  }

  private _setStatus(state: string, text: string): void {
    this.node.dataset.status = state;
    this._status.textContent = text;
  }

  protected onBeforeShow(): void {
    if (!this._comm) {
      this._connect();
    }
  }

  private _status: HTMLElement;
  private _body: HTMLElement;
  private _notebook: NotebookPanel | null = null;
  private _comm: Kernel.IComm | null = null;
  private _snapshot: ISnapshot | null = null;
  private _updates = 0;
  private _lastTry = 0;
}
