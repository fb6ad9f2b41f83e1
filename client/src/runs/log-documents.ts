import * as vscode from 'vscode';
import { KeyedDebouncer } from '../../../core/src/browser';
import type { AgentClient } from '../agent/agent-client';
import { formatDuration } from './format';
import type { RunsModel } from './run-model';
import type { LogTarget } from './runs-tree';

export const LOG_SCHEME = 'mlops-log';

/** Tasks' logs held in memory are cut to their last this many characters. */
const MAX_CHARS = 4 * 1024 * 1024;
const POLL_MS = 1000;

interface TaskLog {
  text: string;
  offset: number;
  complete: boolean;
  cut: boolean;
}

/** The read-only document URI of a task's log (or a whole run's): the tab reads "train.log". */
export function logUri(t: LogTarget, pipeline: string): vscode.Uri {
  const name = t.task ?? pipeline;
  const query = new URLSearchParams({ folder: t.folder, run: t.runId, ...(t.task ? { task: t.task } : {}) });
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${t.runId}/${name}.log`, query: query.toString() });
}

function targetOf(uri: vscode.Uri): LogTarget | undefined {
  const q = new URLSearchParams(uri.query);
  const folder = q.get('folder');
  const runId = q.get('run');
  const task = q.get('task');
  return folder && runId ? { folder, runId, ...(task ? { task } : {}) } : undefined;
}

/**
 * `mlops-log:` documents: a task's log read through the agent (`mlops/logs.read`), or a
 * run's tasks' logs one after another. While a task runs its open log follows the output,
 * polling from where the last read stopped.
 */
export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly logs = new Map<string, TaskLog>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly timers = new KeyedDebouncer<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly agent: (folder: string) => AgentClient,
    private readonly model: RunsModel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme !== LOG_SCHEME) return;
        this.timers.cancel(d.uri.toString());
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const t = targetOf(uri);
    if (!t) return 'This log link is not valid.';
    let text: string;
    let complete: boolean;
    try {
      if (t.task) {
        ({ text, complete } = await this.taskText(t.folder, t.runId, t.task));
        const cached = this.model.find(t.runId, t.folder)?.tasks?.find((x) => x.id === t.task)?.status === 'cached';
        text ||= placeholder(complete, cached);
      } else {
        ({ text, complete } = await this.runText(t.folder, t.runId));
      }
    } catch (err) {
      return `The log could not be read: ${(err as Error).message}`;
    }
    if (!complete) this.pollLater(uri);
    return text;
  }

  dispose(): void {
    this.timers.dispose();
    this.changed.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private pollLater(uri: vscode.Uri): void {
    const key = uri.toString();
    this.timers.schedule(key, POLL_MS, () => {
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) this.changed.fire(uri);
    });
  }

  /** Reads whatever is new in a task's log since the last read. */
  private async taskText(folder: string, runId: string, task: string): Promise<{ text: string; complete: boolean }> {
    const key = `${folder}\u0000${runId}\u0000${task}`;
    // A task's log and its run's log share one reader: reads of one log never overlap.
    const before = this.reading.get(key) ?? Promise.resolve();
    const mine = before.then(() => this.readMore(key, folder, runId, task));
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.reading.set(key, settled);
    void settled.then(() => this.reading.get(key) === settled && this.reading.delete(key));
    return mine;
  }

  private async readMore(key: string, folder: string, runId: string, task: string): Promise<{ text: string; complete: boolean }> {
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = { text: '', offset: 0, complete: false, cut: false }));
    const client = this.agent(folder);
    while (!log.complete) {
      const r = await client.readLog({ runId, task, offset: log.offset });
      if (!r.ok) throw new Error(r.message);
      log.offset = r.nextOffset;
      log.complete = r.complete;
      if (!r.text) break;
      log.text += r.text;
      if (log.text.length > MAX_CHARS) {
        log.text = log.text.slice(log.text.length - MAX_CHARS);
        log.cut = true;
      }
    }
    const text = log.cut ? `[… the start of this log is not shown; the whole file is .mlops/runs/${runId}/${task}.log]\n${log.text}` : log.text;
    return { text, complete: log.complete };
  }

  /** Every task's log of a run, in order, each under a header. */
  private async runText(folder: string, runId: string): Promise<{ text: string; complete: boolean }> {
    const run = this.model.find(runId, folder);
    if (!run?.tasks) return { text: `Run ${runId} is not known in this window.`, complete: true };
    const parts: string[] = [];
    let complete = run.status !== 'running';
    for (const t of run.tasks) {
      if (t.status === 'pending' || t.status === 'skipped') continue;
      const log = await this.taskText(folder, runId, t.id);
      complete &&= log.complete;
      const took = t.durationMs !== null ? `, ${formatDuration(t.durationMs)}` : '';
      parts.push(`=== ${t.id} (${t.status}${took}) ===\n${(log.text || placeholder(log.complete, t.status === 'cached')).replace(/\n?$/, '\n')}`);
    }
    return { text: parts.join('\n') || 'No task of this run has started.\n', complete };
  }
}

/** What an empty log says. */
function placeholder(complete: boolean, cached: boolean): string {
  if (cached) return '(outputs reused from the cache: the task did not run this time)\n';
  return complete ? '(the task wrote nothing)\n' : '(no output yet)\n';
}
