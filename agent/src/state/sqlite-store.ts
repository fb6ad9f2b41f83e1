import type { RunEvent, RunOptions, RunRecord, RunSummary, TaskStatus } from '../../../core/src/protocol/agent';
import type { HashCache } from '../fingerprint';
import { unreachable } from '../../../core/src/result';
import { processStartToken } from '../util/proc';
import { SQLITE_SCHEMA_VERSION } from './migrations';
import { createStateDb, StateDb } from './sqlite';
import {
  clusterAttempt,
  countStatuses,
  logPathIn,
  runDirIn,
  runOptionsOf,
  runRecord,
  runSummary,
  taskRecord,
  TASKS_OF_RUN,
  type Actor,
  type ClusterAttempt,
  type Submission,
  type LeaseHolder,
  type OrphanAttempt,
  type OwnedRun,
  type SharedCacheEntry,
  type Store,
  type StoreInfo,
  type TaskLogState,
} from './store';

/**
 * The store of one person on one machine: runs, tasks and attempts in SQLite (WAL) in the
 * state folder, logs in the artifact folder (by default the same folder).
 *
 * Durability: `synchronous=NORMAL` in WAL mode makes a commit a write() into the WAL file,
 * without fsync. The data is then in the kernel's page cache, so it survives the agent
 * being killed (SIGKILL, crash, OOM) — the failures this store promises to survive; only a
 * power loss or kernel crash could lose the last commits. That keeps a commit per
 * scheduler commit window cheap enough to persist every transition of a 5,000-task run.
 * Every method works synchronously underneath; `record` also returns synchronously, so
 * the scheduler goes on without waiting a turn of the event loop.
 */
export class SqliteStore extends StateDb implements Store {
  readonly kind = 'sqlite' as const;
  private readonly agentStart = processStartToken(process.pid);
  readonly hashes: HashCache;

  private constructor(
    stateDir: string,
    db: ReturnType<typeof createStateDb>,
    readonly artifacts: string,
    readonly actor: Actor,
  ) {
    super(stateDir, db);
    this.hashes = {
      fileHash: (p, size, mtimeNs) => this.stmt('SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?').get(p, size, mtimeNs)?.hash as string | undefined,
      saveFileHash: (p, size, mtimeNs, hash) => {
        this.stmt(
          `INSERT INTO file_hashes (path, size, mtime_ns, hash) VALUES (?, ?, ?, ?)
           ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, hash = excluded.hash`,
        ).run(p, size, mtimeNs, hash);
      },
    };
  }

  /** Opens (creating if needed) the state folder and its database. */
  static open(stateDir: string, artifacts: string, actor: Actor): SqliteStore {
    return new SqliteStore(stateDir, createStateDb(stateDir), artifacts, actor);
  }

  get location(): string {
    return this.stateDir;
  }

  runDir(runId: string): string {
    return runDirIn(this.artifacts, runId);
  }

  logPath(runId: string, task: string): string {
    return logPathIn(this.artifacts, runId, task);
  }

  record(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    // A short task's start and end usually come in one commit window: its attempt is then
    // written once, already ended, instead of inserted as running and updated at once.
    const ends = new Map<string, Extract<RunEvent, { type: 'task-finished' }>>();
    for (const e of events) if (e.type === 'task-finished' && e.attempts > 0) ends.set(`${e.runId}\0${e.task}\0${e.attempts}`, e);
    const written = new Set<RunEvent>();
    this.transaction(() => {
      for (const e of events) {
        if (written.has(e)) this.finishTask(e as Extract<RunEvent, { type: 'task-finished' }>, false);
        else if (e.type === 'task-started' && ends.size > 0) {
          const end = ends.get(`${e.runId}\0${e.task}\0${e.attempt}`);
          if (end && this.insertEnded(e, end)) written.add(end);
          else this.apply(e);
        } else this.apply(e);
      }
    });
  }

