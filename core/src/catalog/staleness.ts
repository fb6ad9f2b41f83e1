/**
 * Consistency between a model version and the workspace now: a version is stale when a
 * feature view it read or its featurize/predict source has changed since it was trained
 * (train/serve skew risk). Pure: the caller supplies the current hashes.
 */
import type { ViewFingerprint } from './fingerprint';
import type { ModelVersion } from './version';

/** The workspace as it is now, for the files and views a version recorded. */
export interface CurrentState {
  /** sha256 of each function source file named by the version (relative path), null when missing. */
  files: Record<string, string | null>;
  /** Each view the version read, with its current fingerprint; null when no catalog defines it. */
  views: Record<string, (ViewFingerprint & { catalog: string }) | null>;
}

/** One reason a version is stale, with a sentence naming what changed. */
export type StaleReason =
  | { kind: 'feature-view'; view: string; change: 'definition' | 'transformation' | 'definition-and-transformation' | 'removed'; message: string }
  | { kind: 'function'; role: 'featurize' | 'predict'; file: string; change: 'changed' | 'missing'; message: string };

/** Everything that differs; an empty list means the version is consistent with the workspace. */
export function staleness(v: Pick<ModelVersion, 'functions' | 'data'>, now: CurrentState): StaleReason[] {
  const out: StaleReason[] = [];
  for (const rec of v.data.features) {
    if (rec.fingerprint === null) continue; // unknown when trained: nothing to compare with
    const cur = now.views[rec.view];
    if (cur === undefined) continue;
    if (cur === null) {
      out.push({ kind: 'feature-view', view: rec.view, change: 'removed', message: `feature view ${rec.view} is no longer defined in any *.features.yaml` });
      continue;
    }
    if (cur.fingerprint === rec.fingerprint) continue;
    const defChanged = cur.definitionSha256 !== rec.definitionSha256;
    const srcChanged = cur.transformationSha256 !== (rec.transformation?.sha256 ?? null);
    const where = rec.transformation?.file ?? 'its transformation';
    if (defChanged && srcChanged) {
      out.push({ kind: 'feature-view', view: rec.view, change: 'definition-and-transformation', message: `feature view ${rec.view} changed: its definition in ${cur.catalog} and its transformation source ${where}` });
    } else if (srcChanged) {
      const gone = cur.transformationSha256 === null ? ' (now missing)' : '';
      out.push({ kind: 'feature-view', view: rec.view, change: 'transformation', message: `feature view ${rec.view} changed: its transformation source ${where}${gone}` });
    } else {
      out.push({ kind: 'feature-view', view: rec.view, change: 'definition', message: `feature view ${rec.view} changed: its definition in ${cur.catalog}` });
    }
  }
  for (const role of ['featurize', 'predict'] as const) {
    const rec = v.functions[role];
    if (!rec || rec.sha256 === null) continue;
    const cur = now.files[rec.file];
    if (cur === undefined || cur === rec.sha256) continue;
    out.push(
      cur === null
        ? { kind: 'function', role, file: rec.file, change: 'missing', message: `${role} source ${rec.file} no longer exists` }
        : { kind: 'function', role, file: rec.file, change: 'changed', message: `${role} source ${rec.file} changed since training` },
    );
  }
  return out;
}

/** The function source files a version recorded, which the caller must hash for `staleness`. */
export function functionFiles(v: Pick<ModelVersion, 'functions'>): string[] {
  return [v.functions.featurize, v.functions.predict].filter((f): f is NonNullable<typeof f> => f !== null && f.sha256 !== null).map((f) => f.file);
}
