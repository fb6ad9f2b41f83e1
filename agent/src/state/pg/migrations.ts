import { StoreError, type PgConnection } from './connection';

/**
 * The team store's schema, one entry per version; `mlops_schema.version` records how many
 * have been applied. Append only: a released migration never changes. The tables mirror
 * the SQLite store's (state/migrations.ts), so a history can be copied from one to the other.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    file TEXT NOT NULL,
    path TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    params JSONB NOT NULL,
    resumed_from TEXT,
    trigger TEXT NOT NULL,
    message TEXT,
    agent_pid INTEGER NOT NULL,
    agent_start TEXT,
    user_name TEXT,
    host TEXT,
    -- Insertion order, to break ties between runs started in the same millisecond.
    seq BIGSERIAL NOT NULL
  );
  CREATE INDEX runs_by_file ON runs (file, started_at);
  CREATE INDEX runs_by_started ON runs (started_at DESC, seq DESC);
  CREATE INDEX runs_by_status ON runs (status, host);
  CREATE INDEX runs_by_user ON runs (user_name, started_at);

  CREATE TABLE tasks (
    run_id TEXT NOT NULL REFERENCES runs (id),
    task TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    duration_ms BIGINT,
    cached BOOLEAN NOT NULL DEFAULT false,
    fingerprint TEXT,
    message TEXT,
    PRIMARY KEY (run_id, task)
  );

  CREATE TABLE attempts (
    run_id TEXT NOT NULL,
    task TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    exit_code INTEGER,
    pid INTEGER,
    message TEXT,
    log TEXT,
    user_name TEXT,
    host TEXT,
    PRIMARY KEY (run_id, task, attempt),
    FOREIGN KEY (run_id, task) REFERENCES tasks (run_id, task)
  );

  CREATE TABLE run_ids (
    id TEXT PRIMARY KEY,
    reserved_at TEXT NOT NULL
  );

  CREATE TABLE cache (
    file TEXT NOT NULL,
    task TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (file, task)
  );

  CREATE TABLE shared_cache (
    fingerprint TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    run_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    host TEXT NOT NULL,
    outputs JSONB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX shared_cache_by_task ON shared_cache (task);

  CREATE TABLE schedule_claims (
    schedule TEXT NOT NULL,
    fire_at TEXT NOT NULL,
    PRIMARY KEY (schedule, fire_at)
  );

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    user_name TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    -- Milliseconds since the epoch by the database's clock, the one clock every agent shares.
    expires_at BIGINT NOT NULL
  );

  CREATE TABLE model_versions (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    run_id TEXT,
    task TEXT,
    root TEXT,
    record JSONB NOT NULL,
    user_name TEXT,
    host TEXT,
    origin TEXT UNIQUE,
    PRIMARY KEY (name, version)
  );
  CREATE INDEX model_versions_by_run ON model_versions (run_id);

  CREATE TABLE model_aliases (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
  );

  CREATE TABLE model_tags (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
  );

  CREATE TABLE model_features (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    view TEXT NOT NULL,
    fingerprint TEXT,
    PRIMARY KEY (name, version, view)
  );
  CREATE INDEX model_features_by_view ON model_features (view);

  CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO store_meta (key, value) VALUES ('id', md5(random()::text || clock_timestamp()::text));

  -- A scheduler tick's transitions in one statement: one round trip per commit, whatever
  -- their number. Inserts ignore rows that exist, so a batch resent after a lost reply
  -- (committed, but the answer never came) changes nothing.
  CREATE FUNCTION mlops_record(events JSONB, agent_pid INTEGER, agent_start TEXT, who TEXT, machine TEXT) RETURNS void
  LANGUAGE plpgsql AS $fn$
  DECLARE
    e JSONB;
  BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(events) LOOP
      CASE e->>'type'
      WHEN 'run-started' THEN
        INSERT INTO runs (id, pipeline, file, path, status, started_at, params, resumed_from, trigger, agent_pid, agent_start, user_name, host)
        VALUES (e->>'runId', e->>'pipeline', e->>'file', e->>'path', 'running', e->>'startedAt', e->'params', e->>'resumedFrom', e->>'trigger',
                agent_pid, agent_start, who, machine)
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO tasks (run_id, task, position, status)
        SELECT e->>'runId', t.value, (t.n - 1)::integer, 'pending' FROM jsonb_array_elements_text(e->'tasks') WITH ORDINALITY AS t(value, n)
        ON CONFLICT (run_id, task) DO NOTHING;
      WHEN 'task-started' THEN
        INSERT INTO attempts (run_id, task, attempt, status, started_at, pid, log, user_name, host)
        VALUES (e->>'runId', e->>'task', (e->>'attempt')::integer, 'running', e->>'at', (e->>'pid')::integer, e->>'log', who, machine)
        ON CONFLICT (run_id, task, attempt) DO NOTHING;
        UPDATE tasks SET status = 'running', attempts = (e->>'attempt')::integer WHERE run_id = e->>'runId' AND task = e->>'task';
      WHEN 'task-retrying' THEN
        UPDATE attempts SET status = 'failed', ended_at = e->>'at', exit_code = (e->>'exitCode')::integer, message = e->>'reason'
        WHERE run_id = e->>'runId' AND task = e->>'task' AND attempt = (e->>'attempt')::integer;
        UPDATE tasks SET status = 'pending', exit_code = (e->>'exitCode')::integer WHERE run_id = e->>'runId' AND task = e->>'task';
      WHEN 'task-finished' THEN
        UPDATE tasks SET status = e->>'status', attempts = (e->>'attempts')::integer, exit_code = (e->>'exitCode')::integer,
          duration_ms = (e->>'durationMs')::bigint, cached = (e->>'cached')::boolean, fingerprint = e->>'fingerprint', message = e->>'message'
        WHERE run_id = e->>'runId' AND task = e->>'task';
        IF (e->>'attempts')::integer > 0 THEN
          UPDATE attempts SET status = e->>'status', ended_at = e->>'at', exit_code = (e->>'exitCode')::integer, message = e->>'message'
          WHERE run_id = e->>'runId' AND task = e->>'task' AND attempt = (e->>'attempts')::integer AND status = 'running';
        END IF;
        IF e->>'status' = 'succeeded' AND e->>'fingerprint' IS NOT NULL THEN
          INSERT INTO cache (file, task, fingerprint, run_id) SELECT file, e->>'task', e->>'fingerprint', id FROM runs WHERE id = e->>'runId'
          ON CONFLICT (file, task) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id;
        END IF;
      WHEN 'run-finished' THEN
        UPDATE runs SET status = e->>'status', ended_at = e->>'endedAt', message = e->>'message' WHERE id = e->>'runId';
      END CASE;
    END LOOP;
  END
  $fn$;
  `,
  // 2: cluster execution (Slurm), as the SQLite store's migration 5: where an attempt ran,
  // its job and node; an attempt written as 'submitting' before sbatch runs; how a run was
  // asked to run and when another agent took it over. mlops_record learns the two new
  // events and fills the new columns; an event it does not know is skipped, not an error.
  `
  ALTER TABLE attempts ADD COLUMN executor TEXT;
  ALTER TABLE attempts ADD COLUMN job_id TEXT;
  ALTER TABLE attempts ADD COLUMN node TEXT;
  ALTER TABLE runs ADD COLUMN options JSONB;
  ALTER TABLE runs ADD COLUMN reattached_at TEXT;

  CREATE OR REPLACE FUNCTION mlops_record(events JSONB, agent_pid INTEGER, agent_start TEXT, who TEXT, machine TEXT) RETURNS void
  LANGUAGE plpgsql AS $fn$
  DECLARE
    e JSONB;
  BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(events) LOOP
      CASE e->>'type'
      WHEN 'run-started' THEN
        INSERT INTO runs (id, pipeline, file, path, status, started_at, params, resumed_from, trigger, agent_pid, agent_start, user_name, host, options)
        VALUES (e->>'runId', e->>'pipeline', e->>'file', e->>'path', 'running', e->>'startedAt', e->'params', e->>'resumedFrom', e->>'trigger',
                agent_pid, agent_start, who, machine, coalesce(e->'options', '{}'::jsonb))
        ON CONFLICT (id) DO NOTHING;
        INSERT INTO tasks (run_id, task, position, status)
        SELECT e->>'runId', t.value, (t.n - 1)::integer, 'pending' FROM jsonb_array_elements_text(e->'tasks') WITH ORDINALITY AS t(value, n)
        ON CONFLICT (run_id, task) DO NOTHING;
      WHEN 'run-reattached' THEN
        UPDATE runs SET reattached_at = e->>'at' WHERE id = e->>'runId';
      WHEN 'task-started' THEN
        -- A cluster attempt's row exists already ('submitting', written before sbatch ran).
        INSERT INTO attempts (run_id, task, attempt, status, started_at, pid, log, user_name, host, executor, job_id)
        VALUES (e->>'runId', e->>'task', (e->>'attempt')::integer, 'running', e->>'at', (e->>'pid')::integer, e->>'log', who, machine,
                coalesce(e->>'executor', 'local'), e->>'jobId')
        ON CONFLICT (run_id, task, attempt) DO UPDATE SET status = 'running', pid = EXCLUDED.pid, log = EXCLUDED.log,
          executor = EXCLUDED.executor, job_id = coalesce(EXCLUDED.job_id, attempts.job_id)
        WHERE attempts.status = 'submitting';
        UPDATE tasks SET status = 'running', attempts = (e->>'attempt')::integer WHERE run_id = e->>'runId' AND task = e->>'task';
      WHEN 'task-job' THEN
        UPDATE attempts SET job_id = e->'job'->>'jobId', node = e->'job'->>'node'
        WHERE run_id = e->>'runId' AND task = e->>'task' AND attempt = (e->>'attempt')::integer;
      WHEN 'task-retrying' THEN
        UPDATE attempts SET status = 'failed', ended_at = e->>'at', exit_code = (e->>'exitCode')::integer, message = e->>'reason'
        WHERE run_id = e->>'runId' AND task = e->>'task' AND attempt = (e->>'attempt')::integer;
        UPDATE tasks SET status = 'pending', exit_code = (e->>'exitCode')::integer WHERE run_id = e->>'runId' AND task = e->>'task';
      WHEN 'task-finished' THEN
        UPDATE tasks SET status = e->>'status', attempts = (e->>'attempts')::integer, exit_code = (e->>'exitCode')::integer,
          duration_ms = (e->>'durationMs')::bigint, cached = (e->>'cached')::boolean, fingerprint = e->>'fingerprint', message = e->>'message'
        WHERE run_id = e->>'runId' AND task = e->>'task';
        IF (e->>'attempts')::integer > 0 THEN
          UPDATE attempts SET status = e->>'status', ended_at = e->>'at', exit_code = (e->>'exitCode')::integer, message = e->>'message'
          WHERE run_id = e->>'runId' AND task = e->>'task' AND attempt = (e->>'attempts')::integer AND status IN ('running', 'submitting');
        END IF;
        IF e->>'status' = 'succeeded' AND e->>'fingerprint' IS NOT NULL THEN
          INSERT INTO cache (file, task, fingerprint, run_id) SELECT file, e->>'task', e->>'fingerprint', id FROM runs WHERE id = e->>'runId'
          ON CONFLICT (file, task) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id;
        END IF;
      WHEN 'run-finished' THEN
        UPDATE runs SET status = e->>'status', ended_at = e->>'endedAt', message = e->>'message' WHERE id = e->>'runId';
      ELSE
        NULL;
      END CASE;
    END LOOP;
  END
  $fn$;
  `,
];

/** The schema version this program writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the team store up to the current schema. An advisory lock makes agents that open
 * a new store at once migrate it one after the other; a store newer than this program is
 * refused, since writing to it could lose what the newer version keeps.
 */
export async function migratePg(conn: PgConnection, where: string): Promise<number> {
  return conn.transaction(async (q) => {
    await q(`SELECT pg_advisory_xact_lock(hashtext('mlops.migrate'))`);
    await q('CREATE TABLE IF NOT EXISTS mlops_schema (version INTEGER NOT NULL)');
    const rows = await q('SELECT version FROM mlops_schema');
    if (rows.length === 0) await q('INSERT INTO mlops_schema (version) VALUES (0)');
    let v = rows.length === 0 ? 0 : Number(rows[0]!.version);
    if (v > MIGRATIONS.length) {
      throw new StoreError(`The team store at ${where} has schema version ${v}, newer than this mlops knows (${MIGRATIONS.length}); upgrade mlops, or use another store.`);
    }
    for (; v < MIGRATIONS.length; v++) await q(MIGRATIONS[v]!);
    await q('UPDATE mlops_schema SET version = $1', [v]);
    return v;
  });
}
