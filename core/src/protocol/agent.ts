/**
 * The local agent's JSON-RPC protocol (`mlops agent --stdio`), declared once. This file does
 * not depend on vscode-jsonrpc (webviews, the language server and every agent command load
 * it), so each message is a method name plus phantom param/result types; ./agent-rpc.ts
 * wraps them once as vscode-jsonrpc types for the extension, the agent and the tests.
 * The same run and event shapes are what `mlops run --format json` prints.
 */
import type { DiagnosticCode, Severity } from '../diagnostics';
import type { NotificationDecl, RequestDecl } from './lsp';
import { boolean, integer, list, object, oneOf, optional, record, string, type Infer, type Shape } from './shape';

/**
 * A request method name carrying its param and result types (the same shape as the LSP
 * extensions'), plus the shape its params are checked against: the agent refuses any
 * request that does not fit, with -32602 naming the field.
 */
export interface AgentRequest<P, R> extends RequestDecl<P, R> {
  readonly params: Shape<P>;
}

/** A notification method name carrying its param type. */
export type AgentNotification<P> = NotificationDecl<P>;

const request = <P, R>(method: string, params: Shape<P>): AgentRequest<P, R> => ({ method, params });
const notification = <P>(method: string): AgentNotification<P> => ({ method });

/** Names the client sends: task ids, run ids, `last`. */
const name = () => string({ max: 256, nonEmpty: true });
/** Paths the client sends: pipeline files. */
const path = () => string({ max: 4096, nonEmpty: true });

export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const TASK_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cached', 'skipped', 'cancelled', 'interrupted'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** The statuses a task can end in. */
export type TaskEndStatus = Exclude<TaskStatus, 'pending' | 'running'>;

/** Whether a task has ended (nothing more will happen to it in its run). */
export function isTaskEnded(status: TaskStatus): status is TaskEndStatus {
  return status !== 'pending' && status !== 'running';
}
/** The statuses a run can end in. */
export type RunEndStatus = Exclude<RunStatus, 'running'>;

export type ParamValue = string | number | boolean;

/** Where a task runs: this machine, a container, or a Slurm cluster. */
export const EXECUTORS = ['local', 'docker', 'slurm'] as const;
export type ExecutorKind = (typeof EXECUTORS)[number];

/** One task of a run, as `mlops runs show --format json` prints it. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  attempts: number;
  exitCode: number | null;
  durationMs: number | null;
  cached: boolean;
  fingerprint: string | null;
  /** `slurm` when its latest attempt ran on Slurm; absent otherwise. */
  executor?: ExecutorKind;
  /** The Slurm job of its latest attempt (slurm only). */
  jobId?: string;
  /** The node that job ran on, once Slurm has placed it (slurm only). */
  node?: string | null;
}

/** A run, as `mlops run --format json` and `mlops runs show --format json` print it. Times are ISO 8601. */
export interface RunRecord {
  id: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  params: Record<string, ParamValue>;
  tasks: TaskRecord[];
  /** When another agent took the run over from one that died while its cluster jobs ran on; absent if none did. */
  reattachedAt?: string;
}

/** A run without its tasks, plus where it came from; what listings show. */
export interface RunSummary extends Omit<RunRecord, 'tasks' | 'reattachedAt'> {
  /** Absolute path of the pipeline file. */
  file: string;
  /** The pipeline file relative to the workspace root (null for runs recorded before it was kept). */
  path: string | null;
  /** The run this one resumed, if any. */
  resumedFrom: string | null;
  trigger: RunTrigger;
  /** Why the run ended as it did, when there is more to say than its status. */
  message: string | null;
  /** Who started the run, and on which machine (null for runs recorded before they were kept). */
  user: string | null;
  host: string | null;
  counts: Partial<Record<TaskStatus, number>>;
  /** When another agent last took the run over from one that died (its cluster jobs kept running); null if never. */
  reattachedAt: string | null;
}

/** How a run was asked to run, beyond its params and selection; kept so a reattached run goes on the same way. */
export interface RunOptions {
  executor?: ExecutorKind;
  keepGoing?: boolean;
  parallel?: number;
  force?: boolean;
  pull?: boolean;
}

