import type { FeatureIndex } from '../features/model';
import type { Ancestors } from '../graph/dag';
import type { FileHost, Problems } from '../rules/problem';
import { closest, didYouMean } from '../util/closest';
import { isAbsolute, join, normalize, relativeInside } from '../util/paths';
import { isTimeZone, parseDuration, parseImage, parseQuantity } from '../util/values';
import { parseCron } from '../schedule/cron';
import { producersOf, resolveInputPath, type PipelineGraph } from './graph';
import type { Reference } from './interpolation';
import { effective, effectiveResources } from './load';
import type { Located, ParamType, Pipeline, Task, TaskSettings } from './model';
import { checkProcessInputs } from './process-rules';
import { sbatchArgProblem, type SetField } from './sbatch';

/** How many unknown names per check get a closest-match suggestion. */
const MAX_SUGGESTIONS = 100;

export const PIPELINE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const TASK_ID = /^[a-z0-9]([-a-z0-9_]{0,126}[a-z0-9])?$/;
export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Everything a pipeline rule may read. */
export interface PipelineContext {
  text: string;
  pipeline: Pipeline;
  graph: PipelineGraph;
  features: FeatureIndex;
  /** Absolute POSIX folder of the pipeline file; file checks are skipped without it. */
  dir?: string;
  /** Absolute POSIX workspace root; defaults to `dir`. */
  root?: string;
  host?: FileHost;
}

/** Runs every semantic rule of docs/pipeline-format.md. */
export function checkPipeline(ctx: PipelineContext, out: Problems): void {
  checkIds(ctx, out);
  checkNeeds(ctx, out);
  checkCycles(ctx, out);
  checkOutputs(ctx, out);
  checkReferences(ctx, out);
  checkSchedules(ctx, out);
  checkSettings(ctx, ctx.pipeline.defaults, out);
  for (const t of ctx.pipeline.tasks.values()) checkSettings(ctx, t, out, t);
  checkParams(ctx, out);
  checkFeatures(ctx, out);
  checkModels(ctx, out);
  checkInputs(ctx, out);
  checkProcessInputs(ctx, out);
  checkExecutors(ctx, out);
}

function checkIds({ pipeline: p }: PipelineContext, out: Problems): void {
  if (p.name && !PIPELINE_NAME.test(p.name.value)) {
    const suggestion = p.name.value
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63);
    out.error(
      'invalid-id',
      p.name.span,
      `Pipeline name '${p.name.value}' must be a DNS label: lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit${suggestion ? ` (e.g. '${suggestion}')` : ''}.`,
      suggestion && PIPELINE_NAME.test(suggestion) ? [{ kind: 'replace', title: `Rename to '${suggestion}'`, newText: suggestion }] : undefined,
    );
  }
  for (const t of p.taskOrder) {
    if (!TASK_ID.test(t.id)) {
      out.error('invalid-id', t.keySpan, `Task id '${t.id}' is not valid: use lower-case letters, digits, '-' and '_', starting and ending with a letter or digit (at most 128 characters).`);
    }
  }
  for (const param of p.params.values()) {
    if (!PARAM_NAME.test(param.name)) {
      out.error('invalid-id', param.keySpan, `Param name '${param.name}' is not valid: use letters, digits and '_', not starting with a digit.`);
    }
  }
}

