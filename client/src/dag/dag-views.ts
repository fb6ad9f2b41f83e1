import * as vscode from 'vscode';
import { documentKind } from '../../../core/src/browser';
import type { RunEvent, RunRecord } from '../../../core/src/browser';
import { TASK_COMMANDS, type DagResult } from '../../../core/src/browser';
import { KeyedDebouncer } from '../../../core/src/browser';
import { trusted } from '../trust';
import { DagPanel } from './dag-panel';

/** What the DAG views need from the extension. */
export interface DagHost {
  extensionUri: vscode.Uri;
  /** Sends `mlops/dag` through the language client; rejects when the server is not running. */
  requestDag(uri: string): Promise<DagResult>;
  output: vscode.OutputChannel;
  /** The latest run of a pipeline file, for the overlay of a newly opened DAG (from the agent); optional. */
  latestRun?(file: string): Promise<RunRecord | null>;
  /** The last lines of a task's log (from the agent), shown on a failed node; optional. */
  logTail?(runId: string, task: string): Promise<string>;
}

/** Edits arrive per keystroke; the graph follows once typing pauses this long. */
const EDIT_DEBOUNCE_MS = 150;

/**
 * "MLOps: Show Pipeline DAG": one panel per pipeline file, beside its editor. Follows edits
 * (debounced) and the editor cursor, and carries the run overlay the agent feeds in.
 */
export class DagViews implements vscode.Disposable {
  private readonly panels = new Map<string, DagPanel>();
  private readonly timers = new KeyedDebouncer<string>();
  /** Run id → pipeline file key, learnt from `run-started`. */
  private readonly runFiles = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: DagHost) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e.document.uri)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.panels.get(key(e.textEditor.document.uri))?.cursorAt(e.selections[0]!.active)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshAll()),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((f) => this.panels.get(key(f))?.dispose())),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => this.panels.get(key(f.oldUri))?.dispose())),
    );
  }

  /** Command id → handler, for the extension's command table. */
  commands(): Record<string, (...args: unknown[]) => unknown> {
    return { [TASK_COMMANDS.showDag]: (arg?: unknown) => this.show(arg) };
  }

  /**
   * Opens (or brings forward) the DAG of a pipeline: from a code lens (`{uri, task}`), the
   * editor title button (a Uri) or the palette (the active editor).
   */
  async show(arg?: unknown): Promise<DagPanel | undefined> {
    const { uri, task } = target(arg);
    if (!uri || documentKind(uri.path) !== 'pipeline') {
      void vscode.window.showInformationMessage('Open a *.pipeline.yaml file first; its DAG opens beside it.');
      return undefined;
    }
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    let panel = this.panels.get(key(uri));
    if (panel) {
      panel.panel.reveal(undefined, true);
    } else {
      panel = this.open(uri, editor?.viewColumn);
      if (this.host.latestRun)
        void this.host.latestRun(uri.fsPath).then(
          (r) => r && this.setRun(uri.fsPath, r),
          (e: unknown) => this.log(`latest run of ${uri.fsPath}: ${String(e)}`),
        );
    }
    if (task) panel.selectTask(task);
    else if (editor) panel.cursorAt(editor.selection.active);
    return panel;
  }

  /** Brings back a panel VS Code restored after a reload (its page remembers which file). */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): void {
    const uri = typeof state === 'object' && state !== null && typeof (state as { uri?: unknown }).uri === 'string' ? vscode.Uri.parse((state as { uri: string }).uri) : undefined;
    if (!uri || documentKind(uri.path) !== 'pipeline' || this.panels.has(key(uri))) {
      webviewPanel.dispose();
      return;
    }
    this.open(uri, undefined, webviewPanel);
  }

  /** The latest run of a pipeline file as a whole (e.g. from `mlops/runs.show`); null clears the overlay. */
  setRun(file: string, run: RunRecord | null): void {
    const p = this.panelForFile(file);
    if (!p) return;
    if (run) this.runFiles.set(run.id, key(p.doc));
    p.post(p.runs.setRun(run));
  }

  /** One `mlops/run.event` from the agent; it reaches the DAG of the run's pipeline, if open. */
  runEvent(e: RunEvent): void {
    if (e.type === 'run-started') this.runFiles.set(e.runId, key(vscode.Uri.file(e.file)));
    const p = this.panels.get(this.runFiles.get(e.runId) ?? '');
    if (!p) return;
    const m = p.runs.event(e);
    if (m) p.post(m);
    if (e.type === 'task-finished' && e.status === 'failed' && this.host.logTail) {
      void this.host.logTail(e.runId, e.task).then(
        (text) => {
          const tail = p.runs.logTail(e.runId, e.task, lastLines(text, 12));
          if (tail) p.post(tail);
        },
        (err: unknown) => this.log(`log tail of ${e.task}: ${String(err)}`),
      );
    }
  }

  dispose(): void {
    this.timers.dispose();
    for (const p of [...this.panels.values()]) p.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private open(uri: vscode.Uri, column: vscode.ViewColumn | undefined, existing?: vscode.WebviewPanel): DagPanel {
    const panel = new DagPanel(
      uri,
      {
        extensionUri: this.host.extensionUri,
        graph: (doc) => this.host.requestDag(doc.toString()),
        canRun: trusted,
        log: (l) => this.log(l),
      },
      column,
      existing,
    );
    const k = key(uri);
    this.panels.set(k, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(k) === panel) this.panels.delete(k);
      this.timers.cancel(k);
    });
    return panel;
  }

  private changed(uri: vscode.Uri): void {
    const k = key(uri);
    const panel = this.panels.get(k);
    if (!panel) return;
    this.timers.schedule(k, EDIT_DEBOUNCE_MS, () => void panel.refresh());
  }

  private refreshAll(): void {
    for (const p of this.panels.values()) void p.refresh();
  }

  private panelForFile(file: string): DagPanel | undefined {
    return this.panels.get(key(vscode.Uri.file(file)));
  }

  private log(line: string): void {
    this.host.output.appendLine(line);
  }
}

function key(uri: vscode.Uri): string {
  return uri.toString();
}

/** The pipeline a command was invoked for, and the task when a code lens names one. */
function target(arg: unknown): { uri?: vscode.Uri; task?: string } {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (typeof arg === 'object' && arg !== null && typeof (arg as { uri?: unknown }).uri === 'string') {
    const a = arg as { uri: string; task?: unknown };
    return { uri: vscode.Uri.parse(a.uri), ...(typeof a.task === 'string' ? { task: a.task } : {}) };
  }
  // From the palette: the active editor, or (when the DAG itself has focus) a visible pipeline.
  const doc = vscode.window.activeTextEditor?.document ?? vscode.window.visibleTextEditors.find((e) => documentKind(e.document.uri.path) === 'pipeline')?.document;
  return doc ? { uri: doc.uri } : {};
}

function lastLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-n).join('\n');
}
