import * as path from 'node:path';
import type { ParamValue, RunEvent, RunRecord, RunStatus, RunSummary, RunTrigger, TaskRecord, TaskStatus } from '../../../core/src/protocol/agent';
import { unreachable } from '../util/result';
import { processStartToken } from '../util/process';
import { createStateDb, StateDb } from './sqlite';

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

/**
 * The agent's durable state: runs, tasks and attempts in SQLite (WAL), logs beside it.
 *
 * Durability: `synchronous=NORMAL` in WAL mode makes a commit a write() into the WAL file,
 * without fsync. The data is then in the kernel's page cache, so it survives the agent
 * being killed (SIGKILL, crash, OOM) — the failures this store promises to survive; only a
 * power loss or kernel crash could lose the last commits. That keeps a commit per
 * scheduler commit window cheap enough to persist every transition of a 5,000-task run.
 */
export class Store extends StateDb {
  private readonly agentStart = processStartToken(process.pid);

  /** Opens (creating if needed) the state folder and its database. */
  static open(stateDir: string): Store {
    return new Store(stateDir, createStateDb(stateDir));
  }

  /** Folder of a run's logs. */
  runDir(runId: string): string {
    return path.join(this.stateDir, 'runs', runId);
  }

  logPath(runId: string, task: string): string {
    return path.join(this.runDir(runId), `${task}.log`);
  }

  /** Persists events in one transaction; callers report them only after this returns. */
  record(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    this.transaction(() => {
      for (const e of events) this.apply(e);
    });
  }