function checkNeeds({ pipeline: p, graph }: PipelineContext, out: Problems): void {
  const dag = graph.dag;
  let suggestions = MAX_SUGGESTIONS;
  // Only a task with a need and another parent can have a need implied transitively.
  let multi = false;
  for (const t of p.tasks.values()) {
    if (t.needs.length > 0 && dag.parentCount(t.id) > 1) {
      multi = true;
      break;
    }
  }
  const ancestors = multi && dag.topoOrder().cyclic.length === 0 ? dag.reachability() : undefined;
  // Node indices instead of ids: this runs for every need of every task on every edit.
  for (const t of p.tasks.values()) {
    const needs = t.needs;
    if (needs.length === 0) continue;
    const ti = dag.indexOf(t.id);
    // Only a task with a reference or an input can have an edge for another reason than needs.
    const refs = graph.refs.get(t.id);
    const inputs = graph.resolvedInputs.get(t.id);
    const otherEdges = (refs !== undefined && refs.all.length > 0) || (inputs !== undefined && inputs.length > 0);
    for (let k = 0; k < needs.length; k++) {
      const n = needs[k]!;
      if (n.value === t.id) {
        out.error('self-need', n.span, `Task '${t.id}' lists itself in needs; a task cannot wait for itself. Remove this entry.`, [{ kind: 'remove-need' }]);
        continue;
      }
      const ni = dag.indexOf(n.value);
      if (ni < 0) {
        // Suggestions cost a pass over every id; a file with hundreds of unknown ids gets them for the first ones only.
        const best = suggestions-- > 0 ? closest(n.value, p.tasks.keys(), t.id) : undefined;
        out.error('unknown-need', n.span, `Task '${t.id}' needs '${n.value}', but no task has that id.${best ? ` Did you mean '${best}'?` : ` Define a task '${n.value}' or remove this entry.`}`, [
          ...(best ? [{ kind: 'replace' as const, title: `Change to '${best}'`, newText: best }] : []),
          { kind: 'remove-need' as const },
          { kind: 'create-task' as const, id: n.value },
        ]);
        continue;
      }
      // An earlier entry with the same value is a known task too (not this one), so this is its repeat.
      if (listedBefore(needs, k)) {
        out.info('redundant-need', n.span, `'${n.value}' is listed twice in needs; remove the repeat.`, [{ kind: 'remove-need' }]);
        continue;
      }
      if (!dag.hasEdge(ni, ti)) continue;
      // Implied by an input or reference: the edge would exist without `needs`.
      const implied = otherEdges ? impliedOtherwise(graph, t, n.value) : undefined;
      if (implied) {
        out.info('redundant-need', n.span, `'${n.value}' is already a dependency because this task ${implied}; the entry in needs can go.`, [{ kind: 'remove-need' }]);
        continue;
      }
      // Implied transitively: another parent already depends on it.
      if (!ancestors) continue;
      const via = impliedThrough(dag.parentIndices(ti), ni, ancestors);
      if (via !== undefined) {
        out.info('redundant-need', n.span, `'${n.value}' is already implied through '${dag.nodes[via]}', which depends on it; the entry in needs can go.`, [{ kind: 'remove-need' }]);
      }
    }
  }
}

/** The first of `parents` other than `need` that depends on `need` (a loop: this runs for every need on every edit). */
function impliedThrough(parents: readonly number[], need: number, ancestors: Ancestors): number | undefined {
  for (let k = 0; k < parents.length; k++) {
    const pi = parents[k]!;
    if (pi !== need && ancestors.hasIndex(pi, need)) return pi;
  }
  return undefined;
}

/** Whether needs[k]'s value appears earlier in the list. */
function listedBefore(needs: Located<string>[], k: number): boolean {
  for (let j = 0; j < k; j++) if (needs[j]!.value === needs[k]!.value) return true;
  return false;
}

function impliedOtherwise(graph: PipelineGraph, t: Task, need: string): string | undefined {
  const refs = graph.refs.get(t.id);
  const ref = refs && refs.all.find((r) => r.parts[0] === 'tasks' && r.parts[1] === need);
  if (ref) return `references \${{ ${ref.expr} }}`;
  for (const path of graph.resolvedInputs.get(t.id) ?? []) {
    if (producersOf(graph.producers, path).includes(need)) return `reads ${path}, which '${need}' writes`;
  }
  return undefined;
}

function checkCycles({ pipeline: p, graph }: PipelineContext, out: Problems): void {
  for (const cycle of graph.dag.cycles()) {
    // Report where the cycle is closed: in its first task, on the entry that points back.
    const first = p.tasks.get(cycle[0]!)!;
    const back = cycle[cycle.length - 2]!;
    const need = first.needs.find((n) => n.value === back);
    const refs = graph.refs.get(first.id);
    const ref = refs && refs.all.find((r) => r.parts[0] === 'tasks' && r.parts[1] === back);
    const input = first.inputs.find((i) => {
      const path = resolveInputPath(p, i.path.value);
      return path !== undefined && producersOf(graph.producers, path).includes(back);
    });
    const span = need?.span ?? ref?.span ?? input?.path.span ?? first.keySpan;
    out.error('cycle', span, `These tasks depend on each other in a cycle: ${cycle.join(' → ')}. Remove one of the dependencies to break it.`);
  }
}

