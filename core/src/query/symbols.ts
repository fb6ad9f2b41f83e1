/**
 * Named things of pipeline and feature files — tasks, params, feature views, features,
 * entities, sources — found at an offset and found everywhere they occur. The editor uses
 * this for hover, go to definition, references and rename; the agent can use it too.
 */
import type { FeatureCatalog } from '../features/model';
import { findReferences, type Reference } from '../pipeline/interpolation';
import type { Pipeline } from '../pipeline/model';
import { spanContains, type Span } from '../text/range';
import type { Analysis } from '../workspace';
import type { YScalar, YValue } from '../yaml/tree';
import { eachScalar, innerSpan, nodeAt } from './node-at';

/** A global or file-local name. Tasks and params live in one pipeline; catalog names are global. */
export type SymbolKey =
  | { kind: 'task'; id: string }
  | { kind: 'param'; name: string }
  | { kind: 'output'; task: string; name: string }
  | { kind: 'view'; name: string }
  | { kind: 'feature'; view: string; name: string }
  | { kind: 'entity'; name: string }
  | { kind: 'source'; name: string };

/** A symbol written at one place: `span` covers exactly the name, `decl` marks its definition. */
export interface Occurrence {
  key: SymbolKey;
  span: Span;
  decl: boolean;
}

/** Whether two keys name the same symbol. */
export function sameSymbol(a: SymbolKey, b: SymbolKey): boolean {
  switch (a.kind) {
    case 'task':
      return b.kind === 'task' && a.id === b.id;
    case 'output':
      return b.kind === 'output' && a.task === b.task && a.name === b.name;
    case 'feature':
      return b.kind === 'feature' && a.view === b.view && a.name === b.name;
    case 'param':
    case 'view':
    case 'entity':
    case 'source':
      return b.kind === a.kind && a.name === b.name;
  }
}

/** Symbols that belong to one pipeline file rather than to the whole workspace. */
export function isFileLocal(key: SymbolKey): boolean {
  return key.kind === 'task' || key.kind === 'param' || key.kind === 'output';
}

/** The symbol whose name contains `offset`, if any. */
export function symbolAt(a: Analysis, offset: number): Occurrence | undefined {
  if (a.kind === 'pipeline' && a.pipeline) return pipelineSymbolAt(a.parsed.text, a.pipeline, offset);
  if (a.kind === 'features' && a.catalog) return catalogSymbolAt(a.parsed.text, a.catalog, a.parsed.root, offset);
  return undefined;
}

/** Every symbol occurrence of a file (for workspace-wide lookups), in file order. */
export function allOccurrences(a: Analysis): Occurrence[] {
  if (a.kind === 'pipeline' && a.pipeline) return pipelineOccurrences(a.parsed.text, a.pipeline);
  if (a.catalog) return catalogOccurrences(a.parsed.text, a.catalog);
  return [];
}

// ------------------------------------------------------------------------------- pipelines

function pipelineSymbolAt(text: string, p: Pipeline, offset: number): Occurrence | undefined {
  for (const param of p.params.values()) {
    if (spanContains(param.keySpan, offset)) return { key: { kind: 'param', name: param.name }, span: param.keySpan, decl: true };
  }
  for (const t of p.taskOrder) {
    if (spanContains(t.keySpan, offset)) return { key: { kind: 'task', id: t.id }, span: t.keySpan, decl: true };
  }
  const hit = nodeAt(p.root, offset);
  if (!hit || hit.onKey || hit.node?.kind !== 'scalar') return undefined;
  const scalar = hit.node;
  const path = hit.path;
  const inTask = path[0] === 'tasks' && typeof path[1] === 'string';
  if (inTask && path[2] === 'needs' && typeof path[3] === 'number') return needOccurrence(text, scalar);
  if ((inTask && path[2] === 'features') || (path[0] === 'defaults' && path[1] === 'features')) {
    return featureRefOccurrences(text, scalar).find((o) => spanContains(o.span, offset));
  }
  if (typeof scalar.value === 'string' && text.slice(scalar.span[0], scalar.span[1]).includes('${{')) {
    const task = inTask ? (path[1] as string) : undefined;
    return interpolationOccurrences(text, scalar, task).find((o) => spanContains(o.span, offset));
  }
  return undefined;
}

function needOccurrence(text: string, s: YScalar): Occurrence | undefined {
  if (s.value === null) return undefined;
  return { key: { kind: 'task', id: String(s.value) }, span: innerSpan(text, s), decl: false };
}

/** `view` or `view.feature` in a `features:` list. */
function featureRefOccurrences(text: string, s: YScalar): Occurrence[] {
  if (s.value === null) return [];
  const [a] = innerSpan(text, s);
  const value = String(s.value);
  const dot = value.indexOf('.');
  if (dot === -1) return [{ key: { kind: 'view', name: value }, span: [a, a + value.length], decl: false }];
  const view = value.slice(0, dot);
  const feature = value.slice(dot + 1);
  return [
    { key: { kind: 'view', name: view }, span: [a, a + dot], decl: false },
    { key: { kind: 'feature', view, name: feature }, span: [a + dot + 1, a + value.length], decl: false },
  ];
}

/** The spans of each dotted part of a reference, trimmed. */
export function referenceParts(text: string, ref: Reference): Span[] {
  const out: Span[] = [];
  let start = ref.span[0];
  const end = ref.span[1];
  for (;;) {
    const dot = text.indexOf('.', start);
    const stop = dot === -1 || dot > end ? end : dot;
    let a = start;
    let b = stop;
    while (a < b && /\s/.test(text[a]!)) a++;
    while (b > a && /\s/.test(text[b - 1]!)) b--;
    out.push([a, b]);
    if (stop === end) return out;
    start = stop + 1;
  }
}

