import * as vscode from 'vscode';
import { Agents } from './agent/agents';
import { TeamStore } from './agent/team-store';
import { bundledAgent } from './catalog/agent-json';
import { CatalogViews } from './catalog/catalog-views';
import { cliCommands, refreshInstalledCli } from './cli/install';
import { registerCommands } from './commands/index';
import { serverCommands } from './commands/server';
import { Ctx } from './ctx';
import { DagViews } from './dag/dag-views';
import { DevcontainerCommands } from './devcontainer/commands';
import { ExportCommands } from './export/export-commands';
import { runCommands } from './runs/run-commands';
import { Runs } from './runs/runs';
import { needAgentRestart } from '../../core/src/browser';
import { Config } from './config';
import { StatusBar } from './status';
import { trusted } from './trust';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const c = ctx;
  const agentScript = context.asAbsolutePath('dist/agent.js');
  // Where runs and models are recorded: the folder's .mlops/, or the team store of the settings.
  const team = new TeamStore(context.secrets, () => c.config.store);
  await team.load();
  // The CLI calls of the Models, Features and Dev Container commands.
  const launcher = bundledAgent(agentScript, () => team.env());
  // The local agent (one per workspace folder) and the runs it reports.
  const agents = new Agents({ script: agentScript, output: c.output, trace: () => c.config.traceAgent, env: () => team.env() });
  c.pushExtension(agents);
  const runs = new Runs(agents, (line) => c.output.appendLine(line), context.workspaceState);
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
  // A changed store: every agent and view starts over on the new one.
  const storeChanged = async () => {
    await team.load();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const problem = folder && trusted() ? (await team.check(launcher, folder)).problem : null;
    if (problem) void vscode.window.showErrorMessage(`MLOps team store: ${problem}`);
    await agents.restartAll();
    await runs.reloadAll();
    catalog.refreshSoon();
  };
  c.pushExtension(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('mlops.store')) void storeChanged();
      // Settings an agent reads when it starts: say so, rather than seeming to ignore them.
      const later = needAgentRestart((k) => Config.affects(e, k));
      if (later.length && agents.running()) {
        const restart = 'Restart Local Agent';
        void vscode.window
          .showInformationMessage(`${later.map((k) => `mlops.${k}`).join(', ')} applies when the local agent restarts.`, restart)
          .then((pick) => pick === restart && vscode.commands.executeCommand('mlops.restartAgent'));
      }
    }),
  );
  if (c.config.store.url && /^[a-z]+:\/\/[^:/@]*:[^@/]+@/i.test(c.config.store.url)) {
    void vscode.window.showWarningMessage('mlops.store.url contains a password, which settings files keep in plain text. Remove it from the URL and use "MLOps: Set Team Store Password" instead.');
  }
  const storeCommands = {
    'mlops.store.setPassword': async () => {
      if (await team.askPassword()) await storeChanged();
    },
  };
  // Other people's registrations send this window nothing: a visible Models view on a team store lists again now and then.
  const teamPoll = setInterval(() => {
    if (c.config.store.url && catalog.modelsVisible) catalog.refreshSoon();
  }, 30_000);
  c.pushExtension({ dispose: () => clearInterval(teamPoll) });
  // A team store that refuses the login asks for its password once, then the agents start over.
  const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (c.config.store.url && first && trusted()) {
    void team.check(launcher, first).then(async ({ problem, asked }) => {
      if (problem) void vscode.window.showErrorMessage(`MLOps team store: ${problem}`);
      else if (asked) await agents.restartAll();
    });
  }
  const exporter = new ExportCommands({ launcher, output: c.output });
  // The `mlops` command on PATH: installed on request, kept pointing at this version of the extension.
  const cli = { cli: agentScript, state: context.globalState, log: (line: string) => c.output.appendLine(line) };
  void refreshInstalledCli(cli).catch((err: Error) => c.output.appendLine(`Updating the installed 'mlops' command failed: ${err.message}`));
  // One table per area; each area owns its handlers.
  registerCommands(c, { ...serverCommands(c), ...runCommands(runs), ...dag.commands(), ...catalog.commands(), ...devcontainer.commands(), ...exporter.commands(), ...storeCommands, ...cliCommands(cli) });
  await c.startServer();
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
