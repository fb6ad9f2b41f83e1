import * as path from 'node:path';
// Straight from the modules, not core's index: the index loads all of core (the YAML library,
// dev container detection, the JSON-RPC client), which `mlops run` pays for before its first task.
import { effective, effectiveResources, effectiveSlurm } from '../../core/src/pipeline/load';
import type { Param, Pipeline, Task } from '../../core/src/pipeline/model';
import { resolveTask } from '../../core/src/pipeline/resolve';
import { describeContext, paramEnvName } from '../../core/src/pipeline/shell';
import { EXECUTORS, type ExecutorKind, type ParamValue, type RunRecord } from '../../core/src/protocol/agent';
import { parseDuration, parseQuantity } from '../../core/src/util/values';
import { isInside } from '../../core/src/node/read';
import type { LoadedPipeline } from './load';
import { realFile } from './util/files';
import { err, ok, type Result } from '../../core/src/result';

export type { ExecutorKind };

/** A Slurm task's job settings, resolved (the slurm block of defaults and task merged). */
export interface SlurmSpec {
  partition: string | null;
  account: string | null;
  qos: string | null;
  constraint: string | null;
  nodes: number;
  /** Extra sbatch options, checked by the slurm-arg rule. */
  args: string[];
}

/** What a task asks of the machine: cores, bytes, GPUs. */
export interface ResourceRequest {
  cpu: number;
  memory: number;
  gpu: number;
}

export interface RetryPolicy {
  /** Retries after the first failure. */
  limit: number;
  backoffMs: number;
  factor: number;
}

/** A task with every setting resolved and every `${{ }}` substituted: what an executor runs. */
export interface PlannedTask {
  id: string;
  command: string;
  executor: ExecutorKind;
  image: string | null;
  /** Absolute working directory. */
  workdir: string;
  /** The workspace root: what the docker executor mounts (at the same path). */
  root: string;
  /** The task's declared environment, interpolated (MLOPS_* variables are added at launch). */
  env: Record<string, string>;
  /** Upstream task ids (declared and inferred), whether selected or not. */
  upstream: string[];
  /** Absolute input and output paths. */
  inputs: string[];
  outputs: string[];
  /** The params the task uses, by name, as text. */
  usedParams: Record<string, string>;
  resources: ResourceRequest;
  retries: RetryPolicy;
  timeoutMs: number | null;
  cache: boolean;
  /** `cache: shared`: upload the outputs after each success, for every agent of the store. */
  share: boolean;
  /** For the slurm executor: how its jobs are submitted; null for other executors. */
  slurm: SlurmSpec | null;
}

/** A run's tasks before it starts. */
export interface Plan {
  runId: string;
  loaded: LoadedPipeline;
  params: Record<string, ParamValue>;
  /** The selected tasks in topological order. */
  tasks: PlannedTask[];
  /** Tasks a resumed run takes over as done from the run it resumes: they are recorded as cached. */
  carried: Map<string, { fingerprint: string | null; message: string }>;
  /**
   * Fingerprints of upstream tasks outside the selection (null when unknown): they are
   * taken as done, and their fingerprint feeds their dependents'.
   */
  external: Map<string, string | null>;
  force: boolean;
  resumedFrom: string | null;
}

const DEFAULT_BACKOFF_MS = 1000;
// The schema: "omit it (or use 1) for a constant wait".
const DEFAULT_FACTOR = 1;

/** Reads `--param k=v` values against the declared params, typed; unknown names are an error. */
export function resolveParams(p: Pipeline, given: Record<string, string>, base: Record<string, ParamValue> = {}): Result<Record<string, ParamValue>> {
  const out: Record<string, ParamValue> = {};
  for (const [name, param] of p.params) {
    const raw = given[name];
    if (raw === undefined) {
      if (name in base) out[name] = base[name]!;
      else if (param.default && param.default.value !== null && param.default.value !== undefined) out[name] = param.default.value as ParamValue;
      else return err(`Param '${name}' has no default; pass --param ${name}=VALUE.`);
      continue;
    }
    const v = typedParam(param, raw);
    if (!v.ok) return v;
    out[name] = v.value;
  }
  const unknown = unknownParam(p, given);
  return unknown ? err(unknown) : ok(out);
}

/** Why one of `given` names no declared param, or undefined when all do. */
export function unknownParam(p: Pipeline, given: Record<string, string>): string | undefined {
  const name = Object.keys(given).find((n) => !p.params.has(n));
  if (name === undefined) return undefined;
  const known = [...p.params.keys()];
  return `Unknown param '${name}'; ${known.length ? `this pipeline declares ${known.join(', ')}` : 'this pipeline declares no params'}.`;
}