type Owner = { task: string; path: Located<string> };

function checkOutputs({ pipeline: p, dir, root }: PipelineContext, out: Problems): void {
  const owner = new Map<string, Owner>();
  // Every folder above an output, mapped to the first output below it: finds "a path below".
  const below = new Map<string, Owner>();
  for (const t of p.tasks.values()) {
    for (const o of t.outputs) {
      const raw = o.path.value;
      if (isAbsolute(raw)) {
        out.error('unsafe-path', o.path.span, `Output '${raw}' is an absolute path; outputs must be relative to the pipeline's folder so runs are reproducible. Write it relative, e.g. 'data/${raw.split('/').pop()}'.`);
        continue;
      }
      const norm = normalize(raw);
      const escapes = norm.startsWith('..') && (dir === undefined || relativeInside(root ?? dir, join(dir, norm)) === undefined);
      if (escapes) {
        out.error('unsafe-path', o.path.span, `Output '${raw}' points outside the workspace; keep outputs inside it.`);
        continue;
      }
      if (norm === '.' || norm === '') {
        out.error('unsafe-path', o.path.span, `Output '${raw}' is the pipeline's whole folder; name a file or sub-folder instead.`);
        continue;
      }
      const clash = findOverlap(owner, below, norm, t.id);
      if (clash) {
        const same = normalize(clash.path.value) === norm;
        out.error(
          'duplicate-output',
          o.path.span,
          same
            ? `Tasks '${clash.task}' and '${t.id}' both write '${norm}'; each output must have one producer. Rename one of them.`
            : `Output '${norm}' of '${t.id}' overlaps '${normalize(clash.path.value)}' of '${clash.task}'; one lies inside the other. Give each task its own path.`,
        );
        continue;
      }
      if (owner.has(norm)) continue;
      const mine: Owner = { task: t.id, path: o.path };
      owner.set(norm, mine);
      for (let i = norm.lastIndexOf('/'); i > 0; i = norm.lastIndexOf('/', i - 1)) {
        const folder = norm.slice(0, i);
        if (!below.has(folder)) below.set(folder, mine);
      }
    }
  }
}

function findOverlap(owner: Map<string, Owner>, below: Map<string, Owner>, norm: string, task: string): Owner | undefined {
  // The same path, or a folder above it.
  for (let q = norm; ;) {
    const hit = owner.get(q);
    if (hit && hit.task !== task) return hit;
    const i = q.lastIndexOf('/');
    if (i <= 0) break;
    q = q.slice(0, i);
  }
  // A path below it.
  const hit = below.get(norm);
  return hit && hit.task !== task ? hit : undefined;
}

function checkReferences({ pipeline: p, graph }: PipelineContext, out: Problems): void {
  const budget = { left: MAX_SUGGESTIONS };
  for (const t of p.tasks.values()) {
    const r = graph.refs.get(t.id)!;
    for (const ref of r.all) checkReference(p, t, ref, out, budget);
  }
}

const ROOTS = ['params', 'tasks', 'inputs', 'outputs', 'run', 'env'];

function badReference(out: Problems, ref: Reference, msg: string, best?: string): void {
  out.error('undefined-reference', ref.span, msg, best ? [{ kind: 'replace', title: `Change to '${best}'`, newText: best }] : undefined);
}

