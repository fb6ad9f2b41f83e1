import * as vscode from 'vscode';
import * as M from './models-tree-model';
import { toTreeItem } from './tree-item';

export { OPEN_ITEM_COMMAND, pathContext } from './models-tree-model';

/** One workspace folder's models, as the agent reported them. */
export type FolderModels = M.FolderModels<vscode.WorkspaceFolder>;
/** A row of the Models tree; each keeps its parent so the tree can reveal it. */
export type ModelNode = M.ModelNode<vscode.WorkspaceFolder>;

/**
 * Models → versions (aliases as badges, headline metric, a warning when stale) → the eight
 * artifact groups → their items. MLflow models appear beside the store's, read-only. What
 * each row shows is computed in models-tree-model.ts; this maps it onto VS Code.
 */
export class ModelsTree implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ModelNode[] = [];
  /** Children are made once per update, so reveal finds the same node objects. */
  private readonly children = new Map<string, ModelNode[]>();

  /** Replaces the data and redraws. */
  update(folders: FolderModels[]): void {
    this.children.clear();
    this.roots = M.modelRoots(folders);
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** Every version node, for pickers and reveal. */
  versions(): M.VersionNode<vscode.WorkspaceFolder>[] {
    return M.modelVersions(this.roots, (n) => this.getChildren(n));
  }

  getChildren(node?: ModelNode): ModelNode[] {
    if (!node) return this.roots;
    const known = this.children.get(node.id);
    if (known) return known;
    const made = M.modelChildren(node);
    this.children.set(node.id, made);
    return made;
  }

  getParent(node: ModelNode): ModelNode | undefined {
    return M.modelParent(node);
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    return toTreeItem(M.modelItem(node));
  }
}