/** A `--param NAME=raw` value as its declared type, or why it is not one (NUL, wrong type, not in the enum). */
export function typedParam(param: Param, raw: string): Result<ParamValue> {
  // bash cannot hold NUL, and no process can receive it in its environment (MLOPS_PARAM_*).
  if (raw.includes('\0')) return err(`--param ${param.name}: the value contains a NUL character, which no process can receive; remove it.`);
  const v = convert(raw, param.effectiveType);
  if (v === undefined) return err(`--param ${param.name}=${raw}: '${raw}' is not a valid ${param.effectiveType}.`);
  if (param.enum && !param.enum.some((e) => e.value === v)) {
    return err(`--param ${param.name}=${raw}: allowed values are ${param.enum.map((e) => String(e.value)).join(', ')}.`);
  }
  return ok(v);
}

function convert(raw: string, type: string): ParamValue | undefined {
  switch (type) {
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    case 'integer':
      return /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : undefined;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    default:
      return raw;
  }
}

/** The task ids to run: all, `--only`, or `--from` and everything downstream of it. */
export function selectTasks(loaded: LoadedPipeline, opts: { only?: string[]; from?: string }): Result<string[]> {
  const known = new Set(loaded.order);
  const unknown = [...(opts.only ?? []), ...(opts.from ? [opts.from] : [])].filter((id) => !known.has(id));
  if (unknown.length > 0) return err(`No task named ${unknown.map((u) => `'${u}'`).join(', ')} in ${loaded.name}; its tasks are ${loaded.order.join(', ')}.`);
  if (opts.only && opts.from) return err('Use either --only or --from, not both.');
  // An empty selection would "succeed" having run nothing.
  if (opts.only?.length === 0) return err(`--only names no task; name the tasks to run, e.g. ${loaded.order.slice(0, 2).join(',')}.`);
  if (opts.only) {
    const only = new Set(opts.only);
    return ok(loaded.order.filter((id) => only.has(id)));
  }
  if (opts.from) {
    const picked = new Set([opts.from]);
    for (const id of loaded.order) if (loaded.graph.dag.parents(id).some((p) => picked.has(p))) picked.add(id);
    return ok(loaded.order.filter((id) => picked.has(id)));
  }
  return ok([...loaded.order]);
}

/**
 * For `--resume`: the tasks of the earlier run that did not finish well (and still exist),
 * plus the fingerprints of those that did, which count as done.
 */
export function resumeSelection(loaded: LoadedPipeline, previous: RunRecord): { selected: string[]; done: Map<string, string | null> } {
  const done = new Map<string, string | null>();
  const redo = new Set<string>();
  for (const t of previous.tasks) {
    if (t.status === 'succeeded' || t.status === 'cached') done.set(t.id, t.fingerprint);
    else redo.add(t.id);
  }
  return { selected: loaded.order.filter((id) => redo.has(id)), done };
}

/** Everything a plan is made from besides the pipeline. */
export interface PlanInput {
  runId: string;
  params: Record<string, ParamValue>;
  selected: string[];
  carried?: Plan['carried'];
  /** The last known fingerprint of an unselected task. */
  external: (id: string) => string | null;
  force: boolean;
  executor?: ExecutorKind;
  resumedFrom?: string;
}

/** Resolves the selected tasks into a plan. */
export function makePlan(loaded: LoadedPipeline, input: PlanInput): Result<Plan> {
  const p = loaded.pipeline;
  const tasks: PlannedTask[] = [];
  const carried = input.carried ?? new Map();
  const chosen = new Set(input.selected);
  const outside = new Map<string, string | null>();
  // Tasks share a few working directories: each is resolved (symlinks followed) once per plan.
  const inside = new Map<string, boolean>();
  const rootReal = realFile(loaded.root, '.');
  const insideRoot = (wd: string) => {
    let yes = inside.get(wd);
    if (yes === undefined) inside.set(wd, (yes = isInside(rootReal, realFile(loaded.dir, wd))));
    return yes;
  };
  for (const id of input.selected) {
    const r = planTask(loaded, p.tasks.get(id)!, input.runId, input.params, insideRoot, input.executor);
    if (!r.ok) return r;
    tasks.push(r.value);
    for (const up of r.value.upstream) {
      if (chosen.has(up) || carried.has(up) || outside.has(up)) continue;
      outside.set(up, input.external(up));
    }
  }
  return ok({
    runId: input.runId,
    loaded,
    params: input.params,
    tasks,
    carried,
    external: outside,
    force: input.force,
    resumedFrom: input.resumedFrom ?? null,
  });
}

