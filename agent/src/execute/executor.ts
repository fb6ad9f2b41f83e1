import type { ExecutorKind, PlannedTask } from '../plan';
import type { Result } from '../util/result';

/** One attempt of a task, as the scheduler hands it to an executor. */
export interface Launch {
  runId: string;
  task: PlannedTask;
  attempt: number;
  /** The task's log file; executors append both output streams to it. */
  log: string;
  /** Variables the agent adds: MLOPS_RUN_ID, MLOPS_TASK, MLOPS_PARAM_*, CUDA_VISIBLE_DEVICES. */
  env: Record<string, string>;
  /** GPU indices assigned to this attempt. */
  gpus: string[];
}

/** How an attempt ended. */
export interface Exit {
  /** The exit status, or null when killed by a signal or never started. */
  code: number | null;
  signal: string | null;
  /** Why it could not start or was lost, in one sentence. */
  error: string | null;
}

/** A running attempt. */
export interface TaskHandle {
  /** The process group (local) — what a later agent kills if this one dies; null in docker. */
  readonly pid: number | null;
  /** Stops the attempt and everything it started: SIGTERM, then SIGKILL after a grace period (at once when `force`). */
  stop(force?: boolean): void;
}

/** Where tasks run. Implementations: local (a process group per task) and docker (a container per task). */
export interface Executor {
  readonly kind: ExecutorKind;
  /** Checks made once before a run, so a missing engine or image fails at once. */
  prepare(tasks: PlannedTask[]): Promise<Result<void>>;
  /** Starts an attempt; `onExit` is called exactly once. */
  start(launch: Launch, onExit: (exit: Exit) => void): TaskHandle;
}

/** How long a stopped task gets between SIGTERM and SIGKILL (MLOPS_KILL_GRACE_MS overrides). */
export function killGraceMs(): number {
  const v = Number(process.env.MLOPS_KILL_GRACE_MS);
  return Number.isFinite(v) && v >= 0 ? v : 5000;
}
