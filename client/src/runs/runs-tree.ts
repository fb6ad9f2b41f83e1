import * as path from 'node:path';
import * as vscode from 'vscode';
import { countsText, formatDuration, runDescription, runDurationMs, runIcon, jobText, taskAccessibleLabel, taskDescription, taskIcon, type StatusIcon } from './format';
import type { RunsModel, RunView, TaskView } from './run-model';

/** A node of the Runs view: a run, or one task of it. */
export type RunsNode = { kind: 'run'; key: string } | { kind: 'task'; key: string; task: string };

/** Arguments of `mlops.openTaskLog` from the Runs view: a task's log, or the whole run's when `task` is absent. */
export interface LogTarget {
  folder: string;
  runId: string;
  task?: string;
}

export const OPEN_LOG_COMMAND = 'mlops.openTaskLog';

export interface RunsTreeHost {
  model: RunsModel;
  /** Fetches a run's tasks (`mlops/runs.show`) into the model. */
  loadTasks(run: RunView): Promise<void>;
  /** Empty in an untrusted workspace, so the welcome view explains why. */
  enabled(): boolean;
  now(): number;
  /** `user@host` the folder's agent records as; its own runs need no name beside them. */
  self(folder: string): string | null;
}

/**
 * The Runs view: runs newest first, each with its tasks in order. Status icons, durations
 * and counts come from the model; a task opens its log when selected.
 */
export class RunsTree implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** One node object per key, so `reveal` and selection see the same element. */
  private readonly runNodes = new Map<string, RunsNode & { kind: 'run' }>();
  private readonly taskNodes = new Map<string, RunsNode & { kind: 'task' }>();

  constructor(private readonly host: RunsTreeHost) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  runNode(key: string): RunsNode & { kind: 'run' } {
    let n = this.runNodes.get(key);
    if (!n) this.runNodes.set(key, (n = { kind: 'run', key }));
    return n;
  }

  taskNode(key: string, task: string): RunsNode & { kind: 'task' } {
    const k = `${key}\u0000${task}`;
    let n = this.taskNodes.get(k);
    if (!n) this.taskNodes.set(k, (n = { kind: 'task', key, task }));
    return n;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!this.host.enabled()) return [];
    if (!node) {
      const runs = this.host.model.list();
      const live = new Set(runs.map((r) => r.key));
      for (const k of this.runNodes.keys()) if (!live.has(k)) this.runNodes.delete(k);
      return runs.map((r) => this.runNode(r.key));
    }
    if (node.kind === 'task') return [];
    let run = this.host.model.get(node.key);
    if (run && !run.tasks) {
      await this.host.loadTasks(run);
      run = this.host.model.get(node.key);
    }
    return (run?.tasks ?? []).map((t) => this.taskNode(node.key, t.id));
  }

  getParent(node: RunsNode): RunsNode | undefined {
    return node.kind === 'task' ? this.runNode(node.key) : undefined;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    const run = this.host.model.get(node.key);
    if (!run) return new vscode.TreeItem('(gone)');
    if (node.kind === 'run') return this.runItem(run);
    const task = run.tasks?.find((t) => t.id === node.task);
    return task ? this.taskItem(run, task) : new vscode.TreeItem(node.task);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private runItem(run: RunView): vscode.TreeItem {
    const now = this.host.now();
    const item = new vscode.TreeItem(run.pipeline, run.status === 'running' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${run.key}`;
    const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    // Runs of other people (or machines) on a team store say whose they are.
    const self = this.host.self(run.folder);
    const by = run.by && run.by !== self ? ` · ${run.by}` : '';
    item.description = `${multi ? `${path.basename(run.folder)} · ` : ''}${runDescription(run, now)}${by}`;
    item.iconPath = themeIcon(runIcon(run.status));
    item.contextValue = `mlops.run.${run.status}`;
    item.tooltip = runTooltip(run, now);
    item.accessibilityInformation = { label: `${run.pipeline} ${run.status}, ${countsText(run)}, ${runDescription(run, now)}${by ? `, started by ${run.by}` : ''}` };
    return item;
  }

  private taskItem(run: RunView, task: TaskView): vscode.TreeItem {
    const now = this.host.now();
    const item = new vscode.TreeItem(task.id, vscode.TreeItemCollapsibleState.None);
    item.id = `task:${JSON.stringify([run.folder, run.id, task.id])}`;
    item.description = taskDescription(task, now);
    item.iconPath = themeIcon(taskIcon(task.status));
    item.contextValue = `mlops.task.${task.status}`;
    item.accessibilityInformation = { label: taskAccessibleLabel(task, now) };
    const tip = new vscode.MarkdownString(`**${task.id}** — ${task.status}${task.cached ? ' (outputs reused from cache)' : ''}`);
    if (task.jobId !== null) tip.appendMarkdown(`\n\nSlurm ${jobText(task)}`);
    if (task.attempt > 1) tip.appendMarkdown(`\n\nattempt ${task.attempt}`);
    if (task.exitCode !== null) tip.appendMarkdown(`\n\nexit code ${task.exitCode}`);
    if (task.message) tip.appendMarkdown('\n\n').appendText(task.message);
    item.tooltip = tip;
    if (task.status !== 'pending') {
      const target: LogTarget = { folder: run.folder, runId: run.id, task: task.id };
      item.command = { command: OPEN_LOG_COMMAND, title: 'Open Task Log', arguments: [target] };
    }
    return item;
  }
}

function themeIcon(icon: StatusIcon): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

function runTooltip(run: RunView, now: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${run.pipeline}** — ${run.status}\n\n`);
  md.appendMarkdown(`Run \`${run.id}\` · ${run.trigger === 'schedule' ? 'scheduled' : `started from ${run.trigger === 'rpc' ? 'the editor' : 'the CLI'}`}`);
  md.appendMarkdown(` · ${new Date(run.startedAt).toLocaleString()} · ${formatDuration(runDurationMs(run, now))}`);
  if (run.by) md.appendMarkdown(' · by ').appendText(run.by);
  md.appendMarkdown('\n\n');
  md.appendMarkdown(`${countsText(run)}\n\n`);
  md.appendText(path.relative(run.folder, run.file) || run.file);
  const params = Object.entries(run.params);
  if (params.length) md.appendMarkdown('\n\n').appendText(params.map(([k, v]) => `${k}=${String(v)}`).join('  '));
  if (run.resumedFrom) md.appendMarkdown(`\n\nresumed from \`${run.resumedFrom}\``);
  if (run.reattachedAt) md.appendMarkdown(`\n\nreattached ${new Date(run.reattachedAt).toLocaleString()}: its agent stopped while its Slurm jobs ran on`);
  if (run.message) md.appendMarkdown('\n\n').appendText(run.message);
  return md;
}
