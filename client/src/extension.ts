import * as vscode from 'vscode';
import { bundledAgent } from './catalog/agent-json';
import { CatalogViews } from './catalog/catalog-views';
import { registerCommands } from './commands/index';
import { serverCommands } from './commands/server';
import { taskCommands } from './commands/tasks';
import { Ctx } from './ctx';
import { DagViews } from './dag/dag-views';
import { DevcontainerCommands } from './devcontainer/commands';
import { StatusBar } from './status';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const c = ctx;
  const dag = new DagViews({ extensionUri: context.extensionUri, requestDag: (uri) => c.requestDag(uri), output: c.output });
  c.pushExtension(dag);
  c.pushExtension(vscode.window.registerWebviewPanelSerializer('mlops.dag', { deserializeWebviewPanel: async (panel, state) => dag.restore(panel, state) }));
  c.pushExtension(new StatusBar(c));
  const catalog = new CatalogViews({ launcher: bundledAgent(context.asAbsolutePath('dist/agent.js')), log: (line) => c.output.appendLine(line) });
  c.pushExtension(catalog);
  const devcontainer = new DevcontainerCommands({ extensionUri: context.extensionUri, extensionId: context.extension.id, launcher: bundledAgent(context.asAbsolutePath('dist/agent.js')), output: c.output });
  c.pushExtension(devcontainer);
  // One table per area; each area owns its handlers.
  registerCommands(c, { ...serverCommands(c), ...taskCommands(), ...dag.commands(), ...catalog.commands(), ...devcontainer.commands() });
  await c.startServer();
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
