import * as fs from 'node:fs';
import type { CatalogReport, FeatureViewReport, FeaturesReport, ModelUse, SourceLocation, TaskUse } from '../../../core/src/catalog/index';
import { effectiveFeatures, pipelineBaseName, type LineIndex, type Span, type Workspace } from '../../../core/src/index';
import { addProjectDocuments, projectWorkspace } from '../load';
import { currentFingerprint, transformationPath, viewOfEntry, type FeatureState } from './features';
import { relativeTo } from './paths';
import type { RegistrySnapshot } from './registry';

/**
 * The feature catalog of a workspace for people and tools: every catalog with its entities,
 * sources and views, where each is defined, and who uses each view — the pipeline tasks
 * that list it under `features:` and the model versions that recorded it.
 */
export function featuresReport(root: string, registry: RegistrySnapshot | undefined): FeaturesReport {
  const ws = projectWorkspace(root);
  addProjectDocuments(ws, root, 'pipeline');
  const state: FeatureState = { root, index: ws.features() };
  const taskUses = tasksByView(ws, root);
  const catalogs: CatalogReport[] = [];
  for (const c of state.index.catalogs) {
    const lines = ws.analyze(c.uri)?.parsed.lines;
    const file = relativeTo(root, c.uri);
    const loc = (span: Span): SourceLocation => location(file, lines, span);
    const views: FeatureViewReport[] = [];
    for (const v of c.views.values()) {
      const tf = transformationPath(c, v);
      const fp = currentFingerprint(state, v.name);
      views.push({
        name: v.name,
        catalog: file,
        location: loc(v.keySpan),
        description: v.description ?? null,
        entities: v.entities.map((e) => e.value),
        source: v.source?.value ?? null,
        ttl: v.ttl?.value ?? null,
        transformation: v.transformation ? { ref: v.transformation.value, file: tf ? relativeTo(root, tf) : null, exists: !!tf && fs.existsSync(tf) } : null,
        owner: v.owner ?? null,
        tags: { ...v.tags },
        features: [...v.features.values()].map((f) => ({ name: f.name, type: f.type?.value ?? null, description: f.description ?? null, location: loc(f.keySpan) })),
        fingerprint: fp?.fingerprint ?? '',
        usedBy: { tasks: taskUses.get(v.name) ?? [], models: modelUses(registry, v.name, fp?.fingerprint ?? null) },
      });
    }
    catalogs.push({
      file,
      project: c.project ?? null,
      entities: [...c.entities.values()].map((e) => ({ name: e.name, joinKeys: e.joinKeys, description: e.description ?? null, location: loc(e.keySpan) })),
      sources: [...c.sources.values()].map((s) => ({
        name: s.name,
        path: s.path?.value ?? null,
        timestampField: s.timestampField ?? null,
        description: s.description ?? null,
        location: loc(s.keySpan),
      })),
      views,
    });
  }
  catalogs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { root, catalogs };
}

function location(file: string, lines: LineIndex | undefined, span: Span): SourceLocation {
  const p = lines?.position(span[0]) ?? { line: 0, character: 0 };
  return { file, line: p.line + 1, column: p.character + 1 };
}

/** Every task that lists a view (or one of its features) under `features:`, by view. */
function tasksByView(ws: Workspace, root: string): Map<string, TaskUse[]> {
  const out = new Map<string, TaskUse[]>();
  for (const file of ws.paths('pipeline').sort()) {
    const a = ws.analyze(file);
    const p = a?.pipeline;
    if (!a || !p) continue;
    const rel = relativeTo(root, file);
    const name = p.name?.value ?? pipelineBaseName(file);
    for (const t of p.tasks.values()) {
      const seen = new Set<string>();
      for (const f of effectiveFeatures(p, t)) {
        const view = viewOfEntry(f.value);
        if (seen.has(view)) continue;
        seen.add(view);
        const use: TaskUse = { pipeline: name, file: rel, task: t.id, location: location(rel, a.parsed.lines, f.span) };
        out.set(view, [...(out.get(view) ?? []), use]);
      }
    }
  }
  return out;
}

function modelUses(registry: RegistrySnapshot | undefined, view: string, now: string | null): ModelUse[] {
  if (!registry) return [];
  return registry.usedBy(view).map((u) => ({
    name: u.name,
    version: u.version,
    aliases: registry.get(u.name, u.version)?.aliases ?? [],
    stale: u.fingerprint !== null && u.fingerprint !== now,
  }));
}
