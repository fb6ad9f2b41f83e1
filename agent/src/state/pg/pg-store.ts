import type { RunEvent, RunOptions, RunRecord, RunSummary, TaskStatus } from '../../../../core/src/protocol/agent';
import type { HashCache } from '../../fingerprint';
import { processStartToken } from '../../util/proc';
import { redactUrl } from '../config';
import { leaseHolder, sharedEntry, SqliteStore } from '../sqlite-store';
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
} from '../store';
import { isConnectionError, PgConnection, StoreError } from './connection';
import { migratePg } from './migrations';

/** How long a run waits for a team store that stopped answering before it stops (MLOPS_STORE_OUTAGE_MS). */
export function outageLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.MLOPS_STORE_OUTAGE_MS);
  return Number.isFinite(v) && v > 0 ? v : 120_000;
}

/** The database's clock in ms: one clock for every agent's leases. */
const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/**
 * The team store: runs, tasks, attempts, caches, leases and (see pg-registry.ts) models in
 * PostgreSQL, shared by every agent pointed at it; artifacts in a shared folder. Content
 * hashes of input files stay on this machine, in the local state folder's SQLite.
 *
 * Transitions arrive in batches (one per scheduler commit) and go in one statement each.
 * When the connection is lost the batch is retried — the server may be restarting — and
 * the run goes on meanwhile; only when the store has not answered for
 * `outageLimitMs` does `record` fail, and with it the run.
 */
