import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckReport } from '../../core/src/catalog/index';
import type { OpenTarget } from '../../client/src/catalog/artifact-items';
import { featureChildren, featureItem, featureRoots, type FeatureNode, type FolderFeatures } from '../../client/src/catalog/features-tree-model';
import { modelChildren, modelItem, modelRoots, OPEN_ITEM_COMMAND, type FolderModels, type ModelNode } from '../../client/src/catalog/models-tree-model';
import type { FolderRef, TreeItemSpec } from '../../client/src/catalog/tree-spec';
import { mlops } from '../registry/helpers';

// What the catalog tree tests share: the Models and Feature Catalog trees expanded all the way
// down from what the real agent prints, and checks of their rows, without VS Code.

/** A workspace folder as the trees see it (vscode.WorkspaceFolder has the same shape). */
export function folderOf(dir: string, name = path.basename(dir)): FolderRef {
  return { name, uri: { fsPath: dir, toString: () => `file://${dir}` } };
}

export const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A row with its spec and its rows below, expanded all the way down. */
export interface Row<N> {
  node: N;
  spec: TreeItemSpec;
  children: Row<N>[];
}

function expand<N>(nodes: N[], children: (n: N) => N[], item: (n: N) => TreeItemSpec): Row<N>[] {
  return nodes.map((node) => ({ node, spec: item(node), children: expand(children(node), children, item) }));
}

export const modelTree = (folders: FolderModels[]) => expand<ModelNode>(modelRoots(folders), modelChildren, modelItem);
export const featureTree = (folders: FolderFeatures[]) => expand<FeatureNode>(featureRoots(folders), featureChildren, featureItem);

/** `label — description` per row, indented by depth: what the side bar shows. */
export function outline<N>(rows: Row<N>[], depth = 0): string[] {
  return rows.flatMap((r) => [`${'  '.repeat(depth)}${r.spec.label}${r.spec.description ? ` — ${r.spec.description}` : ''}`, ...outline(r.children, depth + 1)]);
}

export const child = <N>(rows: Row<N>[], label: string): Row<N> => {
  const r = rows.find((x) => x.spec.label === label);
  assert.ok(r, `no row ${label} among ${JSON.stringify(rows.map((x) => x.spec.label))}`);
  return r;
};

export function allRows<N>(rows: Row<N>[]): Row<N>[] {
  return rows.flatMap((r) => [r, ...allRows(r.children)]);
}

/** The open target of an item row, after checking its command and context value say the same. */
export function openOf(row: Row<ModelNode>): OpenTarget | undefined {
  const n = row.node;
  assert.equal(n.kind, 'item');
  const open = n.kind === 'item' ? n.spec.open : undefined;
  if (!open) {
    assert.equal(row.spec.command, undefined, `${row.spec.label} opens nothing yet has a command`);
    assert.equal(row.spec.contextValue, undefined);
    return undefined;
  }
  assert.deepEqual(row.spec.command, { command: OPEN_ITEM_COMMAND, title: 'Open', arguments: [n] });
  assert.equal(row.spec.contextValue, `mlops.artifactItem.${open.type}`);
  return open;
}

/** Every row's parent is the row it hangs under, and ids are unique. */
export function checkParentsAndIds<N extends { id: string }>(rows: Row<N>[], parent: (n: N) => N | undefined, top: N | undefined = undefined, seen = new Set<string>()): void {
  for (const r of rows) {
    assert.equal(parent(r.node), top, `parent of ${r.spec.label}`);
    assert.equal(r.spec.id, r.node.id);
    assert.ok(!seen.has(r.spec.id), `duplicate id ${r.spec.id}`);
    seen.add(r.spec.id);
    checkParentsAndIds(r.children, parent, r.node, seen);
  }
}

/** `check --all` exits 1 when something is stale; its JSON is on stdout either way. */
export function check(dir: string): CheckReport {
  const r = mlops(dir, 'models', 'check', '--all', '--format', 'json');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout) as CheckReport;
}