function checkReference(p: Pipeline, t: Task, ref: Reference, out: Problems, budget: { left: number }): void {
  // Indexing, not destructuring with a rest: this runs for every reference of every task.
  const parts = ref.parts;
  const root = parts[0];
  const a = parts[1];
  const b = parts[2];
  const c = parts[3];
  switch (root) {
    case 'params':
      if (!a || b !== undefined) return badReference(out, ref, `'\${{ ${ref.expr} }}' should be \${{ params.NAME }}.`);
      if (!p.params.has(a)) {
        const best = closest(a, p.params.keys());
        return badReference(out, ref, `Param '${a}' is not defined.${best ? ` Did you mean '${best}'?` : ` Declare it under params.`}`, best && `params.${best}`);
      }
      return;
    case 'tasks': {
      if (!a || b !== 'outputs' || !c || parts.length > 4) return badReference(out, ref, `'\${{ ${ref.expr} }}' should be \${{ tasks.ID.outputs.NAME }}.`);
      const up = p.tasks.get(a);
      if (!up) {
        const best = budget.left-- > 0 ? closest(a, p.tasks.keys()) : undefined;
        return badReference(out, ref, `Task '${a}' is not defined.${best ? ` Did you mean '${best}'?` : ''}`, best && `tasks.${best}.outputs.${c}`);
      }
      if (up.id === t.id) return badReference(out, ref, `A task cannot reference its own outputs through tasks.${a}; use \${{ outputs.${c} }}.`, `outputs.${c}`);
      if (!up.outputs.some((o, i) => o.name === c || (o.name === undefined && String(i) === c))) {
        const names = up.outputs.flatMap((o) => (o.name ? [o.name] : []));
        const best = closest(c, names);
        return badReference(
          out,
          ref,
          `Task '${a}' has no output named '${c}'.${names.length ? ` Its named outputs: ${names.join(', ')}.` : ` Write its outputs as a map (name: path) to refer to them by name.`}`,
          best && `tasks.${a}.outputs.${best}`,
        );
      }
      return;
    }
    case 'inputs':
    case 'outputs': {
      const list = root === 'inputs' ? t.inputs : t.outputs;
      if (!a || b !== undefined) return badReference(out, ref, `'\${{ ${ref.expr} }}' should be \${{ ${root}.NAME }}.`);
      if (!list.some((e, i) => e.name === a || (e.name === undefined && String(i) === a))) {
        const names = list.flatMap((e) => (e.name ? [e.name] : []));
        const best = closest(a, names);
        return badReference(out, ref, `Task '${t.id}' has no ${root === 'inputs' ? 'input' : 'output'} named '${a}'.${didYouMean(a, names)}`, best && `${root}.${best}`);
      }
      return;
    }
    case 'run':
      if (a !== 'id' || b !== undefined) return badReference(out, ref, `'\${{ ${ref.expr} }}' is not defined; the run offers only \${{ run.id }}.`, 'run.id');
      return;
    case 'env':
      if (!a || b !== undefined) return badReference(out, ref, `'\${{ ${ref.expr} }}' should be \${{ env.NAME }}.`);
      return;
    default: {
      const best = root ? closest(root, ROOTS) : undefined;
      return badReference(
        out,
        ref,
        `'\${{ ${ref.expr} }}' is not a known expression; use params.NAME, tasks.ID.outputs.NAME, inputs.NAME, outputs.NAME, run.id or env.NAME.`,
        best ? [best, ...ref.parts.slice(1)].join('.') : undefined,
      );
    }
  }
}

function checkSchedules({ pipeline: p }: PipelineContext, out: Problems): void {
  for (const s of p.schedules) {
    if (s.cron) {
      const r = parseCron(s.cron.value);
      if (!r.ok) out.error('invalid-cron', s.cron.span, r.error);
    }
    if (s.timezone && !isTimeZone(s.timezone.value)) {
      const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
      out.error('invalid-timezone', s.timezone.span, `'${s.timezone.value}' is not an IANA time zone (e.g. 'Europe/Berlin', 'America/New_York', 'UTC').${didYouMean(s.timezone.value, zones)}`);
    }
  }
}