  private apply(e: RunEvent): void {
    switch (e.type) {
      case 'run-started': {
        this.stmt(
          `INSERT INTO runs (id, pipeline, file, status, started_at, params, resumed_from, trigger, agent_pid, agent_start)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
        ).run(e.runId, e.pipeline, e.file, e.startedAt, JSON.stringify(e.params), e.resumedFrom, e.trigger, process.pid, this.agentStart);
        const insert = this.stmt(`INSERT INTO tasks (run_id, task, position, status) VALUES (?, ?, ?, 'pending')`);
        e.tasks.forEach((t, i) => insert.run(e.runId, t, i));
        return;
      }
      case 'task-started':
        this.stmt(`INSERT INTO attempts (run_id, task, attempt, status, started_at, pid, log) VALUES (?, ?, ?, 'running', ?, ?, ?)`).run(
          e.runId,
          e.task,
          e.attempt,
          e.at,
          e.pid,
          e.log,
        );
        this.stmt(`UPDATE tasks SET status = 'running', attempts = ? WHERE run_id = ? AND task = ?`).run(e.attempt, e.runId, e.task);
        return;
      case 'task-retrying':
        this.stmt(`UPDATE attempts SET status = 'failed', ended_at = ?, exit_code = ?, message = ? WHERE run_id = ? AND task = ? AND attempt = ?`).run(
          e.at,
          e.exitCode,
          e.reason,
          e.runId,
          e.task,
          e.attempt,
        );
        this.stmt(`UPDATE tasks SET status = 'pending', exit_code = ? WHERE run_id = ? AND task = ?`).run(e.exitCode, e.runId, e.task);
        return;
      case 'task-finished':
        this.stmt(
          `UPDATE tasks SET status = ?, attempts = ?, exit_code = ?, duration_ms = ?, cached = ?, fingerprint = ?, message = ?
           WHERE run_id = ? AND task = ?`,
        ).run(e.status, e.attempts, e.exitCode, e.durationMs, e.cached ? 1 : 0, e.fingerprint, e.message, e.runId, e.task);
        if (e.attempts > 0) {
          this.stmt(
            `UPDATE attempts SET status = ?, ended_at = ?, exit_code = ?, message = ?
             WHERE run_id = ? AND task = ? AND attempt = ? AND status = 'running'`,
          ).run(e.status, e.at, e.exitCode, e.message, e.runId, e.task, e.attempts);
        }
        if (e.status === 'succeeded' && e.fingerprint) {
          this.stmt(
            `INSERT INTO cache (file, task, fingerprint, run_id) SELECT file, ?, ?, id FROM runs WHERE id = ?
             ON CONFLICT (file, task) DO UPDATE SET fingerprint = excluded.fingerprint, run_id = excluded.run_id`,
          ).run(e.task, e.fingerprint, e.runId);
        }
        return;
      case 'run-finished':
        this.stmt(`UPDATE runs SET status = ?, ended_at = ?, message = ? WHERE id = ?`).run(e.status, e.endedAt, e.message, e.runId);
        return;
      default:
        unreachable(e);
    }
  }

  /** A run id from an id or `last` (the newest run, of `file` when given). */
  resolveRunId(ref: string, file?: string): string | undefined {
    if (ref !== 'last') return this.stmt('SELECT id FROM runs WHERE id = ?').get(ref)?.id as string | undefined;
    const row = file
      ? this.stmt('SELECT id FROM runs WHERE file = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(file)
      : this.stmt('SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get();
    return row?.id as string | undefined;
  }

  run(id: string): { record: RunRecord; summary: RunSummary } | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id);
    if (!row) return undefined;
    const tasks = this.stmt('SELECT * FROM tasks WHERE run_id = ? ORDER BY position').all(id).map(taskRecord);
    const summary = runSummary(row, countStatuses(tasks));
    const { id: runId, pipeline, status, startedAt, endedAt, params } = summary;
    return { record: { id: runId, pipeline, status, startedAt, endedAt, params, tasks }, summary };
  }

  /** Runs, newest first. */
  runs(opts: { file?: string; limit?: number } = {}): RunSummary[] {
    const limit = opts.limit ?? 50;
    const rows = opts.file
      ? this.stmt('SELECT * FROM runs WHERE file = ? ORDER BY started_at DESC, rowid DESC LIMIT ?').all(opts.file, limit)
      : this.stmt('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit);
    const count = this.stmt('SELECT status, count(*) AS n FROM tasks WHERE run_id = ? GROUP BY status');
    return rows.map((r) => {
      const counts: Partial<Record<TaskStatus, number>> = {};
      for (const c of count.all(r.id as string)) counts[c.status as TaskStatus] = Number(c.n);
      return runSummary(r, counts);
    });
  }

  /** The fingerprint of each task's last successful execution, for one pipeline file. */
  cacheEntries(file: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.stmt('SELECT task, fingerprint FROM cache WHERE file = ?').all(file)) out.set(r.task as string, r.fingerprint as string);
    return out;
  }

  fileHash(p: string, size: number, mtimeNs: string): string | undefined {
    const r = this.stmt('SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?').get(p, size, mtimeNs);
    return r?.hash as string | undefined;
  }

  saveFileHash(p: string, size: number, mtimeNs: string, hash: string): void {
    this.stmt(
      `INSERT INTO file_hashes (path, size, mtime_ns, hash) VALUES (?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, hash = excluded.hash`,
    ).run(p, size, mtimeNs, hash);
  }

  /** Runs still marked running, with the process that owns each. */
  runningRuns(): OwnedRun[] {
    return this.stmt(`SELECT id, agent_pid, agent_start FROM runs WHERE status = 'running'`)
      .all()
      .map((r) => ({ id: r.id as string, agentPid: Number(r.agent_pid), agentStart: (r.agent_start as string | null) ?? null }));
  }

  runningAttempts(runId: string): OrphanAttempt[] {
    return this.stmt(`SELECT task, attempt, pid, log FROM attempts WHERE run_id = ? AND status = 'running'`)
      .all(runId)
      .map((r) => ({
        runId,
        task: r.task as string,
        attempt: Number(r.attempt),
        pid: r.pid === null ? null : Number(r.pid),
        log: (r.log as string | null) ?? null,
      }));
  }

  taskLogState(runId: string, task: string): TaskLogState | undefined {
    const r = this.stmt(
      `SELECT t.status, t.attempts, a.log FROM tasks t
       LEFT JOIN attempts a ON a.run_id = t.run_id AND a.task = t.task AND a.attempt = t.attempts
       WHERE t.run_id = ? AND t.task = ?`,
    ).get(runId, task);
    return r ? { status: r.status as TaskStatus, attempt: Number(r.attempts), log: (r.log as string | null) ?? null } : undefined;
  }

  /** Marks an abandoned run and its unfinished tasks `interrupted`, in one transaction. */
  markInterrupted(runId: string, at: string, message: string): void {
    this.transaction(() => {
      this.stmt(`UPDATE attempts SET status = 'interrupted', ended_at = ?, message = ? WHERE run_id = ? AND status = 'running'`).run(at, message, runId);
      this.stmt(`UPDATE tasks SET status = 'interrupted', message = ? WHERE run_id = ? AND status IN ('pending', 'running')`).run(message, runId);
      this.stmt(`UPDATE runs SET status = 'interrupted', ended_at = ?, message = ? WHERE id = ? AND status = 'running'`).run(at, message, runId);
    });
  }

  /** Claims one fire of a schedule; false when another agent already fired it. */
  claimFire(file: string, cron: string, fireAt: string): boolean {
    const r = this.stmt('INSERT OR IGNORE INTO schedule_fires (file, cron, fire_at) VALUES (?, ?, ?)').run(file, cron, fireAt);
    return Number(r.changes) === 1;
  }
}

type Row = Record<string, unknown>;

function taskRecord(r: Row): TaskRecord {
  return {
    id: r.task as string,
    status: r.status as TaskStatus,
    attempts: Number(r.attempts),
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    cached: r.cached === 1,
    fingerprint: (r.fingerprint as string | null) ?? null,
  };
}

function countStatuses(tasks: TaskRecord[]): Partial<Record<TaskStatus, number>> {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const t of tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

function runSummary(r: Row, counts: Partial<Record<TaskStatus, number>>): RunSummary {
  return {
    id: r.id as string,
    pipeline: r.pipeline as string,
    status: r.status as RunStatus,
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
    params: JSON.parse(r.params as string) as Record<string, ParamValue>,
    file: r.file as string,
    resumedFrom: (r.resumed_from as string | null) ?? null,
    trigger: r.trigger as RunTrigger,
    message: (r.message as string | null) ?? null,
    counts,
  };
}
