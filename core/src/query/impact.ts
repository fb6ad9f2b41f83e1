/** Which documents an outside change can affect, so that only those are checked again. */
import { effectiveFeatures } from '../pipeline/load';
import { dirname, isAbsolute, join, normalize } from '../util/paths';
import type { Analysis } from '../workspace';

/** True when a pipeline lists feature views, so a catalog change can alter its diagnostics. */
export function usesFeatures(a: Analysis): boolean {
  const p = a.pipeline;
  if (!p) return false;
  if (p.defaults.features.length > 0) return true;
  for (const t of p.tasks.values()) if (effectiveFeatures(p, t).length > 0) return true;
  return false;
}

/** Absolute paths of the files on disk whose existence or content a document's checks read. */
export function filesRead(a: Analysis): string[] {
  const dir = dirname(a.path);
  const abs = (p: string) => (isAbsolute(p) ? normalize(p) : join(dir, p));
  const out: string[] = [];
  if (a.pipeline) {
    for (const t of a.pipeline.tasks.values()) for (const i of t.inputs) if (!i.path.value.includes('${{')) out.push(abs(i.path.value));
  }
  if (a.catalog) {
    for (const s of a.catalog.sources.values()) if (s.path && !s.path.value.includes('${{')) out.push(abs(s.path.value));
    for (const v of a.catalog.views.values()) {
      const t = v.transformation?.value;
      if (!t) continue;
      const colon = t.lastIndexOf(':');
      out.push(abs(colon > 0 ? t.slice(0, colon) : t));
    }
  }
  return out;
}