export class PgStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly agentStart = processStartToken(process.pid);

  private constructor(
    private readonly conn: PgConnection,
    url: string,
    private readonly local: SqliteStore,
    readonly artifacts: string,
    readonly actor: Actor,
    private readonly schemaVersion: number,
  ) {
    this.location = redactUrl(url);
  }

  /** Connects and migrates; an unreachable server or a newer schema is a StoreError. */
  static async open(url: string, stateDir: string, artifacts: string, actor: Actor): Promise<PgStore> {
    const conn = new PgConnection(url);
    await conn.open();
    let version: number;
    try {
      version = await migratePg(conn, conn.where);
    } catch (e) {
      await conn.close();
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot prepare the PostgreSQL store at ${conn.where}: ${(e as Error).message}`);
    }
    return new PgStore(conn, url, SqliteStore.open(stateDir, artifacts, actor), artifacts, actor, version);
  }

  get stateDir(): string {
    return this.local.stateDir;
  }

  get hashes(): HashCache {
    return this.local.hashes;
  }

  runDir(runId: string): string {
    return runDirIn(this.artifacts, runId);
  }

  logPath(runId: string, task: string): string {
    return logPathIn(this.artifacts, runId, task);
  }

  async record(events: readonly RunEvent[]): Promise<void> {
    // Progress is reported, never stored (mlops_record knows only the state events).
    const states = events.filter((e) => e.type !== 'task-progress');
    if (states.length === 0) return;
    const args = [JSON.stringify(states), process.pid, this.agentStart, this.actor.user, this.actor.host];
    await this.retrying(() => this.conn.query('SELECT mlops_record($1::jsonb, $2, $3, $4, $5)', args));
  }

  /** Retries `fn` while the connection is down, up to the outage limit; other errors at once. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    let since: number | null = null;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await fn();
      } catch (e) {
        if (!isConnectionError(e)) throw e;
        since ??= Date.now();
        const limit = outageLimitMs();
        if (Date.now() - since >= limit) {
          throw new StoreError(`the PostgreSQL store at ${this.conn.where} has not answered for ${Math.round(limit / 1000)} s (${(e as Error).message}); the run stops here, and what was recorded before stays recorded.`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async reserveRunId(id: string): Promise<boolean> {
    const rows = await this.conn.query('INSERT INTO run_ids (id, reserved_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [id, new Date().toISOString()]);
    return rows.length === 1;
  }

  async resolveRunId(ref: string, file?: string): Promise<string | undefined> {
    const rows =
      ref !== 'last'
        ? await this.conn.query('SELECT id FROM runs WHERE id = $1', [ref])
        : file
          ? await this.conn.query('SELECT id FROM runs WHERE file = $1 ORDER BY started_at DESC, seq DESC LIMIT 1', [file])
          : await this.conn.query('SELECT id FROM runs ORDER BY started_at DESC, seq DESC LIMIT 1');
    return rows[0]?.id as string | undefined;
  }

  async run(id: string): Promise<{ record: RunRecord; summary: RunSummary } | undefined> {
    const [row] = await this.conn.query('SELECT * FROM runs WHERE id = $1', [id]);
    if (!row) return undefined;
    const tasks = (await this.conn.query(TASKS_OF_RUN.replace('?', '$1'), [id])).map(taskRecord);
    const summary = runSummary(row, countStatuses(tasks));
    return { record: runRecord(summary, tasks), summary };
  }

  async runs(opts: { file?: string; limit?: number; user?: string } = {}): Promise<RunSummary[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.file) where.push(`file = $${args.push(opts.file)}`);
    if (opts.user) where.push(`user_name = $${args.push(opts.user)}`);
    const limit = `$${args.push(opts.limit ?? 50)}`;
    const rows = await this.conn.query(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, seq DESC LIMIT ${limit}`, args);
    if (rows.length === 0) return [];
    const counts = new Map<string, Partial<Record<TaskStatus, number>>>();
    const ids = rows.map((r) => r.id as string);
    for (const c of await this.conn.query('SELECT run_id, status, count(*) AS n FROM tasks WHERE run_id = ANY($1) GROUP BY run_id, status', [ids])) {
      const m = counts.get(c.run_id as string) ?? {};
      m[c.status as TaskStatus] = Number(c.n);
      counts.set(c.run_id as string, m);
    }
    return rows.map((r) => runSummary(r, counts.get(r.id as string) ?? {}));
  }

  async cacheEntries(file: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of await this.conn.query('SELECT task, fingerprint FROM cache WHERE file = $1', [file])) out.set(r.task as string, r.fingerprint as string);
    return out;
  }

  async sharedCacheFor(tasks: readonly string[]): Promise<Map<string, SharedCacheEntry>> {
    const out = new Map<string, SharedCacheEntry>();
    if (tasks.length === 0) return out;
    for (const r of await this.conn.query('SELECT * FROM shared_cache WHERE task = ANY($1)', [tasks])) out.set(r.fingerprint as string, sharedEntry(r));
    return out;
  }

  async saveSharedCache(e: SharedCacheEntry): Promise<void> {
    await this.conn.query(
      `INSERT INTO shared_cache (fingerprint, task, run_id, user_name, host, outputs, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (fingerprint) DO UPDATE SET task = EXCLUDED.task, run_id = EXCLUDED.run_id, user_name = EXCLUDED.user_name,
         host = EXCLUDED.host, outputs = EXCLUDED.outputs, created_at = EXCLUDED.created_at`,
      [e.fingerprint, e.task, e.runId, e.user, e.host, JSON.stringify(e.outputs), new Date().toISOString()],
    );
  }

  async runningRuns(): Promise<OwnedRun[]> {
    const rows = await this.conn.query(`SELECT id, agent_pid, agent_start FROM runs WHERE status = 'running' AND host = $1`, [this.actor.host]);
    return rows.map((r) => ({ id: r.id as string, agentPid: Number(r.agent_pid), agentStart: (r.agent_start as string | null) ?? null }));
  }

  async runningAttempts(runId: string): Promise<OrphanAttempt[]> {
    const rows = await this.conn.query(`SELECT task, attempt, pid, log FROM attempts WHERE run_id = $1 AND status = 'running'`, [runId]);
    return rows.map((r) => ({ runId, task: r.task as string, attempt: Number(r.attempt), pid: r.pid === null ? null : Number(r.pid), log: (r.log as string | null) ?? null }));
  }

  async taskLogState(runId: string, task: string): Promise<TaskLogState | undefined> {
    const [r] = await this.conn.query(
      `SELECT t.status, t.attempts, a.log FROM tasks t
       LEFT JOIN attempts a ON a.run_id = t.run_id AND a.task = t.task AND a.attempt = t.attempts
       WHERE t.run_id = $1 AND t.task = $2`,
      [runId, task],
    );
    return r ? { status: r.status as TaskStatus, attempt: Number(r.attempts), log: (r.log as string | null) ?? null } : undefined;
  }

  async markInterrupted(runId: string, at: string, message: string): Promise<void> {
    await this.conn.transaction(async (q) => {
      await q(`UPDATE attempts SET status = 'interrupted', ended_at = $1, message = $2 WHERE run_id = $3 AND status = 'running'`, [at, message, runId]);
      await q(`UPDATE tasks SET status = 'interrupted', message = $1 WHERE run_id = $2 AND status IN ('pending', 'running')`, [message, runId]);
      await q(`UPDATE runs SET status = 'interrupted', ended_at = $1, message = $2 WHERE id = $3 AND status = 'running'`, [at, message, runId]);
    });
  }

  async intendSubmissions(subs: readonly Submission[], at: string): Promise<void> {
    if (subs.length === 0) return;
    await this.retrying(() =>
      this.conn.query(
        `INSERT INTO attempts (run_id, task, attempt, status, started_at, log, executor, user_name, host)
         SELECT x->>'runId', x->>'task', (x->>'attempt')::integer, 'submitting', $2, x->>'log', x->>'executor', $3, $4
         FROM jsonb_array_elements($1::jsonb) AS x
         ON CONFLICT (run_id, task, attempt) DO NOTHING`,
        [JSON.stringify(subs), at, this.actor.user, this.actor.host],
      ),
    );
  }

  async clusterAttempts(runId: string): Promise<ClusterAttempt[]> {
    const rows = await this.conn.query(
      `SELECT task, attempt, status, job_id, node, started_at, log FROM attempts
       WHERE run_id = $1 AND executor = 'slurm' AND status IN ('submitting', 'running')`,
      [runId],
    );
    return rows.map(clusterAttempt);
  }

  async runOptions(runId: string): Promise<RunOptions> {
    return runOptionsOf((await this.conn.query('SELECT options FROM runs WHERE id = $1', [runId]))[0]);
  }

  async claimRun(runId: string, from: OwnedRun, to: { pid: number; start: string | null }): Promise<boolean> {
    const rows = await this.conn.query(
      `UPDATE runs SET agent_pid = $1, agent_start = $2, reattached_at = $3
       WHERE id = $4 AND status = 'running' AND agent_pid = $5 AND agent_start IS NOT DISTINCT FROM $6 RETURNING id`,
      [to.pid, to.start, new Date().toISOString(), runId, from.agentPid, from.agentStart],
    );
    return rows.length === 1;
  }

  async interruptLocalAttempts(runId: string, at: string, message: string): Promise<void> {
    await this.conn.transaction(async (q) => {
      const local = `run_id = $1 AND status = 'running' AND coalesce(executor, 'local') <> 'slurm'`;
      const rows = await q(`UPDATE attempts SET status = 'interrupted', ended_at = $2, message = $3 WHERE ${local} RETURNING task`, [runId, at, message]);
      if (rows.length > 0) await q(`UPDATE tasks SET status = 'pending' WHERE run_id = $1 AND task = ANY($2)`, [runId, rows.map((r) => r.task)]);
    });
  }

  async claimFire(schedule: string, fireAt: string): Promise<boolean> {
    const rows = await this.conn.query('INSERT INTO schedule_claims (schedule, fire_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING schedule', [schedule, fireAt]);
    return rows.length === 1;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<LeaseHolder> {
    const mine = await this.conn.query(
      `INSERT INTO leases (name, holder, user_name, host, pid, expires_at) VALUES ($1, $2, $3, $4, $5, ${NOW_MS} + $6)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, user_name = EXCLUDED.user_name, host = EXCLUDED.host,
         pid = EXCLUDED.pid, expires_at = EXCLUDED.expires_at
       WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < ${NOW_MS}
       RETURNING *`,
      [name, holder, this.actor.user, this.actor.host, process.pid, Math.round(ttlMs)],
    );
    const row = mine[0] ?? (await this.conn.query('SELECT * FROM leases WHERE name = $1', [name]))[0]!;
    return leaseHolder(row);
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.conn.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async info(): Promise<StoreInfo> {
    const [c] = await this.conn.query(`SELECT
      (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM attempts) AS attempts,
      (SELECT count(DISTINCT name) FROM model_versions) AS models, (SELECT count(*) FROM model_versions) AS versions,
      (SELECT count(*) FROM cache) AS cache, (SELECT count(*) FROM shared_cache) AS shared`);
    const users = await this.conn.query(`SELECT DISTINCT user_name || '@' || host AS u FROM runs WHERE user_name IS NOT NULL ORDER BY u`);
    const leases = await this.conn.query('SELECT * FROM leases ORDER BY name');
    return {
      kind: 'postgres',
      location: this.location,
      artifacts: this.artifacts,
      schemaVersion: this.schemaVersion,
      counts: {
        runs: Number(c!.runs),
        tasks: Number(c!.tasks),
        attempts: Number(c!.attempts),
        models: Number(c!.models),
        modelVersions: Number(c!.versions),
        cacheEntries: Number(c!.cache),
        sharedCacheEntries: Number(c!.shared),
      },
      users: users.map((u) => u.u as string),
      leases: leases.map((r) => ({ name: r.name as string, ...leaseHolder(r) })),
    };
  }

  /** One transaction on the store's connection (for `mlops store migrate`). */
  transaction<T>(fn: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
    return this.conn.transaction(fn);
  }

  async close(): Promise<void> {
    await this.conn.close();
    await this.local.close();
  }
}

/** A local history's rows, as `mlops store migrate` copies them. */
export interface HistoryRows {
  runs: Record<string, unknown>[];
  tasks: Record<string, unknown>[];
  attempts: Record<string, unknown>[];
  cache: Record<string, unknown>[];
  sharedCache: Record<string, unknown>[];
}

const COLUMNS = {
  runs: 'id, pipeline, file, path, status, started_at, ended_at, params, resumed_from, trigger, message, agent_pid, agent_start, user_name, host, options, reattached_at',
  tasks: 'run_id, task, position, status, attempts, exit_code, duration_ms, cached, fingerprint, message',
  attempts: 'run_id, task, attempt, status, started_at, ended_at, exit_code, pid, message, log, user_name, host, executor, job_id, node',
  cache: 'file, task, fingerprint, run_id',
  shared_cache: 'fingerprint, task, run_id, user_name, host, outputs, created_at',
};

/**
 * Copies a local history into the team store in one transaction; rows it already has are
 * kept as they are, so copying twice changes nothing. Returns how many runs were new.
 */
export async function importHistory(store: PgStore, h: HistoryRows): Promise<number> {
  return store.transaction(async (q) => {
    const put = async (table: keyof typeof COLUMNS, rows: Record<string, unknown>[]) => {
      if (rows.length === 0) return 0;
      const cols = COLUMNS[table];
      const r = await q(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb) ON CONFLICT DO NOTHING RETURNING 1`, [JSON.stringify(rows)]);
      return r.length;
    };
    const added = await put(
      'runs',
      h.runs.map((r) => ({ ...r, params: typeof r.params === 'string' ? JSON.parse(r.params) : r.params, options: typeof r.options === 'string' ? JSON.parse(r.options) : r.options })),
    );
    await q(`INSERT INTO run_ids (id, reserved_at) SELECT x->>'id', x->>'started_at' FROM jsonb_array_elements($1::jsonb) AS x ON CONFLICT DO NOTHING`, [JSON.stringify(h.runs)]);
    await put(
      'tasks',
      h.tasks.map((t) => ({ ...t, cached: t.cached === 1 || t.cached === true })),
    );
    await put('attempts', h.attempts);
    await put('cache', h.cache);
    await put(
      'shared_cache',
      h.sharedCache.map((s) => ({ ...s, outputs: typeof s.outputs === 'string' ? JSON.parse(s.outputs) : s.outputs })),
    );
    return added;
  });
}
