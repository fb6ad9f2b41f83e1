import type { Span } from '../text/range';
import { get, text, type YEntry, type YMap, type YValue } from '../yaml/tree';
import type { Located, ModelSpec, OutputKind, Param, ParamType, PathEntry, Pipeline, Resources, Schedule, SlurmSettings, Task, TaskSettings } from './model';

/**
 * Reads a pipeline tree into the typed model. Tolerant: wrong shapes are skipped here
 * (the schema check reports them), so semantic rules still run on the rest.
 */
export function loadPipeline(root: YValue | null): Pipeline {
  const p: Pipeline = {
    params: new Map(),
    defaults: emptySettings(),
    schedules: [],
    tasks: new Map(),
    taskOrder: [],
    root,
  };
  if (!root || root.kind !== 'map') return p;
  const version = get(root, 'version');
  if (version?.value?.kind === 'scalar') p.version = { value: version.value.value, span: version.value.span };
  p.name = str(get(root, 'name')?.value);
  p.description = text(get(root, 'description')?.value);
  const params = get(root, 'params')?.value;
  if (params?.kind === 'map') for (const e of params.entries) if (!p.params.has(e.key)) p.params.set(e.key, loadParam(e));
  const defaults = get(root, 'defaults')?.value;
  if (defaults?.kind === 'map') readSettings(defaults, p.defaults);
  p.schedules = loadSchedules(get(root, 'schedule')?.value ?? null);
  const tasks = get(root, 'tasks')?.value;
  if (tasks?.kind === 'map') {
    p.tasksNode = tasks;
    for (const e of tasks.entries) {
      const t = taskOf(e);
      p.taskOrder.push(t);
      if (!p.tasks.has(t.id)) p.tasks.set(t.id, t);
    }
  }
  return p;
}

/*
 * Shared empty values for what most tasks leave out (a big pipeline keeps one Task per task
 * between edits). Nothing changes a Task after loading; readSettings replaces rather than
 * fills them.
 */
const NO_RESOURCES: Resources = Object.freeze({});
const NO_ENV: Map<string, Located<string>> = new Map();
const NONE: never[] = Object.freeze([]) as unknown as never[];

function emptySettings(): TaskSettings {
  return { resources: NO_RESOURCES, env: NO_ENV, features: NONE };
}

function str(v: YValue | null | undefined): Located<string> | undefined {
  if (!v || v.kind !== 'scalar' || v.value === null || typeof v.value === 'boolean') return undefined;
  return { value: String(v.value), span: v.span };
}

function scalar<T extends string | number | boolean>(v: YValue | null | undefined, type: 'string' | 'number' | 'boolean'): Located<T> | undefined {
  if (!v || v.kind !== 'scalar' || typeof v.value !== type) return undefined;
  return { value: v.value as T, span: v.span };
}

function strOrNum(v: YValue | null | undefined): Located<string | number> | undefined {
  if (!v || v.kind !== 'scalar' || (typeof v.value !== 'string' && typeof v.value !== 'number')) return undefined;
  return { value: v.value, span: v.span };
}

function strings(v: YValue | null | undefined): Located<string>[] {
  if (!v || v.kind !== 'seq') return NONE;
  const out: Located<string>[] = [];
  for (const item of v.items) {
    const s = str(item);
    if (s) out.push(s);
  }
  return out;
}

function inferType(value: unknown): ParamType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}

function loadParam(e: YEntry): Param {
  const param: Param = { name: e.key, keySpan: e.keySpan, effectiveType: 'string', node: e.value };
  const v = e.value;
  if (v?.kind === 'map') {
    const type = str(get(v, 'type')?.value);
    if (type) param.type = type;
    const def = get(v, 'default')?.value;
    if (def?.kind === 'scalar') param.default = { value: def.value, span: def.span };
    param.description = text(get(v, 'description')?.value);
    const en = get(v, 'enum')?.value;
    if (en?.kind === 'seq') param.enum = en.items.map((i) => ({ value: i.kind === 'scalar' ? i.value : undefined, span: i.span }));
    const declared = type?.value;
    param.effectiveType = declared === 'string' || declared === 'number' || declared === 'integer' || declared === 'boolean' ? declared : param.default ? inferType(param.default.value) : 'string';
  } else if (v?.kind === 'scalar') {
    param.default = { value: v.value, span: v.span };
    param.effectiveType = inferType(v.value);
  }
  return param;
}

