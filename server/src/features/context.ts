import type { Analysis, Occurrence, Workspace } from '../../../core/src/index';

/** What every language feature may use: the workspace of one lane and URI/path mapping. */
export interface FeatureContext {
  ws: Workspace;
  /** Analyses a document, reporting progress so a stuck analysis can be blamed on it. */
  analyze(path: string): Analysis | undefined;
  uriOf(path: string): string;
  pathOf(uri: string): string;
  /** Every symbol occurrence of a document (cached while its text is unchanged). */
  occurrencesOf(path: string): Occurrence[];
  /** The client accepts snippet completions. */
  snippets: boolean;
}

/** The last path segment, for labels such as `churn.features.yaml`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The first line of a command, shortened for one-line details. */
export function oneLine(s: string, max = 80): string {
  const line = s.trim().split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
