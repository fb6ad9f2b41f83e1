import type { Span } from '../text/range';
import type { YMap, YValue } from '../yaml/tree';

/** A value read from the file together with where it was written. */
export interface Located<T> {
  value: T;
  span: Span;
}

export type ParamType = 'string' | 'number' | 'integer' | 'boolean';

/** A pipeline parameter: `name: default` or `name: {type, default, description, enum}`. */
export interface Param {
  name: string;
  keySpan: Span;
  type?: Located<string>;
  /** The declared type, or the one inferred from the default. */
  effectiveType: ParamType;
  default?: Located<unknown>;
  description?: string;
  enum?: Located<unknown>[];
  node: YValue | null;
}

export type OutputKind = 'data' | 'model' | 'metrics' | 'plot';

/** One entry of `inputs` or `outputs`; `name` is set when they are written as a map. */
export interface PathEntry {
  name?: string;
  path: Located<string>;
  kind?: OutputKind;
}

export interface Resources {
  cpu?: Located<string | number>;
  memory?: Located<string | number>;
  gpu?: Located<string | number>;
}

export interface RetryPolicy {
  limit?: Located<number>;
  backoff?: Located<string>;
  factor?: Located<number>;
}

/** The `model:` block of a task: what to register when it succeeds. */
export interface ModelSpec {
  name?: Located<string>;
  path?: Located<string>;
  framework?: Located<string>;
  format?: Located<string>;
  metrics?: Located<string>;
  featurize?: Located<string>;
  predict?: Located<string>;
  tags: Record<string, string>;
  description?: string;
  span: Span;
}

/** The `slurm:` block: how a task's batch job is submitted when it runs on Slurm. */
export interface SlurmSettings {
  partition?: Located<string>;
  account?: Located<string>;
  qos?: Located<string>;
  constraint?: Located<string>;
  nodes?: Located<number>;
  /** Extra sbatch options, one per item; undefined when not written. */
  args?: Located<string>[];
  /** The whole block: the key's value. */
  span: Span;
  /** The `slurm` key. */
  keySpan: Span;
}

/** Fields a task may inherit from `defaults`. */
export interface TaskSettings {
  executor?: Located<string>;
  slurm?: SlurmSettings;
  image?: Located<string>;
  resources: Resources;
  retries?: RetryPolicy & { span: Span };
  timeout?: Located<string | number>;
  env: Map<string, Located<string>>;
  /** true (the default), false, or 'shared': also upload the outputs for every agent of a team store. */
  cache?: Located<boolean | 'shared'>;
  workdir?: Located<string>;
  features: Located<string>[];
  description?: Located<string>;
}

export interface Task extends TaskSettings {
  id: string;
  keySpan: Span;
  /** The whole `id: {...}` entry, from the key to the end of its value. */
  span: Span;
  run?: Located<string>;
  needs: Located<string>[];
  inputs: PathEntry[];
  outputs: PathEntry[];
  model?: ModelSpec;
  node: YMap | null;
}

export interface Schedule {
  cron?: Located<string>;
  timezone?: Located<string>;
  span: Span;
}

/** A pipeline file read into typed form; every field keeps its source span. */
export interface Pipeline {
  version?: Located<unknown>;
  name?: Located<string>;
  description?: string;
  params: Map<string, Param>;
  defaults: TaskSettings;
  schedules: Schedule[];
  tasks: Map<string, Task>;
  /** Task ids in file order, duplicates included (the map keeps the first). */
  taskOrder: Task[];
  root: YValue | null;
  tasksNode?: YMap;
}
