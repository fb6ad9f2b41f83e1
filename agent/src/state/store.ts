import * as path from 'node:path';
import type { Actor } from '../../../core/src/node/actor';
import type { ExecutorKind, ParamValue, RunEvent, RunOptions, RunRecord, RunStatus, RunSummary, RunTrigger, TaskRecord, TaskStatus } from '../../../core/src/protocol/agent';
import type { HashCache } from '../fingerprint';

/** A task attempt that was running when its agent stopped; what recovery must clean up. */
export interface OrphanAttempt {
  runId: string;
  task: string;
  attempt: number;
  pid: number | null;
  /** Where it was writing its output. */
  log: string | null;
}

/** A task's status and where its current attempt writes (or wrote) its output. */
export interface TaskLogState {
  status: TaskStatus;
  attempt: number;
  log: string | null;
}

/** A run whose owner is no longer known to be alive. */
export interface OwnedRun {
  id: string;
  agentPid: number;
  agentStart: string | null;
}

/** A cluster attempt still in flight: submitted (job id known) or about to be (`submitting`). */
export interface ClusterAttempt {
  task: string;
  attempt: number;
  status: 'submitting' | 'running';
  jobId: string | null;
  node: string | null;
  startedAt: string;
  log: string | null;
}

/** An attempt about to be submitted to a cluster, recorded before the submission. */
export interface Submission {
  runId: string;
  task: string;
  attempt: number;
  executor: ExecutorKind;
  log: string;
}

/** Who did something, and on which machine: recorded with every run, attempt and model version. */
export type { Actor };

/** A success anyone recorded whose outputs were uploaded to the artifact folder. */
export interface SharedCacheEntry {
  fingerprint: string;
  runId: string;
  task: string;
  user: string;
  host: string;
  /** Each output, relative to the workspace root, with the content hash it was stored under. */
  outputs: UploadedOutput[];
}

/** One uploaded output: a file, or a folder as the list of its files. */
export interface UploadedOutput {
  path: string;
  kind: 'file' | 'directory';
  /** For a file: its hash; for a folder: each file's path inside it and hash. */
  sha256: string | null;
  files: { path: string; sha256: string }[];
}

/** Who holds a lease, and until when (ms since the epoch). */
export interface LeaseHolder {
  holder: string;
  user: string;
  host: string;
  pid: number;
  expiresAt: number;
}

/** What `mlops store info` prints. */
export interface StoreInfo {
  kind: 'sqlite' | 'postgres';
  location: string;
  artifacts: string;
  schemaVersion: number;
  counts: { runs: number; tasks: number; attempts: number; models: number; modelVersions: number; cacheEntries: number; sharedCacheEntries: number };
  users: string[];
  leases: (LeaseHolder & { name: string })[];
}