function loadSchedules(v: YValue | null): Schedule[] {
  if (!v) return [];
  if (v.kind === 'seq') return v.items.flatMap((i) => loadSchedules(i));
  if (v.kind === 'scalar') {
    const cron = str(v);
    return cron ? [{ cron, span: v.span }] : [];
  }
  const s: Schedule = { span: v.span };
  const cron = str(get(v, 'cron')?.value);
  if (cron) s.cron = cron;
  const tz = str(get(v, 'timezone')?.value);
  if (tz) s.timezone = tz;
  return [s];
}

function readSettings(m: YMap, s: TaskSettings): void {
  for (const e of m.entries) {
    const v = e.value;
    switch (e.key) {
      case 'executor':
        s.executor = str(v);
        break;
      case 'image':
        s.image = str(v);
        break;
      case 'slurm':
        if (v?.kind === 'map') s.slurm = readSlurm(v, e.keySpan);
        break;
      case 'resources':
        if (v?.kind === 'map') s.resources = readResources(v);
        break;
      case 'retries':
        if (v?.kind === 'scalar' && typeof v.value === 'number') s.retries = { limit: { value: v.value, span: v.span }, span: v.span };
        else if (v?.kind === 'map') {
          s.retries = { span: v.span };
          const limit = scalar<number>(get(v, 'limit')?.value, 'number');
          if (limit) s.retries.limit = limit;
          const backoff = strOrNum(get(v, 'backoff')?.value);
          if (backoff) s.retries.backoff = { value: String(backoff.value), span: backoff.span };
          const factor = scalar<number>(get(v, 'factor')?.value, 'number');
          if (factor) s.retries.factor = factor;
        }
        break;
      case 'timeout':
        s.timeout = strOrNum(v);
        break;
      case 'env':
        if (v?.kind === 'map') {
          for (const ev of v.entries) {
            const val = ev.value;
            if (val?.kind !== 'scalar' || val.value === null) continue;
            if (s.env === NO_ENV) s.env = new Map();
            s.env.set(ev.key, { value: String(val.value), span: val.span });
          }
        }
        break;
      case 'cache':
        s.cache = v?.kind === 'scalar' && v.value === 'shared' ? { value: 'shared', span: v.span } : scalar<boolean>(v, 'boolean');
        break;
      case 'workdir':
        s.workdir = str(v);
        break;
      case 'features':
        s.features = strings(v);
        break;
      case 'description':
        s.description = str(v);
        break;
    }
  }
}

function readSlurm(m: YMap, keySpan: Span): SlurmSettings {
  const s: SlurmSettings = { span: m.span, keySpan };
  for (const key of ['partition', 'account', 'qos', 'constraint'] as const) {
    const v = str(get(m, key)?.value);
    if (v) s[key] = v;
  }
  const nodes = scalar<number>(get(m, 'nodes')?.value, 'number');
  if (nodes) s.nodes = nodes;
  const args = get(m, 'args')?.value;
  if (args?.kind === 'seq') s.args = strings(args);
  return s;
}

function readResources(m: YMap): Resources {
  const r: Resources = {};
  const cpu = strOrNum(get(m, 'cpu')?.value);
  if (cpu) r.cpu = cpu;
  const memory = strOrNum(get(m, 'memory')?.value);
  if (memory) r.memory = memory;
  const gpu = strOrNum(get(m, 'gpu')?.value);
  if (gpu) r.gpu = gpu;
  return r;
}

function readPaths(v: YValue | null | undefined, outputs: boolean): PathEntry[] {
  if (!v) return NONE;
  const out: PathEntry[] = [];
  if (v.kind === 'seq') {
    for (const item of v.items) {
      const s = str(item);
      if (s) out.push({ path: s });
    }
  } else if (v.kind === 'map') {
    for (const e of v.entries) {
      const val = e.value;
      if (val?.kind === 'scalar') {
        const s = str(val);
        if (s) out.push({ name: e.key, path: s });
      } else if (outputs && val?.kind === 'map') {
        const s = str(get(val, 'path')?.value);
        const kind = text(get(val, 'kind')?.value);
        if (s) out.push({ name: e.key, path: s, ...(isKind(kind) ? { kind } : {}) });
      }
    }
  }
  return out;
}