function checkSettings(ctx: PipelineContext, s: TaskSettings, out: Problems, task?: Task): void {
  const { cpu, memory, gpu } = s.resources;
  if (cpu) {
    const q = parseQuantity(cpu.value);
    if (!q || q.value <= 0 || /i$/.test(q.suffix)) {
      out.error('invalid-quantity', cpu.span, `cpu '${cpu.value}' is not a CPU quantity; write cores like '2' or '0.5', or millicores like '500m'.`);
    } else if (q.value > 256) {
      const fix = `${Math.round(q.value)}m`;
      out.warning('suspicious-quantity', cpu.span, `cpu ${cpu.value} asks for ${q.value} cores; did you mean ${fix} (millicores)?`, [{ kind: 'replace', title: `Change to '${fix}'`, newText: `"${fix}"` }]);
    }
  }
  if (memory) {
    const q = parseQuantity(memory.value);
    if (!q || q.value <= 0) {
      out.error('invalid-quantity', memory.span, `memory '${memory.value}' is not a memory quantity; write e.g. '512Mi', '4Gi' or '2G'.`);
    } else if (q.suffix === 'm') {
      const fix = String(memory.value).replace(/m$/, 'Mi');
      out.warning('suspicious-quantity', memory.span, `memory '${memory.value}' means ${q.value} bytes ('m' is milli); did you mean '${fix}'?`, [{ kind: 'replace', title: `Change to '${fix}'`, newText: fix }]);
    } else if (q.value < 1024 * 1024) {
      const n = String(memory.value).replace(/[^0-9.]/g, '');
      const fix = `${n}Mi`;
      out.warning('suspicious-quantity', memory.span, `memory '${memory.value}' is only ${q.value} bytes; did you mean '${fix}'?`, [{ kind: 'replace', title: `Change to '${fix}'`, newText: fix }]);
    }
  }
  if (gpu) {
    const n = typeof gpu.value === 'number' ? gpu.value : /^\d+$/.test(gpu.value.trim()) ? Number(gpu.value) : NaN;
    if (!Number.isInteger(n) || n < 0) out.error('invalid-quantity', gpu.span, `gpu '${gpu.value}' must be a whole number of GPUs (0, 1, 2…).`);
  }
  const workdir = s.workdir;
  if (workdir && ctx.dir !== undefined && !workdir.value.includes('${{')) {
    const abs = isAbsolute(workdir.value) ? normalize(workdir.value) : join(ctx.dir, workdir.value);
    if (relativeInside(ctx.root ?? ctx.dir, abs) === undefined) {
      out.warning('workdir-outside', workdir.span, `workdir '${workdir.value}' is outside the workspace, where a task would run and write; runs refuse it. Use a folder inside the workspace, e.g. '.'.`);
    }
  }
  if (s.timeout) checkDuration(s.timeout, 'timeout', out);
  if (s.retries?.backoff) checkDuration(s.retries.backoff, 'backoff', out);
  const image = s.image;
  if (image && !image.value.includes('${{')) {
    const ref = parseImage(image.value);
    if (!ref) {
      out.error('invalid-image', image.span, `'${image.value}' is not a valid image reference; write e.g. 'python:3.12-slim' or 'ghcr.io/org/trainer:1.4' (lower-case name, optional tag).`);
    } else if (!ref.digest && (!ref.tag || ref.tag === 'latest')) {
      const cacheOn = task ? effective(ctx.pipeline, task, 'cache')?.value !== false : s.cache?.value !== false;
      if (cacheOn) {
        out.warning(
          'unpinned-image',
          image.span,
          `Image '${image.value}' is ${ref.tag ? 'pinned to :latest' : 'not pinned to a tag'}, so cached results may come from a different image. Pin a version tag or digest, or set cache: false.`,
          [{ kind: 'replace', title: 'Set cache: false for this task', newText: 'cache: false' }],
        );
      }
    }
  }
}

function checkDuration(v: Located<string | number>, what: string, out: Problems): void {
  if (typeof v.value === 'number') {
    out.error('invalid-duration', v.span, `${what} ${v.value} has no unit; write '${v.value}s' or '${v.value}m'.`, [{ kind: 'replace', title: `Change to '${v.value}s'`, newText: `${v.value}s` }]);
  } else if (parseDuration(v.value) === undefined) {
    out.error('invalid-duration', v.span, `${what} '${v.value}' is not a duration; write e.g. '90s', '15m', '2h' or '1h30m'.`);
  }
}

