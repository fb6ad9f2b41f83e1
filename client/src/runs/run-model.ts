import { formatBytes, isTaskEnded, type RunEvent, type RunRecord, type RunSummary, type TaskRecord, type TaskStatus } from '../../../core/src/browser';

/** One task of a run as the Runs view shows it: the protocol's record, plus what the events tell while it runs. */
export interface TaskView extends Pick<TaskRecord, 'id' | 'status' | 'durationMs' | 'exitCode' | 'cached'> {
  /** The attempt running or the attempts made. */
  attempt: number;
  startedAt: string | null;
  /** Why it failed, was skipped, reused or is retrying, in one sentence. */
  message: string | null;
  /** The Slurm job of its current or last attempt (slurm tasks only), and the node it runs on (null while queued). */
  jobId: string | null;
  node: string | null;
}

/** One run as the Runs view shows it: the protocol's summary, keyed across folders, with its tasks once known. */
export interface RunView extends Pick<RunSummary, 'id' | 'pipeline' | 'file' | 'status' | 'startedAt' | 'endedAt' | 'params' | 'trigger' | 'resumedFrom' | 'message' | 'counts'> {
  /** Unique across workspace folders (run ids are unique per state folder only). */
  key: string;
  folder: string;
  /** Who started it, `user@host`, from listings (null for runs of this window's agent until listed, and for old runs). */
  by: string | null;
  /** When an agent took the run over from one that died, if one did. */
  reattachedAt: string | null;
  /** The tasks in order, or undefined until fetched: listings carry only counts. */
  tasks: TaskView[] | undefined;
  /** True when this window's agent reported the run from its start: its tasks follow the events. */
  live: boolean;
}

/** Also the tree item id: printable, since VS Code cuts ids at a NUL and then two runs would share one row. */
export function runKey(folder: string, runId: string): string {
  return JSON.stringify([folder, runId]);
}

/** Tasks done out of all selected tasks. */
export function progressOf(run: RunView): { done: number; total: number } {
  if (run.tasks) return { done: run.tasks.filter((t) => isTaskEnded(t.status)).length, total: run.tasks.length };
  let done = 0;
  let total = 0;
  for (const [status, n] of Object.entries(run.counts) as [TaskStatus, number][]) {
    total += n;
    if (isTaskEnded(status)) done += n;
  }
  return { done, total };
}

