/**
 * The MIME renderer extension: one renderer per `application/vnd.ao.<kind>+json`.
 * The DOM is built by ./render.ts; this file only adapts it to JupyterLab's rendermime.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { KINDS, Kind, mimeTypeOf, renderInto } from './render';

export class AORenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private _options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('jp-AORenderer');
    // as JupyterLab's own renderers do: what was chosen for this output
    this.node.dataset.mimeType = _options.mimeType;
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const mimeType = this._options.mimeType;
    const kind = KINDS.find(k => mimeTypeOf(k) === mimeType) as Kind;
    renderInto(document, this.node, kind, model.data[mimeType]);
    return Promise.resolve();
  }
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: KINDS.map(mimeTypeOf),
  // a low rank wins: ours is preferred to the kernel's text/html (rank 50) and text/plain
  defaultRank: 0,
  createRenderer: options => new AORenderer(options)
};

const extension: IRenderMime.IExtension = {
  id: 'ao-kernel:mime',
  description: 'Renderers for AO messages, results, processes, assignments, reports, graphs',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