/**
 * The agent's durable state — runs, tasks, attempts, the cache, schedule fires and leases —
 * behind one interface with two implementations: SQLite in `.mlops/` (one person, one
 * machine) and PostgreSQL (a team). Logs and other artifacts live in a folder beside it.
 *
 * Every read is asynchronous. `record` may finish synchronously (SQLite) or later
 * (PostgreSQL): its caller reports events only once it has finished, so nobody hears of a
 * transition before it is committed, whichever store holds it.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, for messages: a folder, or a postgresql:// URL without password. */
  readonly location: string;
  /** This machine's state folder: the file-hash cache and editor refresh hints. */
  readonly stateDir: string;
  /** The artifact folder the team shares: logs, stored model parameters, uploaded outputs. */
  readonly artifacts: string;
  /** Who this process records as. */
  readonly actor: Actor;
  /** Content hashes of unchanged input files; always local to this machine. */
  readonly hashes: HashCache;

  /** Folder of a run's logs (in the artifact folder). */
  runDir(runId: string): string;
  logPath(runId: string, task: string): string;
  /** Persists events in one transaction; callers report them only after this has finished. */
  record(events: readonly RunEvent[]): void | Promise<void>;
  /** Takes a run id for this process; false when anyone, anywhere, already has it. */
  reserveRunId(id: string): Promise<boolean>;
  /** A run id from an id or `last` (the newest run, of `file` when given). */
  resolveRunId(ref: string, file?: string): Promise<string | undefined>;
  run(id: string): Promise<{ record: RunRecord; summary: RunSummary } | undefined>;
  /** Runs, newest first; `user` keeps only that user's. */
  runs(opts?: { file?: string; limit?: number; user?: string }): Promise<RunSummary[]>;
  /** The fingerprint of each task's last successful execution, for one pipeline file. */
  cacheEntries(file: string): Promise<Map<string, string>>;
  /** Uploaded successes of tasks with these ids, by fingerprint (read once when a run starts). */
  sharedCacheFor(tasks: readonly string[]): Promise<Map<string, SharedCacheEntry>>;
  /** Records that a success's outputs are in the artifact folder. */
  saveSharedCache(entry: SharedCacheEntry): Promise<void>;
  /** Runs of this machine still marked running, with the process that owns each. */
  runningRuns(): Promise<OwnedRun[]>;
  runningAttempts(runId: string): Promise<OrphanAttempt[]>;
  taskLogState(runId: string, task: string): Promise<TaskLogState | undefined>;
  /** Marks an abandoned run and its unfinished tasks `interrupted`, in one transaction. */
  markInterrupted(runId: string, at: string, message: string): Promise<void>;
  /**
   * Records, in one transaction, that these attempts are about to be submitted to a
   * cluster: committed before sbatch runs, so a later agent knows to look for their jobs.
   */
  intendSubmissions(subs: readonly Submission[], at: string): void | Promise<void>;
  /** The run's cluster attempts still in flight (submitting or running). */
  clusterAttempts(runId: string): Promise<ClusterAttempt[]>;
  /** How the run was asked to run (executor override, keep-going…). */
  runOptions(runId: string): Promise<RunOptions>;
  /**
   * Hands a running run from its (dead) owner to this process and notes when; false when
   * someone else has taken it meanwhile. Only the new owner drives the run from then on.
   */
  claimRun(runId: string, from: OwnedRun, to: { pid: number; start: string | null }): Promise<boolean>;
  /** The attempts a dead agent was running on its own machine: marked interrupted, their tasks pending again. */
  interruptLocalAttempts(runId: string, at: string, message: string): Promise<void>;
  /** Claims one fire of a schedule; false when another agent already fired it. */
  claimFire(schedule: string, fireAt: string): Promise<boolean>;
  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs`; returns who holds it
   * afterwards (the caller, unless someone else's lease has not yet expired).
   */
  lease(name: string, holder: string, ttlMs: number): Promise<LeaseHolder>;
  /** Gives a lease up, if `holder` has it. */
  releaseLease(name: string, holder: string): Promise<void>;
  info(): Promise<StoreInfo>;
  close(): Promise<void>;
}

/** Folder of a run's logs in the artifact folder. */
export function runDirIn(artifacts: string, runId: string): string {
  return path.join(artifacts, 'runs', runId);
}

export function logPathIn(artifacts: string, runId: string, task: string): string {
  return path.join(runDirIn(artifacts, runId), `${task}.log`);
}

/** A database row as both drivers return it. */
export type Row = Record<string, unknown>;

/** The tasks of a run with where their latest attempt ran: what `taskRecord` reads. */
export const TASKS_OF_RUN = `SELECT t.*, a.executor, a.job_id, a.node FROM tasks t
  LEFT JOIN attempts a ON a.run_id = t.run_id AND a.task = t.task AND a.attempt = t.attempts
  WHERE t.run_id = ? ORDER BY t.position`;

export function taskRecord(r: Row): TaskRecord {
  const t: TaskRecord = {
    id: r.task as string,
    status: r.status as TaskStatus,
    attempts: Number(r.attempts),
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    cached: r.cached === 1 || r.cached === true,
    fingerprint: (r.fingerprint as string | null) ?? null,
  };
  // Where a task ran is said for cluster attempts: local runs keep their shape.
  if (r.executor === 'slurm') {
    t.executor = 'slurm';
    if (typeof r.job_id === 'string') {
      t.jobId = r.job_id;
      t.node = (r.node as string | null) ?? null;
    }
  }
  return t;
}

/** A run's record from its summary and tasks. */
export function runRecord(summary: RunSummary, tasks: TaskRecord[]): RunRecord {
  const { id, pipeline, status, startedAt, endedAt, params, reattachedAt } = summary;
  return { id, pipeline, status, startedAt, endedAt, params, tasks, ...(reattachedAt ? { reattachedAt } : {}) };
}

export function clusterAttempt(r: Row): ClusterAttempt {
  return {
    task: r.task as string,
    attempt: Number(r.attempt),
    status: r.status as 'submitting' | 'running',
    jobId: (r.job_id as string | null) ?? null,
    node: (r.node as string | null) ?? null,
    startedAt: r.started_at as string,
    log: (r.log as string | null) ?? null,
  };
}

export function runOptionsOf(r: Row | undefined): RunOptions {
  const o = r?.options;
  return (typeof o === 'string' ? JSON.parse(o) : (o ?? {})) as RunOptions;
}

export function countStatuses(tasks: TaskRecord[]): Partial<Record<TaskStatus, number>> {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const t of tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

export function runSummary(r: Row, counts: Partial<Record<TaskStatus, number>>): RunSummary {
  return {
    id: r.id as string,
    pipeline: r.pipeline as string,
    status: r.status as RunStatus,
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
    params: (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as Record<string, ParamValue>,
    file: r.file as string,
    path: (r.path as string | null) ?? null,
    resumedFrom: (r.resumed_from as string | null) ?? null,
    trigger: r.trigger as RunTrigger,
    message: (r.message as string | null) ?? null,
    user: (r.user_name as string | null) ?? null,
    host: (r.host as string | null) ?? null,
    counts,
    reattachedAt: (r.reattached_at as string | null) ?? null,
  };
}