function checkParams({ pipeline: p, graph, text }: PipelineContext, out: Problems): void {
  const used = new Set<string>();
  for (const r of graph.refs.values()) {
    for (const ref of r.all) if (ref.parts[0] === 'params' && ref.parts[1]) used.add(ref.parts[1]);
  }
  // Defaults' env and image may reference params too.
  for (const param of p.params.values()) {
    checkParamType(param, out);
    if (used.has(param.name)) continue;
    const envName = `MLOPS_PARAM_${param.name.toUpperCase()}`;
    // Whole names only: `lr` is not used by `${{ params.lr_decay }}` or `$MLOPS_PARAM_LR_DECAY`.
    const envUse = new RegExp(`${escapeRegExp(envName)}(?![A-Za-z0-9_])`);
    const viaEnv = [...p.tasks.values()].some((t) => t.run !== undefined && envUse.test(t.run.value));
    const expr = new RegExp(`\\$\\{\\{\\s*params\\.${escapeRegExp(param.name)}\\s*\\}\\}`);
    if (!viaEnv && !expr.test(text)) {
      out.warning('unused-param', param.keySpan, `Param '${param.name}' is never used; reference it as \${{ params.${param.name} }} or $${envName}, or remove it.`);
    }
  }
}

/** `s` as a literal inside a regular expression (param names may hold any character). */
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const TYPE_ADVICE: Record<ParamType, string> = {
  string: 'Quote it to make it text.',
  number: 'Write a number, e.g. 0.5.',
  integer: 'Write a whole number, e.g. 3.',
  boolean: 'Write true or false.',
};

function checkParamType(param: Pipeline['params'] extends Map<string, infer P> ? P : never, out: Problems): void {
  const declared = param.type?.value;
  if (declared && !['string', 'number', 'integer', 'boolean'].includes(declared)) return; // the schema reports it
  const type = param.effectiveType;
  const fits = (v: unknown): boolean => {
    switch (type) {
      case 'string':
        return typeof v === 'string';
      case 'number':
        return typeof v === 'number';
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v);
      case 'boolean':
        return typeof v === 'boolean';
    }
  };
  const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : String(v));
  if (param.default && param.default.value !== null && !fits(param.default.value)) {
    out.error('param-type', param.default.span, `Default ${show(param.default.value)} of param '${param.name}' is not of type ${type}. ${TYPE_ADVICE[type]}`);
  }
  if (param.enum) {
    for (const e of param.enum) {
      if (!fits(e.value)) out.error('param-type', e.span, `Allowed value ${show(e.value)} of param '${param.name}' is not of type ${type}.`);
    }
    if (param.default && param.default.value !== null && !param.enum.some((e) => e.value === param.default!.value)) {
      out.error('param-type', param.default.span, `Default ${show(param.default.value)} of param '${param.name}' is not one of its allowed values: ${param.enum.map((e) => show(e.value)).join(', ')}.`);
    }
  }
}

function checkFeatures({ pipeline: p, features }: PipelineContext, out: Problems): void {
  checkFeatureList(p.defaults.features, features, out);
  for (const t of p.tasks.values()) if (t.features.length > 0) checkFeatureList(t.features, features, out);
}

function checkFeatureList(list: Located<string>[], features: FeatureIndex, out: Problems): void {
  for (const f of list) {
    const [viewName, featureName, extra] = f.value.split('.');
    const view = features.view(viewName!);
    if (!view) {
      const names = features.viewNames();
      const best = closest(viewName!, names);
      out.error(
        'unknown-feature',
        f.span,
        names.length === 0
          ? `Feature view '${viewName}' is not defined: the workspace has no *.features.yaml file. Create one that defines it.`
          : `Feature view '${viewName}' is not defined in any *.features.yaml.${best ? ` Did you mean '${best}'?` : ` Known views: ${names.slice(0, 8).join(', ')}.`}`,
        best ? [{ kind: 'replace', title: `Change to '${best}'`, newText: featureName ? `${best}.${featureName}` : best }] : undefined,
      );
      continue;
    }
    if (extra !== undefined) {
      out.error('unknown-feature', f.span, `'${f.value}' should be a view name or view.feature.`);
    } else if (featureName !== undefined && !view.features.has(featureName)) {
      const best = closest(featureName, view.features.keys());
      out.error(
        'unknown-feature',
        f.span,
        `Feature view '${viewName}' has no feature '${featureName}'.${best ? ` Did you mean '${best}'?` : ` Its features: ${[...view.features.keys()].slice(0, 8).join(', ')}.`}`,
        best ? [{ kind: 'replace', title: `Change to '${viewName}.${best}'`, newText: `${viewName}.${best}` }] : undefined,
      );
    }
  }
}

