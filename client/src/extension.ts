import * as vscode from 'vscode';
import { Agents } from './agent/agents';
import { bundledAgent } from './catalog/agent-json';
import { CatalogViews } from './catalog/catalog-views';
import { registerCommands } from './commands/index';
import { serverCommands } from './commands/server';
import { Ctx } from './ctx';
import { DagViews } from './dag/dag-views';
import { DevcontainerCommands } from './devcontainer/commands';
import { runCommands } from './runs/run-commands';
import { Runs } from './runs/runs';
import { StatusBar } from './status';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const c = ctx;
  const agentScript = context.asAbsolutePath('dist/agent.js');
  // The CLI calls of the Models, Features and Dev Container commands.
  const launcher = bundledAgent(agentScript);
  // The local agent (one per workspace folder) and the runs it reports.
  const agents = new Agents({ script: agentScript, output: c.output, trace: () => c.config.traceAgent });
  c.pushExtension(agents);
  const runs = new Runs(agents, (line) => c.output.appendLine(line));
  c.pushExtension(runs);
  const dag = new DagViews({
    extensionUri: context.extensionUri,
    requestDag: (uri) => c.requestDag(uri),
    output: c.output,
    latestRun: (file) => runs.latestRun(file),
    logTail: (runId, task) => runs.logTail(runId, task),
  });
  c.pushExtension(dag);
  c.pushExtension(runs.onRunEvent((e) => dag.runEvent(e)));
  c.pushExtension(vscode.window.registerWebviewPanelSerializer('mlops.dag', { deserializeWebviewPanel: async (panel, state) => dag.restore(panel, state) }));
  c.pushExtension(new StatusBar(c));
  const catalog = new CatalogViews({ launcher, log: (line) => c.output.appendLine(line) });
  c.pushExtension(catalog);
  // A successful run may have registered a model version.
  c.pushExtension(runs.onRunFinished(() => catalog.refreshSoon()));
  const devcontainer = new DevcontainerCommands({ extensionUri: context.extensionUri, extensionId: context.extension.id, launcher, output: c.output });
  c.pushExtension(devcontainer);
  // One table per area; each area owns its handlers.
  registerCommands(c, { ...serverCommands(c), ...runCommands(runs), ...dag.commands(), ...catalog.commands(), ...devcontainer.commands() });
  await c.startServer();
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
