import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALIAS_PATTERN, orderedVersion, type ModelArtifacts, type ModelRef, type ModelVersion } from '../../../core/src/catalog/index';
import { createStateDb, openExistingStateDb, StateDb } from '../state/sqlite';
import { err, ok, type Result } from '../util/result';

/** Touched after every change, so editors can refresh their model views cheaply. */
export const CHANGED_FILE = 'registry.changed';

/** What identifies where a version came from, besides its artifacts. */
export interface Provenance {
  runId: string | null;
  task: string | null;
  /** Absolute workspace root the artifacts' relative paths start from. */
  root: string | null;
  createdAt: string;
}

/** A model and its versions, newest first, for listings. */
export interface ModelEntry {
  name: string;
  versions: ModelVersion[];
}

type Row = Record<string, unknown>;

/**
 * The model store in the agent's SQLite database: versions (written once), aliases (which
 * move) and tags added later. It opens its own connection to the state database, so it
 * works beside a running Store (WAL mode, busy timeout) without sharing its statements.
 */
export class Registry extends StateDb {
  /** Opens the registry, creating the state folder and database when needed. */
  static open(stateDir: string): Registry {
    return new Registry(stateDir, createStateDb(stateDir));
  }

  /** Opens an existing registry for reading; undefined when the folder has no database yet. */
  static openExisting(stateDir: string): Registry | undefined {
    const db = openExistingStateDb(stateDir);
    return db && new Registry(stateDir, db);
  }

  /** One write transaction, then the hint that editors should refresh. */
  private write<T>(fn: () => T): T {
    const out = this.transaction(fn);
    this.touch();
    return out;
  }

  private touch(): void {
    try {
      fs.writeFileSync(path.join(this.stateDir, CHANGED_FILE), `${new Date().toISOString()}\n`);
    } catch {
      // Only a refresh hint for editors; the change itself is committed.
    }
  }

  /**
   * Adds the next version of a model (1, 2, 3… per name). The number is taken inside the
   * write transaction, so two runs finishing at once get different versions.
   */
  register(name: string, artifacts: ModelArtifacts, from: Provenance): ModelVersion {
    const version = this.write(() => {
      const next = Number((this.stmt('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = ?').get(name) as Row).v);
      this.stmt('INSERT INTO model_versions (name, version, created_at, run_id, task, root, record) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        name,
        next,
        from.createdAt,
        from.runId,
        from.task,
        from.root,
        JSON.stringify(artifacts),
      );
      const feat = this.stmt('INSERT OR IGNORE INTO model_features (name, version, view, fingerprint) VALUES (?, ?, ?, ?)');
      for (const f of artifacts.data.features) feat.run(name, next, f.view, f.fingerprint);
      return next;
    });
    return this.get(name, version)!;
  }

  /** Model names, sorted. */
  names(): string[] {
    return this.stmt('SELECT DISTINCT name FROM model_versions ORDER BY name').all().map((r) => r.name as string);
  }

  /** Every model with its versions, newest version first. */
  models(): ModelEntry[] {
    return this.names().map((name) => ({ name, versions: this.versions(name) }));
  }

  versions(name: string): ModelVersion[] {
    return this.stmt('SELECT * FROM model_versions WHERE name = ? ORDER BY version DESC')
      .all(name)
      .map((r) => this.assemble(r));
  }

  get(name: string, version: number): ModelVersion | undefined {
    const r = this.stmt('SELECT * FROM model_versions WHERE name = ? AND version = ?').get(name, version);
    return r ? this.assemble(r) : undefined;
  }

  /** The workspace root a version was registered in. */
  rootOf(name: string, version: number): string | null {
    const r = this.stmt('SELECT root FROM model_versions WHERE name = ? AND version = ?').get(name, version);
    return (r?.root as string | null | undefined) ?? null;
  }

