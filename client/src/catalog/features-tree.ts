import * as vscode from 'vscode';
import type { FeatureViewReport } from '../../../core/src/index';
import * as M from './features-tree-model';
import { toTreeItem } from './tree-item';

export { GO_TO_DEFINITION_COMMAND, REVEAL_MODEL_COMMAND } from './features-tree-model';

/** One workspace folder's feature catalog, as the agent reported it. */
export type FolderFeatures = M.FolderFeatures<vscode.WorkspaceFolder>;
/** A row of the Feature Catalog tree. */
export type FeatureNode = M.FeatureNode<vscode.WorkspaceFolder>;

/**
 * Catalogs → entities, sources and feature views → each view's features (type and
 * description), owner, ttl, tags, transformation and who uses it: pipeline tasks and model
 * versions (a version trained on an older definition of the view is flagged stale). What
 * each row shows is computed in features-tree-model.ts; this maps it onto VS Code.
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
    return M.findView(this.folders, name);
  }

  getParent(node: FeatureNode): FeatureNode | undefined {
    return M.featureParent(node);
  }

  getChildren(node?: FeatureNode): FeatureNode[] {
    return node ? M.featureChildren(node) : M.featureRoots(this.folders);
  }

  getTreeItem(node: FeatureNode): vscode.TreeItem {
    return toTreeItem(M.featureItem(node));
  }
}
