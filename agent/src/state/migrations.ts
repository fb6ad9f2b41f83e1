import type { DatabaseSync } from 'node:sqlite';
import { StoreError } from './errors';

/**
 * The schema, one entry per version; `PRAGMA user_version` records how many have been
 * applied. Append only: a released migration never changes.
 */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    file TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    params TEXT NOT NULL,
    resumed_from TEXT,
    trigger TEXT NOT NULL,
    message TEXT,
    -- The process that drives the run, and its start time, so a later agent can tell a
    -- live owner from a dead one whose pid was reused.
    agent_pid INTEGER NOT NULL,
    agent_start TEXT
  );
  CREATE INDEX runs_by_file ON runs (file, started_at);
  CREATE INDEX runs_by_status ON runs (status);

  CREATE TABLE tasks (
    run_id TEXT NOT NULL REFERENCES runs (id),
    task TEXT NOT NULL,
    position INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER,
    duration_ms INTEGER,
    cached INTEGER NOT NULL DEFAULT 0,
    fingerprint TEXT,
    message TEXT,
    PRIMARY KEY (run_id, task)
  ) WITHOUT ROWID;

  CREATE TABLE attempts (
    run_id TEXT NOT NULL,
    task TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    exit_code INTEGER,
    -- Process group id of a local task (its leader's pid); what recovery kills.
    pid INTEGER,
    message TEXT,
    PRIMARY KEY (run_id, task, attempt),
    FOREIGN KEY (run_id, task) REFERENCES tasks (run_id, task)
  ) WITHOUT ROWID;

  -- The fingerprint of each task's last successful execution, per pipeline file.
  CREATE TABLE cache (
    file TEXT NOT NULL,
    task TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (file, task)
  ) WITHOUT ROWID;

  -- Content hashes of input files, reused while size and mtime are unchanged.
  CREATE TABLE file_hashes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns TEXT NOT NULL,
    hash TEXT NOT NULL
  ) WITHOUT ROWID;

  -- One row per schedule fire, so two agents on one workspace never fire it twice.
  CREATE TABLE schedule_fires (
    file TEXT NOT NULL,
    cron TEXT NOT NULL,
    fire_at TEXT NOT NULL,
    run_id TEXT,
    PRIMARY KEY (file, cron, fire_at)
  ) WITHOUT ROWID;
  `,
  // 2: the model store. A version's eight artifact kinds are one JSON document written once
  // (versions never change); aliases and later tags live beside it because they move.
  `
  CREATE TABLE model_versions (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    run_id TEXT,
    task TEXT,
    -- The workspace root the record's relative paths start from.
    root TEXT,
    record TEXT NOT NULL,
    PRIMARY KEY (name, version)
  ) WITHOUT ROWID;
  CREATE INDEX model_versions_by_run ON model_versions (run_id);

  CREATE TABLE model_aliases (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
  ) WITHOUT ROWID;

  CREATE TABLE model_tags (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    set_at TEXT NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
  ) WITHOUT ROWID;

  -- The feature views each version read, for "used by" in the feature catalog.
  CREATE TABLE model_features (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    view TEXT NOT NULL,
    fingerprint TEXT,
    PRIMARY KEY (name, version, view)
  ) WITHOUT ROWID;
  CREATE INDEX model_features_by_view ON model_features (view);
  `,
  // 3: where a running attempt writes its output (a log lane until the task ends, see local.ts).
  `
  ALTER TABLE attempts ADD COLUMN log TEXT;
  `,
  // 4: the team store's additions, kept in both stores so either can be copied into the other:
  // who and where, run ids reserved before use, uploaded outputs, schedule claims by a key the
  // same in every working copy, leases, and where a migrated model version came from.
  `
  ALTER TABLE runs ADD COLUMN user_name TEXT;
  ALTER TABLE runs ADD COLUMN host TEXT;
  ALTER TABLE runs ADD COLUMN path TEXT;
  ALTER TABLE attempts ADD COLUMN user_name TEXT;
  ALTER TABLE attempts ADD COLUMN host TEXT;
  ALTER TABLE model_versions ADD COLUMN user_name TEXT;
  ALTER TABLE model_versions ADD COLUMN host TEXT;
  ALTER TABLE model_versions ADD COLUMN origin TEXT;
  CREATE UNIQUE INDEX model_versions_by_origin ON model_versions (origin) WHERE origin IS NOT NULL;
  CREATE INDEX runs_by_user ON runs (user_name, started_at);

  CREATE TABLE run_ids (
    id TEXT PRIMARY KEY,
    reserved_at TEXT NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO run_ids (id, reserved_at) SELECT id, started_at FROM runs;

  CREATE TABLE shared_cache (
    fingerprint TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    run_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    host TEXT NOT NULL,
    outputs TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE schedule_claims (
    schedule TEXT NOT NULL,
    fire_at TEXT NOT NULL,
    PRIMARY KEY (schedule, fire_at)
  ) WITHOUT ROWID;

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    user_name TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO store_meta (key, value) VALUES ('id', lower(hex(randomblob(16))));
  `,
  // 5: cluster execution (Slurm). An attempt records where it ran and, for a Slurm job, its
  // id and node. A Slurm attempt's row is written with status 'submitting' before sbatch
  // runs, so an agent that dies in between never submits that attempt again: the next one
  // finds the job by its name and comment. A run keeps how it was asked to run (options)
  // and when another agent took it over (reattached_at). The team store has the same
  // columns (pg/migrations.ts).
  `
  ALTER TABLE attempts ADD COLUMN executor TEXT;
  ALTER TABLE attempts ADD COLUMN job_id TEXT;
  ALTER TABLE attempts ADD COLUMN node TEXT;
  ALTER TABLE runs ADD COLUMN options TEXT;
  ALTER TABLE runs ADD COLUMN reattached_at TEXT;
  `,
];

/** The schema version this program writes. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database up to the current schema. The version is read inside the write
 * transaction, so two agents opening a new state folder at once do not both migrate.
 */
/** The schema version this mlops writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const v = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      if (v > MIGRATIONS.length) {
        throw new StoreError(`The state database has schema version ${v}, newer than this mlops knows (${MIGRATIONS.length}); upgrade mlops or use another --state-dir.`);
      }
      if (v === MIGRATIONS.length) {
        db.exec('COMMIT');
        return;
      }
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (e) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // Rolled back already (a full disk does that); the first error is the one to report.
      }
      throw e;
    }
  }
}
