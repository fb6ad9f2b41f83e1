/**
 * What a row of a catalog tree shows, as plain data: no `vscode` import, so the trees'
 * contents can be computed and tested without the editor. `tree-item.ts` maps a spec onto
 * a `vscode.TreeItem`.
 */

/** A row's expansion: a leaf, a folded branch or an open one. */
export type Collapsible = 'none' | 'collapsed' | 'expanded';

/** The command a row runs when selected. */
export interface CommandSpec {
  command: string;
  title: string;
  arguments: unknown[];
}

export interface TreeItemSpec {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  label: string;
  description?: string;
  /** Plain text, or Markdown rendered as such. */
  tooltip?: string | { markdown: string };
  /** A codicon id. */
  icon: string;
  /** A theme color id for the icon. */
  iconColor?: string;
  contextValue?: string;
  collapsible: Collapsible;
  command?: CommandSpec;
}

/** What the trees need of a workspace folder; `vscode.WorkspaceFolder` is one. */
export interface FolderRef {
  readonly name: string;
  readonly uri: { readonly fsPath: string; toString(): string };
}

/** `n thing` or `n things`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A leaf's label and description, and its tooltip: its own, else `label: description`, else the label. */
export function leafText(s: { label: string; description?: string; tooltip?: string }): Pick<TreeItemSpec, 'label' | 'description' | 'tooltip'> {
  return {
    label: s.label,
    ...(s.description !== undefined ? { description: s.description } : {}),
    tooltip: s.tooltip ?? (s.description ? `${s.label}: ${s.description}` : s.label),
  };
}