function checkModels({ pipeline: p }: PipelineContext, out: Problems): void {
  for (const t of p.tasks.values()) {
    const path = t.model?.path;
    if (!path) continue;
    const norm = normalize(path.value);
    const ok = t.outputs.some((o) => {
      const on = normalize(o.path.value);
      return on === norm || norm.startsWith(`${on}/`);
    });
    if (!ok) {
      out.error('model-path-not-output', path.span, `model.path '${path.value}' is not one of task '${t.id}''s outputs; add it to outputs so the run produces it and the cache tracks it.`);
    }
  }
}

function checkInputs({ pipeline: p, graph, dir, host }: PipelineContext, out: Problems): void {
  for (const t of p.tasks.values()) {
    for (const i of t.inputs) {
      if (i.path.value.includes('${{')) continue;
      const norm = normalize(i.path.value);
      if (producersOf(graph.producers, norm).length > 0) continue;
      if (!host || dir === undefined) continue;
      const abs = isAbsolute(norm) ? norm : join(dir, norm);
      if (host.exists(abs)) continue;
      out.warning('missing-input', i.path.span, `Input '${i.path.value}' is produced by no task and does not exist; create it, fix the path, or add the task that writes it.`);
    }
  }
}

/** The fields of a task that sbatch options such as --mem would contradict. */
function setFields(p: Pipeline, t: Task): Set<SetField> {
  const r = effectiveResources(p, t);
  const set = new Set<SetField>();
  if (r.cpu) set.add('resources.cpu');
  if (r.memory) set.add('resources.memory');
  if (r.gpu) set.add('resources.gpu');
  if (effective(p, t, 'timeout')) set.add('timeout');
  return set;
}

/** Extra sbatch arguments (slurm.args) and settings the task's executor does not use. */
function checkExecutors({ pipeline: p }: PipelineContext, out: Problems): void {
  // Arguments under defaults are checked once, against every task that inherits them.
  const inheriting = [...p.tasks.values()].filter((t) => t.slurm?.args === undefined);
  const defaultsSet = new Set(inheriting.flatMap((t) => [...setFields(p, t)]));
  for (const arg of p.defaults.slurm?.args ?? []) {
    const why = sbatchArgProblem(arg.value, defaultsSet);
    if (why) out.error('slurm-arg', arg.span, why);
  }
  for (const t of p.tasks.values()) {
    if (t.slurm?.args) {
      const set = setFields(p, t);
      for (const arg of t.slurm.args) {
        const why = sbatchArgProblem(arg.value, set);
        if (why) out.error('slurm-arg', arg.span, why);
      }
    }
    if (t.image && effective(p, t, 'executor')?.value === 'slurm') {
      out.warning('unused-setting', t.image.span, `Task '${t.id}' runs on Slurm, which does not use image: the job runs on the cluster's nodes as they are. Remove it, or run the task with executor: docker.`);
    }
  }
  const image = p.defaults.image;
  if (image && p.defaults.executor?.value === 'slurm' && p.tasks.size > 0 && [...p.tasks.values()].every((t) => t.image !== undefined || effective(p, t, 'executor')?.value === 'slurm')) {
    out.warning('unused-setting', image.span, `Every task runs on Slurm or has its own image, so this image is not used: Slurm jobs run on the cluster's nodes as they are. Remove it.`);
  }
}
