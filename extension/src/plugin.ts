/**
 * The application plugin: the AO side panel (right area) and the command `ao:open-panel`.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';

import { AOPanel } from './panel';

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
  '<g class="jp-icon3" fill="#616161">' +
  '<path d="M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm0 2.2a7.8 7.8 0 1 1 0 15.6a7.8 7.8 0 1 1 0-15.6z"/>' +
  '<path d="M9.2 16.5l-1.6 0l3.5-9h1.8l3.5 9h-1.6l-.9-2.4h-3.8zm1.4-3.8h2.8l-1.4-3.8z"/>' +
  '</g></svg>';

export const aoIcon = new LabIcon({ name: 'ao-kernel:ao', svgstr: ICON_SVG });

export const OPEN_PANEL = 'ao:open-panel';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'ao-kernel:panel',
  description: 'The AO side panel: processes, slots and latest results of the active kernel\'s node',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const panel = new AOPanel();
    panel.title.icon = aoIcon;
    app.shell.add(panel, 'right', { rank: 700 });
    if (restorer) {
      restorer.add(panel, panel.id);
    }
    tracker.currentChanged.connect((_, nb) => panel.bind(nb));
    panel.bind(tracker.currentWidget);
    app.commands.addCommand(OPEN_PANEL, {
      label: 'Show the AO panel',
      caption: 'The processes of the node behind the active kernel',
      execute: () => {
        app.shell.activateById(panel.id);
        panel.refresh();
      }
    });
    if (palette) {
      palette.addItem({ command: OPEN_PANEL, category: 'AO' });
    }
  }
};

export default plugin;
