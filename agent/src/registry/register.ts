import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  flattenMetrics,
  splitFunctionRef,
  type DataInput,
  type FunctionRecord,
  type HashedFile,
  type ModelArtifacts,
  type ModelExperiment,
  type ModelParameters,
  type ModelVersion,
} from '../../../core/src/catalog/index';
import type { ModelSpec } from '../../../core/src/index';
import type { Plan, PlannedTask } from '../plan';
import { err, ok, type Result } from '../../../core/src/result';
import { storeFile } from './artifacts';
import { findManifests, pythonVersion } from './environment';
import { featureState, viewRecord, viewsReadBy } from './features';
import { describeUnread, hashFileAsync, isInside, kindOf, READ_LIMITS, readTextBoundedAsync, unreadFromError } from '../../../core/src/node/read';
import { digestPath, hashIfExists, isSymlink, listingHash, RefusedPath, walkFiles } from './hash';
import { gitLineage } from './lineage';
import { relativeTo } from './paths';
import type { StoreConfig } from '../state/config';
import { currentActor } from '../state/config';
import { openRegistry } from '../state/open';

/** What the run knows about a task that just succeeded. */
export interface RegistrationInput {
  config: StoreConfig;
  plan: Plan;
  taskId: string;
  /** When the task ended (ISO 8601) and how long its last attempt took. */
  finishedAt: string;
  durationMs: number | null;
  /** The task's log file. */
  log: string | null;
}

/** Formats guessed from the model file's extension when `model.format` is not given. */
const FORMATS: Record<string, string> = {
  '.json': 'json',
  '.joblib': 'joblib',
  '.pkl': 'pickle',
  '.pickle': 'pickle',
  '.onnx': 'onnx',
  '.safetensors': 'safetensors',
  '.pt': 'pytorch',
  '.pth': 'pytorch',
  '.h5': 'hdf5',
  '.keras': 'keras',
  '.ubj': 'ubjson',
  '.cbm': 'catboost',
  '.txt': 'text',
};

/**
 * Registers a new version of the model a succeeded task declares in its `model:` block,
 * with all eight kinds of artifact. Expected failures (no model block, an unreadable store)
 * are results; the caller reports them and the run goes on.
 */
export async function registerModelVersion(input: RegistrationInput): Promise<Result<ModelVersion>> {
  const { plan, taskId } = input;
  const loaded = plan.loaded;
  const spec = loaded.pipeline.tasks.get(taskId)?.model;
  const task = plan.tasks.find((t) => t.id === taskId);
  if (!spec || !task) return err(`Task '${taskId}' has no model: block.`);
  const name = spec.name?.value;
  if (!name) return err(`The model: block of task '${taskId}' has no name.`);
  try {
    const artifacts = await collectArtifacts(input, spec, task);
    const registry = (await openRegistry(input.config, true))!;
    try {
      return ok(await registry.register(name, artifacts, { runId: plan.runId, task: taskId, root: loaded.root, createdAt: new Date().toISOString(), by: currentActor() }));
    } finally {
      await registry.close();
    }
  } catch (e) {
    if (e instanceof RefusedPath) return err(`${e.message}; registration takes only regular files and folders inside the workspace.`);
    const x = e as NodeJS.ErrnoException;
    return err(`${x.code && x.path ? `cannot read or write ${x.path} (${x.code})` : x.message}`);
  }
}

async function collectArtifacts(input: RegistrationInput, spec: ModelSpec, task: PlannedTask): Promise<ModelArtifacts> {
  const { plan } = input;
  const loaded = plan.loaded;
  const root = loaded.root;
  const rel = (p: string) => relativeTo(root, p);
  const fromPipeline = (p: string) => path.resolve(loaded.dir, p);

  const modelPath = spec.path ? fromPipeline(spec.path.value) : null;
  const docker = task.executor === 'docker';
  const [parameters, featurize, predict, manifests, interpreter, inputs, code, metrics] = await Promise.all([
    modelPath ? storeParameters(input.config.artifacts, modelPath, root, rel) : Promise.resolve(missingParameters('the model: block names no path')),
    functionRecord(spec.featurize?.value, fromPipeline, rel, root),
    functionRecord(spec.predict?.value, fromPipeline, rel, root),
    Promise.all(
      findManifests(loaded.dir, root).map(async (m) => {
        const h = await hashFileAsync(m, [root]);
        return { path: rel(m), size: h.ok ? h.size : 0, sha256: h.ok ? h.sha256 : '' };
      }),
    ),
    docker ? Promise.resolve({ name: 'python', version: null, note: `the task ran in the image ${task.image}; its interpreter is fixed by the image` }) : pythonVersion(),
    Promise.all(task.inputs.map(async (p): Promise<DataInput> => ({ path: rel(p), ...pick(await digestPath(p)) }))),
    gitLineage(root),
    readMetrics(spec.metrics ? fromPipeline(spec.metrics.value) : null, root, rel),
  ]);
  const features = featureState(root);
  const experiment: ModelExperiment = {
    runId: plan.runId,
    pipeline: loaded.name,
    file: rel(loaded.file),
    task: task.id,
    params: { ...plan.params },
    metrics: metrics.values,
    metricsFile: metrics.file,
    log: input.log ? rel(input.log) : null,
    startedAt: input.durationMs === null ? null : new Date(Date.parse(input.finishedAt) - input.durationMs).toISOString(),
    durationMs: input.durationMs,
    note: metrics.note,
  };
  const ext = modelPath ? path.extname(modelPath).toLowerCase() : '';
  return {
    definition: {
      source: 'mlops',
      framework: spec.framework?.value ?? null,
      path: modelPath ? rel(modelPath) : null,
      format: spec.format?.value ?? (parameters.kind === 'directory' ? 'directory' : (FORMATS[ext] ?? null)),
      description: spec.description ?? null,
      flavors: null,
    },
    parameters,
    functions: { featurize, predict },
    dependencies: { manifests, interpreter, executor: task.executor, image: docker ? task.image : null },
    data: { inputs, features: viewsReadBy(loaded.pipeline, loaded.graph, task.id).map((v) => viewRecord(features, v)) },
    code,
    experiment,
    tags: { ...spec.tags },
  };
}

