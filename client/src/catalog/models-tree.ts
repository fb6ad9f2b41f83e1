import * as path from 'node:path';
import * as vscode from 'vscode';
import { ARTIFACT_KINDS, headlineMetric, type ArtifactKind, type ModelEntryReport, type ModelsReport, type VersionEntry } from '../../../core/src/catalog/index';
import { artifactItems, GROUP_ICONS, groupSummary, type ItemSpec, type PathContext } from './artifact-items';

/** One workspace folder's models, as the agent reported them. */
export interface FolderModels {
  folder: vscode.WorkspaceFolder;
  report: ModelsReport | null;
  /** Why the folder's models could not be read. */
  error: string | null;
}

/** A row of the Models tree; each keeps its parent so the tree can reveal it. */
export type ModelNode =
  | { kind: 'folder'; id: string; data: FolderModels }
  | { kind: 'error'; id: string; parent: ModelNode | undefined; message: string }
  | { kind: 'model'; id: string; parent: ModelNode | undefined; data: FolderModels; model: ModelEntryReport }
  | { kind: 'version'; id: string; parent: ModelNode; data: FolderModels; model: ModelEntryReport; entry: VersionEntry }
  | { kind: 'stale'; id: string; parent: ModelNode; entry: VersionEntry }
  | { kind: 'group'; id: string; parent: ModelNode & { kind: 'version' }; artifact: ArtifactKind }
  | { kind: 'item'; id: string; parent: ModelNode; spec: ItemSpec; version: ModelNode & { kind: 'version' } };

/** The command a leaf runs when selected; the extension registers it. */
export const OPEN_ITEM_COMMAND = 'mlops.models.openItem';

/**
 * Models → versions (aliases as badges, headline metric, a warning when stale) → the eight
 * artifact groups → their items. MLflow models appear beside the store's, read-only.
 */