  /** The version a reference names; the error says what exists instead. */
  resolve(ref: ModelRef): Result<ModelVersion> {
    const versions = this.stmt('SELECT version FROM model_versions WHERE name = ? ORDER BY version').all(ref.name).map((r) => Number(r.version));
    if (versions.length === 0) {
      const names = this.names();
      return err(`There is no model '${ref.name}' in the store; ${names.length ? `it has ${names.join(', ')}` : 'it is empty: run a pipeline with a model: block first'}.`);
    }
    switch (ref.kind) {
      case 'latest':
        return ok(this.get(ref.name, versions[versions.length - 1]!)!);
      case 'version': {
        const v = this.get(ref.name, ref.version);
        return v ? ok(v) : err(`${ref.name} has no version ${ref.version}; its versions are ${versions.join(', ')}.`);
      }
      case 'alias': {
        const r = this.stmt('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(ref.name, ref.alias);
        if (!r) {
          const aliases = this.stmt('SELECT alias FROM model_aliases WHERE name = ? ORDER BY alias').all(ref.name).map((a) => a.alias as string);
          return err(`${ref.name} has no alias '${ref.alias}'; ${aliases.length ? `its aliases are ${aliases.join(', ')}` : 'set one with mlops models alias NAME VERSION ALIAS'}.`);
        }
        return ok(this.get(ref.name, Number(r.version))!);
      }
    }
  }

  /** Points an alias at a version, moving it from the version that had it; returns that version. */
  setAlias(name: string, version: number, alias: string): Result<{ previous: number | null }> {
    if (!ALIAS_PATTERN.test(alias)) return err(`'${alias}' is not an alias; use letters, digits, '_', '-' and '.', e.g. champion.`);
    if (/^\d+$/.test(alias)) return err(`An alias cannot be a number ('${alias}' would read as a version); use a word such as champion.`);
    if (!this.get(name, version)) return err(`${name} has no version ${version}.`);
    const previous = this.write(() => {
      const old = this.stmt('SELECT version FROM model_aliases WHERE name = ? AND alias = ?').get(name, alias);
      this.stmt(
        `INSERT INTO model_aliases (name, alias, version, set_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, set_at = excluded.set_at`,
      ).run(name, alias, version, new Date().toISOString());
      return old ? Number(old.version) : null;
    });
    return ok({ previous });
  }

  /** Sets a tag on a version (versions themselves never change; tags are kept beside them). */
  setTag(name: string, version: number, key: string, value: string): Result<void> {
    if (!ALIAS_PATTERN.test(key)) return err(`'${key}' is not a tag key; use letters, digits, '_', '-' and '.'.`);
    if (!this.get(name, version)) return err(`${name} has no version ${version}.`);
    this.write(() => {
      this.stmt(
        `INSERT INTO model_tags (name, version, key, value, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value, set_at = excluded.set_at`,
      ).run(name, version, key, value, new Date().toISOString());
    });
    return ok(undefined);
  }

  /** The versions that read a feature view, newest first. */
  usedBy(view: string): { name: string; version: number; fingerprint: string | null }[] {
    return this.stmt('SELECT name, version, fingerprint FROM model_features WHERE view = ? ORDER BY name, version DESC')
      .all(view)
      .map((r) => ({ name: r.name as string, version: Number(r.version), fingerprint: (r.fingerprint as string | null) ?? null }));
  }

  private assemble(r: Row): ModelVersion {
    const name = r.name as string;
    const version = Number(r.version);
    const artifacts = JSON.parse(r.record as string) as ModelArtifacts;
    const aliases = this.stmt('SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY alias')
      .all(name, version)
      .map((a) => a.alias as string);
    const tags = { ...artifacts.tags };
    for (const t of this.stmt('SELECT key, value FROM model_tags WHERE name = ? AND version = ? ORDER BY key').all(name, version)) tags[t.key as string] = t.value as string;
    return orderedVersion({ name, version, createdAt: r.created_at as string, aliases, ...artifacts, tags });
  }
}
