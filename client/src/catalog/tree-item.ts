import * as vscode from 'vscode';
import type { Collapsible, TreeItemSpec } from './tree-spec';

const STATES: Record<Collapsible, vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** The `vscode.TreeItem` a row's spec describes. */
export function toTreeItem(spec: TreeItemSpec): vscode.TreeItem {
  const item = new vscode.TreeItem(spec.label, STATES[spec.collapsible]);
  item.id = spec.id;
  if (spec.description !== undefined) item.description = spec.description;
  if (spec.tooltip !== undefined) item.tooltip = typeof spec.tooltip === 'string' ? spec.tooltip : new vscode.MarkdownString(spec.tooltip.markdown);
  item.iconPath = new vscode.ThemeIcon(spec.icon, spec.iconColor ? new vscode.ThemeColor(spec.iconColor) : undefined);
  if (spec.contextValue !== undefined) item.contextValue = spec.contextValue;
  if (spec.command) item.command = spec.command;
  return item;
}
