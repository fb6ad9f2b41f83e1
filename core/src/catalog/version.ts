/**
 * A model version as the store keeps it and `mlops models show --format json` prints it:
 * `name`, `version`, `createdAt`, `aliases` and the eight artifact kinds of docs/model-store.md.
 * Absent facts are `null` (never missing keys), so the JSON shape is the same for every
 * version. Paths are POSIX and relative to the workspace root.
 */

/** The eight artifact kinds, in the order docs/model-store.md lists them and the tree shows them. */
export const ARTIFACT_KINDS = ['definition', 'parameters', 'functions', 'dependencies', 'data', 'code', 'experiment', 'tags'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Every top-level key of a version's JSON, in print order. */
export const MODEL_VERSION_KEYS = ['name', 'version', 'createdAt', 'registeredBy', 'aliases', ...ARTIFACT_KINDS] as const;

/** Where a version came from: registered by the agent, or read from an MLflow file store. */
export type ModelSource = 'mlops' | 'mlflow';

/** What the model is: framework, file, format; for MLflow imports the MLmodel flavors. */
export interface ModelDefinition {
  source: ModelSource;
  framework: string | null;
  path: string | null;
  format: string | null;
  description: string | null;
  /** MLmodel `flavors` (flavor → its settings); null for versions the agent registered. */
  flavors: Record<string, Record<string, unknown>> | null;
}

/** A file with its content hash, and where its copy lives in the store. */
export interface HashedFile {
  path: string;
  size: number;
  sha256: string;
  /** The content-addressed copy, relative to the state folder (`artifacts/sha256/ab/abcd…`); null when not copied. */
  stored: string | null;
}

/** The serialized parameters. A folder model lists each file; `sha256` then covers the listing. */
export interface ModelParameters {
  path: string | null;
  kind: 'file' | 'directory' | 'missing';
  size: number;
  sha256: string | null;
  stored: string | null;
  files: HashedFile[];
  note: string | null;
}

/** A `file:function` reference and the sha256 of that file when the version was made. */
export interface FunctionRecord {
  ref: string;
  file: string;
  function: string;
  /** null when the file did not exist. */
  sha256: string | null;
}

export interface ModelFunctions {
  featurize: FunctionRecord | null;
  predict: FunctionRecord | null;
}

/** A dependency manifest or lock file. */
export interface ManifestRecord {
  path: string;
  size: number;
  sha256: string;
}

export interface ModelDependencies {
  manifests: ManifestRecord[];
  interpreter: { name: string; version: string | null; note: string | null };
  executor: string | null;
  /** The container image, when the task ran in docker. */
  image: string | null;
}

/** One input of the task. */
export interface DataInput {
  path: string;
  kind: 'file' | 'directory' | 'missing';
  size: number;
  sha256: string | null;
}

/** A feature view the task read, fingerprinted as it was when the model was trained. */
export interface FeatureViewRecord {
  view: string;
  /** The `*.features.yaml` defining it; null when no catalog defines it any more. */
  catalog: string | null;
  /** sha256 over the definition and the transformation source; null when the view is unknown. */
  fingerprint: string | null;
  definitionSha256: string | null;
  transformation: { ref: string; file: string; sha256: string | null } | null;
}

export interface ModelData {
  inputs: DataInput[];
  features: FeatureViewRecord[];
}

/** Git lineage of the workspace when the version was made. */
export interface ModelCode {
  repository: boolean;
  commit: string | null;
  branch: string | null;
  remote: string | null;
  dirty: boolean;
  /** `git diff HEAD` of uncommitted changes (tracked files), plus the list of untracked files. */
  diff: string | null;
  untracked: string[];
  /** Why some of the above is missing, e.g. "not a git repository". */
  note: string | null;
}

export type ParamScalar = string | number | boolean;

/** The run that produced the version. */
export interface ModelExperiment {
  runId: string | null;
  pipeline: string | null;
  /** The pipeline file. */
  file: string | null;
  task: string | null;
  params: Record<string, ParamScalar>;
  /** Numeric leaves of the metrics file, with dotted keys for nesting. */
  metrics: Record<string, number>;
  metricsFile: string | null;
  /** The task's log, relative to the workspace root when inside it, else absolute. */
  log: string | null;
  startedAt: string | null;
  durationMs: number | null;
  note: string | null;
}

/** The `model.tags` merged with tags added later (a later tag of the same key wins). */
export type ModelTags = Record<string, string>;

/** One model version. */
export interface ModelVersion {
  name: string;
  version: number;
  createdAt: string;
  /** Who registered the version, and on which machine (MLflow: the run's user, no host); null when unknown. */
  registeredBy: { user: string; host: string | null } | null;
  aliases: string[];
  definition: ModelDefinition;
  parameters: ModelParameters;
  functions: ModelFunctions;
  dependencies: ModelDependencies;
  data: ModelData;
  code: ModelCode;
  experiment: ModelExperiment;
  tags: ModelTags;
}

/** The eight artifact kinds of a version, without identity; what the store writes once. */
export type ModelArtifacts = Pick<ModelVersion, ArtifactKind>;

/** A version with its keys in the documented order (JSON.stringify keeps insertion order). */
export function orderedVersion(v: ModelVersion): ModelVersion {
  const out = {} as Record<string, unknown>;
  for (const k of MODEL_VERSION_KEYS) out[k] = v[k];
  return out as unknown as ModelVersion;
}

/** Metric names preferred as a version's headline, most telling first. */
const HEADLINE = ['auc', 'roc_auc', 'f1', 'accuracy', 'r2', 'rmse', 'mae', 'log_loss', 'loss'];

/** The metric shown beside a version in lists: a well-known one if present, else the first. */
export function headlineMetric(metrics: Record<string, number>): { name: string; value: number } | undefined {
  const names = Object.keys(metrics);
  const name = HEADLINE.find((h) => h in metrics) ?? HEADLINE.map((h) => names.find((n) => n.endsWith(`.${h}`))).find(Boolean) ?? names[0];
  return name === undefined ? undefined : { name, value: metrics[name]! };
}

/** Numeric leaves of a parsed metrics document: `{"test": {"auc": 0.9}}` → `{"test.auc": 0.9}`. */
export function flattenMetrics(doc: unknown, prefix = '', out: Record<string, number> = {}, depth = 0): Record<string, number> {
  if (depth > 8) return out;
  if (typeof doc === 'number' && Number.isFinite(doc)) {
    if (prefix) out[prefix] = doc;
  } else if (typeof doc === 'boolean') {
    if (prefix) out[prefix] = doc ? 1 : 0;
  } else if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  }
  return out;
}

/** Splits `file.py:function` at the last colon; a reference without one names only a file. */
export function splitFunctionRef(ref: string): { file: string; function: string } {
  const i = ref.lastIndexOf(':');
  return i <= 0 ? { file: ref, function: '' } : { file: ref.slice(0, i), function: ref.slice(i + 1) };
}
