import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { DagResult, StatusParams } from '../../core/src/browser';
import { Config } from './config';
import { DagRequest, StatusNotification } from './lsp-ext';

/** Files the language server checks. */
export const DOCUMENT_SELECTOR = [
  { scheme: 'file', pattern: '**/*.{pipeline,features}.{yaml,yml}' },
  { scheme: 'untitled', pattern: '**/*.{pipeline,features}.{yaml,yml}' },
];

/**
 * Owns the extension's lifetimes, in two disposal scopes: the extension's (commands, views,
 * the output channel) and one language-server session's (the client and what listens to
 * it), so that restarting the server disposes exactly the latter.
 */
export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  readonly config = new Config();
  private client: LanguageClient | undefined;
  private session: vscode.Disposable[] = [];
  private readonly statusListeners = new Set<(s: StatusParams) => void>();
  /** When activate() began: the first diagnostics are timed from here (the output shows it). */
  private readonly activatedAt = performance.now();
  private firstDiagnostics = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('MLOps Workbench', { log: true });
    this.pushExtension(this.output);
  }

  /** Lives until the extension deactivates. */
  pushExtension(d: vscode.Disposable): void {
    this.extension.subscriptions.push(d);
  }

  /** Lives until the current server session ends (stop or restart). */
  pushSession(d: vscode.Disposable): void {
    this.session.push(d);
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Starts the language server from the bundle over IPC. */
  async startServer(): Promise<void> {
    if (this.client) return;
    const module = this.extension.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      synchronize: { configurationSection: Config.section },
      middleware: {
        handleDiagnostics: (uri, diagnostics, next) => {
          if (!this.firstDiagnostics) {
            this.firstDiagnostics = true;
            // What a user waits for when the editor opens with a pipeline: said once per activation.
            this.output.appendLine(`First diagnostics (${path.basename(uri.fsPath)}) ${Math.round(performance.now() - this.activatedAt)} ms after activation.`);
          }
          next(uri, diagnostics);
        },
      },
    };
    const client = new LanguageClient('mlops', 'MLOps Language Server', serverOptions, clientOptions);
    this.client = client;
    this.pushSession(client.onNotification(StatusNotification, (s) => this.statusListeners.forEach((l) => l(s))));
    try {
      const t = performance.now();
      await client.start();
      this.output.appendLine(`MLOps language server started in ${Math.round(performance.now() - t)} ms.`);
    } catch (err) {
      this.output.appendLine(`The MLOps language server did not start: ${(err as Error).message}`);
      void vscode.window.showErrorMessage('The MLOps language server did not start; see the "MLOps Workbench" output for why, then run "MLOps: Restart Language Server".');
    }
  }

  async stopServer(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.session.splice(0).reverse()) d.dispose();
    if (client?.isRunning()) await client.stop();
    else await client?.dispose();
  }

  async restartServer(): Promise<void> {
    await this.stopServer();
    await this.startServer();
  }

  /** `mlops/dag` for a pipeline document; rejects when the server is not running. */
  async requestDag(uri: string): Promise<DagResult> {
    if (!this.client?.isRunning()) throw new Error('The MLOps language server is not running; run "MLOps: Restart Language Server".');
    return this.client.sendRequest(DagRequest, { uri });
  }

  /** Subscribes to `mlops/status` across server sessions. */
  onStatus(listener: (s: StatusParams) => void): vscode.Disposable {
    this.statusListeners.add(listener);
    return new vscode.Disposable(() => this.statusListeners.delete(listener));
  }

  async dispose(): Promise<void> {
    await this.stopServer();
  }
}