/** A Slurm job's place in the queue, as the agent last saw it. */
export interface JobState {
  jobId: string;
  /** The node it runs (or ran) on; null while it waits in the queue. */
  node: string | null;
  /** Slurm's state name: PENDING, RUNNING, REQUEUED, … */
  state: string;
  /** Why it waits, when Slurm says (Priority, Resources, …). */
  reason: string | null;
}

export type RunTrigger = 'cli' | 'rpc' | 'schedule';

/** What happened in a run, in order. Every event is committed to the store before anyone sees it. */
export type RunEvent =
  | {
      type: 'run-started';
      runId: string;
      pipeline: string;
      file: string;
      startedAt: string;
      params: Record<string, ParamValue>;
      resumedFrom: string | null;
      trigger: RunTrigger;
      /** The pipeline file relative to the workspace root: the same in every working copy. */
      path: string;
      /** The selected tasks in topological order. */
      tasks: string[];
      options?: RunOptions;
    }
  /** Another agent took over a running run whose agent died, and goes on with it. */
  | { type: 'run-reattached'; runId: string; at: string; message: string }
  | {
      type: 'task-started';
      runId: string;
      task: string;
      attempt: number;
      at: string;
      pid: number | null;
      log: string;
      /** Where the attempt runs (absent: local). */
      executor?: ExecutorKind;
      /** Its Slurm job, once sbatch has accepted it. */
      jobId?: string;
    }
  /** A Slurm job of a running attempt changed place or state (queued, started on a node, requeued). */
  | { type: 'task-job'; runId: string; task: string; attempt: number; at: string; job: JobState }
  | {
      type: 'task-retrying';
      runId: string;
      task: string;
      /** The attempt that failed. */
      attempt: number;
      exitCode: number | null;
      reason: string;
      delayMs: number;
      at: string;
    }
  | {
      type: 'task-finished';
      runId: string;
      task: string;
      status: TaskEndStatus;
      attempts: number;
      exitCode: number | null;
      durationMs: number | null;
      cached: boolean;
      fingerprint: string | null;
      /** Why it failed, was skipped or was reused, in one sentence. */
      message: string | null;
      log: string | null;
      at: string;
    }
  | { type: 'run-finished'; runId: string; status: RunEndStatus; endedAt: string; message: string | null }
  | {
      /** How far preparing a task has got; reported, never stored (the task is still pending). */
      type: 'task-progress';
      runId: string;
      task: string;
      at: string;
      /** What is being done: hashing a large input to decide whether the task can be reused. */
      stage: 'hashing';
      /** The input being read (absolute). */
      path: string;
      doneBytes: number;
      totalBytes: number;
    };

/** How to run a pipeline; the CLI flags of `mlops run`, as data. */
export const runRequestShape = object({
  /** Pipeline file, absolute or relative to the agent's working directory (the workspace folder); it must lie inside that folder. */
  file: path(),
  params: optional(record(string())),
  only: optional(list(name(), { max: 10_000 })),
  from: optional(name()),
  /** A run id, or `last` for the most recent run of this pipeline. */
  resume: optional(name()),
  force: optional(boolean()),
  parallel: optional(integer({ min: 1, max: 4096 })),
  executor: optional(oneOf(...EXECUTORS)),
  keepGoing: optional(boolean()),
  /** Let the docker executor pull images that are not present locally. */
  pull: optional(boolean()),
  /** Cut each task's log past this many bytes (default: MLOPS_LOG_LIMIT, else 100 MiB). */
  logLimit: optional(integer({ min: 1 })),
});
export type RunRequest = Infer<typeof runRequestShape>;

/** A pipeline problem that stopped a run from starting, shaped like `mlops validate --format json`. */
export interface PipelineProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
}

/** Expected failures are results, not JSON-RPC errors. */
export type RunStartResult = { ok: true; runId: string } | { ok: false; message: string; problems: PipelineProblem[] };

export const runCancelParamsShape = object({ runId: name() });
export type RunCancelParams = Infer<typeof runCancelParamsShape>;
export interface RunCancelResult {
  /** False when the run is not active in this agent. */
  cancelled: boolean;
}

