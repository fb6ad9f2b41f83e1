/**
 * Readers for the files of an MLflow file store (`mlruns/`), from their text: registered
 * model and version `meta.yaml`, the `MLmodel` file, and metric histories. The agent finds
 * the files; this module only parses them and maps them onto a ModelVersion, read-only.
 */
import { parse } from 'yaml';
import type { FunctionRecord, ManifestRecord, ModelVersion, ParamScalar } from './version';

type Table = Record<string, unknown>;

function table(text: string): Table | undefined {
  try {
    const v: unknown = parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `mlruns/models/<name>/meta.yaml`. */
export interface MlflowRegisteredModel {
  name: string;
  description: string | null;
  createdAt: string | null;
}

/** `mlruns/models/<name>/version-N/meta.yaml`. */
export interface MlflowModelVersionMeta {
  name: string;
  version: number;
  createdAt: string | null;
  stage: string | null;
  description: string | null;
  runId: string | null;
  /** Where the model's files are: `file://…/artifacts/model`, a path, `runs:/…` or `models:/m-…`. */
  source: string | null;
  storageLocation: string | null;
  status: string | null;
  /** MLflow marks deleted versions with this stage instead of removing the folder. */
  deleted: boolean;
}

/** The `MLmodel` file of a logged model. */
export interface MlflowModelFile {
  flavors: Record<string, Record<string, unknown>>;
  runId: string | null;
  artifactPath: string | null;
  createdAt: string | null;
  mlflowVersion: string | null;
  modelUuid: string | null;
  hasSignature: boolean;
}

export function parseRegisteredModelMeta(text: string): MlflowRegisteredModel | undefined {
  const t = table(text);
  const name = str(t?.name);
  if (!t || !name) return undefined;
  return { name, description: str(t.description), createdAt: iso(num(t.creation_timestamp)) };
}

export function parseModelVersionMeta(text: string): MlflowModelVersionMeta | undefined {
  const t = table(text);
  const version = num(t?.version);
  const name = str(t?.name);
  if (!t || version === null || !name) return undefined;
  const stage = str(t.current_stage);
  return {
    name,
    version,
    createdAt: iso(num(t.creation_timestamp)),
    stage,
    description: str(t.description),
    runId: str(t.run_id),
    source: str(t.source),
    storageLocation: str(t.storage_location),
    status: str(t.status),
    deleted: stage === 'Deleted_Internal',
  };
}

export function parseMLmodel(text: string): MlflowModelFile | undefined {
  const t = table(text);
  if (!t) return undefined;
  const flavors: Record<string, Record<string, unknown>> = {};
  if (t.flavors && typeof t.flavors === 'object') {
    for (const [k, v] of Object.entries(t.flavors as Table)) flavors[k] = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  }
  const created = str(t.utc_time_created);
  return {
    flavors,
    runId: str(t.run_id),
    artifactPath: str(t.artifact_path),
    createdAt: created ? created.replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1') + (/[zZ]|[+-]\d\d:?\d\d$/.test(created) ? '' : 'Z') : null,
    mlflowVersion: str(t.mlflow_version),
    modelUuid: str(t.model_uuid),
    hasSignature: t.signature !== undefined && t.signature !== null,
  };
}

/**
 * The latest value of a metric history (`timestamp value step` per line): the highest
 * step, and among equal steps the latest timestamp — the value MLflow shows as the metric.
 */
export function latestMetric(text: string): number | undefined {
  let best: { ts: number; value: number; step: number } | undefined;
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 2) continue;
    const ts = Number(parts[0]);
    const value = Number(parts[1]);
    const step = parts.length > 2 ? Number(parts[2]) : 0;
    if (!Number.isFinite(ts) || Number.isNaN(value) || !Number.isFinite(step)) continue;
    if (!best || step > best.step || (step === best.step && ts >= best.ts)) best = { ts, value, step };
  }
  return best?.value;
}

