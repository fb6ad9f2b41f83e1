/**
 * Feature view fingerprints: what a model version records about each view it read, so a
 * later change to the view can be detected (train/serve skew). Pure: the caller reads the
 * transformation's source file and passes its text.
 */
import type { FeatureIndex, FeatureView } from '../features/model';
import { splitFunctionRef } from './version';
import { sha256Text } from './sha256';

/** The parts of a view that decide the values it produces, in a fixed order. */
export interface CanonicalView {
  v: 1;
  view: string;
  entities: { name: string; joinKeys: string[] }[];
  source: { name: string; path: string | null; timestampField: string | null } | null;
  ttl: string | number | null;
  transformation: string | null;
  features: [name: string, type: string | null][];
}

/** A view's fingerprint and the two hashes it is made of, so a change can be named. */
export interface ViewFingerprint {
  fingerprint: string;
  definitionSha256: string;
  /** sha256 of the transformation's source file; null when the view names none or the file is missing. */
  transformationSha256: string | null;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The canonical definition of a view. Descriptions, owner and tags are left out on purpose:
 * they document a view without changing what it computes, so editing them must not mark
 * every model trained on it as stale. Entities (with their join keys), the source (with its
 * path and timestamp field), the ttl, the transformation and each feature's name and type
 * are in. Orders that carry no meaning (entities, features) are sorted.
 */
export function canonicalView(view: FeatureView, index: FeatureIndex): CanonicalView {
  const src = view.source ? index.source(view.source.value) : undefined;
  return {
    v: 1,
    view: view.name,
    entities: view.entities.map((e) => ({ name: e.value, joinKeys: [...(index.entity(e.value)?.joinKeys ?? [])] })).sort((a, b) => byName(a.name, b.name)),
    source: view.source ? { name: view.source.value, path: src?.path?.value ?? null, timestampField: src?.timestampField ?? null } : null,
    ttl: view.ttl?.value ?? null,
    transformation: view.transformation?.value ?? null,
    features: [...view.features.values()].map((f): [string, string | null] => [f.name, f.type?.value ?? null]).sort((a, b) => byName(a[0], b[0])),
  };
}

/** The file a view's transformation lives in (relative to its catalog's folder), if it names one. */
export function transformationFile(view: FeatureView): string | undefined {
  const t = view.transformation?.value;
  return t ? splitFunctionRef(t).file : undefined;
}

/**
 * Fingerprints a view: sha256 over its canonical definition and the text of its
 * transformation's source file (`undefined` when the view names none or the file is missing).
 */
export function fingerprintView(view: FeatureView, index: FeatureIndex, transformationSource: string | undefined): ViewFingerprint {
  const definitionSha256 = sha256Text(JSON.stringify(canonicalView(view, index)));
  const transformationSha256 = transformationSource === undefined ? null : sha256Text(transformationSource);
  const fingerprint = sha256Text(`mlops-feature-view/v1\n${definitionSha256}\n${transformationSha256 ?? 'none'}\n`);
  return { fingerprint, definitionSha256, transformationSha256 };
}