export const runsListParamsShape = object({
  /** Only runs of this pipeline file. */
  file: optional(path()),
  limit: optional(integer({ min: 1, max: 1_000_000 })),
  /** Only runs the agent's own user started (from any machine); everyone's when absent. */
  mine: optional(boolean()),
});
export type RunsListParams = Infer<typeof runsListParamsShape>;
export interface RunsListResult {
  runs: RunSummary[];
}

export const runsShowParamsShape = object({
  /** A run id or `last`. */
  runId: name(),
});
export type RunsShowParams = Infer<typeof runsShowParamsShape>;
export type RunsShowResult = { ok: true; run: RunRecord; summary: RunSummary } | { ok: false; message: string };

export const logsReadParamsShape = object({
  runId: name(),
  task: name(),
  /** Byte offset to read from; 0 when absent. */
  offset: optional(integer({ min: 0 })),
  /** At most this many bytes (default and at most 1 MiB). */
  limit: optional(integer({ min: 1 })),
});
export type LogsReadParams = Infer<typeof logsReadParamsShape>;
export type LogsReadResult =
  | {
      ok: true;
      text: string;
      /** Where the next read continues. */
      nextOffset: number;
      /** True once the task has ended and everything has been read. */
      complete: boolean;
    }
  | { ok: false; message: string };

export const schedulesNextParamsShape = object({
  /** Only this pipeline file; all scheduled pipelines of the workspace when absent. */
  file: optional(path()),
});
export type SchedulesNextParams = Infer<typeof schedulesNextParamsShape>;
export interface ScheduledPipeline {
  file: string;
  pipeline: string;
  cron: string;
  timezone: string;
  /** ISO 8601, or null when the expression never fires again. */
  next: string | null;
}
export interface SchedulesNextResult {
  schedules: ScheduledPipeline[];
}

export interface AgentInfoResult {
  version: string;
  pid: number;
  stateDir: string;
  /** Where runs are recorded: `sqlite` in the state folder, or a team store (`postgres`). */
  store: { kind: 'sqlite' | 'postgres'; location: string; artifacts: string; user: string; host: string };
  root: string;
  capacity: { cpu: number; memoryBytes: number; gpus: number };
}

export interface RunEventParams {
  event: RunEvent;
}

/** Client → agent: validate, plan and start a run; its events follow as `mlops/run.event`. */
export const runStartRequest = request<RunRequest, RunStartResult>('mlops/run.start', runRequestShape);
/** Client → agent: cancel an active run (every task's process tree is killed). */
export const runCancelRequest = request<RunCancelParams, RunCancelResult>('mlops/run.cancel', runCancelParamsShape);
/** Client → agent: recorded runs, newest first. */
export const runsListRequest = request<RunsListParams, RunsListResult>('mlops/runs.list', runsListParamsShape);
/** Client → agent: one run with its tasks. */
export const runsShowRequest = request<RunsShowParams, RunsShowResult>('mlops/runs.show', runsShowParamsShape);
/** Client → agent: a chunk of a task's log; poll with `nextOffset` until `complete`. */
export const logsReadRequest = request<LogsReadParams, LogsReadResult>('mlops/logs.read', logsReadParamsShape);
/** Client → agent: the next fire time of each scheduled pipeline. */
export const schedulesNextRequest = request<SchedulesNextParams, SchedulesNextResult>('mlops/schedules.next', schedulesNextParamsShape);
/** Client → agent: version, state folder and machine capacity. */
export const agentInfoRequest = request<Record<string, never>, AgentInfoResult>('mlops/agent.info', object({}));
/** Every request the agent serves, for the server's table and the protocol tests. */
export const AGENT_REQUESTS = [runStartRequest, runCancelRequest, runsListRequest, runsShowRequest, logsReadRequest, schedulesNextRequest, agentInfoRequest] as const;
/** Agent → client: something happened in a run started by anyone on this agent (including schedules). */
export const runEventNotification = notification<RunEventParams>('mlops/run.event');