  /**
   * The attempt of a start and its end recorded together, as one row; false (nothing
   * written) when the row exists already, as a cluster attempt's does from before its
   * submission: the two events are then applied one after the other.
   */
  private insertEnded(e: Extract<RunEvent, { type: 'task-started' }>, end: Extract<RunEvent, { type: 'task-finished' }>): boolean {
    const r = this.stmt(
      `INSERT INTO attempts (run_id, task, attempt, status, started_at, pid, log, user_name, host, executor, job_id, ended_at, exit_code, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, task, attempt) DO NOTHING`,
    ).run(e.runId, e.task, e.attempt, end.status, e.at, e.pid, e.log, this.actor.user, this.actor.host, e.executor ?? 'local', e.jobId ?? null, end.at, end.exitCode, end.message);
    return Number(r.changes) === 1;
  }

  /** A task's end: its row, its attempt's unless that was written with its start, and the cache after a success. */
  private finishTask(e: Extract<RunEvent, { type: 'task-finished' }>, attempt: boolean): void {
    this.stmt(
      `UPDATE tasks SET status = ?, attempts = ?, exit_code = ?, duration_ms = ?, cached = ?, fingerprint = ?, message = ?
       WHERE run_id = ? AND task = ?`,
    ).run(e.status, e.attempts, e.exitCode, e.durationMs, e.cached ? 1 : 0, e.fingerprint, e.message, e.runId, e.task);
    if (attempt && e.attempts > 0) {
      this.stmt(
        `UPDATE attempts SET status = ?, ended_at = ?, exit_code = ?, message = ?
         WHERE run_id = ? AND task = ? AND attempt = ? AND status IN ('running', 'submitting')`,
      ).run(e.status, e.at, e.exitCode, e.message, e.runId, e.task, e.attempts);
    }
    if (e.status === 'succeeded' && e.fingerprint) {
      this.stmt(
        `INSERT INTO cache (file, task, fingerprint, run_id) SELECT file, ?, ?, id FROM runs WHERE id = ?
         ON CONFLICT (file, task) DO UPDATE SET fingerprint = excluded.fingerprint, run_id = excluded.run_id`,
      ).run(e.task, e.fingerprint, e.runId);
    }
  }

