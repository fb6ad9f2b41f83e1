import { Dag } from '../graph/dag';
import { sameItems } from '../util/arrays';
import { normalize } from '../util/paths';
import { findReferences, hasReference, type Reference } from './interpolation';
import { effective, effectiveEnv } from './load';
import type { Located, Pipeline, Task } from './model';

/** Every `${{ }}` reference of one task, by the field it stands in. */
export interface TaskReferences {
  run: Reference[];
  env: Reference[];
  inputs: Reference[];
  image: Reference[];
  /** All of the above, in that order. */
  all: Reference[];
}

/** The references of a task that has none (most tasks): one shared, frozen object. */
const NO_REFERENCES: TaskReferences = Object.freeze({ run: [], env: [], inputs: [], image: [], all: [] }) as unknown as TaskReferences;
const NO_PATHS: string[] = Object.freeze([]) as unknown as string[];

/** The dependency graph of a pipeline plus the facts it was derived from. */
export interface PipelineGraph {
  dag: Dag;
  refs: Map<string, TaskReferences>;
  /** Normalised output path → the tasks that write it. */
  producers: Map<string, string[]>;
  /** For each task, its input paths resolved (references to upstream outputs replaced). */
  resolvedInputs: Map<string, string[]>;
}

export function collectReferences(p: Pipeline, t: Task, text: string): TaskReferences {
  const image = effective(p, t, 'image');
  if (!mayReference(p, t, image, text)) return NO_REFERENCES;
  const run = t.run ? findReferences(text, t.run.span) : [];
  const env = [...effectiveEnv(p, t).values()].flatMap((v) => findReferences(text, v.span));
  const inputs = t.inputs.flatMap((i) => findReferences(text, i.path.span));
  const img = image ? findReferences(text, image.span) : [];
  return { run, env, inputs, image: img, all: [...run, ...env, ...inputs, ...img] };
}

/** Whether any field that may hold a reference contains `${{`, read in place. */
function mayReference(p: Pipeline, t: Task, image: Located<string> | undefined, text: string): boolean {
  if (t.run && hasReference(text, t.run.span)) return true;
  if (image && hasReference(text, image.span)) return true;
  for (const i of t.inputs) if (hasReference(text, i.path.span)) return true;
  for (const v of t.env.values()) if (hasReference(text, v.span)) return true;
  for (const v of p.defaults.env.values()) if (hasReference(text, v.span)) return true;
  return false;
}

/** Resolves an input written as exactly one `${{ tasks.X.outputs.Y }}` to X's output path. */
export function resolveInputPath(p: Pipeline, raw: string): string | undefined {
  const m = /^\$\{\{\s*tasks\.([^.\s]+)\.outputs\.([^.\s}]+)\s*\}\}$/.exec(raw.trim());
  if (!m) return raw.includes('${{') ? undefined : normalize(raw);
  const up = p.tasks.get(m[1]!);
  const out = up?.outputs.find((o, i) => o.name === m[2] || String(i) === m[2]);
  return out ? normalize(out.path.value) : undefined;
}

/**
 * A document's last graph and what it was built from. Most edits (a command, a param, a
 * resource) leave every edge as it was; the graph is then kept instead of built again, with
 * the order it computed. One per document, like its ParseCache; a graph is never changed
 * once built, so two analyses may share it.
 */
export class GraphCache {
  private nodes: string[] = [];
  /** The edges asked for, in order, three slots each: from, to, and the reason ('' for a declared edge). */
  private edges: string[] = [];
  private dag: Dag | undefined;

  /** The graph of `nodes` with `edges` (as recorded by buildGraph), the last one when they are the same. */
  graph(nodes: string[], edges: string[]): Dag {
    if (this.dag && sameItems(nodes, this.nodes) && sameItems(edges, this.edges)) return this.dag;
    const dag = new Dag(nodes);
    for (let i = 0; i < edges.length; i += 3) {
      const reason = edges[i + 2]!;
      if (reason === '') dag.add(edges[i]!, edges[i + 1]!, 'declared');
      else dag.add(edges[i]!, edges[i + 1]!, 'inferred', reason);
    }
    this.nodes = nodes;
    this.edges = edges;
    this.dag = dag;
    return dag;
  }
}

export function buildGraph(p: Pipeline, text: string, cache: GraphCache = new GraphCache()): PipelineGraph {
  const edges: string[] = [];
  const refs = new Map<string, TaskReferences>();
  const producers = new Map<string, string[]>();
  const resolvedInputs = new Map<string, string[]>();
  for (const t of p.tasks.values()) {
    for (const o of t.outputs) {
      const key = normalize(o.path.value);
      const list = producers.get(key);
      if (list) list.push(t.id);
      else producers.set(key, [t.id]);
    }
  }
  // Only edges between two tasks are recorded (the graph ignores the rest), so typing an
  // unknown id keeps the graph too. `reason` is '' for a declared edge.
  const edge = (from: string | undefined, to: string, reason: string) => {
    if (from !== undefined && from !== to && p.tasks.has(from)) edges.push(from, to, reason);
  };
  for (const t of p.tasks.values()) {
    for (const n of t.needs) edge(n.value, t.id, '');
    const r = collectReferences(p, t, text);
    refs.set(t.id, r);
    for (const ref of r.all) if (ref.parts[0] === 'tasks') edge(ref.parts[1], t.id, `references ${ref.expr}`);
    const resolved: string[] = t.inputs.length === 0 ? NO_PATHS : [];
    for (const i of t.inputs) {
      const path = resolveInputPath(p, i.path.value);
      if (path === undefined) continue;
      resolved.push(path);
      for (const producer of producersOf(producers, path)) edge(producer, t.id, `reads ${path}`);
    }
    resolvedInputs.set(t.id, resolved);
  }
  const dag = cache.graph(
    p.taskOrder.map((t) => t.id),
    edges,
  );
  return { dag, refs, producers, resolvedInputs };
}

/** The tasks whose outputs are `path` or a folder containing it. */
export function producersOf(producers: Map<string, string[]>, path: string): string[] {
  const out: string[] = [];
  for (let p = path; ;) {
    const hit = producers.get(p);
    if (hit) out.push(...hit);
    const i = p.lastIndexOf('/');
    if (i <= 0) break;
    p = p.slice(0, i);
  }
  return out;
}
