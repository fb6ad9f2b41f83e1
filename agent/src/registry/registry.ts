import { orderedVersion, type ModelArtifacts, type ModelRef, type ModelVersion } from '../../../core/src/catalog/index';
import type { Actor, Row } from '../state/store';
import { err, ok, type Result } from '../../../core/src/result';

/** Touched after every change, so editors can refresh their model views cheaply. */
export const CHANGED_FILE = 'registry.changed';

/** What identifies where a version came from, besides its artifacts. */
export interface Provenance {
  runId: string | null;
  task: string | null;
  /** Absolute workspace root the artifacts' relative paths start from. */
  root: string | null;
  createdAt: string;
  /** Who registered it, where. */
  by: Actor;
  /** For a version copied by `mlops store migrate`: `<source store id>:<name>:<version>`, so a second copy is skipped. */
  origin?: string;
}

/** A model and its versions, newest first, for listings. */
export interface ModelEntry {
  name: string;
  versions: ModelVersion[];
}

/**
 * The model store: versions (written once), aliases (which move) and tags added later, in
 * the same database as the runs — SQLite or PostgreSQL. Reads take a snapshot, which the
 * reports and resolvers then query without waiting; writes are single transactions.
 */
export interface Registry {
  /** The artifact folder stored parameters live in. */
  readonly artifacts: string;
  snapshot(): Promise<RegistrySnapshot>;
  /**
   * Adds the next version of a model (1, 2, 3… per name). The number is taken inside the
   * write transaction, under a lock per name, so agents registering at once get distinct,
   * consecutive versions. With an `origin` already present, returns that version instead.
   */
  register(name: string, artifacts: ModelArtifacts, from: Provenance): Promise<ModelVersion>;
  /** Points an alias at a version, moving it atomically from the version that had it; returns that version. */
  setAlias(name: string, version: number, alias: string): Promise<Result<{ previous: number | null }>>;
  /** Sets a tag on a version (versions themselves never change; tags are kept beside them). */
  setTag(name: string, version: number, key: string, value: string): Promise<Result<void>>;
  close(): Promise<void>;
}

/** The rows a snapshot is made of, as both stores read them. */
export interface SnapshotRows {
  versions: Row[];
  aliases: Row[];
  tags: Row[];
  features: Row[];
}

/** The registry at one moment, queried without waiting. */
export class RegistrySnapshot {
  private readonly byName = new Map<string, ModelVersion[]>();
  private readonly roots = new Map<string, string | null>();
  private readonly features: { name: string; version: number; view: string; fingerprint: string | null }[];

  constructor(rows: SnapshotRows) {
    const aliases = new Map<string, string[]>();
    for (const a of rows.aliases) push(aliases, key(a.name as string, Number(a.version)), a.alias as string);
    const tags = new Map<string, [string, string][]>();
    for (const t of rows.tags) push(tags, key(t.name as string, Number(t.version)), [t.key as string, t.value as string]);
    for (const r of rows.versions) {
      const name = r.name as string;
      const version = Number(r.version);
      const k = key(name, version);
      const artifacts = (typeof r.record === 'string' ? JSON.parse(r.record) : r.record) as ModelArtifacts;
      const t = { ...artifacts.tags };
      for (const [tk, tv] of (tags.get(k) ?? []).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) t[tk] = tv;
      const user = (r.user_name as string | null) ?? null;
      const v = orderedVersion({
        name,
        version,
        createdAt: r.created_at as string,
        registeredBy: user ? { user, host: (r.host as string | null) ?? null } : null,
        aliases: (aliases.get(k) ?? []).sort(),
        ...artifacts,
        tags: t,
      });
      push(this.byName, name, v);
      this.roots.set(k, (r.root as string | null) ?? null);
    }
    for (const vs of this.byName.values()) vs.sort((a, b) => b.version - a.version);
    this.features = rows.features
      .map((f) => ({ name: f.name as string, version: Number(f.version), view: f.view as string, fingerprint: (f.fingerprint as string | null) ?? null }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : b.version - a.version));
  }

  /** Model names, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Every model with its versions, newest version first. */
  models(): ModelEntry[] {
    return this.names().map((name) => ({ name, versions: this.versions(name) }));
  }

  versions(name: string): ModelVersion[] {
    return this.byName.get(name) ?? [];
  }

  get(name: string, version: number): ModelVersion | undefined {
    return this.versions(name).find((v) => v.version === version);
  }

  /** The workspace root a version was registered in. */
  rootOf(name: string, version: number): string | null {
    return this.roots.get(key(name, version)) ?? null;
  }

  /** The version a reference names; the error says what exists instead. */
  resolve(ref: ModelRef): Result<ModelVersion> {
    const versions = this.versions(ref.name);
    if (versions.length === 0) {
      const names = this.names();
      return err(`There is no model '${ref.name}' in the store; ${names.length ? `it has ${names.join(', ')}` : 'it is empty: run a pipeline with a model: block first'}.`);
    }
    switch (ref.kind) {
      case 'latest':
        return ok(versions[0]!);
      case 'version': {
        const v = this.get(ref.name, ref.version);
        return v
          ? ok(v)
          : err(
              `${ref.name} has no version ${ref.version}; its versions are ${versions
                .map((x) => x.version)
                .reverse()
                .join(', ')}.`,
            );
      }
      case 'alias': {
        const v = versions.find((x) => x.aliases.includes(ref.alias));
        if (!v) {
          const aliases = versions.flatMap((x) => x.aliases).sort();
          return err(`${ref.name} has no alias '${ref.alias}'; ${aliases.length ? `its aliases are ${aliases.join(', ')}` : 'set one with mlops models alias NAME VERSION ALIAS'}.`);
        }
        return ok(v);
      }
    }
  }

  /** The versions that read a feature view, newest first. */
  usedBy(view: string): { name: string; version: number; fingerprint: string | null }[] {
    return this.features.filter((f) => f.view === view).map(({ name, version, fingerprint }) => ({ name, version, fingerprint }));
  }
}

/** An empty store: what commands see before anything was registered. */
export const EMPTY_SNAPSHOT = new RegistrySnapshot({ versions: [], aliases: [], tags: [], features: [] });

function key(name: string, version: number): string {
  return `${name}\0${version}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
