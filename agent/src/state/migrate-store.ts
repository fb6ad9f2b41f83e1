import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelArtifacts } from '../../../core/src/catalog/index';
import { SqliteRegistry } from '../registry/sqlite-registry';
import { currentActor, type StoreConfig } from './config';
import { StoreError } from './errors';
import { openRegistry } from './open';
import { importHistory, PgStore } from './pg/pg-store';
import { DB_FILE } from './sqlite';
import { SqliteStore } from './sqlite-store';

/** What one `mlops store migrate` copied; a second run over the same history copies nothing. */
export interface MigrationReport {
  from: string;
  to: string;
  runs: { copied: number; present: number };
  modelVersions: { copied: number; present: number };
  files: number;
}

/**
 * Copies a local history (a state folder) into a team store: runs with their tasks and
 * attempts, the caches, model versions (numbered after the team's own versions of the same
 * model; each remembers where it came from, so it is copied once), their tags and aliases
 * (an alias the team store already has stays where it is), and the logs and stored model
 * files into the team's artifact folder.
 */
export async function migrateStore(fromDir: string, fromArtifacts: string, to: StoreConfig): Promise<MigrationReport> {
  if (!to.url) throw new StoreError('Name the team store to copy into: --to postgresql://USER@HOST:PORT/DATABASE (or MLOPS_STORE).');
  if (!fs.existsSync(path.join(fromDir, DB_FILE))) throw new StoreError(`${fromDir} holds no history (no ${DB_FILE}); name a state folder with --from.`);
  const actor = currentActor();
  const source = SqliteStore.open(fromDir, fromArtifacts, actor);
  const sourceModels = SqliteRegistry.open(fromDir, fromArtifacts);
  const target = await PgStore.open(to.url, to.stateDir, to.artifacts, actor);
  const registry = (await openRegistry(to, true))!;
  try {
    const history = source.exportHistory();
    const copiedRuns = await importHistory(target, history);

    const sourceId = source.storeId();
    const rows = sourceModels.rows();
    const before = new Set((await registry.snapshot()).models().flatMap((m) => m.versions.map((v) => `${m.name}:${v.version}`)));
    const mapped = new Map<string, number>();
    let copiedVersions = 0;
    for (const r of rows.versions) {
      const name = r.name as string;
      const version = Number(r.version);
      const artifacts = JSON.parse(r.record as string) as ModelArtifacts;
      const v = await registry.register(name, artifacts, {
        runId: (r.run_id as string | null) ?? null,
        task: (r.task as string | null) ?? null,
        root: (r.root as string | null) ?? null,
        createdAt: r.created_at as string,
        by: { user: (r.user_name as string | null) ?? actor.user, host: (r.host as string | null) ?? actor.host },
        origin: `${sourceId}:${name}:${version}`,
      });
      if (!before.has(`${name}:${v.version}`)) copiedVersions++;
      mapped.set(`${name}:${version}`, v.version);
    }
    for (const t of rows.tags) {
      const v = mapped.get(`${t.name as string}:${Number(t.version)}`);
      if (v !== undefined) await registry.setTag(t.name as string, v, t.key as string, t.value as string);
    }
    const now = await registry.snapshot();
    for (const a of rows.aliases) {
      const name = a.name as string;
      const v = mapped.get(`${name}:${Number(a.version)}`);
      const taken = now.versions(name).some((x) => x.aliases.includes(a.alias as string));
      if (v !== undefined && !taken) await registry.setAlias(name, v, a.alias as string);
    }
    const files = copyMissing(path.join(fromArtifacts, 'runs'), path.join(to.artifacts, 'runs')) + copyMissing(path.join(fromArtifacts, 'artifacts', 'sha256'), path.join(to.artifacts, 'artifacts', 'sha256'));
    return {
      from: fromDir,
      to: target.location,
      runs: { copied: copiedRuns, present: history.runs.length - copiedRuns },
      modelVersions: { copied: copiedVersions, present: rows.versions.length - copiedVersions },
      files,
    };
  } finally {
    await registry.close();
    await target.close();
    await sourceModels.close();
    await source.close();
  }
}

/** Copies every file under `from` that `to` does not have yet; returns how many. Log lanes stay behind. */
function copyMissing(from: string, to: string): number {
  if (path.resolve(from) === path.resolve(to) || !fs.existsSync(from)) return 0;
  let n = 0;
  const walk = (src: string, dst: string) => {
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      const s = path.join(src, e.name);
      const d = path.join(dst, e.name);
      if (e.isDirectory()) walk(s, d);
      else if (e.isFile() && !e.name.startsWith('.lane-') && !fs.existsSync(d)) {
        fs.mkdirSync(dst, { recursive: true });
        fs.copyFileSync(s, d);
        n++;
      }
    }
  };
  walk(from, to);
  return n;
}
