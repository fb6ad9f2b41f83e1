/**
 * The Feature Catalog tree's contents as pure functions over `mlops features list` reports:
 * catalogs → entities, sources and feature views → each view's features (type and
 * description), owner, ttl, tags, transformation and who uses it (pipeline tasks and model
 * versions, flagged when trained on an older definition of the view). No `vscode` import:
 * `features-tree.ts` adapts these to a TreeDataProvider.
 */
import type { CatalogReport, FeatureViewReport, FeaturesReport, SourceLocation } from '../../../core/src/index';
import { leafText, type CommandSpec, type FolderRef, type TreeItemSpec } from './tree-spec';

/** One workspace folder's feature catalog, as the agent reported it. */
export interface FolderFeatures<F extends FolderRef = FolderRef> {
  folder: F;
  report: FeaturesReport | null;
  error: string | null;
}

/** Where a row's definition is: a file of the folder at a line, or (line 0) at the function `find` names. */
export interface DefinitionLocation<F extends FolderRef = FolderRef> {
  data: FolderFeatures<F>;
  at: SourceLocation;
  find?: string;
}

/** A row of the Feature Catalog tree. */
export type FeatureNode<F extends FolderRef = FolderRef> =
  | { kind: 'error'; id: string; message: string }
  | { kind: 'catalog'; id: string; data: FolderFeatures<F>; catalog: CatalogReport }
  | { kind: 'section'; id: string; parent: FeatureNode<F>; data: FolderFeatures<F>; catalog: CatalogReport; section: 'entities' | 'sources' | 'views' }
  | { kind: 'view'; id: string; parent: FeatureNode<F>; data: FolderFeatures<F>; view: FeatureViewReport }
  | { kind: 'used-by'; id: string; parent: FeatureNode<F>; data: FolderFeatures<F>; view: FeatureViewReport }
  | {
      kind: 'leaf';
      id: string;
      parent: FeatureNode<F>;
      label: string;
      description?: string;
      tooltip?: string;
      icon: string;
      color?: string;
      location?: DefinitionLocation<F>;
      model?: { name: string; version: number };
    };

type LeafNode<F extends FolderRef> = FeatureNode<F> & { kind: 'leaf' };

/** The command a row with a definition runs when selected. */
export const GO_TO_DEFINITION_COMMAND = 'mlops.features.goToDefinition';
/** The command a "used by" model version runs: reveal it in the Models tree. */
export const REVEAL_MODEL_COMMAND = 'mlops.models.reveal';

/** The top rows: each folder's error, then its catalogs. No data gives no rows, so the view's welcome text shows. */
export function featureRoots<F extends FolderRef>(folders: readonly FolderFeatures<F>[]): FeatureNode<F>[] {
  const out: FeatureNode<F>[] = [];
  for (const data of folders) {
    if (data.error) out.push({ kind: 'error', id: `error:${data.folder.uri}`, message: data.error });
    for (const catalog of data.report?.catalogs ?? []) out.push({ kind: 'catalog', id: `catalog:${data.folder.uri}:${catalog.file}`, data, catalog });
  }
  return out;
}

/** A row's parent, for reveal. */
export function featureParent<F extends FolderRef>(node: FeatureNode<F>): FeatureNode<F> | undefined {
  return 'parent' in node ? node.parent : undefined;
}

/** A row's children. */
export function featureChildren<F extends FolderRef>(node: FeatureNode<F>): FeatureNode<F>[] {
  const leaf = (id: string, parent: FeatureNode<F>, rest: Omit<LeafNode<F>, 'kind' | 'id' | 'parent'>): FeatureNode<F> => ({ kind: 'leaf', id, parent, ...rest });
  switch (node.kind) {
    case 'catalog': {
      const sections = (['entities', 'sources', 'views'] as const).filter((s) => node.catalog[s].length > 0);
      return sections.map((section) => ({ kind: 'section', id: `${node.id}:${section}`, parent: node, data: node.data, catalog: node.catalog, section }));
    }
    case 'section': {
      const { data, catalog } = node;
      if (node.section === 'views') return catalog.views.map((view) => ({ kind: 'view', id: `${node.id}:${view.name}`, parent: node, data, view }));
      if (node.section === 'entities') {
        return catalog.entities.map((e) =>
          leaf(`${node.id}:${e.name}`, node, { label: e.name, description: `join keys ${e.joinKeys.join(', ') || '—'}`, tooltip: e.description ?? undefined, icon: 'symbol-key', location: { data, at: e.location } }),
        );
      }
      return catalog.sources.map((s) =>
        leaf(`${node.id}:${s.name}`, node, {
          label: s.name,
          description: [s.path, s.timestampField && `ts ${s.timestampField}`].filter(Boolean).join(' · '),
          tooltip: s.description ?? undefined,
          icon: 'database',
          location: { data, at: s.location },
        }),
      );
    }
    case 'view': {
      const { view: v, data } = node;
      const out: FeatureNode<F>[] = v.features.map((f) =>
        leaf(`${node.id}:f:${f.name}`, node, { label: f.name, description: f.type ?? '?', tooltip: f.description ?? undefined, icon: 'symbol-field', location: { data, at: f.location } }),
      );
      const at = { data, at: v.location };
      if (v.owner) out.push(leaf(`${node.id}:owner`, node, { label: 'owner', description: v.owner, icon: 'person', location: at }));
      if (v.ttl !== null) out.push(leaf(`${node.id}:ttl`, node, { label: 'ttl', description: String(v.ttl), icon: 'watch', location: at }));
      const tags = Object.entries(v.tags);
      if (tags.length) out.push(leaf(`${node.id}:tags`, node, { label: 'tags', description: tags.map(([k, x]) => `${k}=${x}`).join(' '), icon: 'tag', location: at }));
      if (v.transformation) {
        const t = v.transformation;
        out.push(
          leaf(`${node.id}:transformation`, node, {
            label: 'transformation',
            description: `${t.ref}${t.exists ? '' : ' (missing)'}`,
            icon: t.exists ? 'symbol-method' : 'warning',
            ...(t.file && t.exists ? { location: { data, at: { file: t.file, line: 0, column: 0 }, find: t.ref.slice(t.ref.lastIndexOf(':') + 1) } } : {}),
          }),
        );
      }
      out.push({ kind: 'used-by', id: `${node.id}:used-by`, parent: node, data, view: v });
      return out;
    }
    case 'used-by': {
      const { view: v, data } = node;
      const out: FeatureNode<F>[] = v.usedBy.tasks.map((t) =>
        leaf(`${node.id}:t:${t.file}:${t.task}`, node, { label: `${t.pipeline} › ${t.task}`, description: t.file, icon: 'symbol-event', location: { data, at: t.location } }),
      );
      for (const m of v.usedBy.models) {
        out.push(
          leaf(`${node.id}:m:${m.name}:${m.version}`, node, {
            label: `${m.name} v${m.version}`,
            description: [...m.aliases.map((a) => `@${a}`), m.stale ? 'stale: the view changed since training' : ''].filter(Boolean).join(' · '),
            icon: m.stale ? 'warning' : 'symbol-class',
            ...(m.stale ? { color: 'list.warningForeground' } : {}),
            model: { name: m.name, version: m.version },
          }),
        );
      }
      if (out.length === 0) out.push(leaf(`${node.id}:none`, node, { label: 'not used yet', icon: 'info' }));
      return out;
    }
    case 'error':
    case 'leaf':
      return [];
  }
}

