import * as fs from 'node:fs';
import { functionFiles, staleness, type CurrentState, type ModelVersion, type StaleReason } from '../../../core/src/catalog/index';
import { hashFileSync } from '../../../core/src/node/read';
import { currentFingerprint, featureState, type FeatureState } from './features';
import { fromRecorded } from './paths';

/**
 * Compares model versions with the workspace as it is now. Feature catalogs are read once
 * per root and source files hashed once, however many versions are checked.
 */
export class ConsistencyChecker {
  private readonly states = new Map<string, FeatureState>();
  private readonly hashes = new Map<string, string | null>();

  /** `fallbackRoot` is used for versions whose recorded root no longer exists (a moved checkout). */
  constructor(private readonly fallbackRoot: string) {}

  /** The workspace root to compare a version against. */
  rootFor(recorded: string | null): string {
    return recorded && fs.existsSync(recorded) ? recorded : this.fallbackRoot;
  }

  features(root: string): FeatureState {
    let s = this.states.get(root);
    if (!s) {
      s = featureState(root);
      this.states.set(root, s);
    }
    return s;
  }

  /** A source file's hash as registration takes it (regular files inside the workspace); null when it cannot be hashed. */
  private hash(abs: string, root: string): string | null {
    if (!this.hashes.has(abs)) {
      const h = hashFileSync(abs, [root]);
      this.hashes.set(abs, h.ok ? h.sha256 : null);
    }
    return this.hashes.get(abs)!;
  }

  /** What changed since the version was made; empty when it is consistent. MLflow versions are never stale. */
  check(v: ModelVersion, recordedRoot: string | null): StaleReason[] {
    if (v.definition.source !== 'mlops') return [];
    const root = this.rootFor(recordedRoot);
    const state = this.features(root);
    const now: CurrentState = { files: {}, views: {} };
    for (const f of functionFiles(v)) now.files[f] = this.hash(fromRecorded(root, f), root);
    for (const rec of v.data.features) now.views[rec.view] = currentFingerprint(state, rec.view);
    return staleness(v, now);
  }
}
