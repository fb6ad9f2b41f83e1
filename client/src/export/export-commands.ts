import * as path from 'node:path';
import * as vscode from 'vscode';
import { documentKind } from '../../../core/src/browser';
import { runAgent, type AgentLauncher, type CliOutput } from '../catalog/agent-json';
import { showRefusal, trustRefusal } from '../trust';

/** The command id; the DAG view's toolbar runs it too. */
export const EXPORT_ARGO_COMMAND = 'mlops.exportArgo';

/** What the export command needs from the extension. */
export interface ExportHost {
  launcher: AgentLauncher;
  output: vscode.OutputChannel;
}

/** Where to write, as the quick pick offers it. */
interface Destination extends vscode.QuickPickItem {
  choose: boolean;
}

/**
 * "MLOps: Export to Argo Workflows": runs `mlops export argo` (the same program as the
 * terminal's) on a pipeline, writes the manifest beside it or where the user picks, and opens
 * it. What the CLI refuses comes back as its one-line reasons, with the ways out it names
 * (a dirty tree: export anyway or use the code on the volume; problems: check them as you type).
 */
export class ExportCommands {
  constructor(private readonly host: ExportHost) {}

  commands(): Record<string, (...args: unknown[]) => unknown> {
    return { [EXPORT_ARGO_COMMAND]: (arg?: unknown) => this.exportArgo(arg) };
  }

  async exportArgo(arg?: unknown): Promise<vscode.Uri | undefined> {
    const refusal = trustRefusal('export');
    if (refusal) {
      await showRefusal(refusal);
      return undefined;
    }
    const file = await this.pipeline(arg);
    if (!file) return undefined;
    // The CLI reads the file from disk: what the editor shows is what gets exported.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
    if (open?.isDirty && !(await open.save())) return undefined;
    const out = await this.destination(file);
    if (!out) return undefined;
    return this.run(file, out, []);
  }

  /** The pipeline: the argument (a URI or `{uri}` from the DAG view), the active editor's, or the user's pick. */
  private async pipeline(arg: unknown): Promise<vscode.Uri | undefined> {
    const given = arg instanceof vscode.Uri ? arg : typeof (arg as { uri?: unknown } | undefined)?.uri === 'string' ? vscode.Uri.parse((arg as { uri: string }).uri) : undefined;
    if (given && documentKind(given.fsPath) === 'pipeline') return given;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && documentKind(active.fsPath) === 'pipeline' && active.scheme === 'file') return active;
    const files = await vscode.workspace.findFiles('**/*.pipeline.{yaml,yml}', '**/{node_modules,.git,.mlops}/**', 200);
    if (files.length === 0) {
      void vscode.window.showInformationMessage('No *.pipeline.yaml file in this workspace to export.');
      return undefined;
    }
    if (files.length === 1) return files[0];
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
      { placeHolder: 'Pipeline to export to Argo Workflows' },
    );
    return pick?.uri;
  }

  /** Beside the pipeline (the default, first), or a path from a save dialog. */
  private async destination(file: vscode.Uri): Promise<vscode.Uri | undefined> {
    const beside = vscode.Uri.file(path.join(path.dirname(file.fsPath), `${path.basename(file.fsPath).replace(/\.pipeline\.ya?ml$/i, '')}.argo.yaml`));
    const pick = await vscode.window.showQuickPick<Destination>(
      [
        { label: `$(file) ${path.basename(beside.fsPath)}`, description: 'beside the pipeline', choose: false },
        { label: '$(folder-opened) Choose a location…', choose: true },
      ],
      { placeHolder: 'Write the Argo manifest to' },
    );
    if (!pick) return undefined;
    if (!pick.choose) return beside;
    return vscode.window.showSaveDialog({ defaultUri: beside, filters: { 'Argo manifest': ['yaml', 'yml', 'json'] }, saveLabel: 'Export' });
  }

  private async run(file: vscode.Uri, out: vscode.Uri, extra: string[]): Promise<vscode.Uri | undefined> {
    const cwd = vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? path.dirname(file.fsPath);
    const format = /\.json$/i.test(out.fsPath) ? 'json' : 'yaml';
    const args = ['export', 'argo', file.fsPath, '--out', out.fsPath, '--format', format, ...extra];
    this.host.output.appendLine(`mlops ${args.join(' ')}`);
    const abort = new AbortController();
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${path.basename(file.fsPath)} to Argo Workflows`, cancellable: true }, (_progress, token) => {
      token.onCancellationRequested(() => abort.abort());
      return runAgent(this.host.launcher, args, cwd, 120_000, abort.signal);
    });
    // Cancelled: the CLI writes a manifest whole or not at all, so nothing is left to undo.
    if (abort.signal.aborted) return undefined;
    if (r.stderr.trim()) this.host.output.appendLine(r.stderr.trimEnd());
    if (r.code === 0) {
      const doc = await vscode.workspace.openTextDocument(out);
      await vscode.window.showTextDocument(doc, { preview: false });
      void vscode.window.showInformationMessage(summary(r) ?? `Wrote ${path.basename(out.fsPath)}.`);
      return out;
    }
    return this.refused(file, out, extra, r);
  }

  /** Says why the CLI refused, offering the ways out it names. */
  private async refused(file: vscode.Uri, out: vscode.Uri, extra: string[], r: CliOutput): Promise<vscode.Uri | undefined> {
    const reasons = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('mlops export: ') && !l.startsWith('mlops export: warning:'))
      .map((l) => l.slice('mlops export: '.length));
    const message = reasons[0] ?? r.stderr.trim().split('\n').pop() ?? `mlops export exited with ${r.code}`;
    if (reasons.some((l) => l.includes('cannot take'))) {
      const check = 'Check as I Type';
      const details = 'Show Details';
      const choice = await vscode.window.showErrorMessage(message, check, details);
      if (choice === check) {
        // The same diagnostics, in the editor and the Problems view, from now on.
        await vscode.workspace.getConfiguration('mlops').update('export.target', 'argo', vscode.ConfigurationTarget.Workspace);
        await vscode.window.showTextDocument(file);
      } else if (choice === details) this.host.output.show(true);
      return undefined;
    }
    // The checkout step cannot be made (no repository, no remote, uncommitted changes): the ways out the CLI names.
    if (reasons.some((l) => /--allow-dirty|--code volume|--git-url/.test(l))) {
      const anyway = 'Export Anyway';
      const volume = 'Use the Code on the Volume';
      const buttons = reasons.some((l) => l.includes('--allow-dirty')) ? [anyway, volume] : [volume];
      const choice = await vscode.window.showWarningMessage(message, ...buttons);
      if (choice === anyway) return this.run(file, out, [...extra, '--allow-dirty']);
      if (choice === volume) return this.run(file, out, [...extra, '--code', 'volume']);
      return undefined;
    }
    const details = 'Show Details';
    if ((await vscode.window.showErrorMessage(message, details)) === details) this.host.output.show(true);
    return undefined;
  }
}

/** The CLI's "Wrote …" line and how to apply the file, for the notification. */
function summary(r: CliOutput): string | undefined {
  const lines = r.stderr.split('\n');
  const wrote = lines.find((l) => l.startsWith('Wrote '));
  const apply = lines.find((l) => l.startsWith('Apply it with: '));
  return wrote ? [wrote, apply].filter(Boolean).join(' ') : undefined;
}
