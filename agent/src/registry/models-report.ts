import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelEntryReport, ModelsReport } from '../../../core/src/catalog/index';
import { ConsistencyChecker } from './consistency';
import { readMlflowStore } from './mlflow-store';
import type { RegistrySnapshot } from './registry';

/** Where the models of a workspace are: the store's artifact folder and, optionally, an MLflow store. */
export interface ModelSources {
  root: string;
  /** The artifact folder stored parameters are in. */
  artifacts: string;
  /** `mlruns/` to read; when undefined, `<root>/mlruns` if it exists. Null: do not read MLflow. */
  mlruns?: string | null;
}

/** The MLflow file store to read: the one given, else `mlruns/` in the root, else none. */
export function mlrunsDir(src: ModelSources): string | null {
  if (src.mlruns === null) return null;
  if (src.mlruns !== undefined) return path.resolve(src.mlruns);
  const env = process.env.MLFLOW_TRACKING_URI;
  if (env && (env.startsWith('file:') || path.isAbsolute(env))) {
    try {
      const p = env.startsWith('file:') ? fileURLToPath(env) : env;
      if (fs.existsSync(path.join(p, 'models'))) return p;
    } catch {
      // Not a local file URI: fall back to mlruns/ in the root.
    }
  }
  const p = path.join(src.root, 'mlruns');
  return fs.existsSync(path.join(p, 'models')) ? p : null;
}

/** Every model of the store and of the MLflow store, each version with its staleness. */
export function modelsReport(src: ModelSources, registry: RegistrySnapshot | undefined): ModelsReport {
  const checker = new ConsistencyChecker(src.root);
  const models: ModelEntryReport[] = [];
  for (const m of registry?.models() ?? []) {
    models.push({
      name: m.name,
      source: 'mlops',
      description: m.versions[0]?.definition.description ?? null,
      versions: m.versions.map((v) => ({ version: v, stale: checker.check(v, registry!.rootOf(v.name, v.version)) })),
    });
  }
  const mlruns = mlrunsDir(src);
  const problems: string[] = [];
  if (mlruns) {
    if (!fs.existsSync(mlruns)) problems.push(`The MLflow store ${mlruns} does not exist.`);
    else {
      const ml = readMlflowStore(mlruns, src.root);
      problems.push(...ml.problems);
      for (const m of ml.models) models.push({ name: m.name, source: 'mlflow', description: m.description, versions: m.versions.map((v) => ({ version: v, stale: [] })) });
    }
  }
  return { root: src.root, stateDir: src.artifacts, mlruns, models, problems };
}