function planTask(loaded: LoadedPipeline, t: Task, runId: string, params: Record<string, ParamValue>, insideRoot: (workdir: string) => boolean, executorOverride?: ExecutorKind): Result<PlannedTask> {
  const p = loaded.pipeline;
  const dir = loaded.dir;
  const used: Record<string, string> = {};
  const chosen = executorOverride ?? effective(p, t, 'executor')?.value ?? 'local';
  // The validator refuses other values; a plan is made only from a valid pipeline.
  if (!(EXECUTORS as readonly string[]).includes(chosen)) return err(`Task '${t.id}' asks for executor '${chosen}'; use ${EXECUTORS.join(', ')}.`);
  const executor = chosen as ExecutorKind;
  // The shell that runs the command: bash locally, sh in a container.
  const resolved = resolveTask(
    p,
    t,
    {
      param: (name) => (used[name] = String(params[name])),
      runId: () => runId,
      outsideEnv: (name) => process.env[name],
    },
    executor === 'docker' ? 'sh' : 'bash',
  );
  if (!resolved.ok) {
    const { expr, context } = resolved.error;
    const name = expr.split('.')[1]?.trim() ?? '';
    return err(
      `Task '${t.id}': the value of \${{ ${expr} }} has characters the shell treats specially, and it stands ${describeContext(context)}, where it cannot be quoted safely; use "$${paramEnvName(name)}" in the command instead.`,
    );
  }
  const { command, env, image } = resolved;
  for (const name of p.params.keys()) {
    // A task that reads $MLOPS_PARAM_X in its command or env uses X as much as one writing ${{ params.X }}.
    const envName = paramEnvName(name);
    if (command.includes(envName) || [...env.values()].some((v) => v.includes(envName))) used[name] = String(params[name]);
  }
  if (executor === 'docker' && !image) return err(`Task '${t.id}' runs in docker but has no image; set image: on the task or under defaults.`);

  const res = effectiveResources(p, t);
  const quantity = (v: string | number | undefined) => (v === undefined ? 0 : (parseQuantity(v)?.value ?? 0));
  const retries = effective(p, t, 'retries');
  const timeout = effective(p, t, 'timeout');
  const workdir = effective(p, t, 'workdir');
  const wd = workdir ? path.resolve(dir, workdir.value) : dir;
  // Links count: a workdir that resolves outside is outside.
  if (!insideRoot(wd)) {
    return err(`Task '${t.id}' has workdir ${workdir!.value}, which is outside the workspace ${loaded.root}; set workdir to a folder inside it.`);
  }
  const sortedUsed: Record<string, string> = {};
  for (const k of Object.keys(used).sort()) sortedUsed[k] = used[k]!;
  return ok({
    id: t.id,
    command,
    executor,
    image,
    workdir: wd,
    root: loaded.root,
    env: Object.fromEntries(env),
    upstream: loaded.graph.dag.parents(t.id),
    inputs: (loaded.graph.resolvedInputs.get(t.id) ?? []).map((i) => path.resolve(dir, i)),
    outputs: t.outputs.map((o) => path.resolve(dir, o.path.value)),
    usedParams: sortedUsed,
    resources: { cpu: quantity(res.cpu?.value), memory: quantity(res.memory?.value), gpu: Math.floor(quantity(res.gpu?.value)) },
    retries: {
      limit: Math.max(0, Math.floor(retries?.limit?.value ?? 0)),
      backoffMs: retries?.backoff ? (parseDuration(retries.backoff.value) ?? DEFAULT_BACKOFF_MS) : DEFAULT_BACKOFF_MS,
      factor: retries?.factor?.value ?? DEFAULT_FACTOR,
    },
    timeoutMs: timeout === undefined ? null : typeof timeout.value === 'number' ? timeout.value * 1000 : (parseDuration(timeout.value) ?? null),
    cache: (effective(p, t, 'cache')?.value ?? true) !== false,
    share: effective(p, t, 'cache')?.value === 'shared',
    slurm: executor === 'slurm' ? slurmSpec(p, t) : null,
  });
}

function slurmSpec(p: Pipeline, t: Task): SlurmSpec {
  const s = effectiveSlurm(p, t);
  return {
    partition: s?.partition?.value ?? null,
    account: s?.account?.value ?? null,
    qos: s?.qos?.value ?? null,
    constraint: s?.constraint?.value ?? null,
    nodes: s?.nodes?.value ?? 1,
    args: s?.args?.map((a) => a.value) ?? [],
  };
}

/** The pipeline file relative to the workspace root, in POSIX form: the same in every working copy. */
export function workspacePath(loaded: Pick<LoadedPipeline, 'root' | 'file'>): string {
  return loaded.root ? path.relative(loaded.root, loaded.file).split(path.sep).join('/') : path.basename(loaded.file);
}
