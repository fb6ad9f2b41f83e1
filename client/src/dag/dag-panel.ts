import * as path from 'node:path';
import * as vscode from 'vscode';
import { pipelineBaseName } from '../../../core/src/browser';
import { rangeContains } from '../../../core/src/browser';
import type { DagResult } from '../../../core/src/browser';
import { TASK_COMMANDS, type TaskCommandArgs } from '../../../core/src/browser';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from '../../../core/src/browser';
import { DAG_APP, encodeDag } from '../../../core/src/browser';
import { EXPORT_ARGO_COMMAND } from '../export/export-commands';
import { OPEN_LOG_COMMAND } from '../runs/runs-tree';
import { showRefusal, trustRefusal } from '../trust';
import { webviewHtml } from '../webview-page';
import { RunFeed } from './run-feed';

/** What one DAG panel needs from the extension. */
export interface DagPanelHost {
  extensionUri: vscode.Uri;
  /** The graph of a pipeline document, from the language server's `mlops/dag`. */
  graph(doc: vscode.Uri): Promise<DagResult>;
  /** False in an untrusted workspace: the run actions are not offered. */
  canRun(): boolean;
  log(line: string): void;
}

/**
 * The DAG of one pipeline file in a webview panel beside its editor. The page is the built
 * bundle under a nonce CSP; the graph arrives by message after the page says `ready`, and
 * every message from the page is validated before it is used.
 *
 * No `retainContextWhenHidden`: the page keeps zoom, pan, direction and selection with
 * `setState` and asks for the graph again when shown, so a hidden DAG holds no renderer
 * and no layout worker.
 */
export class DagPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly runs = new RunFeed();
  private readonly disposables: vscode.Disposable[] = [];
  private graph: DagResult | undefined;
  private version = 0;
  private ready = false;
  private selected: string | null = null;
  private pending: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The editor column the pipeline was in when the DAG opened; reveals go there. */
  editorColumn: vscode.ViewColumn;

  constructor(
    readonly doc: vscode.Uri,
    private readonly host: DagPanelHost,
    editorColumn: vscode.ViewColumn | undefined,
    existing?: vscode.WebviewPanel,
  ) {
    this.editorColumn = editorColumn ?? vscode.ViewColumn.One;
    const root = vscode.Uri.joinPath(host.extensionUri, 'dist', 'webviews');
    const title = `DAG: ${path.basename(doc.fsPath)}`;
    this.panel = existing ?? vscode.window.createWebviewPanel('mlops.dag', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [root] });
    this.panel.title = title;
    this.panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    this.panel.iconPath = { light: vscode.Uri.joinPath(root, 'dag-icon-light.svg'), dark: vscode.Uri.joinPath(root, 'dag-icon-dark.svg') };
    const w = this.panel.webview;
    w.html = webviewHtml(w, root, 'dag', DAG_APP, title);
    w.onDidReceiveMessage((m: unknown) => this.receive(m), undefined, this.disposables);
    this.panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  get onDidDispose(): vscode.Event<void> {
    return this.panel.onDidDispose;
  }

  /** Asks the language server for the graph again and sends it; calls overlapping a request coalesce. */
  refresh(): Promise<void> {
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = (async () => {
      do {
        this.again = false;
        await this.fetch();
      } while (this.again && !this.disposed);
    })().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The editor cursor moved: highlight the task it is in (or none). */
  cursorAt(pos: vscode.Position): void {
    const id = this.graph?.nodes.find((n) => rangeContains(n.range, pos))?.id ?? null;
    if (id === this.selected) return;
    this.selected = id;
    this.post({ type: 'select', id });
  }

  /** Selects a task in the graph (the code lens "Show in DAG"). */
  selectTask(id: string): void {
    this.selected = id;
    this.post({ type: 'select', id });
  }

  post(m: HostMessage): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.retryTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private async fetch(): Promise<void> {
    const version = ++this.version;
    try {
      const graph = await this.host.graph(this.doc);
      if (this.disposed || version !== this.version) return;
      clearTimeout(this.retryTimer);
      this.graph = graph;
      this.post({ type: 'graph', version, file: path.basename(this.doc.fsPath), graph: encodeDag(graph), canRun: this.host.canRun() });
    } catch (err) {
      this.host.log(`DAG of ${this.doc.fsPath}: ${(err as Error).message ?? String(err)}`);
      this.post({ type: 'error', message: 'The pipeline graph is not available yet: the MLOps language server has not answered. It is asked again shortly and after every edit.' });
      // The server may still be starting (a restored panel, a restart): try again, backing off.
      if (this.retries < 6 && !this.disposed) {
        const delay = 500 * 2 ** this.retries++;
        this.retryTimer = setTimeout(() => void this.refresh(), delay);
      }
      return;
    }
    this.retries = 0;
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.host.log(`DAG view: ignored a message from the webview: ${parsed.error}`);
      return;
    }
    void this.handle(parsed.value).catch((err: unknown) => this.host.log(`DAG view: ${(err as Error).stack ?? String(err)}`));
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        for (const r of this.runs.replay()) this.post(r);
        if (this.selected) this.post({ type: 'select', id: this.selected });
        return;
      case 'reveal':
        return this.reveal(m.id);
      case 'runTask':
      case 'runFrom':
        {
          const refused = trustRefusal('run');
          if (refused) return showRefusal(refused);
        }
        return this.runCommand(m.type === 'runTask' ? TASK_COMMANDS.runTask : TASK_COMMANDS.runFromHere, m.id);
      case 'openLog':
        return this.runCommand(OPEN_LOG_COMMAND, m.id);
      case 'exportSvg':
        return this.exportSvg(m.svg);
      case 'exportArgo':
        // The command says why when the workspace is untrusted.
        await vscode.commands.executeCommand(EXPORT_ARGO_COMMAND, this.doc);
        return;
      default:
        assertNever(m);
    }
  }

  /** Opens the pipeline at the task's id, in the column it was in. */
  private async reveal(id: string): Promise<void> {
    const node = this.graph?.nodes.find((n) => n.id === id);
    if (!node) return;
    const r = node.selectionRange;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.doc.toString());
    const editor = await vscode.window.showTextDocument(this.doc, {
      viewColumn: visible?.viewColumn ?? this.editorColumn,
      selection: new vscode.Selection(range.start, range.start),
      preserveFocus: false,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.selected = id;
  }

  private async runCommand(command: string, task: string): Promise<void> {
    if (!this.graph?.nodes.some((n) => n.id === task)) return;
    const known = await vscode.commands.getCommands(true);
    if (!known.includes(command)) {
      void vscode.window.showInformationMessage('The MLOps agent is not connected in this window, so tasks cannot be run or their logs opened from the DAG yet.');
      return;
    }
    const args: TaskCommandArgs = { uri: this.doc.toString(), task };
    await vscode.commands.executeCommand(command, args);
  }

  private async exportSvg(svg: string): Promise<void> {
    const base = pipelineBaseName(this.doc.fsPath);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.doc, '..', `${base}.dag.svg`),
      filters: { 'SVG image': ['svg'] },
      saveLabel: 'Export DAG',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(svg));
    void vscode.window.showInformationMessage(`Saved the DAG as ${path.basename(target.fsPath)}.`);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected webview message ${JSON.stringify(x)}`);
}
