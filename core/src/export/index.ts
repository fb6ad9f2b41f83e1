import type { Diagnostic } from '../diagnostics';
import { Problems } from '../rules/problem';
import { placeProblems, type Analysis } from '../workspace';
import { argoTarget } from './argo/index';
import { toYaml } from './yaml-out';
import type { ExportManifest, ExportSource, ExportTarget, ExportTargetId } from './target';

export * from './target';
export { argoTarget, ARGO_DEFAULTS, DEFAULT_GIT_IMAGE, type ArgoOptions } from './argo/index';
export { argoName } from './argo/names';

/** Every export target by id; a new target is one more entry (and its folder). */
export const EXPORT_TARGETS = { argo: argoTarget } as const satisfies Record<ExportTargetId, ExportTarget<unknown>>;

/** The export source of an analysed pipeline, or undefined when it is not one. */
export function exportSource(a: Analysis, file: string, root?: string): ExportSource | undefined {
  if (a.kind !== 'pipeline' || !a.pipeline || !a.graph) return undefined;
  return { pipeline: a.pipeline, graph: a.graph, text: a.parsed.text, file, ...(root ? { root } : {}) };
}

/** What of an analysed pipeline would not survive the trip to `target`, as diagnostics on exact ranges. */
export function exportDiagnostics<O>(a: Analysis, target: ExportTarget<O>, options: O, src = exportSource(a, a.path)): Diagnostic[] {
  if (!src) return [];
  const out = new Problems();
  target.check(src, options, out);
  return placeProblems(a.parsed, out.list);
}

export type ManifestFormat = 'yaml' | 'json';

/** The manifest as the text of a file: YAML with its header as a comment, or JSON. */
export function serializeManifest(m: ExportManifest, format: ManifestFormat): string {
  if (format === 'json') return `${JSON.stringify(m.body, null, 2)}\n`;
  return `# ${m.header}\n${toYaml(m.body)}`;
}
