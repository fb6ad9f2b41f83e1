import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  latestMetric,
  mlflowToModelVersion,
  parseMLmodel,
  parseModelVersionMeta,
  parseRegisteredModelMeta,
  type ManifestRecord,
  type MlflowModelFile,
  type MlflowVersionInput,
  type ModelVersion,
} from '../../../core/src/catalog/index';
import { hashFileSync, READ_LIMITS, readTextBounded } from '../../../core/src/node/read';
import { relativeTo } from './paths';

/** A registered model read from an MLflow file store. */
export interface MlflowModel {
  name: string;
  description: string | null;
  /** Newest first; deleted versions are left out. */
  versions: ModelVersion[];
}

/** Environment files MLflow writes beside a logged model. */
const ENV_FILES = ['requirements.txt', 'conda.yaml', 'python_env.yaml'];

/** A small file of the store (meta.yaml, a param, MLmodel); undefined when missing, over the limit or not a regular file. */
function read(p: string): string | undefined {
  const r = readTextBounded(p, { limit: READ_LIMITS.manifest });
  return r.ok ? r.text : undefined;
}

function subdirs(p: string): string[] {
  try {
    return fs
      .readdirSync(p, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** A folder of one-value files (params, tags, aliases); keys with `/` are nested folders. */
function readKeyFiles(dir: string, value: (text: string) => string | undefined = (t) => t): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const key = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), key);
      else {
        const v = value(read(path.join(d, e.name)) ?? '');
        if (v !== undefined) out[key] = v;
      }
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Reads the registered models of an MLflow file store (`mlruns/`): `models/<name>/meta.yaml`,
 * `version-N/meta.yaml` with its tags, the `aliases/` folder, the run each version came
 * from (params, latest metrics, tags) and the logged model's `MLmodel`. Read-only; what
 * cannot be read is reported in `problems` and skipped.
 */
export function readMlflowStore(mlruns: string, root: string): { models: MlflowModel[]; problems: string[] } {
  const problems: string[] = [];
  const models: MlflowModel[] = [];
  const modelsDir = path.join(mlruns, 'models');
  const runs = new RunIndex(mlruns);
  for (const dirName of subdirs(modelsDir)) {
    const dir = path.join(modelsDir, dirName);
    const metaText = read(path.join(dir, 'meta.yaml'));
    const meta = metaText === undefined ? undefined : parseRegisteredModelMeta(metaText);
    if (!meta) {
      problems.push(`${relativeTo(root, dir)} has no readable meta.yaml; it is not shown.`);
      continue;
    }
    const aliasesByVersion = new Map<number, string[]>();
    for (const [alias, v] of Object.entries(readKeyFiles(path.join(dir, 'aliases'), (t) => t.trim()))) {
      const n = Number(v);
      aliasesByVersion.set(n, [...(aliasesByVersion.get(n) ?? []), alias]);
    }
    const versions: ModelVersion[] = [];
    for (const vd of subdirs(dir).filter((d) => /^version-\d+$/.test(d))) {
      const vdir = path.join(dir, vd);
      const vtext = read(path.join(vdir, 'meta.yaml'));
      const vmeta = vtext === undefined ? undefined : parseModelVersionMeta(vtext);
      if (!vmeta) {
        problems.push(`${relativeTo(root, vdir)} has no readable meta.yaml; that version is not shown.`);
        continue;
      }
      if (vmeta.deleted) continue;
      versions.push(mlflowToModelVersion(versionInput(vmeta, aliasesByVersion.get(vmeta.version) ?? [], readKeyFiles(path.join(vdir, 'tags')), runs, root)));
    }
    versions.sort((a, b) => b.version - a.version);
    models.push({ name: meta.name, description: meta.description, versions });
  }
  return { models, problems };
}

function versionInput(meta: NonNullable<ReturnType<typeof parseModelVersionMeta>>, aliases: string[], tags: Record<string, string>, runs: RunIndex, root: string): MlflowVersionInput {
  const notes: string[] = [];
  const run = meta.runId ? runs.find(meta.runId) : undefined;
  if (meta.runId && !run) notes.push(`run ${meta.runId} is not in this store`);
  const modelDir = runs.modelDir(meta.source, meta.storageLocation, run?.dir);
  let mlmodel: MlflowModelFile | null = null;
  if (modelDir) {
    const text = read(path.join(modelDir, 'MLmodel'));
    mlmodel = text === undefined ? null : (parseMLmodel(text) ?? null);
    if (!mlmodel) notes.push(`no readable MLmodel in ${relativeTo(root, modelDir)}`);
  } else notes.push(`the model files (${meta.source ?? 'no source'}) are not in this store`);
  const manifests: ManifestRecord[] = [];
  if (modelDir) {
    for (const f of ENV_FILES) {
      const p = path.join(modelDir, f);
      const h = hashFileSync(p);
      // Missing: not written for this flavor.
      if (h.ok) manifests.push({ path: relativeTo(root, p), size: h.size, sha256: h.sha256 });
    }
  }
  return {
    meta,
    aliases,
    tags,
    mlmodel,
    modelDir: modelDir ? relativeTo(root, modelDir) : null,
    manifests,
    run: run ? runs.details(run) : null,
    note: notes.length ? notes.join('; ') : null,
  };
}

interface RunRef {
  id: string;
  experimentId: string;
  dir: string;
}

/** Runs of the tracking store by id: `mlruns/<experiment id>/<run id>/`. */
class RunIndex {
  private runs?: Map<string, RunRef>;

  constructor(private readonly mlruns: string) {}

  find(id: string): RunRef | undefined {
    if (!this.runs) {
      this.runs = new Map();
      for (const exp of subdirs(this.mlruns)) {
        if (exp === 'models' || exp === '.trash') continue;
        for (const r of subdirs(path.join(this.mlruns, exp))) {
          if (r !== 'models' && fs.existsSync(path.join(this.mlruns, exp, r, 'meta.yaml'))) this.runs.set(r, { id: r, experimentId: exp, dir: path.join(this.mlruns, exp, r) });
        }
      }
    }
    return this.runs.get(id);
  }

  /** The folder holding a version's MLmodel, from its source URI, its storage location or its run's artifacts. */
  modelDir(source: string | null, storage: string | null, runDir: string | undefined): string | undefined {
    for (const uri of [storage, source]) {
      const p = uri ? this.resolveUri(uri) : undefined;
      if (p && fs.existsSync(path.join(p, 'MLmodel'))) return p;
    }
    // A store copied from another machine keeps absolute paths of that machine: search the run.
    return runDir ? findMLmodel(path.join(runDir, 'artifacts'), 3) : undefined;
  }

  private resolveUri(uri: string): string | undefined {
    if (uri.startsWith('file:')) {
      try {
        return fileURLToPath(uri);
      } catch {
        return undefined;
      }
    }
    if (path.isAbsolute(uri)) return uri;
    let m = /^runs:\/([^/]+)\/(.*)$/.exec(uri);
    if (m) {
      const run = this.find(m[1]!);
      return run ? path.join(run.dir, 'artifacts', m[2]!) : undefined;
    }
    m = /^models:\/(m-[A-Za-z0-9]+)$/.exec(uri);
    if (m) {
      for (const exp of subdirs(this.mlruns)) {
        const p = path.join(this.mlruns, exp, 'models', m[1]!, 'artifacts');
        if (fs.existsSync(p)) return p;
      }
    }
    return undefined;
  }

  details(run: RunRef): NonNullable<MlflowVersionInput['run']> {
    const meta = parseSimpleYaml(read(path.join(run.dir, 'meta.yaml')) ?? '');
    const expMeta = parseSimpleYaml(read(path.join(this.mlruns, run.experimentId, 'meta.yaml')) ?? '');
    const metrics: Record<string, number> = {};
    for (const [k, text] of Object.entries(readKeyFiles(path.join(run.dir, 'metrics')))) {
      const v = latestMetric(text);
      if (v !== undefined) metrics[k] = v;
    }
    const tags = readKeyFiles(path.join(run.dir, 'tags'));
    const start = Number(meta.start_time);
    const end = Number(meta.end_time);
    return {
      id: run.id,
      experiment: expMeta.name ?? null,
      name: tags['mlflow.runName'] ?? meta.run_name ?? null,
      params: readKeyFiles(path.join(run.dir, 'params')),
      metrics,
      tags,
      startedAt: Number.isFinite(start) && start > 0 ? new Date(start).toISOString() : null,
      durationMs: Number.isFinite(start) && Number.isFinite(end) && end >= start && start > 0 ? end - start : null,
    };
  }
}

/** Top-level `key: value` lines of MLflow's flat meta.yaml files, as strings. */
function parseSimpleYaml(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][\w]*):\s*(.*)$/.exec(line);
    if (m)
      out[m[1]!] = m[2]!
        .replace(/^'(.*)'$/, '$1')
        .replace(/^"(.*)"$/, '$1')
        .trim();
  }
  return out;
}

function findMLmodel(dir: string, depth: number): string | undefined {
  if (fs.existsSync(path.join(dir, 'MLmodel'))) return dir;
  if (depth === 0) return undefined;
  for (const d of subdirs(dir)) {
    const found = findMLmodel(path.join(dir, d), depth - 1);
    if (found) return found;
  }
  return undefined;
}
