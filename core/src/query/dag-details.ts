/** The facts the DAG view's hover card and `mlops dag --format json` show about each task. */
import type { PipelineGraph } from '../pipeline/graph';
import { effective, effectiveFeatures, effectiveResources } from '../pipeline/load';
import type { Located, Pipeline, Task } from '../pipeline/model';
import type { DagNodeDetails, DagResult } from '../protocol/lsp';
import type { Analysis } from '../workspace';

/** Details of one task, values as written (defaults applied where the task inherits them). */
export function taskDetails(p: Pipeline, t: Task, g: PipelineGraph): DagNodeDetails {
  const resources: DagNodeDetails['resources'] = {};
  const r = effectiveResources(p, t);
  for (const key of ['cpu', 'memory', 'gpu'] as const) {
    const v = r[key];
    if (v !== undefined) resources[key] = String(v.value);
  }
  const params: string[] = [];
  const refs = g.refs.get(t.id);
  for (const ref of refs?.all ?? []) {
    if (ref.parts[0] === 'params' && ref.parts[1] && !params.includes(ref.parts[1])) params.push(ref.parts[1]);
  }
  const details: DagNodeDetails = {
    inputs: t.inputs.map((i) => named(i.name, { path: i.path.value })),
    outputs: t.outputs.map((o) => {
      const entry = named(o.name, { path: o.path.value });
      return o.kind ? { ...entry, kind: o.kind } : entry;
    }),
    resources,
    params,
    features: effectiveFeatures(p, t).map((f) => f.value),
  };
  const executor = value(effective(p, t, 'executor'));
  if (executor !== undefined) details.executor = executor;
  const image = value(effective(p, t, 'image'));
  if (image !== undefined) details.image = image;
  if (t.model?.name) details.model = t.model.name.value;
  return details;
}

/** Adds `details` to every node and the reason to every inferred edge of a graph made by `dagOf`. */
export function withDetails(a: Analysis, result: DagResult): DagResult {
  const p = a.pipeline;
  const g = a.graph;
  if (!p || !g) return result;
  const nodes = result.nodes.map((n) => {
    const t = p.tasks.get(n.id);
    return t ? { ...n, details: taskDetails(p, t, g) } : n;
  });
  const edges = result.edges.map((e) => {
    const reason = g.dag.edge(e.from, e.to)?.reason;
    return reason !== undefined && e.reason === undefined ? { ...e, reason } : e;
  });
  return { ...result, nodes, edges };
}

function named<T extends object>(name: string | undefined, rest: T): T & { name?: string } {
  return name === undefined ? rest : { name, ...rest };
}

function value<T>(v: Located<T> | undefined): T | undefined {
  return v?.value;
}
