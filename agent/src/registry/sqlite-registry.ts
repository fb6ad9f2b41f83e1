import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkAlias, checkTagKey, type ModelArtifacts, type ModelVersion } from '../../../core/src/catalog/index';
import { createStateDb, openExistingStateDb, StateDb } from '../state/sqlite';
import { makeDirs } from '../util/files';
import { err, ok, type Result } from '../../../core/src/result';
import { CHANGED_FILE, RegistrySnapshot, type Provenance, type Registry, type SnapshotRows } from './registry';

/**
 * The model store in the state folder's SQLite database. It opens its own connection, so it
 * works beside a running store (WAL mode, busy timeout) without sharing its statements;
 * SQLite's write lock serializes registrations, also across processes.
 */
export class SqliteRegistry extends StateDb implements Registry {
  private constructor(
    stateDir: string,
    db: ReturnType<typeof createStateDb>,
    readonly artifacts: string,
  ) {
    super(stateDir, db);
  }

  /** Opens the registry, creating the state folder and database when needed. */
  static open(stateDir: string, artifacts: string): SqliteRegistry {
    return new SqliteRegistry(stateDir, createStateDb(stateDir), artifacts);
  }

  /** Opens an existing registry for reading; undefined when the folder has no database yet. */
  static openExisting(stateDir: string, artifacts: string): SqliteRegistry | undefined {
    const db = openExistingStateDb(stateDir);
    return db && new SqliteRegistry(stateDir, db, artifacts);
  }

  /** One write transaction, then the hint that editors should refresh. */
  private write<T>(fn: () => T): T {
    const out = this.transaction(fn);
    touchChanged(this.stateDir);
    return out;
  }

  async snapshot(): Promise<RegistrySnapshot> {
    return new RegistrySnapshot(this.rows());
  }

  /** The raw rows, oldest version first: what `mlops store migrate` copies. */
  rows(): SnapshotRows {
    return {
      versions: this.stmt('SELECT * FROM model_versions ORDER BY name, version').all(),
      aliases: this.stmt('SELECT name, alias, version FROM model_aliases').all(),
      tags: this.stmt('SELECT name, version, key, value FROM model_tags').all(),
      features: this.stmt('SELECT name, version, view, fingerprint FROM model_features').all(),
    };
  }

  async register(name: string, artifacts: ModelArtifacts, from: Provenance): Promise<ModelVersion> {
    const version = this.write(() => {
      if (from.origin) {
        const known = this.stmt('SELECT version FROM model_versions WHERE origin = ?').get(from.origin);
        if (known) return Number(known.version);
      }
      const next = Number(this.stmt('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = ?').get(name)!.v);
      this.stmt('INSERT INTO model_versions (name, version, created_at, run_id, task, root, record, user_name, host, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        name,
        next,
        from.createdAt,
        from.runId,
        from.task,
        from.root,
        JSON.stringify(artifacts),
        from.by.user,
        from.by.host,
        from.origin ?? null,
      );
      const feat = this.stmt('INSERT OR IGNORE INTO model_features (name, version, view, fingerprint) VALUES (?, ?, ?, ?)');
      for (const f of artifacts.data.features) feat.run(name, next, f.view, f.fingerprint);
      return next;
    });
    return (await this.snapshot()).get(name, version)!;
  }

  async setAlias(name: string, version: number, alias: string): Promise<Result<{ previous: number | null }>> {
    const valid = checkAlias(alias);
    if (!valid.ok) return valid;
    const previous = this.write(() => {
      if (!this.stmt('SELECT 1 FROM model_versions WHERE name = ? AND version = ?').get(name, version)) return undefined;
      const old = this.stmt('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias);
      this.stmt(
        `INSERT INTO model_aliases (name, alias, version, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, set_at = excluded.set_at`,
      ).run(name, alias, version, new Date().toISOString());
      return old ? Number(old.version) : null;
    });
    return previous === undefined ? err(`${name} has no version ${version}.`) : ok({ previous });
  }

  async setTag(name: string, version: number, key: string, value: string): Promise<Result<void>> {
    const valid = checkTagKey(key);
    if (!valid.ok) return valid;
    const found = this.write(() => {
      if (!this.stmt('SELECT 1 FROM model_versions WHERE name = ? AND version = ?').get(name, version)) return false;
      this.stmt(
        `INSERT INTO model_tags (name, version, key, value, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value, set_at = excluded.set_at`,
      ).run(name, version, key, value, new Date().toISOString());
      return true;
    });
    return found ? ok(undefined) : err(`${name} has no version ${version}.`);
  }

  override async close(): Promise<void> {
    super.close();
  }
}

/** Touches the refresh hint editors watch; failing to is harmless (the change is committed). */
export function touchChanged(stateDir: string): void {
  try {
    makeDirs(stateDir);
    fs.writeFileSync(path.join(stateDir, CHANGED_FILE), `${new Date().toISOString()}\n`);
  } catch {
    // Only a refresh hint for editors.
  }
}
