/**
 * The Models tree's contents as pure functions over `mlops models list` reports: which rows
 * there are, and what each shows (label, badges, headline metric, stale flags, tooltip,
 * icon, context value, expansion and the command selection runs). No `vscode` import:
 * `models-tree.ts` adapts these to a TreeDataProvider.
 */
import * as path from 'node:path';
import { currentActor } from '../../../core/src/node';
import { ARTIFACT_KINDS, headlineMetric, type ArtifactKind, type ModelEntryReport, type ModelsReport, type VersionEntry } from '../../../core/src/index';
import { artifactItems, GROUP_ICONS, groupSummary, type ItemSpec, type PathContext } from './artifact-items';
import { leafText, plural, type FolderRef, type TreeItemSpec } from './tree-spec';

/** One workspace folder's models, as the agent reported them. */
export interface FolderModels<F extends FolderRef = FolderRef> {
  folder: F;
  report: ModelsReport | null;
  /** Why the folder's models could not be read. */
  error: string | null;
}

/** A row of the Models tree; each keeps its parent so the tree can reveal it. */
export type ModelNode<F extends FolderRef = FolderRef> =
  | { kind: 'folder'; id: string; data: FolderModels<F> }
  | { kind: 'error'; id: string; parent: ModelNode<F> | undefined; message: string }
  | { kind: 'model'; id: string; parent: ModelNode<F> | undefined; data: FolderModels<F>; model: ModelEntryReport }
  | { kind: 'version'; id: string; parent: ModelNode<F>; data: FolderModels<F>; model: ModelEntryReport; entry: VersionEntry }
  | { kind: 'stale'; id: string; parent: ModelNode<F>; entry: VersionEntry }
  | { kind: 'group'; id: string; parent: VersionNode<F>; artifact: ArtifactKind }
  | { kind: 'item'; id: string; parent: ModelNode<F>; spec: ItemSpec; version: VersionNode<F> };

export type VersionNode<F extends FolderRef = FolderRef> = ModelNode<F> & { kind: 'version' };

/** The command a leaf runs when selected; the extension registers it. */
export const OPEN_ITEM_COMMAND = 'mlops.models.openItem';

/**
 * The top rows: with one folder its models (or its error); with several, one row per folder
 * that has models or an error. No data gives no rows, so the view's welcome text shows.
 */
/** `user@host` as the agent on this machine records it. */
function localIdentity(): string {
  const a = currentActor();
  return `${a.user}@${a.host}`;
}

export function modelRoots<F extends FolderRef>(folders: readonly FolderModels<F>[]): ModelNode<F>[] {
  if (folders.length > 1) return folders.filter((f) => f.error || (f.report?.models.length ?? 0) > 0).map((f) => ({ kind: 'folder', id: `folder:${f.folder.uri}`, data: f }));
  const f = folders[0];
  return f ? folderChildren(f, undefined) : [];
}

function folderChildren<F extends FolderRef>(f: FolderModels<F>, parent: ModelNode<F> | undefined): ModelNode<F>[] {
  const base = `${f.folder.uri}`;
  if (f.error) return [{ kind: 'error', id: `error:${base}`, parent, message: f.error }];
  return (f.report?.models ?? []).map((model) => ({ kind: 'model', id: `model:${base}:${model.source}:${model.name}`, parent, data: f, model }));
}

/**
 * A row's children: models → versions → (a stale row naming each change, when stale) and
 * the eight artifact groups in ARTIFACT_KINDS order → their items (→ nested items).
 */
export function modelChildren<F extends FolderRef>(node: ModelNode<F>): ModelNode<F>[] {
  switch (node.kind) {
    case 'folder':
      return folderChildren(node.data, node);
    case 'model':
      return node.model.versions.map((entry) => ({ kind: 'version', id: `${node.id}:v${entry.version.version}`, parent: node, data: node.data, model: node.model, entry }));
    case 'version': {
      const out: ModelNode<F>[] = [];
      if (node.entry.stale.length > 0) out.push({ kind: 'stale', id: `${node.id}:stale`, parent: node, entry: node.entry });
      for (const artifact of ARTIFACT_KINDS) out.push({ kind: 'group', id: `${node.id}:${artifact}`, parent: node, artifact });
      return out;
    }
    case 'group': {
      const v = node.parent;
      return artifactItems(v.entry.version, node.artifact, pathContext(v.data)).map((spec, i) => ({ kind: 'item', id: `${node.id}:${i}`, parent: node, spec, version: v }));
    }
    case 'item':
      return (node.spec.children ?? []).map((spec, i) => ({ kind: 'item', id: `${node.id}:${i}`, parent: node, spec, version: node.version }));
    case 'stale':
      return node.entry.stale.map((r, i) => ({
        kind: 'item',
        id: `${node.id}:${i}`,
        parent: node,
        spec: { label: r.message, icon: 'warning' },
        version: node.parent as VersionNode<F>,
      }));
    case 'error':
      return [];
  }
}