/** The command that opens a definition: the folder's URI, the location and the function to find. */
export function goToDefinition<F extends FolderRef>(location: DefinitionLocation<F>): CommandSpec {
  return { command: GO_TO_DEFINITION_COMMAND, title: 'Go to Definition', arguments: [location.data.folder.uri, location.at, location.find] };
}

/** What a row shows. */
export function featureItem<F extends FolderRef>(node: FeatureNode<F>): TreeItemSpec {
  switch (node.kind) {
    case 'error':
      return { id: node.id, label: node.message, icon: 'error', iconColor: 'errorForeground', collapsible: 'none' };
    case 'catalog':
      return {
        id: node.id,
        label: node.catalog.file,
        ...(node.catalog.project !== null ? { description: node.catalog.project } : {}),
        icon: 'book',
        command: goToDefinition({ data: node.data, at: { file: node.catalog.file, line: 1, column: 1 } }),
        collapsible: 'expanded',
      };
    case 'section':
      return {
        id: node.id,
        label: node.section === 'views' ? 'feature views' : node.section,
        description: String(node.catalog[node.section].length),
        icon: node.section === 'views' ? 'symbol-structure' : node.section === 'entities' ? 'symbol-key' : 'database',
        collapsible: node.section === 'views' ? 'expanded' : 'collapsed',
      };
    case 'view': {
      const v = node.view;
      const stale = v.usedBy.models.filter((m) => m.stale).length;
      return {
        id: node.id,
        label: v.name,
        description: [`${v.features.length} features`, v.owner && `owner ${v.owner}`, stale ? `${stale} stale model version${stale === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · '),
        ...(stale ? { icon: 'warning', iconColor: 'list.warningForeground' } : { icon: 'symbol-structure' }),
        tooltip: {
          markdown: `**${v.name}**${v.description ? ` — ${v.description}` : ''}\n\nentities: ${v.entities.join(', ') || '—'} · source: ${v.source ?? '—'} · ttl: ${v.ttl ?? '—'}\n\nfingerprint \`${v.fingerprint.slice(0, 12)}\``,
        },
        command: goToDefinition({ data: node.data, at: v.location }),
        contextValue: 'mlops.featureView',
        collapsible: 'collapsed',
      };
    }
    case 'used-by': {
      const n = node.view.usedBy.tasks.length + node.view.usedBy.models.length;
      return { id: node.id, label: 'used by', description: String(n), icon: 'references', collapsible: n > 0 ? 'expanded' : 'collapsed' };
    }
    case 'leaf':
      return {
        id: node.id,
        ...leafText(node),
        icon: node.icon,
        ...(node.color ? { iconColor: node.color } : {}),
        ...(node.location ? { command: goToDefinition(node.location) } : node.model ? { command: { command: REVEAL_MODEL_COMMAND, title: 'Reveal Model Version', arguments: [node.model.name, node.model.version] } } : {}),
        collapsible: 'none',
      };
  }
}

/** A view definition by name, for opening a feature view named elsewhere (a model's data). */
export function findView<F extends FolderRef>(folders: readonly FolderFeatures<F>[], name: string): { data: FolderFeatures<F>; view: FeatureViewReport } | undefined {
  for (const data of folders) {
    for (const c of data.report?.catalogs ?? []) {
      const view = c.views.find((v) => v.name === name);
      if (view) return { data, view };
    }
  }
  return undefined;
}
