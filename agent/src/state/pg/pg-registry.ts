import { checkAlias, checkTagKey, type ModelArtifacts, type ModelVersion } from '../../../../core/src/catalog/index';
import { RegistrySnapshot, type Provenance, type Registry } from '../../registry/registry';
import { touchChanged } from '../../registry/sqlite-registry';
import { err, ok, type Result } from '../../../../core/src/result';
import type { Actor } from '../store';
import { PgConnection, StoreError } from './connection';
import { migratePg } from './migrations';

/** Serializes the writes to one model's versions and aliases, across every agent of the store. */
const LOCK_MODEL = `SELECT pg_advisory_xact_lock(hashtext('mlops.model'), hashtext($1))`;

/** The model store in the team's PostgreSQL database; see registry.ts for what each method promises. */
export class PgRegistry implements Registry {
  private constructor(
    private readonly conn: PgConnection,
    private readonly stateDir: string,
    readonly artifacts: string,
  ) {}

  static async open(url: string, stateDir: string, artifacts: string, _actor: Actor): Promise<PgRegistry> {
    const conn = new PgConnection(url);
    await conn.open();
    try {
      await migratePg(conn, conn.where);
    } catch (e) {
      await conn.close();
      throw e instanceof StoreError ? e : new StoreError(`cannot prepare the PostgreSQL store at ${conn.where}: ${(e as Error).message}`);
    }
    return new PgRegistry(conn, stateDir, artifacts);
  }

  async snapshot(): Promise<RegistrySnapshot> {
    return new RegistrySnapshot({
      versions: await this.conn.query('SELECT * FROM model_versions'),
      aliases: await this.conn.query('SELECT name, alias, version FROM model_aliases'),
      tags: await this.conn.query('SELECT name, version, key, value FROM model_tags'),
      features: await this.conn.query('SELECT name, version, view, fingerprint FROM model_features'),
    });
  }

  async register(name: string, artifacts: ModelArtifacts, from: Provenance): Promise<ModelVersion> {
    const version = await this.conn.transaction(async (q) => {
      await q(LOCK_MODEL, [name]);
      if (from.origin) {
        const [known] = await q('SELECT version FROM model_versions WHERE origin = $1', [from.origin]);
        if (known) return Number(known.version);
      }
      const next = Number((await q('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = $1', [name]))[0]!.v);
      await q('INSERT INTO model_versions (name, version, created_at, run_id, task, root, record, user_name, host, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
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
      ]);
      for (const f of artifacts.data.features) {
        await q('INSERT INTO model_features (name, version, view, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [name, next, f.view, f.fingerprint]);
      }
      return next;
    });
    touchChanged(this.stateDir);
    return (await this.snapshot()).get(name, version)!;
  }

  async setAlias(name: string, version: number, alias: string): Promise<Result<{ previous: number | null }>> {
    const valid = checkAlias(alias);
    if (!valid.ok) return valid;
    const previous = await this.conn.transaction(async (q) => {
      await q(LOCK_MODEL, [name]);
      if ((await q('SELECT 1 FROM model_versions WHERE name = $1 AND version = $2', [name, version])).length === 0) return undefined;
      const [old] = await q('SELECT version FROM model_aliases WHERE name = $1 AND alias = $2', [name, alias]);
      await q(
        `INSERT INTO model_aliases (name, alias, version, set_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, set_at = EXCLUDED.set_at`,
        [name, alias, version, new Date().toISOString()],
      );
      return old ? Number(old.version) : null;
    });
    if (previous === undefined) return err(`${name} has no version ${version}.`);
    touchChanged(this.stateDir);
    return ok({ previous });
  }

  async setTag(name: string, version: number, key: string, value: string): Promise<Result<void>> {
    const valid = checkTagKey(key);
    if (!valid.ok) return valid;
    const rows = await this.conn.query(
      `INSERT INTO model_tags (name, version, key, value, set_at) SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM model_versions WHERE name = $1 AND version = $2)
       ON CONFLICT (name, version, key) DO UPDATE SET value = EXCLUDED.value, set_at = EXCLUDED.set_at RETURNING key`,
      [name, version, key, value, new Date().toISOString()],
    );
    if (rows.length === 0) return err(`${name} has no version ${version}.`);
    touchChanged(this.stateDir);
    return ok(undefined);
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
