import * as path from 'node:path';
import { fingerprintView, transformationFile, type FeatureViewRecord, type ViewFingerprint } from '../../../core/src/catalog/index';
import { effectiveFeatures, type FeatureCatalog, type FeatureIndex, type FeatureView, type Pipeline } from '../../../core/src/index';
import type { PipelineGraph } from '../../../core/src/index';
import { READ_LIMITS, readTextBounded } from '../../../core/src/node/read';
import { projectWorkspace } from '../load';
import { relativeTo } from './paths';

/** The feature catalogs of a workspace as they are on disk now. */
export interface FeatureState {
  root: string;
  index: FeatureIndex;
}

/** Reads every `*.features.yaml` below the root. */
export function featureState(root: string): FeatureState {
  return { root, index: projectWorkspace(root).features() };
}

/** The catalog that defines a view (the first, when a duplicate exists). */
export function catalogOf(state: FeatureState, view: string): { catalog: FeatureCatalog; view: FeatureView } | undefined {
  return state.index.views(view)[0];
}

/** Absolute path of a view's transformation file (relative to its catalog's folder). */
export function transformationPath(catalog: FeatureCatalog, view: FeatureView): string | undefined {
  const file = transformationFile(view);
  return file === undefined ? undefined : path.resolve(path.dirname(catalog.uri), file);
}

/** A transformation's source, read as validation reads it (bounded, inside the workspace); undefined when not read. */
function readSource(file: string | undefined, root: string): string | undefined {
  if (file === undefined) return undefined;
  const r = readTextBounded(file, { limit: READ_LIMITS.source, within: [root] });
  return r.ok ? r.text : undefined;
}

/** A view's fingerprint now, with its catalog relative to the root; null when no catalog defines it. */
export function currentFingerprint(state: FeatureState, view: string): (ViewFingerprint & { catalog: string; transformationFile: string | null }) | null {
  const found = catalogOf(state, view);
  if (!found) return null;
  const tf = transformationPath(found.catalog, found.view);
  const fp = fingerprintView(found.view, state.index, readSource(tf, state.root));
  return { ...fp, catalog: relativeTo(state.root, found.catalog.uri), transformationFile: tf ? relativeTo(state.root, tf) : null };
}

/** What a model version records about a view it read. */
export function viewRecord(state: FeatureState, view: string): FeatureViewRecord {
  const found = catalogOf(state, view);
  const cur = currentFingerprint(state, view);
  if (!found || !cur) return { view, catalog: null, fingerprint: null, definitionSha256: null, transformation: null };
  return {
    view,
    catalog: cur.catalog,
    fingerprint: cur.fingerprint,
    definitionSha256: cur.definitionSha256,
    transformation: found.view.transformation ? { ref: found.view.transformation.value, file: cur.transformationFile ?? '', sha256: cur.transformationSha256 } : null,
  };
}

/** The view named by a `features:` entry (`view` or `view.feature`). */
export function viewOfEntry(entry: string): string {
  const dot = entry.indexOf('.');
  return dot === -1 ? entry : entry.slice(0, dot);
}

/**
 * The feature views a task reads: its own `features:` and those of every task upstream of
 * it — a training task usually reads the table a featurize task computed from the views.
 */
export function viewsReadBy(pipeline: Pipeline, graph: PipelineGraph, taskId: string): string[] {
  const seen = new Set<string>([taskId]);
  const stack = [taskId];
  const views = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    const t = pipeline.tasks.get(id);
    if (t) for (const f of effectiveFeatures(pipeline, t)) views.add(viewOfEntry(f.value));
    for (const p of graph.dag.parents(id)) {
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return [...views].sort();
}