/** A row's parent, for reveal. */
export function modelParent<F extends FolderRef>(node: ModelNode<F>): ModelNode<F> | undefined {
  return node.kind === 'folder' ? undefined : node.parent;
}

/** What a row shows. */
export function modelItem<F extends FolderRef>(node: ModelNode<F>): TreeItemSpec {
  switch (node.kind) {
    case 'folder':
      return { id: node.id, label: node.data.folder.name, icon: 'root-folder', collapsible: 'expanded' };
    case 'error':
      return { id: node.id, label: node.message, icon: 'error', iconColor: 'errorForeground', tooltip: node.message, collapsible: 'none' };
    case 'model': {
      const m = node.model;
      const stale = m.versions.filter((v) => v.stale.length > 0).length;
      const mlflow = m.source === 'mlflow';
      return {
        id: node.id,
        label: m.name,
        description: `${mlflow ? 'MLflow · ' : ''}${plural(m.versions.length, 'version')}${stale ? ` · ${stale} stale` : ''}`,
        icon: mlflow ? 'cloud' : 'symbol-class',
        tooltip: { markdown: `**${m.name}**${m.description ? `\n\n${m.description}` : ''}${mlflow ? '\n\nRead-only, from the MLflow file store.' : ''}` },
        contextValue: `mlops.model.${m.source}`,
        collapsible: 'expanded',
      };
    }
    case 'version': {
      const v = node.entry.version;
      const h = headlineMetric(v.experiment.metrics);
      const stale = node.entry.stale.length > 0;
      const who = v.registeredBy ? `${v.registeredBy.user}${v.registeredBy.host ? `@${v.registeredBy.host}` : ''}` : '';
      let md = `**${v.name}** version ${v.version}${v.aliases.length ? ` — ${v.aliases.map((a) => `\`@${a}\``).join(' ')}` : ''}\n\nregistered ${v.createdAt}${who ? ` by ${who}` : ''}${v.experiment.runId ? ` in run \`${v.experiment.runId}\`` : ''}`;
      if (stale) md += `\n\n**Stale** — changed since training:\n${node.entry.stale.map((r) => `\n- ${r.message}`).join('')}`;
      return {
        id: node.id,
        label: `v${v.version}`,
        // Whose a version is matters when it is not one's own (a team store, an MLflow import).
        description: [...v.aliases.map((a) => `@${a}`), h ? `${h.name} ${h.value}` : '', who && who !== localIdentity() ? `by ${who}` : '', stale ? 'stale' : ''].filter(Boolean).join(' · '),
        ...(stale ? { icon: 'warning', iconColor: 'list.warningForeground' } : { icon: v.aliases.length ? 'verified' : 'versions' }),
        tooltip: { markdown: md },
        contextValue: `mlops.modelVersion.${v.definition.source}${stale ? '.stale' : ''}`,
        collapsible: 'collapsed',
      };
    }
    case 'stale': {
      const n = node.entry.stale.length;
      return {
        id: node.id,
        label: `stale: ${plural(n, 'change')} since training`,
        icon: 'warning',
        iconColor: 'list.warningForeground',
        tooltip: node.entry.stale.map((r) => r.message).join('\n'),
        collapsible: 'expanded',
      };
    }
    case 'group':
      return {
        id: node.id,
        label: node.artifact,
        description: groupSummary(node.parent.entry.version, node.artifact),
        icon: GROUP_ICONS[node.artifact],
        contextValue: `mlops.artifactGroup.${node.artifact}`,
        collapsible: 'collapsed',
      };
    case 'item': {
      const s = node.spec;
      return {
        id: node.id,
        ...leafText(s),
        icon: s.icon,
        ...(s.open ? { command: { command: OPEN_ITEM_COMMAND, title: 'Open', arguments: [node] }, contextValue: `mlops.artifactItem.${s.open.type}` } : {}),
        collapsible: s.children?.length ? 'collapsed' : 'none',
      };
    }
  }
}

/** Every version row under `roots`, in tree order, for pickers and reveal. */
export function modelVersions<F extends FolderRef>(roots: readonly ModelNode<F>[], children: (n: ModelNode<F>) => ModelNode<F>[] = modelChildren): VersionNode<F>[] {
  const out: VersionNode<F>[] = [];
  const walk = (nodes: readonly ModelNode<F>[]) => {
    for (const n of nodes) {
      if (n.kind === 'version') out.push(n);
      else if (n.kind === 'folder' || n.kind === 'model') walk(children(n));
    }
  };
  walk(roots);
  return out;
}

/** Where a folder's recorded paths start. */
export function pathContext(f: FolderModels): PathContext {
  return { root: f.report?.root ?? f.folder.uri.fsPath, stateDir: f.report?.stateDir ?? path.join(f.folder.uri.fsPath, '.mlops') };
}
