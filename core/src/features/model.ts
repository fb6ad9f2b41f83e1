import { get, text, type YValue } from '../yaml/tree';
import type { Located } from '../pipeline/model';
import type { Span } from '../text/range';

export interface Entity {
  name: string;
  keySpan: Span;
  joinKeys: string[];
  description?: string;
}

export interface Source {
  name: string;
  keySpan: Span;
  path?: Located<string>;
  timestampField?: string;
  description?: string;
}

export interface Feature {
  name: string;
  keySpan: Span;
  type?: Located<string>;
  description?: string;
}

export interface FeatureView {
  name: string;
  keySpan: Span;
  span: Span;
  description?: string;
  entities: Located<string>[];
  source?: Located<string>;
  ttl?: Located<string | number>;
  transformation?: Located<string>;
  owner?: string;
  tags: Record<string, string>;
  features: Map<string, Feature>;
}

/** One `*.features.yaml` file read into typed form. */
export interface FeatureCatalog {
  uri: string;
  project?: string;
  entities: Map<string, Entity>;
  sources: Map<string, Source>;
  views: Map<string, FeatureView>;
}

function loc(v: YValue | null | undefined): Located<string> | undefined {
  if (!v || v.kind !== 'scalar' || v.value === null) return undefined;
  return { value: String(v.value), span: v.span };
}

export function loadCatalog(uri: string, root: YValue | null): FeatureCatalog {
  const c: FeatureCatalog = { uri, entities: new Map(), sources: new Map(), views: new Map() };
  if (!root || root.kind !== 'map') return c;
  c.project = text(get(root, 'project')?.value);
  const ents = get(root, 'entities')?.value;
  if (ents?.kind === 'map') {
    for (const e of ents.entries) {
      if (c.entities.has(e.key)) continue;
      const jk = get(e.value, 'join_keys')?.value;
      c.entities.set(e.key, {
        name: e.key,
        keySpan: e.keySpan,
        joinKeys: jk?.kind === 'seq' ? jk.items.map((i) => text(i) ?? '') : [],
        description: text(get(e.value, 'description')?.value),
      });
    }
  }
  const srcs = get(root, 'sources')?.value;
  if (srcs?.kind === 'map') {
    for (const e of srcs.entries) {
      if (c.sources.has(e.key)) continue;
      c.sources.set(e.key, {
        name: e.key,
        keySpan: e.keySpan,
        path: loc(get(e.value, 'path')?.value),
        timestampField: text(get(e.value, 'timestamp_field')?.value),
        description: text(get(e.value, 'description')?.value),
      });
    }
  }
  const views = get(root, 'feature_views')?.value;
  if (views?.kind === 'map') {
    for (const e of views.entries) {
      if (c.views.has(e.key)) continue;
      const v = e.value;
      const view: FeatureView = {
        name: e.key,
        keySpan: e.keySpan,
        span: [e.keySpan[0], v ? v.span[1] : e.keySpan[1]],
        description: text(get(v, 'description')?.value),
        entities: [],
        tags: {},
        features: new Map(),
      };
      const ve = get(v, 'entities')?.value;
      if (ve?.kind === 'seq')
        for (const i of ve.items) {
          const s = loc(i);
          if (s) view.entities.push(s);
        }
      view.source = loc(get(v, 'source')?.value);
      const ttl = get(v, 'ttl')?.value;
      if (ttl?.kind === 'scalar' && (typeof ttl.value === 'string' || typeof ttl.value === 'number')) view.ttl = { value: ttl.value, span: ttl.span };
      view.transformation = loc(get(v, 'transformation')?.value);
      view.owner = text(get(v, 'owner')?.value);
      const tags = get(v, 'tags')?.value;
      if (tags?.kind === 'map') for (const t of tags.entries) view.tags[t.key] = text(t.value) ?? '';
      const feats = get(v, 'features')?.value;
      if (feats?.kind === 'map') {
        for (const f of feats.entries) {
          if (view.features.has(f.key)) continue;
          const fv = f.value;
          const feature: Feature = { name: f.key, keySpan: f.keySpan };
          if (fv?.kind === 'scalar') {
            const t = loc(fv);
            if (t) feature.type = t;
          } else if (fv?.kind === 'map') {
            const t = loc(get(fv, 'type')?.value);
            if (t) feature.type = t;
            feature.description = text(get(fv, 'description')?.value);
          }
          view.features.set(f.key, feature);
        }
      }
      c.views.set(e.key, view);
    }
  }
  return c;
}

/** Every catalog of the workspace, for lookups by global name. */
export class FeatureIndex {
  constructor(readonly catalogs: readonly FeatureCatalog[] = []) {}

  /** All definitions of a view name (more than one is a `duplicate-feature-view`). */
  views(name: string): { catalog: FeatureCatalog; view: FeatureView }[] {
    const out: { catalog: FeatureCatalog; view: FeatureView }[] = [];
    for (const c of this.catalogs) {
      const v = c.views.get(name);
      if (v) out.push({ catalog: c, view: v });
    }
    return out;
  }

  view(name: string): FeatureView | undefined {
    return this.first((c) => c.views, name);
  }

  viewNames(): string[] {
    return this.names((c) => c.views);
  }

  entity(name: string): Entity | undefined {
    return this.first((c) => c.entities, name);
  }

  source(name: string): Source | undefined {
    return this.first((c) => c.sources, name);
  }

  entityNames(): string[] {
    return this.names((c) => c.entities);
  }

  sourceNames(): string[] {
    return this.names((c) => c.sources);
  }

  /** The first definition of `name` in the catalogs, in their order. */
  private first<T>(table: (c: FeatureCatalog) => ReadonlyMap<string, T>, name: string): T | undefined {
    for (const c of this.catalogs) {
      const found = table(c).get(name);
      if (found) return found;
    }
    return undefined;
  }

  /** Every name defined in some catalog, each once, in first-definition order. */
  private names(table: (c: FeatureCatalog) => ReadonlyMap<string, unknown>): string[] {
    return [...new Set(this.catalogs.flatMap((c) => [...table(c).keys()]))];
  }
}
