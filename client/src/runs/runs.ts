import * as vscode from 'vscode';
import { KeyedDebouncer } from '../../../core/src/browser';
import type { RunEvent, RunRecord } from '../../../core/src/browser';
import type { AgentClient } from '../agent/agent-client';
import type { Agents } from '../agent/agents';
import { LOG_SCHEME, LogDocuments } from './log-documents';
import { RunsModel, type RunView } from './run-model';
import { RunsTree, type RunsNode } from './runs-tree';

/** A run that ended, for views that depend on runs (the Models view refreshes on it). */
export interface RunFinished {
  folder: vscode.Uri;
  run: RunView;
}

export const RUNS_VIEW = 'mlops.runs';
/** How many recorded runs per folder the view lists. */
const LIST_LIMIT = 50;
/** Tree repaints at most this often while events stream in. */
const PAINT_MS = 150;
/** How often (in seconds) a visible Runs view lists a team store again: others' runs send no events here. */
const TEAM_POLL_S = 10;

/** Whose runs the view lists. */
export type RunsFilter = 'mine' | 'everyone';

/**
 * The runs of this window's agents: the model fed by listings and live events, the Runs
 * view, the `mlops-log:` documents, and the events other parts of the extension follow
 * (`onRunEvent` for the DAG overlay, `onRunFinished` for the Models view).
 */
export class Runs implements vscode.Disposable {
  readonly model = new RunsModel();
  readonly tree: RunsTree;
  readonly view: vscode.TreeView<RunsNode>;
  readonly docs: LogDocuments;
  private readonly changedEmitter = new vscode.EventEmitter<RunView>();
  private readonly finishedEmitter = new vscode.EventEmitter<RunFinished>();
  private readonly eventEmitter = new vscode.EventEmitter<RunEvent>();
  /** A run changed (an event, or the agent going away); fires after the model is updated. */
  readonly onDidChangeRun = this.changedEmitter.event;
  /** A run this window's agent was running ended (succeeded, failed, cancelled or interrupted). */
  readonly onRunFinished = this.finishedEmitter.event;
  /** Every `mlops/run.event` of every folder's agent, as sent. */
  readonly onRunEvent = this.eventEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private paintTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private readonly reloadTimers = new KeyedDebouncer<string>();
  /** Folders whose history changed on disk while the view was hidden. */
  private readonly stale = new Set<string>();
  private runActive: boolean | undefined;
  private filterValue: RunsFilter;

