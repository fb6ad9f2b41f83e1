import * as vscode from 'vscode';
import type { CatalogReport, FeatureViewReport, FeaturesReport, SourceLocation } from '../../../core/src/catalog/index';

/** One workspace folder's feature catalog, as the agent reported it. */
export interface FolderFeatures {
  folder: vscode.WorkspaceFolder;
  report: FeaturesReport | null;
  error: string | null;
}

/** A row of the Feature Catalog tree. */
export type FeatureNode =
  | { kind: 'error'; id: string; message: string }
  | { kind: 'catalog'; id: string; data: FolderFeatures; catalog: CatalogReport }
  | { kind: 'section'; id: string; parent: FeatureNode; data: FolderFeatures; catalog: CatalogReport; section: 'entities' | 'sources' | 'views' }
  | { kind: 'view'; id: string; parent: FeatureNode; data: FolderFeatures; view: FeatureViewReport }
  | { kind: 'used-by'; id: string; parent: FeatureNode; data: FolderFeatures; view: FeatureViewReport }
  | {
      kind: 'leaf';
      id: string;
      parent: FeatureNode;
      label: string;
      description?: string;
      tooltip?: string;
      icon: string;
      color?: string;
      location?: { data: FolderFeatures; at: SourceLocation; find?: string };
      model?: { name: string; version: number };
    };

/** The command a row with a definition runs when selected. */
export const GO_TO_DEFINITION_COMMAND = 'mlops.features.goToDefinition';
/** The command a "used by" model version runs: reveal it in the Models tree. */
export const REVEAL_MODEL_COMMAND = 'mlops.models.reveal';

/**
 * Catalogs → entities, sources and feature views → each view's features (type and
 * description), owner, ttl, tags, transformation and who uses it: pipeline tasks and model
 * versions (a version trained on an older definition of the view is flagged stale).
 */
export class FeaturesTree implements vscode.TreeDataProvider<FeatureNode> {
  private readonly changed = new vscode.EventEmitter<FeatureNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private folders: FolderFeatures[] = [];

  update(folders: FolderFeatures[]): void {
    this.folders = folders;
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** The view definitions by name, for opening a feature view named elsewhere (a model's data). */
  findView(name: string): { data: FolderFeatures; view: FeatureViewReport } | undefined {
    for (const data of this.folders) {
      for (const c of data.report?.catalogs ?? []) {
        const view = c.views.find((v) => v.name === name);
        if (view) return { data, view };
      }
    }
    return undefined;
  }

  getParent(node: FeatureNode): FeatureNode | undefined {
    return 'parent' in node ? node.parent : undefined;
  }

  getChildren(node?: FeatureNode): FeatureNode[] {
    if (!node) {
      const out: FeatureNode[] = [];
      for (const data of this.folders) {
        if (data.error) out.push({ kind: 'error', id: `error:${data.folder.uri}`, message: data.error });
        for (const catalog of data.report?.catalogs ?? []) out.push({ kind: 'catalog', id: `catalog:${data.folder.uri}:${catalog.file}`, data, catalog });
      }
      return out;
    }
    const leaf = (id: string, parent: FeatureNode, rest: Omit<FeatureNode & { kind: 'leaf' }, 'kind' | 'id' | 'parent'>): FeatureNode => ({ kind: 'leaf', id, parent, ...rest });
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
        const out: FeatureNode[] = v.features.map((f) =>
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
        const out: FeatureNode[] = v.usedBy.tasks.map((t) =>
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

  getTreeItem(node: FeatureNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    let item: vscode.TreeItem;
    switch (node.kind) {
      case 'error':
        item = new vscode.TreeItem(node.message, C.None);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        break;
      case 'catalog':
        item = new vscode.TreeItem(node.catalog.file, C.Expanded);
        item.description = node.catalog.project ?? undefined;
        item.iconPath = new vscode.ThemeIcon('book');
        item.command = this.goTo({ data: node.data, at: { file: node.catalog.file, line: 1, column: 1 } });
        break;
      case 'section': {
        const label = node.section === 'views' ? 'feature views' : node.section;
        item = new vscode.TreeItem(label, node.section === 'views' ? C.Expanded : C.Collapsed);
        item.description = String(node.catalog[node.section].length);
        item.iconPath = new vscode.ThemeIcon(node.section === 'views' ? 'symbol-structure' : node.section === 'entities' ? 'symbol-key' : 'database');
        break;
      }
      case 'view': {
        const v = node.view;
        const stale = v.usedBy.models.filter((m) => m.stale).length;
        item = new vscode.TreeItem(v.name, C.Collapsed);
        item.description = [`${v.features.length} features`, v.owner && `owner ${v.owner}`, stale ? `${stale} stale model version${stale === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
        item.iconPath = stale ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('symbol-structure');
        item.tooltip = new vscode.MarkdownString(`**${v.name}**${v.description ? ` — ${v.description}` : ''}\n\nentities: ${v.entities.join(', ') || '—'} · source: ${v.source ?? '—'} · ttl: ${v.ttl ?? '—'}\n\nfingerprint \`${v.fingerprint.slice(0, 12)}\``);
        item.command = this.goTo({ data: node.data, at: v.location });
        item.contextValue = 'mlops.featureView';
        break;
      }
      case 'used-by': {
        const n = node.view.usedBy.tasks.length + node.view.usedBy.models.length;
        item = new vscode.TreeItem('used by', n > 0 ? C.Expanded : C.Collapsed);
        item.description = String(n);
        item.iconPath = new vscode.ThemeIcon('references');
        break;
      }
      case 'leaf':
        item = new vscode.TreeItem(node.label, C.None);
        if (node.description !== undefined) item.description = node.description;
        item.tooltip = node.tooltip ?? (node.description ? `${node.label}: ${node.description}` : node.label);
        item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
        if (node.location) item.command = this.goTo(node.location);
        else if (node.model) item.command = { command: REVEAL_MODEL_COMMAND, title: 'Reveal Model Version', arguments: [node.model.name, node.model.version] };
        break;
    }
    item.id = node.id;
    return item;
  }

  private goTo(location: { data: FolderFeatures; at: SourceLocation; find?: string }): vscode.Command {
    return { command: GO_TO_DEFINITION_COMMAND, title: 'Go to Definition', arguments: [location.data.folder.uri, location.at, location.find] };
  }
}