/** The framework flavor of an MLmodel: the first flavor that is not the generic `python_function`. */
export function mlflowFramework(flavors: Record<string, Record<string, unknown>>): string | null {
  return Object.keys(flavors).find((f) => f !== 'python_function') ?? (flavors.python_function ? 'python_function' : null);
}

/** Everything read from the store about one version, for mapping onto a ModelVersion. */
export interface MlflowVersionInput {
  meta: MlflowModelVersionMeta;
  aliases: string[];
  tags: Record<string, string>;
  mlmodel: MlflowModelFile | null;
  /** The model's artifact folder, relative to the workspace root when inside it. */
  modelDir: string | null;
  /** Environment files inside the model folder (requirements.txt, conda.yaml, python_env.yaml). */
  manifests: ManifestRecord[];
  run: {
    id: string;
    experiment: string | null;
    name: string | null;
    params: Record<string, string>;
    metrics: Record<string, number>;
    tags: Record<string, string>;
    startedAt: string | null;
    durationMs: number | null;
  } | null;
  note: string | null;
}

/** An MLflow version in the store's JSON shape, so the tree and `models show` treat both alike. */
export function mlflowToModelVersion(m: MlflowVersionInput): ModelVersion {
  const flavors = m.mlmodel?.flavors ?? null;
  const framework = flavors ? mlflowFramework(flavors) : null;
  const fw = framework ? flavors?.[framework] : undefined;
  const format = str(fw?.serialization_format) ?? str(fw?.save_format) ?? str(fw?.model_format) ?? null;
  const runTags = m.run?.tags ?? {};
  const pyfunc = flavors?.python_function;
  const predict: FunctionRecord | null = pyfunc?.loader_module ? { ref: `${String(pyfunc.loader_module)}:_load_pyfunc`, file: String(pyfunc.loader_module), function: '_load_pyfunc', sha256: null } : null;
  const commit = runTags['mlflow.source.git.commit'] ?? null;
  const params: Record<string, ParamScalar> = { ...(m.run?.params ?? {}) };
  return {
    name: m.meta.name,
    version: m.meta.version,
    createdAt: m.meta.createdAt ?? m.mlmodel?.createdAt ?? new Date(0).toISOString(),
    registeredBy: runTags['mlflow.user'] ? { user: String(runTags['mlflow.user']), host: null } : null,
    aliases: [...m.aliases].sort(),
    definition: {
      source: 'mlflow',
      framework,
      path: m.modelDir,
      format,
      description: m.meta.description,
      flavors,
    },
    parameters: { path: m.modelDir, kind: m.modelDir ? 'directory' : 'missing', size: 0, sha256: null, stored: null, files: [], note: 'read from an MLflow file store; files are not copied into the mlops store' },
    functions: { featurize: null, predict },
    dependencies: {
      manifests: m.manifests,
      interpreter: { name: 'python', version: str(pyfunc?.python_version), note: pyfunc?.python_version ? null : 'not recorded in MLmodel' },
      executor: null,
      image: null,
    },
    data: { inputs: [], features: [] },
    code: {
      repository: commit !== null,
      commit,
      branch: runTags['mlflow.source.git.branch'] ?? null,
      remote: runTags['mlflow.source.git.repoURL'] ?? null,
      dirty: false,
      diff: null,
      untracked: [],
      note: commit ? null : 'the MLflow run recorded no git commit',
    },
    experiment: {
      runId: m.run?.id ?? m.meta.runId,
      pipeline: m.run?.experiment ?? null,
      file: runTags['mlflow.source.name'] ?? null,
      task: m.run?.name ?? null,
      params,
      metrics: m.run?.metrics ?? {},
      metricsFile: null,
      log: null,
      startedAt: m.run?.startedAt ?? null,
      durationMs: m.run?.durationMs ?? null,
      note: m.note,
    },
    tags: { ...m.tags, ...(m.meta.stage && m.meta.stage !== 'None' ? { 'mlflow.stage': m.meta.stage } : {}) },
  };
}