/** Tasks per status, from the tasks when they are known. */
export function countsOf(run: RunView): Partial<Record<TaskStatus, number>> {
  if (!run.tasks) return run.counts;
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const t of run.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

function fromTaskRecord(t: TaskRecord): TaskView {
  return {
    id: t.id,
    status: t.status,
    attempt: t.attempts,
    startedAt: null,
    durationMs: t.durationMs,
    exitCode: t.exitCode,
    cached: t.cached,
    message: null,
    jobId: t.jobId ?? null,
    node: t.node ?? null,
  };
}

function pendingTask(id: string): TaskView {
  return { id, status: 'pending', attempt: 0, startedAt: null, durationMs: null, exitCode: null, cached: false, message: null, jobId: null, node: null };
}

/**
 * The runs of every workspace folder's agent, kept from listings (`mlops/runs.list`), single
 * runs (`mlops/runs.show`) and live events (`mlops/run.event`). Pure: the Runs view, the
 * progress notifications and the tests read the same state.
 */
export class RunsModel {
  private readonly runs = new Map<string, RunView>();

  /** Every known run, newest first. */
  list(): RunView[] {
    return [...this.runs.values()].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : b.id.localeCompare(a.id)));
  }

  get(key: string): RunView | undefined {
    return this.runs.get(key);
  }

  /** A run by its id, in one folder or (when not given) any. */
  find(runId: string, folder?: string): RunView | undefined {
    if (folder !== undefined) return this.runs.get(runKey(folder, runId));
    return [...this.runs.values()].find((r) => r.id === runId);
  }

  /** The newest run of a pipeline file, optionally only one that ran `task`. */
  latestOf(file: string, task?: string): RunView | undefined {
    return this.list().find((r) => r.file === file && (!task || !r.tasks || r.tasks.some((t) => t.id === task && t.status !== 'pending')));
  }

  /**
   * A folder's recorded runs (newest first, possibly a limited page). Runs of that folder not
   * in it are dropped, except live ones (a listing may predate their start). Tasks already
   * fetched are kept while the run has not changed; a run still going that this window's
   * agent does not report has its tasks fetched again.
   */
  setListing(folder: string, summaries: readonly RunSummary[]): void {
    const seen = new Set<string>();
    for (const s of summaries) {
      const key = runKey(folder, s.id);
      seen.add(key);
      const old = this.runs.get(key);
      const unchanged = old !== undefined && old.status === s.status && old.endedAt === s.endedAt && (old.live || s.status !== 'running');
      if (old?.live && old.status === 'running' && s.status === 'running') continue;
      this.runs.set(key, { ...summaryFields(folder, s), tasks: unchanged ? old.tasks : undefined, live: old?.live ?? false });
    }
    for (const [key, run] of this.runs) {
      if (run.folder === folder && !seen.has(key) && !(run.live && run.status === 'running')) this.runs.delete(key);
    }
  }

  /** One run with its tasks (`mlops/runs.show`). */
  setRecord(folder: string, record: RunRecord, summary: RunSummary): RunView {
    const key = runKey(folder, record.id);
    const old = this.runs.get(key);
    if (old?.live && old.status === 'running' && old.tasks) return old;
    const byId = new Map(old?.tasks?.map((t) => [t.id, t]));
    const run: RunView = {
      ...summaryFields(folder, summary),
      status: record.status,
      endedAt: record.endedAt,
      tasks: record.tasks.map((t) => {
        const v = fromTaskRecord(t);
        const prev = byId.get(t.id);
        return prev ? { ...v, startedAt: prev.startedAt, message: prev.message } : v;
      }),
      live: old?.live ?? false,
    };
    this.runs.set(key, run);
    return run;
  }

  /** Applies one event; returns the run it changed, or undefined for an event about an unknown run. */
  apply(folder: string, e: RunEvent): RunView | undefined {
    if (e.type === 'run-started') {
      const run: RunView = {
        key: runKey(folder, e.runId),
        folder,
        id: e.runId,
        pipeline: e.pipeline,
        file: e.file,
        status: 'running',
        startedAt: e.startedAt,
        endedAt: null,
        params: e.params,
        trigger: e.trigger,
        resumedFrom: e.resumedFrom,
        message: null,
        by: null,
        reattachedAt: null,
        tasks: e.tasks.map(pendingTask),
        counts: { pending: e.tasks.length },
        live: true,
      };
      this.runs.set(run.key, run);
      return run;
    }
    const run = this.runs.get(runKey(folder, e.runId));
    if (!run) return undefined;
    switch (e.type) {
      case 'task-started': {
        const t = taskOf(run, e.task);
        Object.assign(t, { status: 'running', attempt: e.attempt, startedAt: e.at, durationMs: null, exitCode: null, message: null, jobId: e.jobId ?? null, node: null });
        return run;
      }
      case 'task-job': {
        const t = taskOf(run, e.task);
        Object.assign(t, { jobId: e.job.jobId, node: e.job.node, message: e.job.node ? null : `queued on Slurm${e.job.reason ? ` (${e.job.reason})` : ''}` });
        return run;
      }
      case 'run-reattached':
        // What this window knew of its tasks may be stale (marked interrupted when the old
        // agent went away): they are fetched afresh.
        run.status = 'running';
        run.endedAt = null;
        run.reattachedAt = e.at;
        run.tasks = undefined;
        run.live = false;
        return run;
      case 'task-retrying': {
        const t = taskOf(run, e.task);
        Object.assign(t, { status: 'running', attempt: e.attempt + 1, exitCode: e.exitCode, message: `attempt ${e.attempt} failed (${e.reason}); retrying in ${Math.round(e.delayMs / 1000)} s` });
        return run;
      }
      case 'task-finished': {
        const t = taskOf(run, e.task);
        Object.assign(t, { status: e.status, attempt: e.attempts, durationMs: e.durationMs, exitCode: e.exitCode, cached: e.cached, message: e.message });
        return run;
      }
      case 'run-finished':
        run.status = e.status;
        run.endedAt = e.endedAt;
        run.message = e.message;
        return run;
      case 'task-progress': {
        // A pending task whose large inputs are being hashed; task-started replaces the message.
        const t = taskOf(run, e.task);
        t.message = `hashing inputs: ${formatBytes(e.doneBytes)} of ${formatBytes(e.totalBytes)}`;
        return run;
      }
      default:
        return assertNever(e);
    }
  }

  /**
   * The agent of `folder` went away: the runs it was running end as interrupted here (its
   * successor records them so when it opens the history). Returns those runs.
   */
  interruptRunning(folder: string, message: string, at: string): RunView[] {
    const hit: RunView[] = [];
    for (const run of this.runs.values()) {
      if (run.folder !== folder || run.status !== 'running' || !run.live) continue;
      run.status = 'interrupted';
      run.endedAt = at;
      run.message = message;
      for (const t of run.tasks ?? []) if (!isTaskEnded(t.status)) t.status = 'interrupted';
      hit.push(run);
    }
    return hit;
  }

  /** Forgets a folder's runs (its folder left the workspace). */
  dropFolder(folder: string): void {
    for (const [key, run] of this.runs) if (run.folder === folder) this.runs.delete(key);
  }
}

function summaryFields(folder: string, s: RunSummary): Omit<RunView, 'tasks' | 'live'> {
  return {
    key: runKey(folder, s.id),
    folder,
    id: s.id,
    pipeline: s.pipeline,
    file: s.file,
    status: s.status,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    params: s.params,
    trigger: s.trigger,
    resumedFrom: s.resumedFrom,
    message: s.message,
    by: s.user ? `${s.user}@${s.host ?? '?'}` : null,
    reattachedAt: s.reattachedAt,
    counts: s.counts,
  };
}

/** The task of a live run, added at the end if the run did not announce it. */
function taskOf(run: RunView, id: string): TaskView {
  run.tasks ??= [];
  let t = run.tasks.find((x) => x.id === id);
  if (!t) {
    t = pendingTask(id);
    run.tasks.push(t);
  }
  return t;
}

function assertNever(x: never): never {
  throw new Error(`unexpected run event ${JSON.stringify(x)}`);
}
