/**
 * What a project file is and where the tools look for one: the one definition the CLI, the
 * agent, the language server and the extension share (they used to keep ten copies that
 * disagreed about venv/ and dist/).
 */

export type DocumentKind = 'pipeline' | 'features';

/** Which kind of file a path names, by its suffix; undefined for anything else. */
export function documentKind(path: string): DocumentKind | undefined {
  if (/\.pipeline\.ya?ml$/i.test(path)) return 'pipeline';
  if (/\.features\.ya?ml$/i.test(path)) return 'features';
  return undefined;
}

/** A pipeline's file name without its folder and `.pipeline.yaml` suffix: its name when it declares none. */
export function pipelineBaseName(path: string): string {
  return (path.split(/[/\\]/).pop() ?? path).replace(/\.pipeline\.ya?ml$/i, '');
}

/**
 * Folders that hold dependencies, environments, caches or build output, never project files.
 * Hidden folders (`.git`, `.mlops`, `.venv`…) are skipped as well, by `skippedFolder`.
 */
const SKIPPED = ['node_modules', 'venv', 'env', '__pycache__', 'site-packages', 'dist', 'build', 'out', 'mlruns'] as const;

/** True for a folder that is never searched for project files (nor for a project's manifests). */
export function skippedFolder(name: string): boolean {
  return name.startsWith('.') || (SKIPPED as readonly string[]).includes(name);
}

/** Globs for the editor's file search and watchers, matching `documentKind` and `skippedFolder`. */
export const PROJECT_GLOBS = {
  pipelines: '**/*.pipeline.{yaml,yml}',
  catalogs: '**/*.features.{yaml,yml}',
  any: '**/*.{pipeline,features}.{yaml,yml}',
  /** Where never to look (the exclude argument of a file search). */
  skipped: `**/{${[...SKIPPED, '.*'].join(',')}}/**`,
} as const;