  constructor(
    readonly agents: Agents,
    private readonly log: (line: string) => void,
    /** Where the filter is kept between sessions (the workspace's memento). */
    private readonly memory: vscode.Memento,
  ) {
    this.filterValue = memory.get<RunsFilter>('mlops.runsFilter') === 'mine' ? 'mine' : 'everyone';
    this.tree = new RunsTree({
      model: this.model,
      loadTasks: (run) => this.loadTasks(run),
      enabled: () => agents.refusal() === null,
      now: () => Date.now(),
      self: (folder) => {
        const s = agents.existing(folder)?.info?.store;
        return s ? `${s.user}@${s.host}` : null;
      },
    });
    this.view = vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: this.tree, showCollapseAll: true });
    this.docs = new LogDocuments((folder) => this.agentFor(folder), this.model);
    this.disposables.push(
      this.tree,
      this.view,
      this.docs,
      this.changedEmitter,
      this.finishedEmitter,
      this.eventEmitter,
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this.docs),
      agents.onRunEvent(({ folder, event }) => this.onEvent(folder, event)),
      agents.onDidStart((folder) => void this.reload(folder)),
      agents.onDidChangeState(({ folder, state }) => {
        if (state === 'restarting' || state === 'failed') this.agentGone(folder);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.tree.refresh();
        void this.agents.startForWorkspace();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) {
          this.model.dropFolder(f.uri.fsPath);
          void this.agents.drop(f.uri.fsPath);
        }
        this.paint();
        if (e.added.length) void this.agents.startForWorkspace();
      }),
      this.view.onDidChangeVisibility(() => this.visibilityChanged()),
    );
    // Runs started elsewhere (`mlops run` in a terminal, another window) create a run folder
    // and write the store; the view lists them without being asked.
    for (const glob of ['**/.mlops/runs/*', '**/.mlops/state.db*']) {
      const w = vscode.workspace.createFileSystemWatcher(glob);
      const touched = (uri: vscode.Uri) => this.historyTouched(uri);
      w.onDidCreate(touched, undefined, this.disposables);
      w.onDidChange(touched, undefined, this.disposables);
      this.disposables.push(w);
    }
    this.visibilityChanged();
    this.updateContext();
    void vscode.commands.executeCommand('setContext', 'mlops.runsFilter', this.filterValue);
    void this.agents.startForWorkspace();
  }

  get filter(): RunsFilter {
    return this.filterValue;
  }

  /** Lists only the runs of the agent's user (from any machine), or everyone's; remembered per workspace. */
  async setFilter(filter: RunsFilter): Promise<void> {
    this.filterValue = filter;
    await this.memory.update('mlops.runsFilter', filter);
    await vscode.commands.executeCommand('setContext', 'mlops.runsFilter', filter);
    this.view.description = filter === 'mine' ? 'mine' : undefined;
    for (const [folder] of this.agents.entries()) this.model.dropFolder(folder);
    await this.reloadAll();
  }

  /** Lists every started agent's runs again. */
  async reloadAll(): Promise<void> {
    await this.agents.startForWorkspace();
    await Promise.all(this.agents.entries().map(([folder]) => this.reload(folder)));
  }

  /** Lists one folder's runs again. */
  async reload(folder: string): Promise<void> {
    const client = this.agents.existing(folder);
    if (!client || this.agents.refusal()) return;
    try {
      const { runs } = await client.listRuns({ limit: LIST_LIMIT, ...(this.filterValue === 'mine' ? { mine: true } : {}) });
      this.model.setListing(folder, runs);
      this.stale.delete(folder);
      this.paint();
    } catch (err) {
      this.log(`Listing the runs of ${folder} failed: ${(err as Error).message}`);
    }
  }

  /** The agent of a folder, started if needed; throws `RunRefused` where runs are not allowed. */
  agentFor(folder: string): AgentClient {
    return this.agents.existing(folder) ?? this.agents.for(folder);
  }

  /** Selects a run in the Runs view (also `mlops.runs.reveal` for the Models view's "Reveal Run"). */
  async reveal(runId: string, folder?: string): Promise<boolean> {
    let run = this.model.find(runId, folder);
    if (!run) {
      await this.reloadAll();
      run = this.model.find(runId, folder);
    }
    if (!run) {
      for (const [f, client] of this.agents.entries()) {
        if (folder && f !== folder) continue;
        const r = await client.showRun(runId).catch(() => undefined);
        if (r?.ok) {
          run = this.model.setRecord(f, r.run, r.summary);
          this.paint(true);
          break;
        }
      }
    }
    if (!run) return false;
    await vscode.commands.executeCommand(`${RUNS_VIEW}.focus`);
    await this.view.reveal(this.tree.runNode(run.key), { select: true, focus: true, expand: true });
    return true;
  }

  /** For the DAG overlay of a newly opened pipeline: its latest run with tasks, or null. */
  async latestRun(file: string): Promise<RunRecord | null> {
    const folder = this.agents.folderOf(vscode.Uri.file(file));
    if (!folder || this.agents.refusal()) return null;
    const client = this.agentFor(folder.uri.fsPath);
    const { runs } = await client.listRuns({ file, limit: 1 });
    const latest = runs[0];
    if (!latest) return null;
    const r = await client.showRun(latest.id);
    return r.ok ? r.run : null;
  }

  /** A task's log, for the DAG's failed node (the view keeps the last lines). */
  async logTail(runId: string, task: string): Promise<string> {
    const run = this.model.find(runId);
    const client = run ? this.agents.existing(run.folder) : undefined;
    if (!client) return '';
    const r = await client.readLog({ runId, task });
    return r.ok ? r.text : '';
  }

  dispose(): void {
    clearTimeout(this.paintTimer);
    clearInterval(this.tickTimer);
    this.reloadTimers.dispose();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }

  private onEvent(folder: string, e: RunEvent): void {
    this.eventEmitter.fire(e);
    const run = this.model.apply(folder, e);
    if (!run || e.type === 'run-reattached') {
      // A run this window did not see start (the agent was busy before we connected).
      void this.reload(folder);
      return;
    }
    this.changedEmitter.fire(run);
    if (e.type === 'run-finished') this.finishedEmitter.fire({ folder: vscode.Uri.file(folder), run });
    this.paint(e.type === 'run-started' || e.type === 'run-finished');
  }

  /** The agent of a folder died: what it was running is over, as far as this window knows. */
  private agentGone(folder: string): void {
    const hit = this.model.interruptRunning(folder, 'the MLOps agent stopped while it ran', new Date().toISOString());
    for (const run of hit) {
      this.changedEmitter.fire(run);
      this.finishedEmitter.fire({ folder: vscode.Uri.file(folder), run });
    }
    if (hit.length) this.paint(true);
  }

  private async loadTasks(run: RunView): Promise<void> {
    try {
      const r = await this.agentFor(run.folder).showRun(run.id);
      if (r.ok) this.model.setRecord(run.folder, r.run, r.summary);
      else this.log(`Run ${run.id}: ${r.message}`);
    } catch (err) {
      this.log(`Reading run ${run.id} failed: ${(err as Error).message}`);
    }
  }

  private historyTouched(uri: vscode.Uri): void {
    const folder = this.agents.folderOf(uri)?.uri.fsPath;
    if (!folder || !this.agents.existing(folder)) return;
    if (!this.view.visible) {
      this.stale.add(folder);
      return;
    }
    this.reloadTimers.schedule(folder, 1000, () => void this.reload(folder));
  }

  /** Repaints the tree soon (or now), however many events arrive meanwhile. */
  private paint(now = false): void {
    this.updateContext();
    if (now) {
      clearTimeout(this.paintTimer);
      this.paintTimer = undefined;
      this.tree.refresh();
      return;
    }
    this.paintTimer ??= setTimeout(() => {
      this.paintTimer = undefined;
      this.tree.refresh();
    }, PAINT_MS);
  }

  /** Durations and "5 min ago" move on by themselves while the view shows them. */
  private visibilityChanged(): void {
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    if (!this.view.visible) return;
    for (const folder of this.stale) void this.reload(folder);
    let ticks = 0;
    this.tickTimer = setInterval(() => {
      const running = this.model.list().some((r) => r.status === 'running');
      ticks++;
      if (running || ticks % 30 === 0) this.tree.refresh();
      if (ticks % TEAM_POLL_S === 0) {
        for (const [folder, client] of this.agents.entries()) if (client.info?.store?.kind === 'postgres') void this.reload(folder);
      }
    }, 1000);
  }

  private updateContext(): void {
    const active = this.model.list().some((r) => r.status === 'running' && r.live);
    if (active === this.runActive) return;
    this.runActive = active;
    void vscode.commands.executeCommand('setContext', 'mlops.runActive', active);
  }
}