/** Names inside `${{ }}` of one scalar: params, tasks and their outputs, and this task's own inputs/outputs. */
function interpolationOccurrences(text: string, s: YScalar, task: string | undefined): Occurrence[] {
  const out: Occurrence[] = [];
  for (const ref of findReferences(text, s.span)) {
    const parts = referenceParts(text, ref);
    const [root, a, b, c] = ref.parts;
    if (root === 'params' && a && parts[1]) out.push({ key: { kind: 'param', name: a }, span: parts[1], decl: false });
    if (root === 'tasks' && a && parts[1]) {
      out.push({ key: { kind: 'task', id: a }, span: parts[1], decl: false });
      if (b === 'outputs' && c && parts[3]) out.push({ key: { kind: 'output', task: a, name: c }, span: parts[3], decl: false });
    }
    if (root === 'outputs' && a && task && parts[1]) out.push({ key: { kind: 'output', task, name: a }, span: parts[1], decl: false });
  }
  return out;
}

function pipelineOccurrences(text: string, p: Pipeline): Occurrence[] {
  const out: Occurrence[] = [];
  for (const param of p.params.values()) out.push({ key: { kind: 'param', name: param.name }, span: param.keySpan, decl: true });
  const visitFeatures = (list: YValue | null | undefined) => {
    if (list?.kind === 'seq') for (const item of list.items) if (item.kind === 'scalar') out.push(...featureRefOccurrences(text, item));
  };
  const defaults = p.root?.kind === 'map' ? p.root.entries.find((e) => e.key === 'defaults')?.value : undefined;
  if (defaults?.kind === 'map') visitFeatures(defaults.entries.find((e) => e.key === 'features')?.value);
  const paramEnv = new Map([...p.params.keys()].map((name) => [`MLOPS_PARAM_${name.toUpperCase()}`, name]));
  for (const t of p.taskOrder) {
    out.push({ key: { kind: 'task', id: t.id }, span: t.keySpan, decl: true });
    const node = t.node;
    if (!node) continue;
    for (const e of node.entries) {
      if (e.key === 'needs' && e.value?.kind === 'seq') {
        for (const item of e.value.items) {
          if (item.kind !== 'scalar') continue;
          const o = needOccurrence(text, item);
          if (o) out.push(o);
        }
      } else if (e.key === 'features') visitFeatures(e.value);
      else if (e.key === 'outputs' && e.value?.kind === 'map') {
        for (const o of e.value.entries) out.push({ key: { kind: 'output', task: t.id, name: o.key }, span: o.keySpan, decl: true });
      }
    }
    eachScalar(node, (s) => {
      if (typeof s.value !== 'string') return;
      const raw = text.slice(s.span[0], s.span[1]);
      if (raw.includes('${{')) out.push(...interpolationOccurrences(text, s, t.id));
      if (paramEnv.size > 0 && raw.includes('MLOPS_PARAM_')) {
        for (const m of raw.matchAll(/MLOPS_PARAM_[A-Za-z0-9_]+/g)) {
          const name = paramEnv.get(m[0]);
          // Only the NAME part after the prefix is the param's name (upper-cased).
          if (name) out.push({ key: { kind: 'param', name }, span: [s.span[0] + m.index + 12, s.span[0] + m.index + m[0].length], decl: false });
        }
      }
    });
  }
  if (defaults) {
    eachScalar(defaults, (s) => {
      if (typeof s.value === 'string' && text.slice(s.span[0], s.span[1]).includes('${{')) out.push(...interpolationOccurrences(text, s, undefined));
    });
  }
  return out.sort((x, y) => x.span[0] - y.span[0]);
}

// ------------------------------------------------------------------------------- catalogs

function catalogSymbolAt(text: string, c: FeatureCatalog, root: YValue | null, offset: number): Occurrence | undefined {
  void root;
  return catalogOccurrences(text, c).find((o) => spanContains(o.span, offset));
}

function catalogOccurrences(text: string, c: FeatureCatalog): Occurrence[] {
  const out: Occurrence[] = [];
  const ref = (s: { value: string; span: Span }): Span => {
    // Located values keep the scalar's span, quotes included; narrow to the name.
    const raw = text.slice(s.span[0], s.span[1]);
    const i = raw.indexOf(s.value);
    return i === -1 ? s.span : [s.span[0] + i, s.span[0] + i + s.value.length];
  };
  for (const e of c.entities.values()) out.push({ key: { kind: 'entity', name: e.name }, span: e.keySpan, decl: true });
  for (const s of c.sources.values()) out.push({ key: { kind: 'source', name: s.name }, span: s.keySpan, decl: true });
  for (const v of c.views.values()) {
    out.push({ key: { kind: 'view', name: v.name }, span: v.keySpan, decl: true });
    for (const e of v.entities) out.push({ key: { kind: 'entity', name: e.value }, span: ref(e), decl: false });
    if (v.source) out.push({ key: { kind: 'source', name: v.source.value }, span: ref(v.source), decl: false });
    for (const f of v.features.values()) out.push({ key: { kind: 'feature', view: v.name, name: f.name }, span: f.keySpan, decl: true });
  }
  return out.sort((x, y) => x.span[0] - y.span[0]);
}