function pick(d: { kind: DataInput['kind']; size: number; sha256: string | null }): Omit<DataInput, 'path'> {
  return { kind: d.kind, size: d.size, sha256: d.sha256 };
}

function missingParameters(note: string, p: string | null = null): ModelParameters {
  return { path: p, kind: 'missing', size: 0, sha256: null, stored: null, files: [], note };
}

/**
 * Copies the model file (or every file of a model folder) into the content-addressed store.
 * Only what resolves inside the workspace and is a regular file or folder is taken: a link
 * to /etc/passwd is not copied, a device would fill the disk, a FIFO would never end.
 */
async function storeParameters(artifacts: string, modelPath: string, root: string, rel: (p: string) => string): Promise<ModelParameters> {
  // As written (rel() would resolve the link this is about).
  const written = path.relative(root, modelPath).split(path.sep).join('/');
  const shown = `model.path ${written}`;
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync(modelPath);
    st = fs.statSync(real);
  } catch (e) {
    const why = unreadFromError(e);
    if (why.reason === 'missing' && !isSymlink(modelPath)) return missingParameters(`${rel(modelPath)} did not exist when the task succeeded`, rel(modelPath));
    throw new RefusedPath(shown, why.reason === 'missing' ? 'is a symbolic link to nothing' : why);
  }
  if (!isInside(fs.realpathSync(root), real)) throw new RefusedPath(shown, { reason: 'outside', target: real });
  if (st.isFile()) {
    const s = await storeFile(artifacts, real);
    return { path: rel(modelPath), kind: 'file', size: s.size, sha256: s.sha256, stored: s.stored, files: [], note: null };
  }
  if (!st.isDirectory()) throw new RefusedPath(shown, { reason: 'not-a-file', kind: kindOf(st) });
  const files: HashedFile[] = [];
  for (const f of walkFiles(real, [root], written)) {
    const s = await storeFile(artifacts, f.abs);
    files.push({ path: f.rel, size: s.size, sha256: s.sha256, stored: s.stored });
  }
  // The same listing hash as a folder input's, so the two can be compared.
  return {
    path: rel(modelPath),
    kind: 'directory',
    size: files.reduce((n, f) => n + f.size, 0),
    sha256: listingHash(files),
    stored: null,
    files,
    note: null,
  };
}

async function functionRecord(ref: string | undefined, resolve: (p: string) => string, rel: (p: string) => string, root: string): Promise<FunctionRecord | null> {
  if (!ref) return null;
  const { file, function: fn } = splitFunctionRef(ref);
  const abs = resolve(file);
  return { ref, file: rel(abs), function: fn, sha256: await hashIfExists(abs, [root]) };
}

/** Numeric values of the metrics file (JSON, or YAML), with a note when it cannot be read. */
async function readMetrics(file: string | null, root: string, rel: (p: string) => string): Promise<{ values: Record<string, number>; file: string | null; note: string | null }> {
  if (!file) return { values: {}, file: null, note: null };
  const read = await readTextBoundedAsync(file, { limit: READ_LIMITS.metrics, within: [root] });
  if (!read.ok && read.why.reason === 'missing') return { values: {}, file: rel(file), note: `the metrics file ${rel(file)} did not exist when the task succeeded` };
  if (!read.ok) return { values: {}, file: rel(file), note: `the metrics file ${rel(file)} ${describeUnread(read.why)}, so no metrics were recorded` };
  const text = read.text;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = parseYaml(text);
    } catch {
      return { values: {}, file: rel(file), note: `the metrics file ${rel(file)} is neither JSON nor YAML` };
    }
  }
  return { values: flattenMetrics(doc), file: rel(file), note: null };
}