export class ModelsTree implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private folders: FolderModels[] = [];
  private roots: ModelNode[] = [];
  private readonly children = new Map<string, ModelNode[]>();

  /** Replaces the data and redraws. */
  update(folders: FolderModels[]): void {
    this.folders = folders;
    this.children.clear();
    this.roots = this.buildRoots();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** Every version node, for pickers and reveal. */
  versions(): (ModelNode & { kind: 'version' })[] {
    const out: (ModelNode & { kind: 'version' })[] = [];
    const walk = (nodes: ModelNode[]) => {
      for (const n of nodes) {
        if (n.kind === 'version') out.push(n);
        else if (n.kind === 'folder' || n.kind === 'model') walk(this.getChildren(n));
      }
    };
    walk(this.roots);
    return out;
  }

  private buildRoots(): ModelNode[] {
    const multi = this.folders.length > 1;
    if (multi) return this.folders.filter((f) => f.error || (f.report?.models.length ?? 0) > 0).map((f) => ({ kind: 'folder', id: `folder:${f.folder.uri}`, data: f }));
    const f = this.folders[0];
    return f ? this.folderChildren(f, undefined) : [];
  }

  private folderChildren(f: FolderModels, parent: ModelNode | undefined): ModelNode[] {
    const base = `${f.folder.uri}`;
    if (f.error) return [{ kind: 'error', id: `error:${base}`, parent, message: f.error }];
    return (f.report?.models ?? []).map((model) => ({ kind: 'model', id: `model:${base}:${model.source}:${model.name}`, parent, data: f, model }));
  }

  getChildren(node?: ModelNode): ModelNode[] {
    if (!node) return this.roots;
    const known = this.children.get(node.id);
    if (known) return known;
    const made = this.makeChildren(node);
    this.children.set(node.id, made);
    return made;
  }

  getParent(node: ModelNode): ModelNode | undefined {
    return node.kind === 'folder' ? undefined : node.parent;
  }

  private makeChildren(node: ModelNode): ModelNode[] {
    switch (node.kind) {
      case 'folder':
        return this.folderChildren(node.data, node);
      case 'model':
        return node.model.versions.map((entry) => ({ kind: 'version', id: `${node.id}:v${entry.version.version}`, parent: node, data: node.data, model: node.model, entry }));
      case 'version': {
        const out: ModelNode[] = [];
        if (node.entry.stale.length > 0) out.push({ kind: 'stale', id: `${node.id}:stale`, parent: node, entry: node.entry });
        for (const artifact of ARTIFACT_KINDS) out.push({ kind: 'group', id: `${node.id}:${artifact}`, parent: node, artifact });
        return out;
      }
      case 'group': {
        const v = node.parent;
        const ctx = pathContext(v.data);
        return artifactItems(v.entry.version, node.artifact, ctx).map((spec, i) => ({ kind: 'item', id: `${node.id}:${i}`, parent: node, spec, version: v }));
      }
      case 'item':
        return (node.spec.children ?? []).map((spec, i) => ({ kind: 'item', id: `${node.id}:${i}`, parent: node, spec, version: node.version }));
      case 'stale':
        return node.entry.stale.map((r, i) => ({
          kind: 'item',
          id: `${node.id}:${i}`,
          parent: node,
          spec: { label: r.message, icon: 'warning' },
          version: node.parent as ModelNode & { kind: 'version' },
        }));
      case 'error':
        return [];
    }
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    const collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    const none = vscode.TreeItemCollapsibleState.None;
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.data.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('root-folder');
        return item;
      }
      case 'error': {
        const item = new vscode.TreeItem(node.message, none);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = node.message;
        return item;
      }
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        const n = m.versions.length;
        const stale = m.versions.filter((v) => v.stale.length > 0).length;
        item.description = `${m.source === 'mlflow' ? 'MLflow · ' : ''}${n} version${n === 1 ? '' : 's'}${stale ? ` · ${stale} stale` : ''}`;
        item.iconPath = new vscode.ThemeIcon(m.source === 'mlflow' ? 'cloud' : 'symbol-class');
        item.tooltip = new vscode.MarkdownString(`**${m.name}**${m.description ? `\n\n${m.description}` : ''}${m.source === 'mlflow' ? '\n\nRead-only, from the MLflow file store.' : ''}`);
        item.contextValue = `mlops.model.${m.source}`;
        return item;
      }
      case 'version': {
        const v = node.entry.version;
        const item = new vscode.TreeItem(`v${v.version}`, collapsed);
        item.id = node.id;
        const h = headlineMetric(v.experiment.metrics);
        const stale = node.entry.stale.length > 0;
        item.description = [...v.aliases.map((a) => `@${a}`), h ? `${h.name} ${h.value}` : '', stale ? 'stale' : ''].filter(Boolean).join(' · ');
        item.iconPath = stale ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon(v.aliases.length ? 'verified' : 'versions');
        const md = new vscode.MarkdownString(`**${v.name}** version ${v.version}${v.aliases.length ? ` — ${v.aliases.map((a) => `\`@${a}\``).join(' ')}` : ''}\n\nregistered ${v.createdAt}${v.experiment.runId ? ` by run \`${v.experiment.runId}\`` : ''}`);
        if (stale) md.appendMarkdown(`\n\n**Stale** — changed since training:\n${node.entry.stale.map((r) => `\n- ${r.message}`).join('')}`);
        item.tooltip = md;
        item.contextValue = `mlops.modelVersion.${v.definition.source}${stale ? '.stale' : ''}`;
        return item;
      }
      case 'stale': {
        const n = node.entry.stale.length;
        const item = new vscode.TreeItem(`stale: ${n} change${n === 1 ? '' : 's'} since training`, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.tooltip = node.entry.stale.map((r) => r.message).join('\n');
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.artifact, collapsed);
        item.id = node.id;
        item.description = groupSummary(node.parent.entry.version, node.artifact);
        item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[node.artifact]);
        item.contextValue = `mlops.artifactGroup.${node.artifact}`;
        return item;
      }
      case 'item': {
        const s = node.spec;
        const item = new vscode.TreeItem(s.label, s.children?.length ? collapsed : none);
        item.id = node.id;
        if (s.description !== undefined) item.description = s.description;
        item.tooltip = s.tooltip ?? (s.description ? `${s.label}: ${s.description}` : s.label);
        item.iconPath = new vscode.ThemeIcon(s.icon);
        if (s.open) {
          item.command = { command: OPEN_ITEM_COMMAND, title: 'Open', arguments: [node] };
          item.contextValue = `mlops.artifactItem.${s.open.type}`;
        }
        return item;
      }
    }
  }
}

/** Where a folder's recorded paths start. */
export function pathContext(f: FolderModels): PathContext {
  return { root: f.report?.root ?? f.folder.uri.fsPath, stateDir: f.report?.stateDir ?? path.join(f.folder.uri.fsPath, '.mlops') };
}
