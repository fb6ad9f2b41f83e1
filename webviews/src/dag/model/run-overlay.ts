/**
 * The run overlay's state: the latest run of this pipeline, folded from the agent's run
 * record and its live events. Pure, so the webview can replay events in any order it gets them.
 */
import { formatBytes, type RunEvent, type RunRecord, type RunStatus, type TaskStatus } from '../../../../core/src/browser';

export type { RunStatus, TaskStatus };

/** One task in the overlay; times in epoch milliseconds. */
export interface TaskRun {
  status: TaskStatus;
  startedAt?: number;
  durationMs?: number;
  attempts: number;
  exitCode?: number | null;
  /** Why it failed, was skipped or reused, as the agent said it. */
  message?: string;
  /** Its Slurm job and the node it runs on (null while queued), for tasks on a cluster. */
  jobId?: string;
  node?: string | null;
}

export interface RunView {
  id: string;
  status: RunStatus;
  startedAt: number;
  endedAt?: number;
  tasks: Map<string, TaskRun>;
}

export function fromRecord(r: RunRecord): RunView {
  const tasks = new Map<string, TaskRun>();
  for (const t of r.tasks) {
    const task: TaskRun = { status: t.status, attempts: t.attempts, exitCode: t.exitCode };
    if (t.durationMs !== null) task.durationMs = t.durationMs;
    if (t.jobId !== undefined) {
      task.jobId = t.jobId;
      task.node = t.node ?? null;
    }
    tasks.set(t.id, task);
  }
  const view: RunView = { id: r.id, status: r.status, startedAt: Date.parse(r.startedAt), tasks };
  if (r.endedAt) view.endedAt = Date.parse(r.endedAt);
  return view;
}

/** The overlay after one event; events of another run replace the overlay only when they start it. */
export function applyEvent(view: RunView | null, e: RunEvent): RunView | null {
  if (e.type === 'run-started') {
    const tasks = new Map<string, TaskRun>();
    for (const id of e.tasks) tasks.set(id, { status: 'pending', attempts: 0 });
    return { id: e.runId, status: 'running', startedAt: Date.parse(e.startedAt), tasks };
  }
  if (!view || view.id !== e.runId) return view;
  const next: RunView = { ...view, tasks: new Map(view.tasks) };
  switch (e.type) {
    case 'task-started':
      next.tasks.set(e.task, { status: 'running', startedAt: Date.parse(e.at), attempts: e.attempt, ...(e.jobId !== undefined ? { jobId: e.jobId, node: null } : {}) });
      return next;
    case 'task-job': {
      const t = next.tasks.get(e.task);
      next.tasks.set(e.task, { ...(t ?? { status: 'running', attempts: e.attempt }), jobId: e.job.jobId, node: e.job.node });
      return next;
    }
    case 'run-reattached':
      return next;
    case 'task-retrying': {
      const t = next.tasks.get(e.task);
      next.tasks.set(e.task, { ...(t ?? { status: 'running', attempts: e.attempt }), status: 'running', message: e.reason });
      return next;
    }
    case 'task-finished': {
      const before = next.tasks.get(e.task);
      const t: TaskRun = { status: e.status, attempts: e.attempts, exitCode: e.exitCode };
      if (before?.startedAt !== undefined) t.startedAt = before.startedAt;
      if (before?.jobId !== undefined) {
        t.jobId = before.jobId;
        t.node = before.node ?? null;
      }
      if (e.durationMs !== null) t.durationMs = e.durationMs;
      if (e.message) t.message = e.message;
      next.tasks.set(e.task, t);
      return next;
    }
    case 'run-finished':
      next.status = e.status;
      next.endedAt = Date.parse(e.endedAt);
      return next;
    case 'task-progress': {
      const t = next.tasks.get(e.task);
      if (t?.status !== 'pending') return view;
      next.tasks.set(e.task, { ...t, message: `hashing inputs: ${formatBytes(e.doneBytes)} of ${formatBytes(e.totalBytes)}` });
      return next;
    }
    default:
      return assertNever(e);
  }
}

/** How long a task ran, or has been running at `now`. */
export function elapsed(t: TaskRun, now: number): number | undefined {
  if (t.durationMs !== undefined) return t.durationMs;
  if (t.status === 'running' && t.startedAt !== undefined) return Math.max(0, now - t.startedAt);
  return undefined;
}

/** `elapsed`, but nothing for a reused or skipped task: it did not run, so its time says nothing. */
export function ranFor(t: TaskRun, now: number): number | undefined {
  return t.status === 'cached' || t.status === 'skipped' ? undefined : elapsed(t, now);
}

/** Tasks per status, in the order the header lists them. */
export const STATUS_ORDER: readonly TaskStatus[] = ['succeeded', 'cached', 'running', 'pending', 'failed', 'cancelled', 'skipped', 'interrupted'];

export function counts(view: RunView): Map<TaskStatus, number> {
  const out = new Map<TaskStatus, number>();
  for (const t of view.tasks.values()) out.set(t.status, (out.get(t.status) ?? 0) + 1);
  return out;
}

/** `850 ms`, `12.4 s`, `3 m 05 s`, `1 h 02 m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}

function assertNever(x: never): never {
  throw new Error(`unexpected run event ${JSON.stringify(x)}`);
}
