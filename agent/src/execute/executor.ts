import type { JobState } from '../../../core/src/protocol/agent';
import type { ExecutorKind, PlannedTask } from '../plan';
import type { Result } from '../../../core/src/result';

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

/** A cluster job of an earlier agent: its id, or null when the agent died before it was recorded (then its name and comment find it). */
export interface AdoptedJob {
  jobId: string | null;
  submittedAt: Date;
}

/** How an attempt ended. */
export interface Exit {
  /** The exit status, or null when killed by a signal or never started. */
  code: number | null;
  signal: string | null;
  /** Why it could not start or was lost, in one sentence. */
  error: string | null;
}

/** What an executor reports about one attempt. */
export interface AttemptListener {
  /**
   * The attempt is running; `pid` is its process group (local: what a later agent kills if
   * this one dies) or null; `log` is where its output goes until it ends, when not the log
   * itself; `jobId` its cluster job (slurm: once sbatch has accepted it).
   */
  started(pid: number | null, log?: string, jobId?: string): void;
  /** A cluster job's place or state changed: queued, started on a node, requeued (slurm). */
  job?(state: JobState): void;
  /** Called exactly once, also when the attempt never started. */
  exited(exit: Exit): void;
}

/** A running attempt. */
export interface TaskHandle {
  /** Stops the attempt and everything it started: SIGTERM, then SIGKILL after a grace period (at once when `force`). */
  stop(force?: boolean): void;
}

/** Where tasks run. Implementations: local (a process group per task), docker (a container per task) and slurm (a batch job per attempt). */
export interface Executor {
  readonly kind: ExecutorKind;
  /**
   * Whether tasks run elsewhere (a cluster): then this machine's CPUs, memory and GPUs do
   * not limit them, `--parallel` limits them only when given, and the cluster enforces
   * their timeout itself.
   */
  readonly remote?: boolean;
  /** Checks made once before a run, so a missing engine or image fails at once. */
  prepare(tasks: PlannedTask[]): Promise<Result<void>>;
  start(launch: Launch, listener: AttemptListener): TaskHandle;
  /**
   * Follows an attempt that an earlier agent started and did not see end (a cluster job
   * outlives the agent that submitted it). Only executors whose work outlives the agent have it.
   */
  adopt?(launch: Launch, listener: AttemptListener, job: AdoptedJob): TaskHandle;
  /** Starts what `start` queued; called once per scheduler tick, after its launches. */
  flush?(): void;
  /** Releases what the executor holds once its run is over. */
  dispose(): Promise<void>;
}

/** How long a stopped task gets between SIGTERM and SIGKILL (MLOPS_KILL_GRACE_MS overrides). */
export function killGraceMs(): number {
  const v = Number(process.env.MLOPS_KILL_GRACE_MS);
  return Number.isFinite(v) && v >= 0 ? v : 5000;
}