  private apply(e: RunEvent): void {
    switch (e.type) {
      case 'run-started': {
        this.stmt(
          `INSERT INTO runs (id, pipeline, file, status, started_at, params, resumed_from, trigger, agent_pid, agent_start, user_name, host, path, options)
           VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(e.runId, e.pipeline, e.file, e.startedAt, JSON.stringify(e.params), e.resumedFrom, e.trigger, process.pid, this.agentStart, this.actor.user, this.actor.host, e.path, JSON.stringify(e.options ?? {}));
        const insert = this.stmt(`INSERT INTO tasks (run_id, task, position, status) VALUES (?, ?, ?, 'pending')`);
        e.tasks.forEach((t, i) => insert.run(e.runId, t, i));
        return;
      }
      case 'run-reattached':
        this.stmt(`UPDATE runs SET reattached_at = ? WHERE id = ?`).run(e.at, e.runId);
        return;
      case 'task-started':
        // A cluster attempt's row exists already, written before its submission (see intendSubmissions).
        this.stmt(
          `INSERT INTO attempts (run_id, task, attempt, status, started_at, pid, log, user_name, host, executor, job_id) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, task, attempt) DO UPDATE SET status = 'running', pid = excluded.pid, log = excluded.log,
             executor = excluded.executor, job_id = coalesce(excluded.job_id, attempts.job_id)
           WHERE attempts.status = 'submitting'`,
        ).run(e.runId, e.task, e.attempt, e.at, e.pid, e.log, this.actor.user, this.actor.host, e.executor ?? 'local', e.jobId ?? null);
        this.stmt(`UPDATE tasks SET status = 'running', attempts = ? WHERE run_id = ? AND task = ?`).run(e.attempt, e.runId, e.task);
        return;
      case 'task-job':
        this.stmt(`UPDATE attempts SET job_id = ?, node = ? WHERE run_id = ? AND task = ? AND attempt = ?`).run(e.job.jobId, e.job.node, e.runId, e.task, e.attempt);
        return;
      case 'task-retrying':
        this.stmt(`UPDATE attempts SET status = 'failed', ended_at = ?, exit_code = ?, message = ? WHERE run_id = ? AND task = ? AND attempt = ?`).run(e.at, e.exitCode, e.reason, e.runId, e.task, e.attempt);
        this.stmt(`UPDATE tasks SET status = 'pending', exit_code = ? WHERE run_id = ? AND task = ?`).run(e.exitCode, e.runId, e.task);
        return;
      case 'task-finished':
        this.finishTask(e, true);
        return;
      case 'run-finished':
        this.stmt(`UPDATE runs SET status = ?, ended_at = ?, message = ? WHERE id = ?`).run(e.status, e.endedAt, e.message, e.runId);
        return;
      case 'task-progress':
        return; // a report, not a state
      default:
        unreachable(e);
    }
  }

  async reserveRunId(id: string): Promise<boolean> {
    const r = this.stmt('INSERT OR IGNORE INTO run_ids (id, reserved_at) VALUES (?, ?)').run(id, new Date().toISOString());
    return Number(r.changes) === 1;
  }

  async resolveRunId(ref: string, file?: string): Promise<string | undefined> {
    if (ref !== 'last') return this.stmt('SELECT id FROM runs WHERE id = ?').get(ref)?.id as string | undefined;
    const row = file ? this.stmt('SELECT id FROM runs WHERE file = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').get(file) : this.stmt('SELECT id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get();
    return row?.id as string | undefined;
  }

  async run(id: string): Promise<{ record: RunRecord; summary: RunSummary } | undefined> {
    return this.runNow(id);
  }

  /** `run` without waiting: for the end of a CLI run, which prints it at once. */
  runNow(id: string): { record: RunRecord; summary: RunSummary } | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id);
    if (!row) return undefined;
    const tasks = this.stmt(TASKS_OF_RUN).all(id).map(taskRecord);
    const summary = runSummary(row, countStatuses(tasks));
    return { record: runRecord(summary, tasks), summary };
  }

  async runs(opts: { file?: string; limit?: number; user?: string } = {}): Promise<RunSummary[]> {
    const limit = opts.limit ?? 50;
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.file) {
      where.push('file = ?');
      args.push(opts.file);
    }
    if (opts.user) {
      where.push('user_name = ?');
      args.push(opts.user);
    }
    const rows = this.stmt(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, rowid DESC LIMIT ?`).all(...args, limit);
    const count = this.stmt('SELECT status, count(*) AS n FROM tasks WHERE run_id = ? GROUP BY status');
    return rows.map((r) => {
      const counts: Partial<Record<TaskStatus, number>> = {};
      for (const c of count.all(r.id as string)) counts[c.status as TaskStatus] = Number(c.n);
      return runSummary(r, counts);
    });
  }

  async cacheEntries(file: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of this.stmt('SELECT task, fingerprint FROM cache WHERE file = ?').all(file)) out.set(r.task as string, r.fingerprint as string);
    return out;
  }

  async sharedCacheFor(tasks: readonly string[]): Promise<Map<string, SharedCacheEntry>> {
    const out = new Map<string, SharedCacheEntry>();
    // Most local histories have none: one cheap look before asking per task.
    if (!this.stmt('SELECT 1 FROM shared_cache LIMIT 1').get()) return out;
    const get = this.stmt('SELECT * FROM shared_cache WHERE task = ?');
    for (const t of tasks) for (const r of get.all(t)) out.set(r.fingerprint as string, sharedEntry(r));
    return out;
  }

