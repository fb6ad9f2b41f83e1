import type { RunStatus, TaskStatus } from '../../../core/src/browser';
import { plural } from '../catalog/tree-spec';
import { countsOf, progressOf, type RunView, type TaskView } from './run-model';

/** "850 ms", "7.2 s", "1 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** How long a run took, or has been going. */
export function runDurationMs(run: RunView, now: number): number {
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  return Math.max(0, end - Date.parse(run.startedAt));
}

/** How long a task took, or has been going; undefined before it starts. */
export function taskDurationMs(task: TaskView, now: number): number | undefined {
  if (task.durationMs !== null) return task.durationMs;
  if (task.status === 'running' && task.startedAt) return Math.max(0, now - Date.parse(task.startedAt));
  return undefined;
}

/** A codicon id (with `~spin` where it moves) and the theme colour to draw it in. */
export interface StatusIcon {
  id: string;
  color?: string;
}

const TASK_ICONS: Record<TaskStatus, StatusIcon> = {
  pending: { id: 'circle-large-outline', color: 'disabledForeground' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cached: { id: 'debug-step-over', color: 'testing.iconSkipped' },
  skipped: { id: 'debug-step-out', color: 'disabledForeground' },
  cancelled: { id: 'circle-slash', color: 'testing.iconSkipped' },
  interrupted: { id: 'debug-disconnect', color: 'testing.iconErrored' },
};

const RUN_ICONS: Record<RunStatus, StatusIcon> = {
  running: TASK_ICONS.running,
  succeeded: TASK_ICONS.succeeded,
  failed: TASK_ICONS.failed,
  cancelled: TASK_ICONS.cancelled,
  interrupted: TASK_ICONS.interrupted,
};

export function taskIcon(status: TaskStatus): StatusIcon {
  return TASK_ICONS[status];
}

export function runIcon(status: RunStatus): StatusIcon {
  return RUN_ICONS[status];
}

/** The description beside a run: "just now · 7.2 s", "running · 2/5 · 40.1 s". */
export function runDescription(run: RunView, now: number): string {
  const took = formatDuration(runDurationMs(run, now));
  if (run.status === 'running') {
    const { done, total } = progressOf(run);
    return `running · ${done}/${total} · ${took}`;
  }
  return `${relativeTime(run.startedAt, now)} · ${took}`;
}

/** The description beside a task: its duration, or what it is waiting for. */
export function taskDescription(task: TaskView, now: number): string {
  const ms = taskDurationMs(task, now);
  const took = ms === undefined ? '' : formatDuration(ms);
  const job = jobText(task);
  switch (task.status) {
    case 'pending':
      return 'waiting';
    case 'running':
      return [job, task.attempt > 1 ? `attempt ${task.attempt}` : '', took].filter(Boolean).join(' · ');
    case 'cached':
      return 'cached';
    case 'skipped':
      return 'skipped';
    case 'failed':
      return [job, task.exitCode !== null ? `exit ${task.exitCode}` : '', took].filter(Boolean).join(' · ');
    default:
      return [job, took].filter(Boolean).join(' · ');
  }
}

/** `job 42 on n1`, `job 42 queued` for a task on Slurm; '' for others. */
export function jobText(task: TaskView): string {
  if (task.jobId === null) return '';
  return `job ${task.jobId}${task.node ? ` on ${task.node}` : task.status === 'running' ? ' queued' : ''}`;
}

/** What screen readers hear for a task row. */
export function taskAccessibleLabel(task: TaskView, now: number): string {
  const ms = taskDurationMs(task, now);
  return `${task.id} ${task.status}${ms !== undefined && task.status !== 'cached' ? ` in ${formatDuration(ms)}` : ''}`;
}

/** "5 succeeded", "3 succeeded, 1 failed, 1 skipped". */
export function countsText(run: RunView): string {
  const order: TaskStatus[] = ['succeeded', 'cached', 'failed', 'running', 'pending', 'skipped', 'cancelled', 'interrupted'];
  const counts = countsOf(run);
  return (
    order
      .filter((s) => counts[s])
      .map((s) => `${counts[s]} ${s}`)
      .join(', ') || 'no tasks'
  );
}

/** The progress notification's message: "2/5 tasks…". */
export function progressMessage(run: RunView | undefined): string {
  if (!run) return 'starting…';
  const { done, total } = progressOf(run);
  const retrying = run.tasks?.find((t) => t.status === 'running' && t.attempt > 1);
  return `${done}/${total} tasks…${retrying ? ` (retrying ${retrying.id})` : ''}`;
}

/** The message shown when a run ends; a failure names the task(s) that failed and why. */
export function finishMessage(run: RunView, now: number): string {
  const took = formatDuration(runDurationMs(run, now));
  const { done, total } = progressOf(run);
  const tasks = run.tasks ?? [];
  switch (run.status) {
    case 'succeeded': {
      const cached = tasks.filter((t) => t.status === 'cached').length;
      return `${run.pipeline} succeeded: ${plural(total, 'task')} in ${took}${cached ? ` (${cached} from cache)` : ''}.`;
    }
    case 'failed': {
      const failed = tasks.filter((t) => t.status === 'failed');
      const first = failed[0];
      if (!first) return `${run.pipeline} failed${run.message ? `: ${run.message}` : '.'}`;
      const why = first.message ?? (first.exitCode !== null ? `exit code ${first.exitCode}` : 'no exit code');
      const others =
        failed.length > 1
          ? ` (and ${failed
              .slice(1)
              .map((t) => `'${t.id}'`)
              .join(', ')})`
          : '';
      return `${run.pipeline} failed: task '${first.id}' failed${others} — ${why}.`;
    }
    case 'cancelled': {
      const finished = tasks.filter((t) => t.status === 'succeeded' || t.status === 'cached').length;
      return `${run.pipeline} was cancelled; ${finished} of ${plural(total, 'task')} had finished.`;
    }
    case 'interrupted':
      return `${run.pipeline} was interrupted${run.message ? `: ${run.message}` : '.'}`;
    case 'running':
      return `${run.pipeline} is running: ${done}/${total} tasks.`;
    default:
      return assertNever(run.status);
  }
}

/** The task whose log says most about how a run ended: the first failed one, else the last that ran. */
export function telltaleTask(run: RunView): TaskView | undefined {
  const tasks = run.tasks ?? [];
  return tasks.find((t) => t.status === 'failed') ?? [...tasks].reverse().find((t) => t.status !== 'pending' && t.status !== 'skipped');
}

function assertNever(x: never): never {
  throw new Error(`unexpected status ${String(x)}`);
}