function isKind(k: string | undefined): k is OutputKind {
  return k === 'data' || k === 'model' || k === 'metrics' || k === 'plot';
}

function loadModel(v: YMap): ModelSpec {
  const m: ModelSpec = { tags: {}, span: v.span };
  for (const key of ['name', 'path', 'framework', 'format', 'metrics', 'featurize', 'predict'] as const) {
    const s = str(get(v, key)?.value);
    if (s) m[key] = s;
  }
  m.description = text(get(v, 'description')?.value);
  const tags = get(v, 'tags')?.value;
  if (tags?.kind === 'map') for (const e of tags.entries) m.tags[e.key] = text(e.value) ?? '';
  return m;
}

/**
 * Tasks read from entries the parse cache handed out again (their text did not change), so
 * an edit reads one task instead of all of them. Every span a Task holds is the tree's own
 * array, which the parse cache moves in place, except `span`, which is made afresh here.
 */
const tasks = new WeakMap<YEntry, Task>();

function taskOf(e: YEntry): Task {
  let t = tasks.get(e);
  if (t) t.span = [e.keySpan[0], e.value ? e.value.span[1] : e.keySpan[1]];
  else tasks.set(e, (t = loadTask(e)));
  return t;
}

function loadTask(e: YEntry): Task {
  const v = e.value;
  const node = v?.kind === 'map' ? v : null;
  const task: Task = {
    ...emptySettings(),
    id: e.key,
    keySpan: e.keySpan,
    span: [e.keySpan[0], v ? v.span[1] : e.keySpan[1]],
    needs: NONE,
    inputs: NONE,
    outputs: NONE,
    node,
  };
  if (!node) return task;
  readSettings(node, task);
  task.run = str(get(node, 'run')?.value);
  task.needs = strings(get(node, 'needs')?.value);
  task.inputs = readPaths(get(node, 'inputs')?.value, false);
  task.outputs = readPaths(get(node, 'outputs')?.value, true);
  const model = get(node, 'model')?.value;
  if (model?.kind === 'map') task.model = loadModel(model);
  return task;
}

/** The value a task uses for a setting: its own, else the pipeline's default. */
export function effective<K extends 'executor' | 'image' | 'retries' | 'timeout' | 'cache' | 'workdir' | 'description'>(p: Pipeline, t: Task, key: K): TaskSettings[K] {
  return t[key] ?? p.defaults[key];
}

/** The Slurm settings field by field: a task's own value wins over the default's; undefined when neither has a block. */
export function effectiveSlurm(p: Pipeline, t: Task): SlurmSettings | undefined {
  const d = p.defaults.slurm;
  const own = t.slurm;
  // The loader sets only the fields that are written, so spreading keeps the default's others.
  return d && own ? { ...d, ...own } : (own ?? d);
}

/** Resources field by field: a task's own value wins over the default's. */
export function effectiveResources(p: Pipeline, t: Task): Resources {
  return { ...p.defaults.resources, ...t.resources };
}

/**
 * Environment: the defaults' variables overlaid by the task's own. Read-only: the map may be
 * the task's own, the defaults' own, or one merged once per task and defaults (rules, checks
 * and exports all ask for it, several times per task).
 */
export function effectiveEnv(p: Pipeline, t: Task): ReadonlyMap<string, Located<string>> {
  const base = p.defaults.env;
  if (base.size === 0) return t.env;
  if (t.env.size === 0) return base;
  const known = mergedEnvs.get(t);
  if (known && known.base === base) return known.env;
  const env = new Map([...base, ...t.env]);
  mergedEnvs.set(t, { base, env });
  return env;
}

/** Merged environments by task, valid while the defaults' map is the one they were made from. */
const mergedEnvs = new WeakMap<Task, { base: Map<string, Located<string>>; env: ReadonlyMap<string, Located<string>> }>();

export function effectiveFeatures(p: Pipeline, t: Task): Located<string>[] {
  return t.features.length > 0 ? t.features : p.defaults.features;
}