  async saveSharedCache(e: SharedCacheEntry): Promise<void> {
    this.stmt(
      `INSERT INTO shared_cache (fingerprint, task, run_id, user_name, host, outputs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fingerprint) DO UPDATE SET task = excluded.task, run_id = excluded.run_id, user_name = excluded.user_name,
         host = excluded.host, outputs = excluded.outputs, created_at = excluded.created_at`,
    ).run(e.fingerprint, e.task, e.runId, e.user, e.host, JSON.stringify(e.outputs), new Date().toISOString());
  }

  async runningRuns(): Promise<OwnedRun[]> {
    return this.stmt(`SELECT id, agent_pid, agent_start FROM runs WHERE status = 'running' AND (host IS NULL OR host = ?)`)
      .all(this.actor.host)
      .map((r) => ({ id: r.id as string, agentPid: Number(r.agent_pid), agentStart: (r.agent_start as string | null) ?? null }));
  }

  async runningAttempts(runId: string): Promise<OrphanAttempt[]> {
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

  async taskLogState(runId: string, task: string): Promise<TaskLogState | undefined> {
    const r = this.stmt(
      `SELECT t.status, t.attempts, a.log FROM tasks t
       LEFT JOIN attempts a ON a.run_id = t.run_id AND a.task = t.task AND a.attempt = t.attempts
       WHERE t.run_id = ? AND t.task = ?`,
    ).get(runId, task);
    return r ? { status: r.status as TaskStatus, attempt: Number(r.attempts), log: (r.log as string | null) ?? null } : undefined;
  }

  async markInterrupted(runId: string, at: string, message: string): Promise<void> {
    this.transaction(() => {
      this.stmt(`UPDATE attempts SET status = 'interrupted', ended_at = ?, message = ? WHERE run_id = ? AND status = 'running'`).run(at, message, runId);
      this.stmt(`UPDATE tasks SET status = 'interrupted', message = ? WHERE run_id = ? AND status IN ('pending', 'running')`).run(message, runId);
      this.stmt(`UPDATE runs SET status = 'interrupted', ended_at = ?, message = ? WHERE id = ? AND status = 'running'`).run(at, message, runId);
    });
  }

  intendSubmissions(subs: readonly Submission[], at: string): void {
    if (subs.length === 0) return;
    this.transaction(() => {
      const insert = this.stmt(
        `INSERT INTO attempts (run_id, task, attempt, status, started_at, log, executor, user_name, host) VALUES (?, ?, ?, 'submitting', ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, task, attempt) DO NOTHING`,
      );
      for (const x of subs) insert.run(x.runId, x.task, x.attempt, at, x.log, x.executor, this.actor.user, this.actor.host);
    });
  }

  async clusterAttempts(runId: string): Promise<ClusterAttempt[]> {
    return this.stmt(
      `SELECT task, attempt, status, job_id, node, started_at, log FROM attempts
       WHERE run_id = ? AND executor = 'slurm' AND status IN ('submitting', 'running')`,
    )
      .all(runId)
      .map(clusterAttempt);
  }

  async runOptions(runId: string): Promise<RunOptions> {
    return runOptionsOf(this.stmt('SELECT options FROM runs WHERE id = ?').get(runId));
  }

  async claimRun(runId: string, from: OwnedRun, to: { pid: number; start: string | null }): Promise<boolean> {
    const r = this.stmt(`UPDATE runs SET agent_pid = ?, agent_start = ?, reattached_at = ? WHERE id = ? AND status = 'running' AND agent_pid = ? AND agent_start IS ?`).run(
      to.pid,
      to.start,
      new Date().toISOString(),
      runId,
      from.agentPid,
      from.agentStart,
    );
    return Number(r.changes) === 1;
  }

  async interruptLocalAttempts(runId: string, at: string, message: string): Promise<void> {
    this.transaction(() => {
      const local = `run_id = ? AND status = 'running' AND coalesce(executor, 'local') <> 'slurm'`;
      const tasks = this.stmt(`SELECT task FROM attempts WHERE ${local}`).all(runId);
      this.stmt(`UPDATE attempts SET status = 'interrupted', ended_at = ?, message = ? WHERE ${local}`).run(at, message, runId);
      const pending = this.stmt(`UPDATE tasks SET status = 'pending' WHERE run_id = ? AND task = ?`);
      for (const r of tasks) pending.run(runId, r.task as string);
    });
  }

  async claimFire(schedule: string, fireAt: string): Promise<boolean> {
    const r = this.stmt('INSERT OR IGNORE INTO schedule_claims (schedule, fire_at) VALUES (?, ?)').run(schedule, fireAt);
    return Number(r.changes) === 1;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<LeaseHolder> {
    return this.transaction(() => {
      const now = Date.now();
      this.stmt(
        `INSERT INTO leases (name, holder, user_name, host, pid, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, user_name = excluded.user_name, host = excluded.host,
           pid = excluded.pid, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
      ).run(name, holder, this.actor.user, this.actor.host, process.pid, now + ttlMs, now);
      return leaseHolder(this.stmt('SELECT * FROM leases WHERE name = ?').get(name)!);
    });
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    this.stmt('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
  }

  async info(): Promise<StoreInfo> {
    const n = (sql: string) => Number(this.stmt(sql).get()!.n);
    return {
      kind: 'sqlite',
      location: this.location,
      artifacts: this.artifacts,
      schemaVersion: SQLITE_SCHEMA_VERSION,
      counts: {
        runs: n('SELECT count(*) AS n FROM runs'),
        tasks: n('SELECT count(*) AS n FROM tasks'),
        attempts: n('SELECT count(*) AS n FROM attempts'),
        models: n('SELECT count(DISTINCT name) AS n FROM model_versions'),
        modelVersions: n('SELECT count(*) AS n FROM model_versions'),
        cacheEntries: n('SELECT count(*) AS n FROM cache'),
        sharedCacheEntries: n('SELECT count(*) AS n FROM shared_cache'),
      },
      users: this.stmt(`SELECT DISTINCT user_name || '@' || host AS u FROM runs WHERE user_name IS NOT NULL ORDER BY u`)
        .all()
        .map((r) => r.u as string),
      leases: this.stmt('SELECT * FROM leases ORDER BY name')
        .all()
        .map((r) => ({ name: r.name as string, ...leaseHolder(r) })),
    };
  }

  /** This store's id (made once, when the team-store tables were added): where migrated rows came from. */
  storeId(): string {
    return this.stmt(`SELECT value FROM store_meta WHERE key = 'id'`).get()!.value as string;
  }

  /** Every run with its tasks and attempts, the cache and uploaded outputs: what `mlops store migrate` copies. */
  exportHistory(): { runs: Row[]; tasks: Row[]; attempts: Row[]; cache: Row[]; sharedCache: Row[] } {
    const all = (sql: string) => this.stmt(sql).all() as Row[];
    return {
      runs: all('SELECT * FROM runs ORDER BY started_at, rowid'),
      tasks: all('SELECT * FROM tasks'),
      attempts: all('SELECT * FROM attempts'),
      cache: all('SELECT * FROM cache'),
      sharedCache: all('SELECT * FROM shared_cache'),
    };
  }

  override async close(): Promise<void> {
    super.close();
  }
}

type Row = Record<string, unknown>;

export function sharedEntry(r: Record<string, unknown>): SharedCacheEntry {
  return {
    fingerprint: r.fingerprint as string,
    runId: r.run_id as string,
    task: r.task as string,
    user: r.user_name as string,
    host: r.host as string,
    outputs: (typeof r.outputs === 'string' ? JSON.parse(r.outputs) : r.outputs) as SharedCacheEntry['outputs'],
  };
}

export function leaseHolder(r: Record<string, unknown>): LeaseHolder {
  return { holder: r.holder as string, user: r.user_name as string, host: r.host as string, pid: Number(r.pid), expiresAt: Number(r.expires_at) };
}
