import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEVCONTAINER_JSON, type DetectedFacts } from '../../../core/src/index';
import { runAgent, type AgentLauncher } from '../catalog/agent-json';
import { buildImage } from './build-image';
import { showRefusal, trustRefusal } from '../trust';
import { WizardPanel } from './wizard-panel';

/** The Dev Containers extension that "Reopen in Container" hands over to. */
export const DEV_CONTAINERS_EXTENSION = 'ms-vscode-remote.remote-containers';

/** What the dev container commands need from the extension. */
export interface DevcontainerHost {
  extensionUri: vscode.Uri;
  extensionId: string;
  launcher: AgentLauncher;
  output: vscode.OutputChannel;
}

/**
 * "MLOps: Generate Dev Container", "MLOps: Build Dev Container Image" and "MLOps: Reopen in
 * Container": a factory of command handlers, registered by the extension's command table.
 */
export class DevcontainerCommands implements vscode.Disposable {
  constructor(private readonly host: DevcontainerHost) {}

  /** Command id → handler. */
  commands(): Record<string, (...args: unknown[]) => unknown> {
    return {
      'mlops.devcontainer.generate': (uri?: unknown) => this.generate(uri),
      'mlops.devcontainer.build': (uri?: unknown) => this.build(uri),
      'mlops.devcontainer.reopen': () => this.reopen(),
    };
  }

  dispose(): void {
    WizardPanel.disposeAll();
  }

  private log(line: string): void {
    this.host.output.appendLine(line);
  }

  /** The folder a command acts on: the clicked resource's workspace folder, the only one, or the user's pick. */
  private async folder(uri: unknown): Promise<vscode.Uri | undefined> {
    if (uri instanceof vscode.Uri) {
      const wf = vscode.workspace.getWorkspaceFolder(uri);
      if (wf) return wf.uri;
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Open a project folder first; the dev container is generated from its files.');
      return undefined;
    }
    if (folders.length === 1) return folders[0]!.uri;
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Project folder for the dev container' }))?.uri;
  }

  async generate(uri?: unknown): Promise<void> {
    const folder = await this.folder(uri);
    if (!folder) return;
    const facts = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Reading the project for a dev container' }, () => this.detect(folder));
    if (!facts) return;
    WizardPanel.show(folder, facts, {
      extensionUri: this.host.extensionUri,
      extensionId: this.host.extensionId,
      log: (l) => this.log(l),
      afterWrite: (f) => void this.afterWrite(f),
    });
  }

  /**
   * Detection runs in the agent (it reads the folder, and with --gpu auto asks nvidia-smi so the
   * wizard's "Auto" choice knows this machine's GPU); the wizard gets plain facts and starts on
   * "From the project", whose answer is the same on every machine.
   */
  private async detect(folder: vscode.Uri): Promise<DetectedFacts | undefined> {
    const r = await runAgent(this.host.launcher, ['devcontainer', 'generate', '--dir', folder.fsPath, '--gpu', 'auto', '--dry-run', '--format', 'json'], folder.fsPath);
    if (r.code === 0) {
      try {
        return (JSON.parse(r.stdout) as { detected: DetectedFacts }).detected;
      } catch {
        /* reported below */
      }
    }
    const reason = r.stderr.trim().split('\n')[0] || `the agent exited with code ${r.code}`;
    this.log(`devcontainer: detection failed: ${r.stderr.trim() || r.stdout.slice(0, 500)}`);
    void vscode.window.showErrorMessage(`Could not read the project for a dev container: ${reason}`, 'Show Log').then((a) => a && this.host.output.show());
    return undefined;
  }

  private async afterWrite(folder: vscode.Uri): Promise<void> {
    const file = vscode.Uri.joinPath(folder, ...DEVCONTAINER_JSON.split('/'));
    await vscode.commands.executeCommand('revealInExplorer', file).then(undefined, () => undefined);
    const build = 'Build Image';
    const reopen = 'Reopen in Container';
    const open = 'Open File';
    const a = await vscode.window.showInformationMessage(`Wrote ${DEVCONTAINER_JSON} and its Dockerfile.`, build, reopen, open);
    if (a === build) await this.build(folder);
    else if (a === reopen) await this.reopen();
    else if (a === open) await vscode.window.showTextDocument(file);
  }

  private hasConfig(folder: vscode.Uri): boolean {
    return fs.existsSync(path.join(folder.fsPath, DEVCONTAINER_JSON));
  }

  private async offerGenerate(folder: vscode.Uri, what: string): Promise<void> {
    const gen = 'Generate Dev Container';
    if ((await vscode.window.showInformationMessage(`${path.basename(folder.fsPath)} has no ${DEVCONTAINER_JSON} to ${what}; generate one first.`, gen)) === gen) {
      await this.generate(folder);
    }
  }

  async build(uri?: unknown): Promise<void> {
    const refused = trustRefusal('build');
    if (refused) return showRefusal(refused);
    const folder = await this.folder(uri);
    if (!folder) return;
    if (!this.hasConfig(folder)) return this.offerGenerate(folder, 'build');
    const r = await buildImage(this.host.launcher, folder, this.host.output);
    if (r.status === 'built') void vscode.window.showInformationMessage(`Built the dev container image ${r.image ?? ''}.`.replace(' .', '.'));
    else if (r.status === 'cancelled') void vscode.window.showInformationMessage('The dev container image build was cancelled.');
    else void vscode.window.showErrorMessage(`The dev container image build failed: ${r.message}`, 'Show Log').then((a) => a && this.host.output.show());
  }

  async reopen(): Promise<void> {
    const folder = await this.folder(undefined);
    if (folder && !this.hasConfig(folder)) return this.offerGenerate(folder, 'reopen in');
    if (vscode.extensions.getExtension(DEV_CONTAINERS_EXTENSION)) {
      await vscode.commands.executeCommand('remote-containers.reopenInContainer');
      return;
    }
    const show = 'Show Extension';
    const a = await vscode.window.showInformationMessage(`Reopening in a container needs the Dev Containers extension (${DEV_CONTAINERS_EXTENSION}); install it, then run "MLOps: Reopen in Container" again.`, show);
    if (a === show) await vscode.commands.executeCommand('workbench.extensions.search', `@id:${DEV_CONTAINERS_EXTENSION}`);
  }
}
